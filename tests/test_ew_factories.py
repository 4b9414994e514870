"""Helpers for the early-warning tests (no tests here): demo pupils with a clean slate, and
attendance, grades and incidents written directly with bulk_create.

Dates are real school days of 2026/27 (provisional calendar): semester 1 starts Tuesday
1 Sept 2026; autumn holidays 19-23 Oct; 18 Nov is a public holiday. As of Friday 20 Nov 2026
the last 30 school days are 2 Oct - 20 Nov and the semester has 53 school days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Q

from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import school_days
from kopiena.earlywarning.indicators import PupilIndicators, compute_indicators
from kopiena.earlywarning.models import (
    PupilSupportStatus,
    StatutoryThresholdCase,
    SupportLevelEvent,
)
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Enrolment, Pupil
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade, GradeKind
from tests import people as P

D = dt.date
SEMESTER_START = D(2026, 9, 1)
AS_OF = D(2026, 11, 20)
WINDOW_START = D(2026, 10, 2)
INSUFFICIENT = {"1", "2", "3", "nv", "ni"}


def year_2026() -> SchoolYear:
    return SchoolYear.objects.get(name="2026/27")


def days(start: dt.date, end: dt.date, grade: int | None = None) -> list[dt.date]:
    return list(school_days(year_2026(), start=start, end=end, grade=grade))


def enrolment_of(pupil: Pupil) -> Enrolment:
    return Enrolment.objects.select_related("school_class").get(
        pupil=pupil, enrolled_to__isnull=True)


def demo_pupils(*, grade: int, count: int = 1, school_code: str = P.SCHOOL_A,
                programme: str = "general") -> list[Pupil]:
    """Demo pupils of ``grade`` with one enrolment (since before 1 Sept 2026), a usual birth
    year for the grade, and no school data (anything seeded is removed; the test's
    transaction restores it)."""
    usual_birth_year = 2026 - 6 - grade - (9 if programme == "vet" else 0)
    candidates = (
        Pupil.objects.filter(
            school__registration_code=school_code, school_class__grade=grade,
            birth_date__year=usual_birth_year, enrolments__enrolled_from__lte=SEMESTER_START,
            enrolments__enrolled_to__isnull=True,
        ).order_by("pk")
    )
    chosen = [p for p in candidates if p.enrolments.count() == 1][:count]
    assert len(chosen) == count, f"not enough demo pupils in grade {grade}"
    clear_data([p.pk for p in chosen])
    return chosen


def demo_pupil(*, grade: int = 7, school_code: str = P.SCHOOL_A) -> Pupil:
    return demo_pupils(grade=grade, school_code=school_code)[0]


def clear_data(pupil_ids: list[int]) -> None:
    """Remove the pupils' school data and everything computed from it (the seed imports a
    school year of data, which recomputes levels as of today)."""
    AttendanceDay.objects.filter(pupil_id__in=pupil_ids).delete()
    Grade.objects.filter(pupil_id__in=pupil_ids).delete()
    BehaviourIncident.objects.filter(pupil_id__in=pupil_ids).delete()
    clear_levels(Q(pupil_id__in=pupil_ids))


def clear_levels(where: Q) -> None:
    PupilSupportStatus.objects.filter(where).delete()
    SupportLevelEvent.objects.filter(where).delete()
    StatutoryThresholdCase.objects.filter(where).delete()


def attend(pupil: Pupil, dates: list[dt.date], *, scheduled: int = 6,
           absences: dict[dt.date, tuple[int, int, int]] | None = None) -> None:
    """A row for each date; ``absences`` maps a date to (excused, unexcused, late)."""
    absences = absences or {}
    AttendanceDay.objects.bulk_create([
        AttendanceDay(pupil=pupil, school_id=_school_id(pupil), date=day,
                      lessons_scheduled=scheduled,
                      absent_excused=absences.get(day, (0, 0, 0))[0],
                      absent_unexcused=absences.get(day, (0, 0, 0))[1],
                      late=absences.get(day, (0, 0, 0))[2])
        for day in dates
    ])


def grade(pupil: Pupil, day: dt.date, value: str, *, subject: str = "Matemātika",
          kind: str = GradeKind.ONGOING) -> None:
    """A grade, with points and insufficiency derived as the spec says."""
    insufficient = value.lower() in INSUFFICIENT or (value == "S" and kind == GradeKind.ANNUAL)
    Grade.objects.bulk_create([Grade(
        pupil=pupil, school_id=_school_id(pupil), date=day, subject=subject, value=value,
        kind=kind, points=int(value) if value.isdigit() else None,
        is_insufficient=insufficient,
    )])


def incident(pupil: Pupil, day: dt.date, *, severity: int = 1,
             category: str = "disruption") -> None:
    BehaviourIncident.objects.bulk_create([BehaviourIncident(
        pupil=pupil, school_id=_school_id(pupil), date=day, category=category,
        severity=severity)])


def _school_id(pupil: Pupil) -> int:
    assert pupil.school_id is not None
    return pupil.school_id


def indicators_of(pupil: Pupil, as_of: dt.date = AS_OF) -> PupilIndicators:
    (result,) = compute_indicators(as_of=as_of, pupil_ids=[pupil.pk])
    return result


def school(code: str) -> Organisation:
    return P.org(code)


def make_indicators(**values: Any) -> PupilIndicators:
    """Indicators of nobody in particular: all fine unless ``values`` say otherwise."""
    base = PupilIndicators(
        pupil_id=0, school_id=0, source_id="X-1", class_id=None, class_label="7.a", grade=7,
        as_of=AS_OF, school_year_id=None, semester=None, school_days_30d=30, attendance_rate_30d=1.0,
        attendance_rate_semester=1.0, unexcused_lessons_semester=0,
        excused_lessons_semester=0, late_semester=0, insufficient_results_30d=0,
        insufficient_results_semester=0, insufficient_result_subjects=(),
        blocking_subjects=(), grade_trend=None, class_grade_trend=None,
        behaviour_incident_day_share_30d=0.0, serious_incidents_30d=0,
        repeating_year=False, over_age=False, years_over_age=0, changed_school=False,
    )
    return dataclasses.replace(base, **values)
