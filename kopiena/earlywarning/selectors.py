"""What the screens read. Anything naming pupils starts from ``visible_pupils(user)``;
the counts are aggregates (the caller applies the "<5" rule for users without pupil-level
access, as ``kopiena.core.overview`` does)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar, cast

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When

from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.earlywarning.catalogue import LEVEL_RANK, SupportLevel
from kopiena.earlywarning.models import (
    FollowUpTask,
    LevelChange,
    PupilSupportStatus,
    SupportLevelEvent,
)
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Enrolment

LevelCounts = dict[str, int]
T = TypeVar("T")


def visible_statuses(user: User) -> QuerySet[PupilSupportStatus]:
    """Current statuses of the pupils ``user`` may see (with pupil and class)."""
    return PupilSupportStatus.objects.filter(pupil__in=visible_pupils(user)).select_related(
        "pupil", "school_class")


def level_history(user: User, pupil_id: int) -> QuerySet[SupportLevelEvent]:
    """The pupil's level changes, newest first (empty if ``user`` may not see the pupil)."""
    return SupportLevelEvent.objects.filter(
        pupil_id=pupil_id, pupil__in=visible_pupils(user)).order_by("-date", "-pk")


def raised_since(user: User, *, school: Organisation,
                 since: dt.date) -> QuerySet[SupportLevelEvent]:
    """Raises (and first assessments above universal) after ``since``, highest level first."""
    return (
        SupportLevelEvent.objects.filter(school=school, date__gt=since,
                                         pupil__in=visible_pupils(user))
        .filter(Q(change=LevelChange.RAISED)
                | Q(change=LevelChange.FIRST) & ~Q(level=SupportLevel.UNIVERSAL))
        .annotate(level_rank=level_rank()).select_related("pupil")
        .order_by("-level_rank", "-date", "-pk")
    )


def level_rank() -> Case:
    """The support level as a number (universal 0, targeted 1, intensive 2), for ordering."""
    return Case(*(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
                default=Value(0), output_field=IntegerField())


def open_tasks(user: User) -> QuerySet[FollowUpTask]:
    """Follow-up tasks assigned to ``user`` and not done, on pupils the user sees."""
    return FollowUpTask.objects.filter(
        assignee=user, done_at__isnull=True, case__pupil__in=visible_pupils(user),
    ).select_related("case", "case__pupil").order_by("created_at")


def level_counts(*, school_ids: Collection[int]) -> dict[int, LevelCounts]:
    """Pupils per support level per school (current statuses)."""
    result: dict[int, LevelCounts] = defaultdict(dict)
    for row in (PupilSupportStatus.objects.filter(school_id__in=school_ids)
                .values("school_id", "level").annotate(n=Count("pk")).order_by()):
        result[row["school_id"]][row["level"]] = row["n"]
    return dict(result)


def class_level_counts(*, school: Organisation) -> dict[int | None, LevelCounts]:
    """Pupils per support level per class of ``school`` (current statuses)."""
    result: dict[int | None, LevelCounts] = defaultdict(dict)
    for row in (PupilSupportStatus.objects.filter(school=school)
                .values("school_class_id", "level").annotate(n=Count("pk")).order_by()):
        result[row["school_class_id"]][row["level"]] = row["n"]
    return dict(result)


@dataclass(frozen=True)
class WeekCounts:
    week_end: dt.date  # the Sunday closing the week
    counts: LevelCounts


def weekly_level_counts(*, school: Organisation, as_of: dt.date,
                        weeks: int = 8) -> list[WeekCounts]:
    """Pupils per level at the end of each of the last ``weeks`` weeks, from the level
    events: each pupil enrolled at the school on that day counts at their latest level."""
    last_sunday = as_of + dt.timedelta(days=6 - as_of.weekday())
    ends = [last_sunday - dt.timedelta(weeks=n) for n in reversed(range(weeks))]
    events = (SupportLevelEvent.objects.filter(school=school, date__lte=ends[-1])
              .order_by("date", "pk").values_list("pupil_id", "date", "level"))
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for pupil_id, date, level in events:
        history[pupil_id].append((date, level))
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for pupil_id, start, stop in Enrolment.objects.filter(
        Q(enrolled_to__isnull=True) | Q(enrolled_to__gte=ends[0] - dt.timedelta(days=6)),
        school=school, pupil_id__in=list(history),
    ).values_list("pupil_id", "enrolled_from", "enrolled_to"):
        spans[pupil_id].append((start, stop))
    counts: list[Counter[str]] = [Counter() for _end in ends]
    days = [min(end, as_of) for end in ends]
    for pupil_id, changes in history.items():  # one pass over each pupil's dated changes
        pupil_spans = spans.get(pupil_id, ())
        position, level = 0, ""  # no level yet
        for week, end in enumerate(ends):
            while position < len(changes) and changes[position][0] <= end:
                level = changes[position][1]
                position += 1
            day = days[week]
            if level and any(start <= day and (stop is None or day <= stop)
                                         for start, stop in pupil_spans):
                counts[week][level] += 1
    return [WeekCounts(week_end=end, counts=dict(c)) for end, c in zip(ends, counts, strict=True)]


@dataclass(frozen=True)
class SchoolFigures:
    """The school-wide figures of the school overview (no pupil is named in them)."""

    totals: LevelCounts
    per_class: dict[int | None, LevelCounts]
    weeks: list[WeekCounts]


# A school's figures only change when its statuses do (each recompute stamps
# ``computed_at``); the timeout bounds how long an enrolment or name edit alone goes unseen.
SCHOOL_CACHE_TIMEOUT = 15 * 60


def school_stamp(*, school: Organisation, as_of: dt.date) -> str:
    """A cache key prefix that changes with every recompute touching ``school``: the newest
    ``computed_at`` of its statuses and their number (a departed pupil's status is deleted
    without a new stamp), and the day."""
    stamp = PupilSupportStatus.objects.filter(school=school).aggregate(
        last=Max("computed_at"), statuses=Count("*"))  # index-only
    last = stamp["last"].isoformat() if stamp["last"] is not None else "never"
    return f"earlywarning:school:{school.pk}:{as_of.isoformat()}:{stamp['statuses']}:{last}"


def cached_for_school(stamp: str, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, cached under the school's ``stamp``. Counting and ordering go over every
    status and level event of the school, tens of thousands in a large one."""
    key = f"{stamp}:{name}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return cast(T, found)
    value = compute()
    cache.set(key, value, SCHOOL_CACHE_TIMEOUT)
    return value


_MISSING = object()


def school_figures(*, school: Organisation, as_of: dt.date, stamp: str) -> SchoolFigures:
    """Pupils per level, per level and class, and the weekly trend of ``school``."""
    return cached_for_school(stamp, "figures", lambda: SchoolFigures(
        totals=level_counts(school_ids=[school.pk]).get(school.pk, {}),
        per_class=class_level_counts(school=school),
        weeks=weekly_level_counts(school=school, as_of=as_of),
    ))
