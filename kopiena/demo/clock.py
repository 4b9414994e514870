"""A clock for replaying the demo's history through the real actions.

The support cases of the demo happened over the previous and the current school year. They are
created by the same actions a user's click calls (``kopiena.cases.actions``,
``kopiena.plans.actions`` ...), and those stamp what they write with ``timezone.now()``: the
case timeline, consents, plan transitions, notifications, access grants. Inside
:class:`DemoClock`, ``timezone.now()`` (and so ``timezone.localdate()``) returns the moment the
story has reached, so every stamp, and every rule that compares with today ("the date cannot
be in the future"), sees the day the step happened.

Only for the demo seed, which runs in one thread before anyone uses the data: the clock
replaces the ``datetime`` class that ``django.utils.timezone`` reads the time from, and puts
it back on leaving.
"""

from __future__ import annotations

import datetime as dt
from types import TracebackType
from typing import ClassVar
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_LOCAL = ZoneInfo(settings.TIME_ZONE)


class _ClockDateTime(dt.datetime):
    """``datetime`` whose ``now()`` answers the demo clock's moment."""

    moment: ClassVar[dt.datetime]

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
        if tz is None:
            return cls.moment.astimezone(_LOCAL).replace(tzinfo=None)
        return cls.moment.astimezone(tz)


class DemoClock:
    """``with DemoClock(start) as clock: clock.set(day, hour)`` ... actions ...``"""

    def __init__(self, day: dt.date, hour: int = 9) -> None:
        self._patch = mock.patch.object(timezone, "datetime", _ClockDateTime)
        self.set(day, hour)

    def set(self, day: dt.date, hour: int = 9, minute: int = 0) -> None:
        """Move to ``day`` at ``hour:minute`` local time."""
        _ClockDateTime.moment = dt.datetime(day.year, day.month, day.day, hour, minute,
                                            tzinfo=_LOCAL)

    @property
    def today(self) -> dt.date:
        return _ClockDateTime.moment.astimezone(_LOCAL).date()

    def __enter__(self) -> DemoClock:
        self._patch.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._patch.stop()
