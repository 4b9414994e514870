"""``manage.py recompute_indicators [--school CODE] [--as-of DATE] [--all]``: the nightly run.

Without ``--all``, a school's pupils are recomputed when any grade had a school day since
their statuses were computed (see ``recompute.recompute_due``); the last line of output is a
JSON summary.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.earlywarning.management.commands._options import iso_date, school_by_code
from kopiena.earlywarning.queries import active_on
from kopiena.earlywarning.recompute import RecomputeSummary, recompute_due
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation


class Command(BaseCommand):
    help = _(
        "Recompute the indicators and support levels of the pupils of one school or of every "
        "school, as of a date (default today)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", metavar="CODE",
                            help=_("Registration code of the school (default: every school)."))
        parser.add_argument("--as-of", type=iso_date, metavar="DATE",
                            help=_("Date, YYYY-MM-DD (default: today)."))
        parser.add_argument("--all", action="store_true",
                            help=_("Recompute every enrolled pupil, also when no school day "
                                   "passed since the last run."))

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        if options["school"]:
            schools = [school_by_code(options["school"])]
        else:
            schools = list(Organisation.objects.filter(
                kind__in=EDUCATION_INSTITUTION_KINDS, is_active=True,
                enrolments__in=_active_enrolments(as_of),
            ).distinct().select_related("parent"))
        total = RecomputeSummary(as_of=as_of)
        for school in schools:
            summary = recompute_due(school=school, as_of=as_of, everything=options["all"])
            total.add(summary)
            if int(options["verbosity"]) >= 2:
                self.stdout.write(_("%(school)s: %(pupils)d pupils in %(seconds).1f s") % {
                    "school": school.name, "pupils": summary.pupils,
                    "seconds": summary.seconds})
        self.stdout.write(json.dumps(total.as_json(), ensure_ascii=False))


def _active_enrolments(as_of: Any) -> Any:
    from kopiena.pupils.models import Enrolment

    return Enrolment.objects.filter(active_on(as_of))
