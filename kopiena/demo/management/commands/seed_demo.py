"""``manage.py seed_demo``: a demo municipality with schools, pupils, families and staff."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kopiena.demo.builder import (
    DEFAULT_PUPILS,
    DemoError,
    SeedOptions,
    build_demo,
    demo_exists,
)
from kopiena.demo.personas import DEFAULT_PASSWORD, PERSONAS

_BAR_WIDTH = 30


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

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(_(
                "Demo data is for development: DEBUG is off, so nothing was created. "
                "Use --force if this really is a demo or test database."
            ))
        self.verbosity = int(options["verbosity"])
        if demo_exists():
            self.stdout.write(_("The demo municipality already exists; nothing was changed."))
            return
        started = time.monotonic()
        seed_options = SeedOptions(
            pupils=options["pupils"], seed=options["seed"], password=options["password"]
        )
        try:
            summary = build_demo(
                seed_options, progress=self._progress if self.verbosity >= 1 else None
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
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
        filled = _BAR_WIDTH * done // total if total else _BAR_WIDTH
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        self.stdout.write(
            "\r" + _("Pupils [%(bar)s] %(done)d/%(total)d")
            % {"bar": bar, "done": done, "total": total},
            ending="\n" if done == total else "",
        )
        self.stdout.flush()
