"""Load school-year calendars from JSON data into the database.

The data lives in ``kopiena/calendars/data/school_years.json``. Loading is idempotent: a school
year is found by name and updated in place (so classes that refer to it stay valid), and its
semesters are updated in place and days without lessons replaced by the ones in the file.

The writer takes the model classes as a parameter so that the data migration can pass the
historical models it gets from ``apps.get_model``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.calendars.models import NonSchoolDay, SchoolYear, Semester

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "school_years.json"

_YEAR_KEYS = frozenset(
    {"name", "source", "is_provisional", "unconfirmed", "unconfirmed_note", "starts_on",
     "ends_on", "ends_on_grade_9", "ends_on_grade_12", "semesters", "non_school_days"}
)
_DAY_KEYS = frozenset({"kind", "name", "starts_on", "ends_on", "grades", "is_provisional"})
_SOURCE_MAX_LENGTH = 300


class CalendarDataError(ValueError):
    """The calendar file is not valid; the message says where and why."""


@dataclass(frozen=True)
class SemesterData:
    number: int
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class NonSchoolDayData:
    kind: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    grades: str = ""
    is_provisional: bool = False


@dataclass(frozen=True)
class SchoolYearData:
    name: str
    source: str
    is_provisional: bool
    starts_on: dt.date
    ends_on: dt.date
    ends_on_grade_9: dt.date | None
    ends_on_grade_12: dt.date | None
    semesters: tuple[SemesterData, ...]
    non_school_days: tuple[NonSchoolDayData, ...]

    @property
    def last_day(self) -> dt.date:
        return max(d for d in (self.ends_on, self.ends_on_grade_9, self.ends_on_grade_12) if d)


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    semesters: int = 0
    non_school_days: int = 0
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CalendarModels:
    """The model classes to write to: the real ones, or historical ones in a migration."""

    school_year: type[SchoolYear]
    semester: type[Semester]
    non_school_day: type[NonSchoolDay]

    @classmethod
    def current(cls) -> CalendarModels:
        return cls(SchoolYear, Semester, NonSchoolDay)


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CalendarDataError(
            _("%(where)s: %(value)r is not a date (YYYY-MM-DD).") % {"where": where, "value": value}
        ) from None


def _optional_date(value: Any, where: str) -> dt.date | None:
    return None if value in (None, "") else _date(value, where)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CalendarDataError(message)


def _parse_day(raw: dict[str, Any], where: str) -> NonSchoolDayData:
    unknown = set(raw) - _DAY_KEYS
    _require(not unknown, _("%(where)s: unknown keys %(keys)s.")
             % {"where": where, "keys": ", ".join(sorted(unknown))})
    kind = raw.get("kind", "")
    _require(kind in NonSchoolDay.Kind.values,
             _("%(where)s: unknown kind %(kind)r.") % {"where": where, "kind": kind})
    starts_on = _date(raw.get("starts_on"), where)
    ends_on = _date(raw.get("ends_on", raw.get("starts_on")), where)
    _require(ends_on >= starts_on, _("%(where)s ends before it starts.") % {"where": where})
    if kind == NonSchoolDay.Kind.PUBLIC_HOLIDAY:
        _require(all(d.weekday() < 5 for d in _days(starts_on, ends_on)),
                 _("%(where)s: a listed public holiday must fall on a weekday.")
                 % {"where": where})
    return NonSchoolDayData(
        kind=kind, name=str(raw.get("name", "")).strip() or kind, starts_on=starts_on,
        ends_on=ends_on, grades=str(raw.get("grades", "")),
        is_provisional=bool(raw.get("is_provisional", False)),
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def parse_school_year(raw: dict[str, Any]) -> SchoolYearData:
    name = str(raw.get("name", ""))
    where = _("School year %(name)s") % {"name": name or "?"}
    _require(len(name) == 7 and name[4] == "/",
             _("%(where)s: the name must look like 2026/27.") % {"where": where})
    unknown = set(raw) - _YEAR_KEYS
    _require(not unknown, _("%(where)s: unknown keys %(keys)s.")
             % {"where": where, "keys": ", ".join(sorted(unknown))})
    source = str(raw.get("source", ""))
    _require(len(source) <= _SOURCE_MAX_LENGTH,
             _("%(where)s: the source text is longer than %(max)d characters.")
             % {"where": where, "max": _SOURCE_MAX_LENGTH})
    semesters = tuple(
        SemesterData(number=int(s["number"]), starts_on=_date(s["starts_on"], where),
                     ends_on=_date(s["ends_on"], where))
        for s in raw.get("semesters", [])
    )
    days = tuple(
        _parse_day(d, f"{where}, {d.get('name', n + 1)}")
        for n, d in enumerate(raw.get("non_school_days", []))
    )
    year = SchoolYearData(
        name=name, source=source, is_provisional=bool(raw.get("is_provisional", False)),
        starts_on=_date(raw.get("starts_on"), where), ends_on=_date(raw.get("ends_on"), where),
        ends_on_grade_9=_optional_date(raw.get("ends_on_grade_9"), where),
        ends_on_grade_12=_optional_date(raw.get("ends_on_grade_12"), where),
        semesters=semesters, non_school_days=days,
    )
    _check_year(year, where)
    return year


def _check_year(year: SchoolYearData, where: str) -> None:
    _require(year.starts_on < year.ends_on,
             _("%(where)s must end after it starts.") % {"where": where})
    _require(sorted(s.number for s in year.semesters) == [1, 2],
             _("%(where)s needs semesters 1 and 2.") % {"where": where})
    for semester in year.semesters:
        _require(year.starts_on <= semester.starts_on <= semester.ends_on <= year.last_day,
                 _outside(where, semester.starts_on, semester.ends_on))
    for day in year.non_school_days:
        _require(day.starts_on <= year.last_day and day.ends_on >= year.starts_on,
                 _outside(where, day.starts_on, day.ends_on))


def _outside(where: str, start: dt.date, end: dt.date) -> str:
    return _("%(where)s: %(start)s to %(end)s lies outside the school year.") % {
        "where": where, "start": start, "end": end,
    }


def parse_file(path: Path | str | None = None) -> list[SchoolYearData]:
    """Read and check a calendar file; raises CalendarDataError or OSError."""
    target = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CalendarDataError(
            _("%(path)s is not valid JSON: %(error)s") % {"path": target, "error": error}
        ) from None
    years = data.get("school_years") if isinstance(data, dict) else None
    _require(isinstance(years, list),
             _("%(path)s has no list 'school_years'.") % {"path": target})
    parsed = [parse_school_year(raw) for raw in years or []]
    names = [y.name for y in parsed]
    _require(len(names) == len(set(names)),
             _("%(path)s lists a school year twice.") % {"path": target})
    return parsed


def write_school_years(years: list[SchoolYearData], models: CalendarModels) -> LoadCounts:
    """Create or update each year by name; update its semesters in place (other records point
    at them) and replace its days without lessons."""
    counts = LoadCounts()
    with transaction.atomic():
        for data in years:
            year, created = models.school_year.objects.update_or_create(
                name=data.name,
                defaults={
                    "starts_on": data.starts_on, "ends_on": data.ends_on,
                    "ends_on_grade_9": data.ends_on_grade_9,
                    "ends_on_grade_12": data.ends_on_grade_12,
                    "source": data.source, "is_provisional": data.is_provisional,
                },
            )
            counts.created += int(created)
            counts.updated += int(not created)
            counts.names.append(data.name)
            for s in data.semesters:
                models.semester.objects.update_or_create(
                    school_year=year, number=s.number,
                    defaults={"starts_on": s.starts_on, "ends_on": s.ends_on},
                )
            models.non_school_day.objects.filter(school_year=year).delete()
            models.non_school_day.objects.bulk_create(
                models.non_school_day(
                    school_year=year, kind=d.kind, name=d.name, starts_on=d.starts_on,
                    ends_on=d.ends_on, grades=d.grades, is_provisional=d.is_provisional,
                )
                for d in data.non_school_days
            )
            counts.semesters += len(data.semesters)
            counts.non_school_days += len(data.non_school_days)
    return counts


def load_school_years(
    path: Path | str | None = None, models: CalendarModels | None = None
) -> LoadCounts:
    """Load the calendar file (the shipped one by default) into the database."""
    return write_school_years(parse_file(path), models or CalendarModels.current())
