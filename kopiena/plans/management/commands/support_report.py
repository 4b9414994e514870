"""``manage.py support_report``: the support report of a school or a municipality for a
period, as a readable table or (``--json``) as one JSON object. The command has full rights:
no figure is hidden."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.organisations.models import (
    EDUCATION_INSTITUTION_KINDS,
    Organisation,
    OrganisationKind,
)
from kopiena.plans.reports import (
    PeriodError,
    SupportReport,
    default_period,
    parse_period,
    support_report,
)
from kopiena.plans.reports_tables import Suppression, display, report_tables


class Command(BaseCommand):
    help = _("The support report (plans by status, pupils supported, risk groups, measures, "
             "money, outcomes) of a school or a municipality for a period.")

    def add_arguments(self, parser: CommandParser) -> None:
        place = parser.add_mutually_exclusive_group(required=True)
        place.add_argument("--school", metavar="CODE",
                           help=_("The school's registration code."))
        place.add_argument("--municipality", metavar="NAME",
                           help=_("The municipality's name (or registration code); the "
                                  "report covers all its schools."))
        parser.add_argument("--period", metavar="YYYY-MM-DD:YYYY-MM-DD",
                            help=_("First and last day (default: the current semester)."))
        parser.add_argument("--json", action="store_true",
                            help=_("Print one JSON object instead of a table."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = (parse_period(options["period"]) if options["period"]
                      else default_period(timezone.localdate()))
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if options["school"]:
            report = support_report(period=period, school=_school(options["school"]))
        else:
            report = support_report(period=period,
                                    municipality=_municipality(options["municipality"]))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self._print(report)

    def _print(self, report: SupportReport) -> None:
        for table in report_tables(report, Suppression.none()):
            rows = [table.headers, *([display(c) for c in r] for r in table.rows),
                    *([[display(c) for c in table.foot]] if table.foot else [])]
            widths = [max(len(str(r[i])) for r in rows) for i in range(len(table.headers))]
            self.stdout.write(table.title)
            self.stdout.write("-" * len(table.title))
            for row in rows:
                cells = [str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))]
                self.stdout.write("  ".join(cells).rstrip())
            self.stdout.write("")


def _school(code: str) -> Organisation:
    school = Organisation.objects.filter(registration_code=code.strip(),
                                         kind__in=EDUCATION_INSTITUTION_KINDS).first()
    if school is None:
        raise CommandError(_("There is no school with the registration code %(code)s.")
                           % {"code": code})
    return school


def _municipality(name: str) -> Organisation:
    found = list(Organisation.objects.filter(
        Q(name__iexact=name.strip()) | Q(registration_code=name.strip()),
        kind=OrganisationKind.MUNICIPALITY)[:2])
    if not found:
        raise CommandError(_("There is no municipality called %(name)s.") % {"name": name})
    if len(found) > 1:
        raise CommandError(_("Several municipalities are called %(name)s; give the "
                             "registration code instead.") % {"name": name})
    return found[0]
