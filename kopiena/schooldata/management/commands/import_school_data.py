"""``manage.py import_school_data KIND FILE [--dry-run] [--user EMAIL]``."""

from __future__ import annotations

import json
import pathlib
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.schooldata.importing.api import import_file, summary
from kopiena.schooldata.models import ImportKind, ImportRun

_BAR_WIDTH = 30
_SHOWN_ERRORS = 20
_REDRAW_SECONDS = 0.2
USAGE_ERROR = 2
REFUSED = 1


class Command(BaseCommand):
    help = _(
        "Import a class-register export (CSV or XLSX) in the school-data format version 1. "
        "Either every row is applied or none is. The last line of standard output is a JSON "
        "summary; exit status 0 when applied (or, with --dry-run, when it would be), 1 when "
        "refused for errors, 2 for a usage error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", metavar="KIND",
            help=_("What the file holds: %(kinds)s.") % {"kinds": ", ".join(ImportKind.values)},
        )
        parser.add_argument("file", metavar="FILE", help=_("The CSV or XLSX file to import."))
        parser.add_argument(
            "--dry-run", action="store_true",
            help=_("Check the file and count what would change, without writing anything."),
        )
        parser.add_argument(
            "--user", metavar="EMAIL",
            help=_("Import as this user: only schools where the user may import data are "
                   "accepted. Without it the import has full rights."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in ImportKind.values:
            raise CommandError(_("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
                               % {"kind": kind, "kinds": ", ".join(ImportKind.values)},
                               returncode=USAGE_ERROR)
        path = pathlib.Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path}, returncode=USAGE_ERROR)
        user = self._user(options["user"])
        self._last_drawn = 0.0
        self._interactive = self.stderr.isatty()
        run = import_file(kind=kind, path=path, user=user, dry_run=options["dry_run"],
                          progress=self._progress)
        self._finish_bar(run)
        self.stdout.write(json.dumps(summary(run), ensure_ascii=False))
        if run.status not in (ImportRun.Status.APPLIED, ImportRun.Status.CHECKED):
            for error in run.errors[:_SHOWN_ERRORS]:
                self.stderr.write(_("Line %(line)d, %(column)s: %(message)s") % error)
            raise CommandError(
                _("%(status)s (%(count)d errors).")
                % {"status": run.get_status_display(), "count": run.error_count},
                returncode=REFUSED,
            )

    def _user(self, email: str | None) -> User | None:
        if email is None:
            return None
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user with the e-mail address %(email)s.")
                               % {"email": email}, returncode=USAGE_ERROR)
        return user

    def _progress(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self._interactive or now - self._last_drawn < _REDRAW_SECONDS:
            return
        self._last_drawn = now
        line = _("Checking: %(done)d rows") % {"done": done} if total is None else _bar(
            done, total)
        self.stderr.write("\r" + line, ending="")
        self.stderr.flush()

    def _finish_bar(self, run: ImportRun) -> None:
        prefix = "\r" if self._interactive else ""
        self.stderr.write(prefix + _bar(run.rows, run.rows))


def _bar(done: int, total: int) -> str:
    filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
    percent = 100 * done // total if total else 100
    return _("[%(bar)s] %(percent)d%% %(done)d/%(total)d rows") % {
        "bar": "#" * filled + "." * (_BAR_WIDTH - filled), "percent": percent,
        "done": done, "total": total,
    }
