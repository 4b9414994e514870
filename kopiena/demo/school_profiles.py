"""Who the demo pupils are as learners: one profile per pupil, deterministic from the seed.

A profile says how a pupil's attendance, grades and behaviour develop over the previous and
the current school year. Most pupils are steady; the others make the demo's early-warning
screens show something true:

- ``declining``: attendance and grades drift down slowly, occasional incidents;
- ``chronic``: attendance 70-85 %, many unexcused lessons, yet at most 19 of them in any
  semester of the current school year (the school clarified the rest);
- ``threshold``: more than 20 unexcused lessons in the current semester as of yesterday
  (Cabinet Regulation No. 89); these are the only pupils over 20 in the current year;
- ``improving``: bad in semester 2 of the previous year, better since support began a month
  into the current year (1 October 2026 in the demo);
- ``behaviour``: frequent behaviour incidents (an incident on 10-18 % of school days),
  otherwise ordinary; pupils of grade 4 and above enrolled since the year began.

Music-school pupils are all steady. Every profile gets at least three pupils when that many
are eligible, so even a small seed shows each pattern.

Tests and developers find the pupils of a profile with :func:`demo_profiles`, keyed by the
source id (``Enrolment.source_id``) of the pupil's current enrolment; pass the seed that
``seed_demo`` used (default 1; the test suite uses 7).
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from dataclasses import dataclass

from django.utils import timezone

from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import school_year_on
from kopiena.demo.structure import MUSIC_SCHOOL_CODE, SCHOOL_B_CODE, SCHOOLS
from kopiena.pupils.models import Enrolment

SUPPORT_AFTER_DAYS = 30  # improving pupils get support this long after the current year began
_THRESHOLD_LATEST_START = 14  # threshold pupils were enrolled by this day of the semester


class ProfileKind(enum.StrEnum):
    STEADY = "steady"
    DECLINING = "declining"
    CHRONIC = "chronic"
    THRESHOLD = "threshold"
    IMPROVING = "improving"
    BEHAVIOUR = "behaviour"


# Share of the eligible pupils and the least number of pupils (when that many are eligible),
# in the order in which the profiles are handed out.
_QUOTAS: tuple[tuple[ProfileKind, float, int], ...] = (
    (ProfileKind.THRESHOLD, 0.015, 3),
    (ProfileKind.IMPROVING, 0.02, 3),
    (ProfileKind.CHRONIC, 0.05, 3),
    (ProfileKind.BEHAVIOUR, 0.01, 3),
    (ProfileKind.DECLINING, 0.07, 3),
)


@dataclass(frozen=True)
class EnrolmentFacts:
    source_id: str
    school_code: str
    starts: dt.date
    ends: dt.date | None
    letter: str  # the class letter; "a" when the enrolment names no class

    def covers(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True)
class DemoPupil:
    key: str  # source id of the current enrolment
    grade: int  # grade (or vocational course) in the current school year
    school_code: str  # the current school
    enrolments: tuple[EnrolmentFacts, ...]  # oldest first

    @property
    def is_vet(self) -> bool:
        return self.school_code == SCHOOL_B_CODE

    @property
    def current(self) -> EnrolmentFacts:
        return next(e for e in self.enrolments if e.source_id == self.key)

    def grade_in(self, enrolment: EnrolmentFacts, year_offset: int) -> int | None:
        """The grade of this enrolment in the current (0) or previous (-1) year, if any.

        A vocational pupil's earlier enrolments are grades 1-9 of general education."""
        grade = self.grade + year_offset
        if self.is_vet and enrolment.school_code != SCHOOL_B_CODE:
            grade += 9
        return grade if grade >= 1 else None


@dataclass(frozen=True)
class Timeline:
    """The dates the profiles are drawn against."""

    first_day: dt.date  # first school day of the previous year (or of the current one)
    previous_semester_2: dt.date  # start of semester 2 of the previous year
    current_start: dt.date
    current_semester: tuple[dt.date, dt.date]  # the semester holding the last day
    last_day: dt.date  # the last day with data (yesterday)

    @property
    def support_from(self) -> dt.date:
        return self.current_start + dt.timedelta(days=SUPPORT_AFTER_DAYS)


@dataclass(frozen=True)
class Profile:
    kind: ProfileKind
    mean_points: float  # personal mean on the 10-point scale
    illness: float  # daily chance of falling ill on a school day
    base: float  # steady badness, 0 (model pupil) to about 0.15
    onset: dt.date  # declining: the day the drift starts
    depth: float  # declining: how bad it gets by the last day
    level: float  # chronic: constant badness
    unexcused_cap: int  # the most unexcused lessons per semester of the current year
    threshold_target: int  # threshold: unexcused lessons in the current semester (> 20)
    incident_rate: float  # daily chance of a behaviour incident on top of badness

    def badness(self, day: dt.date, timeline: Timeline) -> float:
        """How far from steady the pupil is on ``day``: 0 fine, about 1 chronically absent."""
        kind = self.kind
        if kind == ProfileKind.DECLINING:
            span = max((timeline.last_day - self.onset).days, 1)
            share = min(max((day - self.onset).days / span, 0.0), 1.0)
            return self.base + share * self.depth
        if kind == ProfileKind.CHRONIC:
            return self.level
        if kind == ProfileKind.THRESHOLD:
            return 0.85 if day >= timeline.current_start else 0.35
        if kind == ProfileKind.IMPROVING:
            if day < timeline.previous_semester_2:
                return 0.3
            if day < timeline.support_from:
                return 0.95
            weeks = (day - timeline.support_from).days / 7
            return max(0.08, 0.95 - 0.3 * weeks)
        if kind == ProfileKind.BEHAVIOUR:
            return 0.2
        return self.base


def timeline_for(today: dt.date) -> tuple[Timeline, SchoolYear, SchoolYear | None] | None:
    """The timeline, the current and the previous school year; None without a school year."""
    last_day = today - dt.timedelta(days=1)
    current = school_year_on(last_day)
    if current is None:
        return None
    previous = SchoolYear.objects.filter(starts_on__lt=current.starts_on).order_by(
        "-starts_on").first()
    semesters = list(current.semesters.order_by("number"))
    started = [s for s in semesters if s.starts_on <= last_day] or semesters
    semester = (started[-1].starts_on, started[-1].ends_on) if started else (
        current.starts_on, current.ends_on)
    previous_semester_2 = current.starts_on
    if previous is not None:
        second = previous.semesters.filter(number=2).first()
        previous_semester_2 = second.starts_on if second else previous.starts_on
    timeline = Timeline(
        first_day=previous.starts_on if previous else current.starts_on,
        previous_semester_2=previous_semester_2, current_start=current.starts_on,
        current_semester=semester, last_day=last_day,
    )
    return timeline, current, previous


def load_demo_pupils() -> list[DemoPupil]:
    """Every pupil enrolled now at a demo school, with all enrolments, by current source id."""
    rows = (
        Enrolment.objects.filter(
            pupil__school__registration_code__in=[spec.code for spec in SCHOOLS],
            pupil__school_class__isnull=False,
        )
        .order_by("pupil_id", "enrolled_from", "pk")
        .values_list("pupil_id", "source_id", "school__registration_code", "enrolled_from",
                     "enrolled_to", "school_class__label", "pupil__school_class__grade")
    )
    grouped: dict[int, list[tuple[EnrolmentFacts, int]]] = {}
    for pupil_id, source_id, code, starts, ends, label, grade in rows:
        letter = label.split(".")[-1] if label else "a"
        grouped.setdefault(pupil_id, []).append(
            (EnrolmentFacts(source_id, code, starts, ends, letter), grade))
    pupils = []
    for items in grouped.values():
        open_ones = [e for e, _grade in items if e.ends is None]
        if not open_ones:
            continue
        current = open_ones[-1]
        pupils.append(DemoPupil(key=current.source_id, grade=items[0][1],
                                school_code=current.school_code,
                                enrolments=tuple(e for e, _grade in items)))
    return sorted(pupils, key=lambda p: p.key)


def _eligible(kind: ProfileKind, pupil: DemoPupil, timeline: Timeline) -> bool:
    if pupil.school_code == MUSIC_SCHOOL_CODE:
        return False  # an afternoon school: only steady pupils
    current = pupil.current
    if kind == ProfileKind.THRESHOLD:
        semester_start = timeline.current_semester[0]
        return current.starts <= semester_start + dt.timedelta(days=_THRESHOLD_LATEST_START)
    if kind == ProfileKind.IMPROVING:
        return (current.starts <= timeline.current_start
                and pupil.grade_in(current, -1) is not None
                and any(e.covers(timeline.previous_semester_2) for e in pupil.enrolments))
    if kind == ProfileKind.BEHAVIOUR:
        return pupil.grade >= 4 and current.starts <= timeline.current_start
    return True


def _profile(kind: ProfileKind, rng: random.Random, timeline: Timeline) -> Profile:
    span = max((timeline.current_start - timeline.first_day).days, 2)  # not today's date
    mean = min(max(rng.gauss(6.7, 1.2), 3.8), 9.6)
    if kind in (ProfileKind.CHRONIC, ProfileKind.THRESHOLD):
        mean = min(mean, rng.uniform(5.5, 7.5))
    return Profile(
        kind=kind, mean_points=mean, illness=rng.uniform(0.0025, 0.011),
        base=rng.uniform(0.0, 0.12),
        onset=timeline.first_day + dt.timedelta(days=rng.randrange(max(span // 2, 1))),
        depth=rng.uniform(0.75, 1.1), level=rng.uniform(0.95, 1.35),
        unexcused_cap=rng.randint(10, 19), threshold_target=rng.randint(23, 36),
        incident_rate=rng.uniform(0.1, 0.18) if kind == ProfileKind.BEHAVIOUR else 0.0,
    )


def assign_profiles(seed: int, pupils: list[DemoPupil],
                    timeline: Timeline) -> dict[str, Profile]:
    """Hand out the profiles: a seeded shuffle of the pupils, quotas in a fixed order."""
    order = sorted(pupils, key=lambda p: p.key)
    random.Random(f"kopiena-demo-profiles:{seed}").shuffle(order)
    kinds: dict[str, ProfileKind] = {}
    eligible_total = sum(p.school_code != MUSIC_SCHOOL_CODE for p in order)
    for kind, share, least in _QUOTAS:
        wanted = max(round(eligible_total * share), least)
        for pupil in order:
            if wanted == 0:
                break
            if pupil.key not in kinds and _eligible(kind, pupil, timeline):
                kinds[pupil.key] = kind
                wanted -= 1
    return {
        p.key: _profile(kinds.get(p.key, ProfileKind.STEADY),
                        random.Random(f"kopiena-demo-pupil:{seed}:{p.key}"), timeline)
        for p in pupils
    }


def demo_profiles(seed: int = 1, today: dt.date | None = None) -> dict[str, Profile]:
    """The profile of every current demo pupil, by the source id of the current enrolment.

    ``seed`` must be the one ``seed_demo`` ran with; ``today`` defaults to the local date
    (the profiles do not change with it within a semester)."""
    found = timeline_for(today or timezone.localdate())
    if found is None:
        return {}
    return assign_profiles(seed, load_demo_pupils(), found[0])
