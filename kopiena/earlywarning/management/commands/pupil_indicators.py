"""``manage.py pupil_indicators --school CODE [--as-of DATE] --json``: indicators, support level
and reasons of every pupil enrolled at the school on the date (computed, nothing stored)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kopiena.earlywarning.indicators import PupilIndicators
from kopiena.earlywarning.management.commands._options import iso_date, school_by_code
from kopiena.earlywarning.rules import evaluate


def _sort_key(row: PupilIndicators) -> tuple[int, str, str]:
    return (row.grade if row.grade is not None else 99, row.class_label or "", row.source_id)


class Command(BaseCommand):
    help = _(
        "Print the indicators, support level and reasons of every pupil enrolled at a school "
        "on a date. Rates are fractions between 0 and 1, rounded to 4 decimals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, metavar="CODE",
                            help=_("Registration code of the school."))
        parser.add_argument("--as-of", type=iso_date, metavar="DATE",
                            help=_("Date, YYYY-MM-DD (default: today)."))
        parser.add_argument("--json", action="store_true",
                            help=_("Print a JSON list, one object per pupil."))
        parser.add_argument("--language", choices=["lv", "en"], default="lv",
                            help=_("Language of the reasons (default %(default)s)."))

    def handle(self, *args: Any, **options: Any) -> None:
        school = school_by_code(options["school"])
        as_of = options["as_of"] or timezone.localdate()
        with translation.override(options["language"]):
            rows = sorted(evaluate(as_of=as_of, school=school), key=_sort_key)
            if options["json"]:
                self.stdout.write(json.dumps([r.to_json() for r in rows], ensure_ascii=False,
                                             indent=2))
                return
            for row in rows:
                data = row.to_json()
                self.stdout.write("\t".join([
                    data["class_label"] or "-", data["pupil_id"], row.support_level_label,
                    "; ".join(data["reasons"]),
                ]))
