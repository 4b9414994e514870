"""What the support screens show, built from stored statuses (no recomputation on a page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.core.aggregates import is_small_group
from kopiena.core.charts import Chart, Series, stacked_bars
from kopiena.earlywarning.catalogue import LEVEL_RANK, Indicator, SupportLevel
from kopiena.earlywarning.models import PupilSupportStatus, SupportLevelEvent
from kopiena.earlywarning.reasons import format_value, level_label, render_reasons
from kopiena.earlywarning.selectors import LevelCounts, WeekCounts

LEVELS = (SupportLevel.UNIVERSAL, SupportLevel.TARGETED, SupportLevel.INTENSIVE)
LEVEL_COLOURS = {SupportLevel.UNIVERSAL: "#9aa5b1", SupportLevel.TARGETED: "#b35900",
                 SupportLevel.INTENSIVE: "#7a1f2b"}
LIST_LENGTH = 30  # pupils listed on the school overview; the class views show everyone

# Columns of the class view, in order: indicator, short heading (the full name is its title).
CLASS_COLUMNS: tuple[tuple[str, Promise], ...] = (
    (Indicator.ATTENDANCE_RATE_30D, gettext_lazy("Attendance, 30 days")),
    (Indicator.ATTENDANCE_RATE_SEMESTER, gettext_lazy("Attendance, semester")),
    (Indicator.UNEXCUSED_LESSONS_SEMESTER, gettext_lazy("Unexcused")),
    (Indicator.EXCUSED_LESSONS_SEMESTER, gettext_lazy("Excused")),
    (Indicator.LATE_SEMESTER, gettext_lazy("Late")),
    (Indicator.INSUFFICIENT_RESULTS_SEMESTER, gettext_lazy("Insufficient")),
    (Indicator.BEHAVIOUR_INCIDENT_DAY_SHARE_30D, gettext_lazy("Incident days")),
)


@dataclass
class LevelFigures:
    """Pupils per level; a figure under 5 is hidden for readers without pupil access."""

    counts: LevelCounts
    suppress_small: bool

    def shown(self, level: str) -> str:
        n = self.counts.get(level, 0)
        if self.suppress_small and is_small_group(n):
            return "<5"
        return str(n)

    @property
    def total(self) -> str:
        n = sum(self.counts.values())
        return "<5" if self.suppress_small and is_small_group(n) else str(n)

    @property
    def cells(self) -> list[str]:
        return [self.shown(level) for level in LEVELS]

    @property
    def labelled(self) -> list[tuple[str, str, str]]:
        return [(level, level_label(level), self.shown(level)) for level in LEVELS]


@dataclass
class PupilRow:
    status: PupilSupportStatus
    level_label: str
    reasons: list[str]
    values: list[str] = field(default_factory=list)
    sort_values: dict[str, Any] = field(default_factory=dict)


def pupil_row(status: PupilSupportStatus, *, with_values: bool = True) -> PupilRow:
    """A pupil's level, reasons and (``with_values``) the class view's indicator values."""
    indicators = status.indicators or {}
    values, sort_values = [], {}
    for indicator, _short in CLASS_COLUMNS if with_values else ():
        raw = indicators.get(str(indicator))
        values.append("–" if raw is None else format_value(str(indicator), raw))
        sort_values[str(indicator)] = raw
    sort_values["level"] = LEVEL_RANK.get(status.level, 0)
    sort_values["name"] = (status.pupil.last_name, status.pupil.first_name)
    return PupilRow(status=status, level_label=level_label(status.level),
                    reasons=render_reasons(status.reasons), values=values,
                    sort_values=sort_values)


@dataclass
class EventRow:
    event: SupportLevelEvent
    label: str
    reasons: list[str]


def event_row(event: SupportLevelEvent) -> EventRow:
    return EventRow(event=event, label=level_label(event.level),
                    reasons=render_reasons(event.reasons))


SORT_KEYS = {"name", "level", *(str(i) for i, _s in CLASS_COLUMNS)}


class Sortable(Protocol):
    @property
    def sort_values(self) -> dict[str, Any]: ...


SortableRow = TypeVar("SortableRow", bound=Sortable)


def sort_rows(rows: list[SortableRow], key: str, descending: bool) -> list[SortableRow]:
    """Sort by a column; empty values always last."""
    if key not in SORT_KEYS:
        key = "level"
    present = [r for r in rows if r.sort_values.get(key) is not None]
    missing = [r for r in rows if r.sort_values.get(key) is None]
    present.sort(key=lambda r: r.sort_values[key], reverse=descending)
    return present + sorted(missing, key=lambda r: r.sort_values["name"])


def column_headings() -> list[tuple[str, str, str]]:
    """(sort key, short heading, full name) of each indicator column."""
    return [(str(indicator), str(short), str(Indicator(indicator).label))
            for indicator, short in CLASS_COLUMNS]


def trend_chart(weeks: list[WeekCounts], *, title: str) -> Chart:
    return stacked_bars(
        title=title,
        description=_("Pupils at each support level at the end of each of the last %(n)d "
                      "weeks.") % {"n": len(weeks)},
        categories=[w.week_end.strftime("%d.%m.") for w in weeks],
        series=[Series(level_label(level), [w.counts.get(level, 0) for w in weeks],
                       LEVEL_COLOURS[level]) for level in LEVELS],
    )


def level_legend() -> list[tuple[str, str]]:
    return [(LEVEL_COLOURS[level], level_label(level)) for level in LEVELS]


def last_week(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=7)
