"""``manage.py load_school_calendars [FILE]``: load school-year calendars from JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kopiena.calendars.loading import DEFAULT_PATH, CalendarDataError, load_school_years


class Command(BaseCommand):
    help = _(
        "Load school-year calendars (school days, semesters, holidays, public holidays) from a "
        "JSON file. Years are matched by name and updated in place; their semesters and days "
        "without lessons are replaced. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default=str(DEFAULT_PATH),
            help=_("Calendar file (default: the shipped %(path)s).") % {"path": DEFAULT_PATH.name},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_school_years(options["file"])
        except (CalendarDataError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            _("Loaded %(years)s: %(created)d created, %(updated)d updated, %(semesters)d "
              "semesters, %(days)d days or periods without lessons.") % {
                "years": ", ".join(counts.names) or "-", "created": counts.created,
                "updated": counts.updated, "semesters": counts.semesters,
                "days": counts.non_school_days,
            }
        ))
