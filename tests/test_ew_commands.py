"""``manage.py pupil_indicators`` and ``manage.py recompute_indicators``."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.pupils.models import Enrolment
from tests import people as P
from tests.test_ew_factories import (
    AS_OF,
    SEMESTER_START,
    D,
    attend,
    clear_levels,
    days,
    demo_pupil,
    enrolment_of,
    school,
)

pytestmark = pytest.mark.django_db

FIELDS = ["pupil_id", "class_label", "attendance_rate_30d", "attendance_rate_semester",
          "unexcused_lessons_semester", "excused_lessons_semester", "late_semester",
          "insufficient_results_semester", "behaviour_incident_day_share_30d",
          "support_level", "reasons"]


def _run(*args: str) -> Any:
    out = StringIO()
    call_command("pupil_indicators", *args, stdout=out)
    return json.loads(out.getvalue())


def test_one_object_per_pupil_enrolled_on_the_date() -> None:
    pupil = demo_pupil()
    attend(pupil, days(SEMESTER_START, AS_OF), absences={
        D(2026, 11, 2): (1, 5, 0), D(2026, 11, 3): (0, 5, 1), D(2026, 11, 4): (0, 4, 0)})
    rows = _run("--school", P.SCHOOL_A, "--as-of", "2026-11-20", "--json", "--language", "en")
    enrolled = Enrolment.objects.filter(school=school(P.SCHOOL_A)).filter(
        Q(enrolled_from__lte=AS_OF), Q(enrolled_to__isnull=True) | Q(enrolled_to__gte=AS_OF))
    assert sorted(r["pupil_id"] for r in rows) == sorted(e.source_id for e in enrolled)
    for row in rows:
        assert list(row) == FIELDS
        assert row["support_level"] in {"universal", "targeted", "intensive"}
        assert isinstance(row["reasons"], list)
        for name in ("attendance_rate_30d", "attendance_rate_semester",
                     "behaviour_incident_day_share_30d"):
            value = row[name]
            assert value is None or (0 <= value <= 1 and round(value, 4) == value)
    (mine,) = [r for r in rows if r["pupil_id"] == enrolment_of(pupil).source_id]
    assert mine == {
        "pupil_id": enrolment_of(pupil).source_id,
        "class_label": enrolment_of(pupil).school_class.label,  # type: ignore[union-attr]
        "attendance_rate_30d": round((180 - 15) / 180, 4),
        "attendance_rate_semester": round((318 - 15) / 318, 4),
        "unexcused_lessons_semester": 14, "excused_lessons_semester": 1, "late_semester": 1,
        "insufficient_results_semester": 0, "behaviour_incident_day_share_30d": 0.0,
        "support_level": "targeted",
        "reasons": ["14 unexcused lessons this semester; the limit is 20",
                    "Attendance in the last 30 school days is 91.67%, below 95%"],
    }


def test_reasons_are_in_latvian_by_default() -> None:
    pupil = demo_pupil()
    attend(pupil, days(SEMESTER_START, AS_OF), absences={
        D(2026, 11, 2): (5, 0, 0), D(2026, 11, 3): (5, 0, 0), D(2026, 11, 4): (5, 0, 0)})
    rows = _run("--school", P.SCHOOL_A, "--as-of", "2026-11-20", "--json")
    (mine,) = [r for r in rows if r["pupil_id"] == enrolment_of(pupil).source_id]
    assert mine["support_level"] == "universal"
    assert len(mine["reasons"]) == 1
    assert "91,67" in mine["reasons"][0]  # the Latvian decimal comma


@pytest.mark.parametrize("args", [
    ["--school", "0000000000", "--json"],
    ["--school", P.SCHOOL_A, "--as-of", "20.11.2026", "--json"],
    ["--school", P.SCHOOL_A, "--language", "de", "--json"],
])
def test_usage_errors(args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("pupil_indicators", *args, stdout=StringIO())


def test_recompute_indicators_prints_a_json_summary() -> None:
    clear_levels(Q(school=school(P.SCHOOL_A)))
    out = StringIO()
    call_command("recompute_indicators", "--school", P.SCHOOL_A, "--as-of", "2026-11-20",
                 stdout=out)
    first = json.loads(out.getvalue().splitlines()[-1])
    assert first["pupils"] > 0
    assert first["as_of"] == "2026-11-20"
    out = StringIO()
    call_command("recompute_indicators", "--as-of", "2026-11-22", stdout=out)
    weekend = json.loads(out.getvalue().splitlines()[-1])
    assert weekend["skipped"] == 0
    # no school day since Friday: school A's statuses stay as they were
    assert set(PupilSupportStatus.objects.filter(school=school(P.SCHOOL_A)).values_list(
        "as_of", flat=True)) == {AS_OF}
