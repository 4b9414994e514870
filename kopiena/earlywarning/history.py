"""Rebuild the level history of schools week by week (for demo data and after a bulk
back-fill of past school data), so that trends have something true to show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from kopiena.earlywarning.models import PupilSupportStatus, SupportLevelEvent
from kopiena.earlywarning.recompute import recompute
from kopiena.organisations.models import Organisation


def week_ends(as_of: dt.date, weeks: int) -> list[dt.date]:
    """The Fridays of the ``weeks`` weeks before ``as_of``'s week, oldest first."""
    friday = as_of - dt.timedelta(days=(as_of.weekday() - 4) % 7 or 7)
    return [friday - dt.timedelta(weeks=n) for n in reversed(range(weeks))]


def rebuild_level_history(*, schools: Collection[Organisation], as_of: dt.date,
                          weeks: int = 8) -> int:
    """Forget the schools' statuses and events, then recompute as of each past Friday and
    finally ``as_of``: the events then tell when each level was raised or lowered.
    Returns the number of level events written."""
    school_ids = [s.pk for s in schools]
    SupportLevelEvent.objects.filter(school_id__in=school_ids).delete()
    PupilSupportStatus.objects.filter(school_id__in=school_ids).delete()
    for day in [*week_ends(as_of, weeks), as_of]:
        for school in schools:
            recompute(as_of=day, school=school)
    return SupportLevelEvent.objects.filter(school_id__in=school_ids).count()
