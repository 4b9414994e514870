"""Grades: which subjects would block promotion, and the trend of a pupil's grades.

Promotion (Cabinet Regulation No. 11, 2022, p. 25; DOMAIN.md "School data facts"): grades
4-8 move up if every annual grade is >= 4 or at most one is below 4 after re-examination;
grades 10-11 need every grade >= 4. As data: the number of subjects with an insufficient
result a pupil may have and still be promoted. With more than that, every such subject is a
blocking subject. Grades the regulation's point does not cover (1-3, 9, 12) and vocational
courses allow none, so every insufficient term or annual result is marked. A deployment can
replace the table with the setting ``EARLYWARNING_PROMOTION_ALLOWED_INSUFFICIENT``
(``{grade: allowed}``).

A subject's result is its latest term or annual result in the school year (an annual result
wins over a term result of the same date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from kopiena.pupils.models import Programme
from kopiena.schooldata.models import GradeKind

PROMOTION_ALLOWED_INSUFFICIENT: dict[int, int] = {
    4: 1, 5: 1, 6: 1, 7: 1, 8: 1,
    10: 0, 11: 0,
}
DEFAULT_ALLOWED_INSUFFICIENT = 0
MIN_TREND_GRADES = 3
RESULT_KINDS = (GradeKind.TERM, GradeKind.ANNUAL)
TREND_KINDS = (GradeKind.ONGOING, GradeKind.EXAM)

ResultRow = tuple[str, dt.date, str, bool]  # subject, date, kind, is_insufficient


def allowed_insufficient(*, grade: int | None, programme: str) -> int:
    table: dict[int, int] = getattr(
        settings, "EARLYWARNING_PROMOTION_ALLOWED_INSUFFICIENT", PROMOTION_ALLOWED_INSUFFICIENT
    )
    if grade is None or programme == Programme.VET:
        return DEFAULT_ALLOWED_INSUFFICIENT
    return table.get(grade, DEFAULT_ALLOWED_INSUFFICIENT)


def insufficient_result_subjects(results: Iterable[ResultRow]) -> tuple[str, ...]:
    """Subjects whose latest term or annual result is insufficient, sorted."""
    latest: dict[str, tuple[dt.date, bool, bool]] = {}
    for subject, date, kind, insufficient in results:
        candidate = (date, kind == GradeKind.ANNUAL, insufficient)
        if subject not in latest or candidate[:2] > latest[subject][:2]:
            latest[subject] = candidate
    return tuple(sorted(s for s, (_d, _a, insufficient) in latest.items() if insufficient))


def blocking_subjects(subjects: tuple[str, ...], *, grade: int | None,
                      programme: str) -> tuple[str, ...]:
    """``subjects`` if there are more of them than promotion allows, else none."""
    if len(subjects) > allowed_insufficient(grade=grade, programme=programme):
        return subjects
    return ()


def slope_per_week(*, n: int, sum_x: float, sum_y: float, sum_xx: float,
                   sum_xy: float) -> float | None:
    """Least-squares slope of y (points) over x (days), in points a week; None for fewer
    than 3 grades or when all grades fall on one day."""
    if n < MIN_TREND_GRADES:
        return None
    denominator = n * sum_xx - sum_x * sum_x
    if denominator == 0:
        return None
    return (n * sum_xy - sum_x * sum_y) / denominator * 7
