"""Indicators per pupil as of a date, computed with a handful of GROUP BY queries.

For a school (or a chunk of pupils) the work is: one query for the enrolments, one aggregate
per kind of data (attendance, insufficient grades, term and annual results, grade trend,
behaviour) over the date range the windows need, then Python over the aggregated rows. The
number of queries does not grow with the number of pupils (pupil lists are cut in chunks).

Every row of a pupil counts, whichever school recorded it: the statutory threshold is about
the pupil's semester, also when the pupil changed school within it. Windows: see
``windows.py``; promotion and trend: see ``grading.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kopiena.earlywarning import queries
from kopiena.earlywarning.catalogue import Indicator
from kopiena.earlywarning.grading import (
    ResultRow,
    blocking_subjects,
    insufficient_result_subjects,
)
from kopiena.earlywarning.reasons import Assessment, level_label
from kopiena.earlywarning.windows import CalendarContext
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Programme

CHUNK_SIZE = 2000
OVER_AGE_YEARS = 1  # over-age: more than this many years older than the usual age
SCHOOL_ENTRY_AGE = 7  # grade 1 starts in the calendar year the child turns 7
VET_GRADE_OFFSET = 9  # vocational course 1 follows grade 9


@dataclass(frozen=True)
class PupilIndicators:
    pupil_id: int  # Pupil.pk
    school_id: int
    source_id: str  # the register's pupil id at that school (Enrolment.source_id)
    class_id: int | None
    class_label: str | None
    grade: int | None
    as_of: dt.date
    school_year_id: int | None
    semester: int | None  # number of the semester of as_of (1 or 2)
    school_days_30d: int
    attendance_rate_30d: float | None
    attendance_rate_semester: float | None
    unexcused_lessons_semester: int
    excused_lessons_semester: int
    late_semester: int
    insufficient_results_30d: int
    insufficient_results_semester: int
    insufficient_result_subjects: tuple[str, ...]
    blocking_subjects: tuple[str, ...]
    grade_trend: float | None  # points a week
    class_grade_trend: float | None
    behaviour_incident_day_share_30d: float | None
    serious_incidents_30d: int
    repeating_year: bool
    over_age: bool
    years_over_age: int | None
    changed_school: bool
    assessment: Assessment | None = None

    def value(self, indicator: str) -> Decimal | None:
        """The indicator's value as a rule compares it (rounded to 4 decimals)."""
        raw: float | int | None
        if indicator == Indicator.BLOCKING_SUBJECTS:
            raw = len(self.blocking_subjects)
        elif indicator == Indicator.GRADE_TREND_VS_CLASS:
            raw = (None if self.grade_trend is None or self.class_grade_trend is None
                   else self.grade_trend - self.class_grade_trend)
        else:
            raw = getattr(self, indicator)
        return None if raw is None else Decimal(str(round(raw, 4)))

    def as_dict(self) -> dict[str, Any]:
        """Every indicator, JSON-safe (stored on the pupil's status)."""
        return {
            "school_days_30d": self.school_days_30d,
            "attendance_rate_30d": _round(self.attendance_rate_30d),
            "attendance_rate_semester": _round(self.attendance_rate_semester),
            "unexcused_lessons_semester": self.unexcused_lessons_semester,
            "excused_lessons_semester": self.excused_lessons_semester,
            "late_semester": self.late_semester,
            "insufficient_results_30d": self.insufficient_results_30d,
            "insufficient_results_semester": self.insufficient_results_semester,
            "insufficient_result_subjects": list(self.insufficient_result_subjects),
            "blocking_subjects": list(self.blocking_subjects),
            "grade_trend": _round(self.grade_trend),
            "class_grade_trend": _round(self.class_grade_trend),
            "behaviour_incident_day_share_30d": _round(self.behaviour_incident_day_share_30d),
            "serious_incidents_30d": self.serious_incidents_30d,
            "repeating_year": self.repeating_year,
            "over_age": self.over_age,
            "years_over_age": self.years_over_age,
            "changed_school": self.changed_school,
        }

    def to_json(self) -> dict[str, Any]:
        """The object ``manage.py pupil_indicators --json`` prints (reasons rendered in the
        active language)."""
        assessment = self.assessment or Assessment()
        return {
            "pupil_id": self.source_id,
            "class_label": self.class_label,
            "attendance_rate_30d": _round(self.attendance_rate_30d),
            "attendance_rate_semester": _round(self.attendance_rate_semester),
            "unexcused_lessons_semester": self.unexcused_lessons_semester,
            "excused_lessons_semester": self.excused_lessons_semester,
            "late_semester": self.late_semester,
            "insufficient_results_semester": self.insufficient_results_semester,
            "behaviour_incident_day_share_30d": _round(self.behaviour_incident_day_share_30d),
            "support_level": assessment.level,
            "reasons": assessment.rendered_reasons(),
        }

    @property
    def support_level_label(self) -> str:
        return level_label((self.assessment or Assessment()).level)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class _Span:
    """One enrolment of a pupil, as the context indicators need it."""

    school_id: int
    starts: dt.date
    ends: dt.date | None
    grade: int | None
    programme: str | None
    year_start: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True)
class Placement:
    """Where a pupil is on ``as_of``: the enrolment the indicators are reported under."""

    pupil_id: int
    school_id: int
    source_id: str
    class_id: int | None
    class_label: str | None
    grade: int | None
    programme: str
    birth_date: dt.date
    class_year_start: dt.date | None
    spans: tuple[_Span, ...]


def compute_indicators(*, as_of: dt.date, school: Organisation | None = None,
                       pupil_ids: Iterable[int] | None = None) -> list[PupilIndicators]:
    """Indicators of the pupils enrolled at ``school`` on ``as_of``, or of ``pupil_ids``
    (each under the enrolment in force on ``as_of``; pupils not enrolled are left out)."""
    if (school is None) == (pupil_ids is None):
        raise ValueError("Give either a school or pupil ids.")
    ctx = CalendarContext.load(as_of)
    if school is not None:
        population = queries.enrolled_at(school.pk, as_of).values("pupil_id")
        return _compute(ctx, population, school_id=school.pk)
    result: list[PupilIndicators] = []
    for chunk in chunked(sorted(set(pupil_ids or ())), CHUNK_SIZE):
        result.extend(_compute(ctx, chunk, school_id=None))
    return result


def chunked(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


Population = QuerySet[Any, Any] | list[int]


def _compute(ctx: CalendarContext, population: Population,
             *, school_id: int | None) -> list[PupilIndicators]:
    placements = _placements(queries.enrolment_rows(population), as_of=ctx.as_of,
                             school_id=school_id)
    if not placements:
        return []
    starts = sorted({w[0] for p in placements if (w := ctx.window(p.grade))})
    attendance = queries.attendance_sums(population, ctx, starts)
    insufficient = queries.insufficient_counts(population, ctx, starts)
    results = queries.result_rows(population, ctx)
    class_ids = {p.class_id for p in placements if p.class_id is not None}
    trends, class_trends = queries.grade_trends(population, ctx, class_ids)
    incidents = queries.incident_days(population, ctx, starts[0] if starts else None)
    return [
        _indicators(p, ctx, starts, attendance.get(p.pupil_id, {}),
                    insufficient.get(p.pupil_id, {}), results.get(p.pupil_id, []),
                    trends.get(p.pupil_id),
                    class_trends.get(p.class_id) if p.class_id is not None else None,
                    incidents.get(p.pupil_id, {}))
        for p in placements
    ]


def _placements(rows: list[queries.EnrolmentRow], *, as_of: dt.date,
                school_id: int | None) -> list[Placement]:
    by_pupil: dict[int, list[queries.EnrolmentRow]] = defaultdict(list)
    for row in rows:
        by_pupil[row.pupil_id].append(row)
    placements = []
    for pupil_id, own in by_pupil.items():
        active = [r for r in own if r.enrolled_from <= as_of
                  and (r.enrolled_to is None or r.enrolled_to >= as_of)
                  and (school_id is None or r.school_id == school_id)]
        if not active:
            continue
        row = max(active, key=lambda r: (r.school_id == r.pupil_school_id, r.enrolled_from))
        class_id, label, grade, programme, year_start = (
            row.class_id, row.class_label, row.class_grade, row.class_programme,
            row.class_year_start)
        if class_id is None and row.pupil_school_id == row.school_id:
            class_id, label, grade, programme, year_start = (
                row.pupil_class_id, row.pupil_class_label, row.pupil_class_grade,
                row.pupil_class_programme, row.pupil_class_year_start)
        placements.append(Placement(
            pupil_id=pupil_id, school_id=row.school_id, source_id=row.source_id,
            class_id=class_id, class_label=label, grade=grade,
            programme=programme or row.pupil_programme, birth_date=row.birth_date,
            class_year_start=year_start,
            spans=tuple(_Span(r.school_id, r.enrolled_from, r.enrolled_to, r.class_grade,
                              r.class_programme, r.class_year_start) for r in own),
        ))
    return placements


def _rate(scheduled: int | None, absent: int | None) -> float | None:
    if not scheduled:
        return None
    return (scheduled - (absent or 0)) / scheduled


def _indicators(p: Placement, ctx: CalendarContext, starts: list[dt.date],
                attendance: dict[str, Any], insufficient: dict[str, Any],
                results: list[ResultRow], trend: float | None,
                class_trend: float | None, incidents: dict[dt.date, int]) -> PupilIndicators:
    window = ctx.window(p.grade)
    w = f"w{starts.index(window[0])}" if window else None
    covered = _enrolled_days(p, window)
    incident_days = [d for d in incidents if d in covered]
    subjects = insufficient_result_subjects(results)
    years_over = _years_over_age(p, ctx)
    return PupilIndicators(
        pupil_id=p.pupil_id, school_id=p.school_id, source_id=p.source_id,
        class_id=p.class_id, class_label=p.class_label, grade=p.grade, as_of=ctx.as_of,
        school_year_id=ctx.year.pk if ctx.year is not None else None,
        semester=ctx.semester.number if ctx.semester is not None else None,
        school_days_30d=len(window),
        attendance_rate_30d=_rate(attendance.get(f"{w}_scheduled"),
                                  attendance.get(f"{w}_absent")),
        attendance_rate_semester=_rate(
            attendance.get("sem_scheduled"),
            (attendance.get("sem_excused") or 0) + (attendance.get("sem_unexcused") or 0)),
        unexcused_lessons_semester=attendance.get("sem_unexcused") or 0,
        excused_lessons_semester=attendance.get("sem_excused") or 0,
        late_semester=attendance.get("sem_late") or 0,
        insufficient_results_30d=insufficient.get(f"{w}_count") or 0,
        insufficient_results_semester=insufficient.get("sem_count") or 0,
        insufficient_result_subjects=subjects,
        blocking_subjects=blocking_subjects(subjects, grade=p.grade, programme=p.programme),
        grade_trend=trend, class_grade_trend=class_trend,
        behaviour_incident_day_share_30d=len(incident_days) / len(covered) if covered else None,
        serious_incidents_30d=sum(n for d, n in incidents.items() if window and d >= window[0]),
        repeating_year=_repeating_year(p),
        over_age=years_over is not None and years_over > OVER_AGE_YEARS,
        years_over_age=years_over,
        changed_school=_changed_school(p, ctx),
    )


def _enrolled_days(p: Placement, window: tuple[dt.date, ...]) -> set[dt.date]:
    """The days of ``window`` on which the pupil was enrolled (at any school)."""
    if not window:
        return set()
    if any(s.covers(window[0]) and s.covers(window[-1]) for s in p.spans):
        return set(window)
    return {d for d in window if any(s.covers(d) for s in p.spans)}


def _repeating_year(p: Placement) -> bool:
    """An enrolment in a class of the same grade and programme in the previous school year."""
    if p.grade is None or p.class_year_start is None:
        return False
    previous = p.class_year_start.year - 1
    return any(s.grade == p.grade and s.programme == p.programme
               and s.year_start is not None and s.year_start.year == previous
               for s in p.spans)


def _years_over_age(p: Placement, ctx: CalendarContext) -> int | None:
    """Years older than the usual age for the grade, by birth year (grade 1 in the year the
    child turns 7; vocational course 1 after grade 9)."""
    if p.grade is None or ctx.year is None:
        return None
    school_grade = p.grade + (VET_GRADE_OFFSET if p.programme == Programme.VET else 0)
    usual_birth_year = ctx.year.starts_on.year - (SCHOOL_ENTRY_AGE - 1) - school_grade
    return usual_birth_year - p.birth_date.year


def _changed_school(p: Placement, ctx: CalendarContext) -> bool:
    """An enrolment at another school that ended within this school year, up to ``as_of``."""
    if ctx.year is None:
        return False
    return any(s.school_id != p.school_id and s.ends is not None
               and ctx.year.starts_on <= s.ends <= ctx.as_of for s in p.spans)


def enrolled_pupil_ids(school: Organisation, as_of: dt.date) -> list[int]:
    return list(queries.enrolled_at(school.pk, as_of).values_list("pupil_id", flat=True))
