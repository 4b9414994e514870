"""manage.py send_reminders [--date YYYY-MM-DD]: the daily reminders in users' inboxes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kopiena.earlywarning.management.commands._options import iso_date
from kopiena.inbox.reminders import APPROVAL_REMINDER_DAYS, send_reminders


class Command(BaseCommand):
    help = _(
        "Add the day's reminders to the inboxes: plan reviews due, approvals waiting longer "
        "than %(days)d days, overdue action items and remote sessions not confirmed. Safe to "
        "run more than once a day.") % {"days": APPROVAL_REMINDER_DAYS}

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                            help=_("The day to remind for, YYYY-MM-DD (default: today)."))

    def handle(self, *args: Any, **options: Any) -> None:
        summary = send_reminders(options["date"])
        self.stdout.write(_(
            "Reminders added: %(reviews)d reviews due, %(approvals)d approvals waiting, "
            "%(items)d overdue action items, %(confirmations)d unconfirmed sessions; "
            "%(settled)d settled reminders marked read.") % {
            "reviews": summary.reviews, "approvals": summary.approvals,
            "items": summary.action_items, "confirmations": summary.confirmations,
            "settled": summary.settled})
