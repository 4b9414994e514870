"""``seed_demo`` writes attendance, grades and behaviour of every demo pupil through the
importer: realistic patterns, deterministic profiles, nothing outside enrolments or school days.

These tests read the session's demo (tests/conftest.py: 160 pupils, seed 7).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from kopiena.calendars.models import NonSchoolDay, SchoolYear
from kopiena.calendars.schooldays import current_school_year, school_days
from kopiena.demo.reset import remove_demo_data
from kopiena.demo.school_profiles import ProfileKind, demo_profiles
from kopiena.demo.schooldata import write_school_data_files
from kopiena.demo.structure import (
    BASIC_SCHOOL_CODE,
    NEIGHBOUR_SCHOOL_CODE,
    SCHOOL_A_CODE,
    SCHOOLS,
)
from kopiena.pupils.models import Enrolment, Pupil
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade, ImportRun
from tests.conftest import DEMO_PUPILS, DEMO_SEED

pytestmark = pytest.mark.django_db

CODES = [spec.code for spec in SCHOOLS]
GENERAL = [SCHOOL_A_CODE, BASIC_SCHOOL_CODE, NEIGHBOUR_SCHOOL_CODE]
LEVELS = {"S", "T", "A", "P", "nv"}
POINTS = {str(n) for n in range(1, 11)} | {"nv"}


def _years() -> tuple[SchoolYear, SchoolYear]:
    current = current_school_year()
    assert current is not None
    previous = SchoolYear.objects.filter(starts_on__lt=current.starts_on).first()
    assert previous is not None
    return previous, current


def _attendance() -> Any:
    return AttendanceDay.objects.filter(school__registration_code__in=CODES)


def _pupils_of(kind: ProfileKind) -> set[int]:
    keys = [key for key, p in demo_profiles(DEMO_SEED).items() if p.kind == kind]
    return set(Enrolment.objects.filter(source_id__in=keys).values_list("pupil_id", flat=True))


def _rates(rows: Any) -> dict[int, float]:
    totals = rows.values("pupil_id").annotate(
        lessons=Sum("lessons_scheduled"), excused=Sum("absent_excused"),
        unexcused=Sum("absent_unexcused"))
    return {t["pupil_id"]: 1 - (t["excused"] + t["unexcused"]) / t["lessons"]
            for t in totals if t["lessons"]}


def test_attendance_covers_both_years_within_enrolments_only() -> None:
    previous, current = _years()
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for pupil, school, starts, ends in Enrolment.objects.values_list(
            "pupil_id", "school_id", "enrolled_from", "enrolled_to"):
        spans[(pupil, school)].append((starts, ends))
    rows = list(_attendance().values_list("pupil_id", "school_id", "date"))
    outside = [(p, s, d) for p, s, d in rows
               if not any(a <= d and (b is None or d <= b) for a, b in spans[(p, s)])]
    assert outside == []
    dates = {d for _p, _s, d in rows}
    assert any(previous.starts_on <= d <= previous.ends_on for d in dates)
    assert any(d >= current.starts_on for d in dates)
    assert max(dates) < timezone.localdate()
    # Every pupil enrolled since before last week has attendance this school year.
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    current_pupils = set(Pupil.objects.filter(
        school__registration_code__in=CODES, enrolments__enrolled_to__isnull=True,
        enrolments__enrolled_from__lte=week_ago).values_list("pk", flat=True))
    with_rows = set(_attendance().filter(date__gte=current.starts_on)
                    .values_list("pupil_id", flat=True))
    assert current_pupils and current_pupils <= with_rows
    assert Pupil.objects.filter(school__registration_code__in=CODES).count() == DEMO_PUPILS + 40


def test_no_attendance_on_weekends_or_holidays() -> None:
    for year in _years():
        allowed = {d for grade in (None, 9, 12) for d in school_days(year, grade=grade)}
        dates = set(_attendance().filter(date__range=(year.starts_on, year.ends_on_grade_12
                                                      or year.ends_on))
                    .values_list("date", flat=True))
        assert dates and dates <= allowed
        assert all(d.weekday() < 5 for d in dates)
        for holiday in NonSchoolDay.objects.filter(school_year=year, grades=""):
            assert not _attendance().filter(
                date__range=(holiday.starts_on, holiday.ends_on)).exists(), holiday.name
    assert not _attendance().filter(lessons_scheduled=0).exists()


def test_a_few_pupils_are_over_the_statutory_threshold_this_semester() -> None:
    _previous, current = _years()
    semester = current.semesters.get(number=1)
    totals = _attendance().filter(date__range=(semester.starts_on, semester.ends_on)).values(
        "pupil_id").annotate(unexcused=Sum("absent_unexcused"))
    over = {t["pupil_id"] for t in totals if t["unexcused"] > 20}
    assert 3 <= len(over) <= 0.05 * DEMO_PUPILS
    assert over == _pupils_of(ProfileKind.THRESHOLD)


def test_most_pupils_attend_well_and_the_chronically_absent_do_not() -> None:
    rates = _rates(_attendance())
    assert sum(r >= 0.9 for r in rates.values()) >= 0.8 * len(rates)
    chronic = [rates[p] for p in _pupils_of(ProfileKind.CHRONIC)]
    assert chronic and all(0.6 <= r < 0.9 for r in chronic)
    steady = sorted(rates[p] for p in _pupils_of(ProfileKind.STEADY))
    assert 0.95 <= steady[len(steady) // 2] <= 0.99
    assert sum(r >= 0.94 for r in steady) >= 0.8 * len(steady)


def test_improving_pupils_attend_better_since_october() -> None:
    previous, current = _years()
    second = previous.semesters.get(number=2)
    improving = _pupils_of(ProfileKind.IMPROVING)
    assert len(improving) >= 3
    rows = _attendance().filter(pupil_id__in=improving)
    before = _rates(rows.filter(date__range=(second.starts_on, second.ends_on)))
    since = _rates(rows.filter(date__gte=current.starts_on + dt.timedelta(days=45)))
    assert sum(since[p] > before[p] for p in improving) >= 0.75 * len(improving)
    assert sum(since.values()) / len(since) >= sum(before.values()) / len(before) + 0.05
    assert sum(since.values()) / len(since) >= 0.93


def test_declining_pupils_grades_drift_down() -> None:
    previous, current = _years()
    declining = _pupils_of(ProfileKind.DECLINING)

    def mean(first: dt.date, last: dt.date) -> float:
        values = [g.points for g in Grade.objects.filter(
            pupil_id__in=declining, kind="ongoing", points__isnull=False,
            date__range=(first, last))]
        return sum(v for v in values if v is not None) / len(values)

    start = mean(previous.starts_on, previous.starts_on + dt.timedelta(days=90))
    assert mean(current.starts_on, timezone.localdate()) < start - 0.5


def test_grades_1_to_3_are_achievement_levels_and_older_pupils_have_points() -> None:
    previous, current = _years()
    seen_levels = seen_points = 0
    for pupil in Pupil.objects.filter(school__registration_code__in=GENERAL).select_related(
            "school_class"):
        assert pupil.school_class is not None
        for year, grade in ((current, pupil.school_class.grade),
                            (previous, pupil.school_class.grade - 1)):
            values = set(Grade.objects.filter(
                pupil=pupil, school__registration_code__in=GENERAL,
                date__range=(year.starts_on, year.ends_on_grade_12 or year.ends_on),
            ).values_list("value", flat=True))
            if 1 <= grade <= 3:
                assert values <= LEVELS, (pupil.pk, grade, values)
                seen_levels += bool(values)
            elif grade >= 4:
                assert values <= POINTS, (pupil.pk, grade, values)
                seen_points += bool(values)
    assert seen_levels > 10 and seen_points > 10
    demo_grades = Grade.objects.filter(school__registration_code__in=CODES)
    assert demo_grades.filter(value="nv").exists()
    assert demo_grades.filter(value="nv").count() < 0.06 * demo_grades.count()


def test_term_and_annual_results_close_the_previous_year() -> None:
    previous, _current = _years()
    semester_1 = previous.semesters.get(number=1)
    grades = Grade.objects.filter(school__registration_code__in=CODES)
    assert set(grades.filter(kind="term").values_list("date", flat=True)) == {
        semester_1.ends_on}
    annual_days = set(grades.filter(kind="annual").values_list("date", flat=True))
    assert previous.ends_on in annual_days
    assert annual_days <= {previous.ends_on, previous.ends_on_grade_9}
    # Several ongoing grades per subject and month.
    october = dt.date(previous.starts_on.year, 10, 1)
    per_month = grades.filter(kind="ongoing", subject="Matemātika",
                              date__range=(october, october.replace(day=31)))
    pupils = per_month.values("pupil_id").distinct().count()
    assert pupils and per_month.count() >= 2 * pupils


def test_behaviour_incidents_are_mostly_few_and_frequent_for_a_handful() -> None:
    incidents = BehaviourIncident.objects.filter(school__registration_code__in=CODES)
    assert set(incidents.values_list("category", flat=True)) <= {
        "disruption", "bullying", "truancy", "violence", "other"}
    assert set(incidents.values_list("severity", flat=True)) <= {1, 2, 3}
    assert not incidents.filter(note="").exists()
    frequent = _pupils_of(ProfileKind.BEHAVIOUR)
    assert len(frequent) >= 3
    attended = dict(_attendance().filter(absent_excused=0, absent_unexcused=0).values(
        "pupil_id").annotate(n=Count("pk")).values_list("pupil_id", "n"))
    for pupil in frequent:
        assert incidents.filter(pupil_id=pupil).count() >= 0.04 * attended[pupil]
    others = incidents.exclude(pupil_id__in=frequent).values("pupil_id").distinct().count()
    assert others < 0.5 * DEMO_PUPILS


def test_every_file_was_imported_and_applied() -> None:
    names = {"attendance-days-2025-26.csv", "attendance-days-2026-27.csv",
             "attendance-lessons-2026-27.csv", "grades-2025-26.csv", "grades-2026-27.csv",
             "behaviour-2025-26.csv", "behaviour-2026-27.csv"}
    runs = ImportRun.objects.filter(file_name__in=names)
    assert set(runs.filter(status=ImportRun.Status.APPLIED).values_list(
        "file_name", flat=True)) == names
    assert not runs.exclude(status=ImportRun.Status.APPLIED).exists()
    lessons = runs.get(file_name="attendance-lessons-2026-27.csv")
    assert lessons.kind == "attendance-lessons" and lessons.rows > 0
    _previous, current = _years()
    assert _attendance().filter(school__registration_code=NEIGHBOUR_SCHOOL_CODE,
                                date__gte=current.starts_on).exists()


def test_seeding_again_duplicates_nothing() -> None:
    def counts() -> tuple[int, ...]:
        return (_attendance().count(), Grade.objects.count(),
                BehaviourIncident.objects.count(), ImportRun.objects.count())

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", pupils=DEMO_PUPILS, seed=DEMO_SEED, force=True, stdout=out)
    assert counts() == before


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    first = write_school_data_files(DEMO_SEED, tmp_path / "one")
    second = write_school_data_files(DEMO_SEED, tmp_path / "two")
    assert [f.path.name for f in first] == [f.path.name for f in second]
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes()
    assert write_school_data_files(DEMO_SEED + 1, tmp_path / "three")[0].path.read_bytes() != (
        first[0].path.read_bytes())


def test_structure_only_seed_and_adding_school_data_later(settings: Any) -> None:
    settings.DEBUG = True
    remove_demo_data()
    call_command("seed_demo", pupils=30, seed=3, no_school_data=True, verbosity=0)
    assert Pupil.objects.filter(school__registration_code__in=CODES).exists()
    assert not _attendance().exists()
    out = io.StringIO()
    call_command("seed_demo", pupils=30, seed=3, stdout=out)
    assert _attendance().exists() and Grade.objects.exists()
    assert "[##############################]" in out.getvalue()
