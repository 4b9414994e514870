"""School-year calendars: shipped data, school days, idempotent loading."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kopiena.calendars.loading import DEFAULT_PATH, load_school_years
from kopiena.calendars.models import NonSchoolDay, SchoolYear
from kopiena.calendars.schooldays import school_days, school_year_on

pytestmark = pytest.mark.django_db

D = dt.date
SHIPPED = ("2024/25", "2025/26", "2026/27")


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _moved_to_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _snapshot() -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for year in SchoolYear.objects.order_by("name"):
        rows.append((year.pk, year.name, year.starts_on, year.ends_on, year.ends_on_grade_9,
                     year.ends_on_grade_12, year.source, year.is_provisional))
        rows.extend(year.semesters.values_list("number", "starts_on", "ends_on"))
        rows.extend(year.non_school_days.order_by("starts_on", "name").values_list(
            "kind", "name", "starts_on", "ends_on", "grades", "is_provisional"))
    return rows


def test_the_migration_ships_three_school_years() -> None:
    years = {y.name: y for y in SchoolYear.objects.filter(name__in=SHIPPED)}
    assert set(years) == set(SHIPPED)
    assert not years["2024/25"].is_provisional
    assert years["2025/26"].is_provisional
    assert years["2026/27"].is_provisional
    assert all(y.source for y in years.values())
    for year in years.values():
        assert sorted(year.semesters.values_list("number", flat=True)) == [1, 2]


def test_2024_25_has_the_dates_of_regulation_698() -> None:
    year = SchoolYear.objects.get(name="2024/25")
    assert "698" in year.source
    assert (year.starts_on, year.ends_on, year.ends_on_grade_9, year.ends_on_grade_12) == (
        D(2024, 9, 2), D(2025, 5, 30), D(2025, 6, 13), D(2025, 6, 20))
    semesters = {s.number: (s.starts_on, s.ends_on) for s in year.semesters.all()}
    assert semesters == {1: (D(2024, 9, 2), D(2024, 12, 20)),
                         2: (D(2025, 1, 6), D(2025, 5, 30))}
    holidays = set(year.non_school_days.filter(kind=NonSchoolDay.Kind.HOLIDAY)
                   .values_list("starts_on", "ends_on"))
    assert holidays == {(D(2024, 10, 21), D(2024, 10, 27)), (D(2024, 12, 23), D(2025, 1, 5)),
                        (D(2025, 3, 10), D(2025, 3, 16))}
    assert not year.non_school_days.filter(is_provisional=True).exists()


@pytest.mark.parametrize("name", SHIPPED)
def test_public_holidays_follow_the_holiday_law(name: str) -> None:
    year = SchoolYear.objects.get(name=name)
    autumn, spring = year.starts_on.year, year.starts_on.year + 1
    easter = _easter(spring)
    candidates = {
        _moved_to_monday(D(autumn, 11, 18)), easter - dt.timedelta(days=2),
        easter + dt.timedelta(days=1), D(spring, 5, 1), _moved_to_monday(D(spring, 5, 4)),
    }
    holidays = year.non_school_days.filter(kind=NonSchoolDay.Kind.HOLIDAY)
    last = max(year.last_day_for_grade(g) for g in range(1, 13))
    expected = {
        day for day in candidates
        if day.weekday() < 5 and year.starts_on <= day <= last
        and not any(h.starts_on <= day <= h.ends_on for h in holidays)
    }
    listed = year.non_school_days.filter(kind=NonSchoolDay.Kind.PUBLIC_HOLIDAY)
    assert all(p.starts_on == p.ends_on for p in listed)
    assert {p.starts_on for p in listed} == expected


def test_school_days_of_semester_1_2024_25() -> None:
    year = SchoolYear.objects.get(name="2024/25")
    semester = year.semesters.get(number=1)
    days = list(school_days(year, semester.starts_on, semester.ends_on))
    # Counted by hand: Mon 2 Sep to Fri 20 Dec 2024 is 16 whole school weeks (80 weekdays);
    # the autumn holidays take 5 weekdays (21-25 Oct) and Proclamation Day Monday 18 Nov one.
    assert len(days) == 16 * 5 - 5 - 1 == 74
    assert all(day.weekday() < 5 for day in days)
    assert D(2024, 10, 23) not in days
    assert D(2024, 11, 18) not in days
    assert D(2024, 11, 19) in days
    assert days[0] == D(2024, 9, 2)
    assert days[-1] == D(2024, 12, 20)


@pytest.mark.parametrize("name", SHIPPED)
def test_school_days_leave_out_weekends_and_days_without_lessons(name: str) -> None:
    year = SchoolYear.objects.get(name=name)
    days = list(school_days(year))
    assert days == sorted(set(days))
    off = [(d.starts_on, d.ends_on) for d in year.non_school_days.all()]
    for day in days:
        assert day.weekday() < 5
        assert not any(start <= day <= end for start, end in off)
    weekdays = sum(
        1 for n in range((year.ends_on - year.starts_on).days + 1)
        if (year.starts_on + dt.timedelta(days=n)).weekday() < 5
    )
    assert len(days) < weekdays
    assert 160 <= len(days) <= 175  # a Latvian school year has about 34 school weeks


def test_grade_9_and_12_study_longer() -> None:
    year = SchoolYear.objects.get(name="2024/25")
    assert max(school_days(year, grade=5)) == D(2025, 5, 30)
    assert max(school_days(year, grade=9)) == D(2025, 6, 13)
    assert max(school_days(year, grade=12)) == D(2025, 6, 20)


def test_school_year_on_maps_summer_to_the_year_before() -> None:
    assert school_year_on(D(2025, 7, 15)) == SchoolYear.objects.get(name="2024/25")
    assert school_year_on(D(2026, 11, 22)) == SchoolYear.objects.get(name="2026/27")


def test_loading_again_changes_nothing() -> None:
    before = _snapshot()
    counts = load_school_years()
    assert (counts.created, counts.updated) == (0, len(SHIPPED))
    assert _snapshot() == before
    call_command("load_school_calendars", verbosity=0)
    assert _snapshot() == before


def test_loading_a_changed_file_updates_the_year_in_place(tmp_path: Path) -> None:
    year = SchoolYear.objects.get(name="2024/25")
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    entry = next(y for y in data["school_years"] if y["name"] == "2024/25")
    entry["non_school_days"] = [d for d in entry["non_school_days"]
                                if d["name"] != "Pavasara brīvdienas"]
    changed = tmp_path / "calendar.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    before = len(list(school_days(year)))

    call_command("load_school_calendars", str(changed), verbosity=0)

    year.refresh_from_db()
    assert SchoolYear.objects.get(name="2024/25").pk == year.pk
    assert len(list(school_days(year))) == before + 5
    load_school_years()
    assert len(list(school_days(year))) == before


def test_an_invalid_file_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    before = _snapshot()
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["school_years"][0]["semesters"][0]["ends_on"] = "2024-13-40"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="2024-13-40"):
        call_command("load_school_calendars", str(broken), verbosity=0)
    with pytest.raises(CommandError):
        call_command("load_school_calendars", str(tmp_path / "missing.json"), verbosity=0)
    assert _snapshot() == before
