"""manage.py send_digest [--date YYYY-MM-DD]: the daily e-mail digest of unread notifications."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kopiena.earlywarning.management.commands._options import iso_date
from kopiena.inbox.digest import send_digest


class Command(BaseCommand):
    help = _("E-mail each user who chose the daily digest their unread notifications since "
             "the last digest. Safe to run more than once a day.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                            help=_("The day the digest covers, YYYY-MM-DD "
                                   "(default: today, up to now)."))

    def handle(self, *args: Any, **options: Any) -> None:
        summary = send_digest(options["date"])
        self.stdout.write(_(
            "Digests sent: %(sent)d (%(notifications)d notifications); %(quiet)d users had no "
            "news; %(failed)d could not be sent.") % {
            "sent": summary.sent, "notifications": summary.notifications,
            "quiet": summary.without_news, "failed": summary.failed})
        if summary.failed:
            self.stderr.write(_("See the log for the digests that could not be sent."))
