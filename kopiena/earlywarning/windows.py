"""The periods indicators look at, from the school-year calendar data.

- The last 30 school days: the last 30 school days of the pupil's calendar (grade-specific
  days off and last days count) in the school year of ``as_of``, up to ``as_of``. The window
  does not reach back into the previous school year, so in September it is shorter.
- The semester: the latest semester of that school year that started on or before
  ``as_of`` (during the winter holidays that is semester 1), from its start up to ``as_of``.
- The trend window: the 8 weeks (56 days) up to and including ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, Func, IntegerField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast

from kopiena.calendars.models import SchoolYear, Semester
from kopiena.calendars.schooldays import school_days

WINDOW_SCHOOL_DAYS = 30
TREND_DAYS = 56


@dataclass
class CalendarContext:
    as_of: dt.date
    year: SchoolYear | None
    semester: Semester | None
    _windows: dict[int | None, tuple[dt.date, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, as_of: dt.date) -> CalendarContext:
        year = (
            SchoolYear.objects.filter(starts_on__lte=as_of).order_by("-starts_on")
            .prefetch_related("non_school_days", "semesters").first()
        )
        semester = None
        if year is not None:
            started = [s for s in year.semesters.all() if s.starts_on <= as_of]
            semester = max(started, key=lambda s: s.starts_on, default=None)
        return cls(as_of=as_of, year=year, semester=semester)

    @property
    def semester_start(self) -> dt.date | None:
        return self.semester.starts_on if self.semester is not None else None

    @property
    def trend_start(self) -> dt.date:
        """First day of the trend window (inclusive)."""
        return self.as_of - dt.timedelta(days=TREND_DAYS - 1)

    def window(self, grade: int | None) -> tuple[dt.date, ...]:
        """The last 30 school days of ``grade`` up to ``as_of`` (fewer early in the year)."""
        if grade not in self._windows:
            days: tuple[dt.date, ...] = ()
            if self.year is not None:
                days = tuple(school_days(self.year, end=self.as_of, grade=grade))
            self._windows[grade] = days[-WINDOW_SCHOOL_DAYS:]
        return self._windows[grade]

    def had_school_day(self, after: dt.date) -> bool:
        """Whether any grade had a school day in (after, as_of]."""
        if self.year is None:
            return False
        start = after + dt.timedelta(days=1)
        return any(
            next(school_days(self.year, start=start, end=self.as_of, grade=grade), None)
            for grade in (None, *range(1, 13))
        )


class DaysSince(Func):
    """Whole days from ``start`` to a date column (PostgreSQL and SQLite)."""

    output_field = IntegerField()

    def __init__(self, expression: Combinable | str, start: dt.date, **extra: Any) -> None:
        super().__init__(expression, Cast(Value(start), output_field=DateField()), **extra)

    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra,
        )
