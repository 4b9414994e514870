"""The aggregate queries behind the indicators: one GROUP BY per kind of data.

``population`` is either a subquery of pupil ids (a whole school) or a list of at most
``indicators.CHUNK_SIZE`` ids. Windows that differ by grade become conditional sums of one
query (``FILTER (WHERE date >= start)``), not one query per window.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from statistics import fmean
from typing import Any, NamedTuple

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum

from kopiena.earlywarning.grading import RESULT_KINDS, TREND_KINDS, ResultRow, slope_per_week
from kopiena.earlywarning.windows import CalendarContext, DaysSince
from kopiena.pupils.models import Enrolment
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade

Population = QuerySet[Any, Any] | list[int]
SERIOUS = 3


def active_on(as_of: dt.date) -> Q:
    return Q(enrolled_from__lte=as_of) & (Q(enrolled_to__isnull=True) | Q(enrolled_to__gte=as_of))


def enrolled_at(school_id: int, as_of: dt.date) -> QuerySet[Enrolment]:
    """Enrolments at the school in force on ``as_of``."""
    return Enrolment.objects.filter(active_on(as_of), school_id=school_id)


class EnrolmentRow(NamedTuple):
    pupil_id: int
    school_id: int
    source_id: str
    enrolled_from: dt.date
    enrolled_to: dt.date | None
    class_id: int | None
    class_label: str | None
    class_grade: int | None
    class_programme: str | None
    class_year_start: dt.date | None
    birth_date: dt.date
    pupil_school_id: int | None
    pupil_programme: str
    pupil_class_id: int | None
    pupil_class_label: str | None
    pupil_class_grade: int | None
    pupil_class_programme: str | None
    pupil_class_year_start: dt.date | None


_ENROLMENT_FIELDS = (
    "pupil_id", "school_id", "source_id", "enrolled_from", "enrolled_to",
    "school_class_id", "school_class__label", "school_class__grade", "school_class__programme",
    "school_class__school_year__starts_on", "pupil__birth_date", "pupil__school_id",
    "pupil__programme", "pupil__school_class_id", "pupil__school_class__label",
    "pupil__school_class__grade", "pupil__school_class__programme",
    "pupil__school_class__school_year__starts_on",
)


def enrolment_rows(population: Population) -> list[EnrolmentRow]:
    """Every enrolment (any school, any time) of the pupils, with class and pupil facts."""
    rows = Enrolment.objects.filter(pupil_id__in=population).order_by().values_list(
        *_ENROLMENT_FIELDS)
    return [EnrolmentRow(*row) for row in rows]


def _range_start(ctx: CalendarContext, starts: list[dt.date]) -> dt.date | None:
    candidates = [*starts, *([ctx.semester_start] if ctx.semester_start else [])]
    return min(candidates, default=None)


def attendance_sums(population: Population, ctx: CalendarContext,
                    starts: list[dt.date]) -> dict[int, dict[str, Any]]:
    """Per pupil: ``sem_scheduled/_excused/_unexcused/_late`` and, for each window start i,
    ``w{i}_scheduled`` and ``w{i}_absent``."""
    first = _range_start(ctx, starts)
    if first is None:
        return {}
    absent = F("absent_excused") + F("absent_unexcused")
    sums: dict[str, Any] = {}
    if ctx.semester_start is not None:
        in_semester = Q(date__gte=ctx.semester_start)
        sums |= {
            "sem_scheduled": Sum("lessons_scheduled", filter=in_semester),
            "sem_excused": Sum("absent_excused", filter=in_semester),
            "sem_unexcused": Sum("absent_unexcused", filter=in_semester),
            "sem_late": Sum("late", filter=in_semester),
        }
    for i, start in enumerate(starts):
        sums[f"w{i}_scheduled"] = Sum("lessons_scheduled", filter=Q(date__gte=start))
        sums[f"w{i}_absent"] = Sum(absent, filter=Q(date__gte=start))
    rows = (AttendanceDay.objects.filter(pupil_id__in=population, date__gte=first,
                                         date__lte=ctx.as_of)
            .order_by().values("pupil_id").annotate(**sums))
    return {row["pupil_id"]: row for row in rows}


def insufficient_counts(population: Population, ctx: CalendarContext,
                        starts: list[dt.date]) -> dict[int, dict[str, Any]]:
    """Per pupil: ``sem_count`` and ``w{i}_count`` of insufficient grades."""
    first = _range_start(ctx, starts)
    if first is None:
        return {}
    counts: dict[str, Any] = {}
    if ctx.semester_start is not None:
        counts["sem_count"] = Count("pk", filter=Q(date__gte=ctx.semester_start))
    for i, start in enumerate(starts):
        counts[f"w{i}_count"] = Count("pk", filter=Q(date__gte=start))
    rows = (Grade.objects.filter(pupil_id__in=population, is_insufficient=True,
                                 date__gte=first, date__lte=ctx.as_of)
            .order_by().values("pupil_id").annotate(**counts))
    return {row["pupil_id"]: row for row in rows}


def result_rows(population: Population, ctx: CalendarContext) -> dict[int, list[ResultRow]]:
    """Per pupil: the term and annual results of the school year up to ``as_of``."""
    if ctx.year is None:
        return {}
    rows = (Grade.objects.filter(pupil_id__in=population, kind__in=RESULT_KINDS,
                                 date__gte=ctx.year.starts_on, date__lte=ctx.as_of)
            .order_by().values_list("pupil_id", "subject", "date", "kind", "is_insufficient"))
    by_pupil: dict[int, list[ResultRow]] = defaultdict(list)
    for pupil_id, subject, date, kind, insufficient in rows:
        by_pupil[pupil_id].append((subject, date, kind, insufficient))
    return by_pupil


def grade_trends(population: Population, ctx: CalendarContext, class_ids: Collection[int],
                 ) -> tuple[dict[int, float | None], dict[int, float | None]]:
    """Slopes of the pupils' 10-point grades (ongoing and exam) over the trend window, and
    each class's mean slope (over its pupils enrolled on ``as_of`` who have one)."""
    classmates = Enrolment.objects.filter(active_on(ctx.as_of), school_class_id__in=class_ids)
    class_of = dict(classmates.order_by().values_list("pupil_id", "school_class_id"))
    x = DaysSince("date", ctx.trend_start)
    rows = (
        Grade.objects.filter(Q(pupil_id__in=population)
                             | Q(pupil_id__in=classmates.values("pupil_id")),
                             points__isnull=False, kind__in=TREND_KINDS,
                             date__gte=ctx.trend_start, date__lte=ctx.as_of)
        .order_by().values("pupil_id")
        .annotate(n=Count("pk"), sx=Sum(x), sy=Sum("points"),
                  sxx=Sum(ExpressionWrapper(x * x, output_field=IntegerField())),
                  sxy=Sum(ExpressionWrapper(x * F("points"), output_field=IntegerField())))
    )
    slopes = {
        row["pupil_id"]: slope_per_week(n=row["n"], sum_x=row["sx"], sum_y=row["sy"],
                                        sum_xx=row["sxx"], sum_xy=row["sxy"])
        for row in rows
    }
    per_class: dict[int, list[float]] = defaultdict(list)
    for pupil_id, class_id in class_of.items():
        slope = slopes.get(pupil_id)
        if slope is not None:
            per_class[class_id].append(slope)
    class_means: dict[int, float | None] = {c: fmean(v) for c, v in per_class.items()}
    return slopes, class_means


def incident_days(population: Population, ctx: CalendarContext,
                  start: dt.date | None) -> dict[int, dict[dt.date, int]]:
    """Per pupil: each date with an incident since ``start``, with its serious incidents."""
    if start is None:
        return {}
    rows = (BehaviourIncident.objects.filter(pupil_id__in=population, date__gte=start,
                                             date__lte=ctx.as_of)
            .order_by().values("pupil_id", "date")
            .annotate(serious=Count("pk", filter=Q(severity__gte=SERIOUS))))
    by_pupil: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in rows:
        by_pupil[row["pupil_id"]][row["date"]] = row["serious"]
    return by_pupil
