"""Recompute support levels and store them: one current status per pupil, an event whenever
the level changes, and a statutory threshold case when unexcused absences cross the limit.

One transaction per call; the signals ``support_levels_changed`` and
``statutory_threshold_crossed`` go out after it commits. A status is never moved back in
time: pupils whose stored status is newer than ``as_of`` are skipped. Changes to past data
recompute the level as of today; earlier events stay as they were seen then.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from kopiena.earlywarning import signals
from kopiena.earlywarning.catalogue import LEVEL_RANK, SupportLevel
from kopiena.earlywarning.indicators import CHUNK_SIZE, PupilIndicators, chunked
from kopiena.earlywarning.models import (
    LevelChange,
    PupilSupportStatus,
    StatutoryThresholdCase,
    SupportLevelEvent,
)
from kopiena.earlywarning.queries import active_on, enrolled_at
from kopiena.earlywarning.reasons import Assessment
from kopiena.earlywarning.rules import evaluate
from kopiena.earlywarning.threshold import open_threshold_cases
from kopiena.earlywarning.windows import CalendarContext
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Enrolment

_STATUS_FIELDS = ["school", "school_class", "as_of", "level", "reasons", "indicators",
                  "computed_at"]


@dataclass
class RecomputeSummary:
    as_of: dt.date
    pupils: int = 0  # statuses written
    created: int = 0  # pupils assessed for the first time
    changed: int = 0  # pupils whose level changed
    raised: int = 0
    lowered: int = 0
    cleared: int = 0
    threshold_cases: int = 0
    skipped: int = 0  # stored status newer than as_of
    removed: int = 0  # statuses of pupils no longer enrolled anywhere
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["seconds"] = round(self.seconds, 3)
        return data

    def add(self, other: RecomputeSummary) -> None:
        for name in ("pupils", "created", "changed", "raised", "lowered", "cleared",
                     "threshold_cases", "skipped", "removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds


def change_of(previous: str | None, level: str) -> LevelChange | None:
    if previous is None:
        return LevelChange.FIRST
    if previous == level:
        return None
    if LEVEL_RANK[level] > LEVEL_RANK[previous]:
        return LevelChange.RAISED
    return LevelChange.CLEARED if level == SupportLevel.UNIVERSAL else LevelChange.LOWERED


def recompute(*, as_of: dt.date, pupils: Iterable[int] | None = None,
              school: Organisation | None = None) -> RecomputeSummary:
    """Recompute and store the support levels of ``pupils`` (each at the school where they
    are enrolled on ``as_of``) or of every pupil enrolled at ``school`` on ``as_of``."""
    started = time.monotonic()
    pupil_ids = None if pupils is None else sorted(set(pupils))
    evaluated = evaluate(as_of=as_of, school=school, pupil_ids=pupil_ids)
    summary = RecomputeSummary(as_of=as_of)
    events: list[SupportLevelEvent] = []
    stored: list[PupilIndicators] = []
    with transaction.atomic():
        now = timezone.now()
        for start in range(0, len(evaluated), CHUNK_SIZE):
            batch = evaluated[start:start + CHUNK_SIZE]
            events += _store(batch, as_of=as_of, now=now, summary=summary, stored=stored)
        cases = open_threshold_cases(stored, as_of=as_of)
        summary.threshold_cases = len(cases)
        summary.removed = _remove_departed(as_of=as_of, school=school, pupil_ids=pupil_ids,
                                           kept={i.pupil_id for i in evaluated})
        transaction.on_commit(lambda: _announce(events, cases))
    summary.seconds = time.monotonic() - started
    return summary


def _remove_departed(*, as_of: dt.date, school: Organisation | None,
                     pupil_ids: list[int] | None, kept: set[int]) -> int:
    """Delete the statuses of pupils enrolled nowhere on ``as_of`` (they left school); their
    events stay as history. A pupil who moved keeps the status until the new school's run."""
    enrolled_somewhere = Enrolment.objects.filter(active_on(as_of)).values("pupil_id")
    if school is not None:
        return PupilSupportStatus.objects.filter(school=school, as_of__lte=as_of).exclude(
            pupil_id__in=enrolled_somewhere).delete()[0]
    removed = 0
    for chunk in chunked([p for p in pupil_ids or () if p not in kept], CHUNK_SIZE):
        removed += PupilSupportStatus.objects.filter(
            pupil_id__in=chunk, as_of__lte=as_of).exclude(
            pupil_id__in=enrolled_somewhere).delete()[0]
    return removed


def _announce(events: list[SupportLevelEvent], cases: Sequence[StatutoryThresholdCase]) -> None:
    if events:
        signals.support_levels_changed.send(sender=SupportLevelEvent, events=events)
    if cases:
        signals.statutory_threshold_crossed.send(sender=StatutoryThresholdCase, cases=cases)


def _store(batch: list[PupilIndicators], *, as_of: dt.date, now: dt.datetime,
           summary: RecomputeSummary, stored: list[PupilIndicators]) -> list[SupportLevelEvent]:
    ids = [i.pupil_id for i in batch]
    previous: dict[int, str] = {}
    newer: set[int] = set()
    for pupil_id, stored_as_of, level in PupilSupportStatus.objects.filter(
            pupil_id__in=ids).values_list("pupil_id", "as_of", "level"):
        previous[pupil_id] = level
        if stored_as_of > as_of:
            newer.add(pupil_id)
    statuses: list[PupilSupportStatus] = []
    events: list[SupportLevelEvent] = []
    for indicators in batch:
        if indicators.pupil_id in newer:
            summary.skipped += 1
            continue
        stored.append(indicators)
        assessment = indicators.assessment or Assessment()
        reasons = assessment.reasons_json()
        statuses.append(PupilSupportStatus(
            pupil_id=indicators.pupil_id, school_id=indicators.school_id,
            school_class_id=indicators.class_id, as_of=as_of, level=assessment.level,
            reasons=reasons, indicators=indicators.as_dict(), computed_at=now,
        ))
        before = previous.get(indicators.pupil_id)
        change = change_of(before, assessment.level)
        if change is not None:
            events.append(SupportLevelEvent(
                pupil_id=indicators.pupil_id, school_id=indicators.school_id, date=as_of,
                previous_level=before or "", level=assessment.level, change=change,
                reasons=reasons,
            ))
            _count(summary, change)
    # One upsert for new and existing statuses (much faster than bulk_update's CASE WHEN).
    PupilSupportStatus.objects.bulk_create(
        statuses, batch_size=500, update_conflicts=True, unique_fields=["pupil"],
        update_fields=_STATUS_FIELDS,
    )
    SupportLevelEvent.objects.bulk_create(events, batch_size=500)
    summary.pupils += len(statuses)
    return events


def _count(summary: RecomputeSummary, change: LevelChange) -> None:
    if change == LevelChange.FIRST:
        summary.created += 1
        return
    summary.changed += 1
    if change == LevelChange.RAISED:
        summary.raised += 1
    elif change == LevelChange.LOWERED:
        summary.lowered += 1
    else:
        summary.cleared += 1


def recompute_due(*, school: Organisation, as_of: dt.date,
                  everything: bool = False) -> RecomputeSummary:
    """The nightly run for one school.

    The class registers' rows carry no change time, and the 30-school-day windows move with
    every school day anyway, so: if any grade had a school day since the oldest stored status
    of the school's pupils, every enrolled pupil is recomputed; otherwise only pupils without
    a status (new enrolments). Imports recompute the pupils they touch on their own
    (``school_data_changed``). ``everything`` recomputes every enrolled pupil regardless.
    """
    enrolled = enrolled_at(school.pk, as_of)
    if not everything:
        oldest = PupilSupportStatus.objects.filter(
            pupil_id__in=enrolled.values("pupil_id")).aggregate(oldest=Min("as_of"))["oldest"]
        if oldest is not None and not CalendarContext.load(as_of).had_school_day(after=oldest):
            missing = list(enrolled.filter(pupil__support_status__isnull=True)
                           .values_list("pupil_id", flat=True))
            return recompute(pupils=missing, as_of=as_of) if missing else RecomputeSummary(as_of)
    return recompute(school=school, as_of=as_of)
