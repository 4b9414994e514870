"""``manage.py seed_demo``: a demo municipality with schools, pupils, families and staff, and
(unless --no-school-data) their attendance, grades and behaviour imported as the schools'
class registers would export them."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from kopiena.demo.builder import (
    DEFAULT_PUPILS,
    DemoError,
    SeedOptions,
    add_school_data,
    add_support_cases,
    build_demo,
    demo_exists,
    school_data_rows,
)
from kopiena.demo.cases import CaseSummary, support_cases_exist
from kopiena.demo.personas import DEFAULT_PASSWORD, PERSONAS
from kopiena.demo.schooldata import SchoolDataSummary, school_data_exists

_BAR_WIDTH = 30


def _bar(done: int, total: int) -> str:
    filled = _BAR_WIDTH * min(done, total) // total if total else _BAR_WIDTH
    return "#" * filled + "." * (_BAR_WIDTH - filled)


class _StepBar:
    """One progress line per step (writing the files, then each import), redrawn in place
    at most once per per cent (or per 10,000 rows when the total is unknown)."""

    def __init__(self, stdout: OutputWrapper) -> None:
        self.stdout = stdout
        self.label: str | None = None
        self.shown = -1
        self.open = False

    def __call__(self, label: str, done: int, total: int | None) -> None:
        if label != self.label:
            self.close()
            self.label, self.shown = label, -1
        finished = total is not None and done >= total
        mark = 100 * done // total if total else done // 10_000
        if mark == self.shown and not finished:
            return
        self.shown = mark
        counts = f"{done}/{total}" if total is not None else str(done)
        line = f"{label} [{_bar(done, total)}] {counts}" if total is not None else (
            f"{label} {counts}")
        self.stdout.write("\r" + line, ending="")
        self.stdout.flush()
        self.open = True
        if finished:
            self.close()

    def close(self) -> None:
        if self.open:
            self.stdout.write("")
            self.open = False


class Command(BaseCommand):
    help = _(
        "Create the demo data: the national agency, Demo novads with four schools, a social "
        "service and an orphans' court, a small neighbouring municipality, pupils with "
        "families and enrolments, staff and the named personas. Runs only with DEBUG on "
        "(or --force); does nothing if the demo municipality already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pupils", type=int, default=DEFAULT_PUPILS,
            help=_("Pupils across the Demo novads schools (default %(default)s)."),
        )
        parser.add_argument(
            "--seed", type=int, default=1,
            help=_("Random seed; the same seed gives the same data (default %(default)s)."),
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD,
            help=_("Password of every persona (default %(default)s)."),
        )
        parser.add_argument(
            "--force", action="store_true",
            help=_("Seed even though DEBUG is off. Never do this on a production database."),
        )
        parser.add_argument(
            "--no-school-data", action="store_true",
            help=_("Skip the attendance, grades and behaviour of the pupils (a quick seed of "
                   "the structure only). Run seed_demo again without it to add them."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's history happened in the past: its notifications (levels raised, plans
        # waiting, referrals) are in the inboxes, but none of them is e-mailed now.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(options)

    def _seed(self, options: dict[str, Any]) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(_(
                "Demo data is for development: DEBUG is off, so nothing was created. "
                "Use --force if this really is a demo or test database."
            ))
        self.verbosity = int(options["verbosity"])
        started = time.monotonic()
        seed_options = SeedOptions(
            pupils=options["pupils"], seed=options["seed"], password=options["password"],
            school_data=not options["no_school_data"],
        )
        steps = _StepBar(self.stdout) if self.verbosity >= 1 else None
        if demo_exists():
            if not seed_options.school_data or (school_data_exists() and support_cases_exist()):
                self.stdout.write(_("The demo municipality already exists; nothing was changed."))
                return
            rows: list[tuple[str, int | str]] = []
            if not school_data_exists():
                self.stdout.write(_("The demo municipality already exists; adding the school "
                                    "data of its pupils (seed %(seed)d).")
                                  % {"seed": seed_options.seed})
                try:
                    school_data = add_school_data(seed_options, steps)
                except DemoError as error:
                    raise CommandError(str(error)) from error
                self._school_data_details(school_data, started)
                rows += school_data_rows(school_data)
            else:
                self.stdout.write(_("The demo municipality already exists; adding the support "
                                    "cases of its flagged pupils (seed %(seed)d).")
                                  % {"seed": seed_options.seed})
            support = add_support_cases(seed_options, steps)
            self._support_problems(support)
            for label, value in [*rows, *support.rows()] if self.verbosity >= 1 else []:
                self.stdout.write(f"  {label:<20} {value}")
            return
        try:
            summary = build_demo(
                seed_options, progress=self._progress if self.verbosity >= 1 else None,
                school_progress=steps,
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        if summary.school_data is not None:
            self._school_data_details(summary.school_data, started)
        if summary.support is not None:
            self._support_problems(summary.support)
        if self.verbosity < 1:
            return
        self.stdout.write(self.style.SUCCESS(
            _("Demo data created in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
        ))
        for label, value in summary.rows():
            self.stdout.write(f"  {label:<20} {value}")
        self.stdout.write(_(
            "%(count)d personas can log in with the password given (default %(default)s); "
            "list them with: manage.py demo_logins"
        ) % {"count": len(PERSONAS), "default": DEFAULT_PASSWORD})

    def _progress(self, done: int, total: int) -> None:
        step = max(1, total // 50)
        if done % step and done != total:
            return
        self.stdout.write(
            "\r" + _("Pupils [%(bar)s] %(done)d/%(total)d")
            % {"bar": _bar(done, total), "done": done, "total": total},
            ending="\n" if done == total else "",
        )
        self.stdout.flush()

    def _support_problems(self, summary: CaseSummary) -> None:
        """Stories the rules refused (left out of the demo), as warnings."""
        for problem in summary.problems:
            self.stderr.write(self.style.WARNING(
                _("A support case was left out: %(problem)s") % {"problem": problem}))

    def _school_data_details(self, summary: SchoolDataSummary, started: float) -> None:
        """With -v 2: rows and seconds of each imported file."""
        if self.verbosity < 2:
            return
        for item in summary.imports:
            self.stdout.write(f"  {item.file_name:<32} {item.rows:>9} {item.seconds:7.1f} s")
        self.stdout.write(f"  {'':<32} {'':>9} {time.monotonic() - started:7.1f} s")
