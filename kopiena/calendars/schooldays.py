"""Which dates are school days, derived from the calendar data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from kopiena.calendars.models import SchoolYear


def school_year_on(day: dt.date) -> SchoolYear | None:
    """The school year whose summer-to-summer span holds ``day`` (so holidays map to a year)."""
    return (
        SchoolYear.objects.filter(starts_on__lte=day).order_by("-starts_on").first()
    )


def current_school_year() -> SchoolYear | None:
    return school_year_on(timezone.localdate())


def school_days(
    year: SchoolYear, start: dt.date | None = None, end: dt.date | None = None,
    grade: int | None = None,
) -> Iterator[dt.date]:
    """Weekdays of the school year between ``start`` and ``end`` that are not days off."""
    first = max(start or year.starts_on, year.starts_on)
    last = min(end or year.last_day_for_grade(grade or 0), year.last_day_for_grade(grade or 0))
    off: set[dt.date] = set()
    for period in year.non_school_days.all():
        if not period.applies_to(grade):
            continue
        day = period.starts_on
        while day <= period.ends_on:
            off.add(day)
            day += dt.timedelta(days=1)
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in off:
            yield day
        day += dt.timedelta(days=1)
