"""The vocabulary of early warning: indicators, support levels, comparisons, reason texts.

Rules (``SupportRule``) refer to these by value; reasons are stored as structured data and
rendered with the texts below in the language active at display time.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# Cabinet Regulation No. 89 (2011): more than 20 lessons missed without a justified reason in
# a semester obliges the school to inform the municipality (DOMAIN.md, "School data facts").
# This is law, not policy, so it is not a rule that a municipality could change.
STATUTORY_UNEXCUSED_LIMIT = 20
STATUTORY_SOURCE = "Cabinet Regulation No. 89 (2011); DOMAIN.md, School data facts"


class SupportLevel(models.TextChoices):
    """Non-stigmatising support levels (DOMAIN.md, anchors: speak of support, not risk)."""

    UNIVERSAL = "universal", _("Universal support")
    TARGETED = "targeted", _("Targeted support")
    INTENSIVE = "intensive", _("Intensive support")


LEVEL_RANK: dict[str, int] = {
    SupportLevel.UNIVERSAL: 0, SupportLevel.TARGETED: 1, SupportLevel.INTENSIVE: 2,
}


def higher_level(a: str, b: str) -> str:
    return a if LEVEL_RANK[a] >= LEVEL_RANK[b] else b


class Comparison(models.TextChoices):
    LT = "<", _("less than")
    LE = "<=", _("less than or equal to")
    GT = ">", _("greater than")
    GE = ">=", _("greater than or equal to")


def compare(value: Decimal, comparison: str, threshold: Decimal) -> bool:
    if comparison == Comparison.LT:
        return value < threshold
    if comparison == Comparison.LE:
        return value <= threshold
    if comparison == Comparison.GT:
        return value > threshold
    if comparison == Comparison.GE:
        return value >= threshold
    raise ValueError(f"unknown comparison {comparison!r}")


def is_lower_bound(comparison: str) -> bool:
    """True for < and <=: the rule flags values below its threshold."""
    return comparison in (Comparison.LT, Comparison.LE)


class Indicator(models.TextChoices):
    ATTENDANCE_RATE_30D = "attendance_rate_30d", _("Attendance rate, last 30 school days")
    ATTENDANCE_RATE_SEMESTER = "attendance_rate_semester", _("Attendance rate, this semester")
    UNEXCUSED_LESSONS_SEMESTER = "unexcused_lessons_semester", _(
        "Unexcused lessons, this semester")
    EXCUSED_LESSONS_SEMESTER = "excused_lessons_semester", _("Excused lessons, this semester")
    LATE_SEMESTER = "late_semester", _("Late arrivals, this semester")
    INSUFFICIENT_RESULTS_30D = "insufficient_results_30d", _(
        "Insufficient results, last 30 school days")
    INSUFFICIENT_RESULTS_SEMESTER = "insufficient_results_semester", _(
        "Insufficient results, this semester")
    BLOCKING_SUBJECTS = "blocking_subjects", _("Subjects that would block promotion")
    GRADE_TREND = "grade_trend", _("Grade trend, points a week over 8 weeks")
    GRADE_TREND_VS_CLASS = "grade_trend_vs_class", _(
        "Grade trend compared with the class, points a week")
    BEHAVIOUR_INCIDENT_DAY_SHARE_30D = "behaviour_incident_day_share_30d", _(
        "Share of school days with an incident, last 30 school days")
    SERIOUS_INCIDENTS_30D = "serious_incidents_30d", _(
        "Serious incidents, last 30 school days")


class ValueKind(enum.Enum):
    FRACTION = "fraction"  # 0..1, shown as a percentage
    COUNT = "count"  # whole number
    POINTS_PER_WEEK = "points_per_week"  # signed, two decimals


VALUE_KIND: dict[str, ValueKind] = {
    Indicator.ATTENDANCE_RATE_30D: ValueKind.FRACTION,
    Indicator.ATTENDANCE_RATE_SEMESTER: ValueKind.FRACTION,
    Indicator.BEHAVIOUR_INCIDENT_DAY_SHARE_30D: ValueKind.FRACTION,
    Indicator.GRADE_TREND: ValueKind.POINTS_PER_WEEK,
    Indicator.GRADE_TREND_VS_CLASS: ValueKind.POINTS_PER_WEEK,
}


def value_kind(indicator: str) -> ValueKind:
    return VALUE_KIND.get(indicator, ValueKind.COUNT)


# The limit a reason quotes as %(limit)s: the statutory limit where the law sets one,
# otherwise the rule's own threshold.
STATUTORY_LIMITS: dict[str, int] = {
    Indicator.UNEXCUSED_LESSONS_SEMESTER: STATUTORY_UNEXCUSED_LIMIT,
}

# The shipped reason texts, one per indicator. A rule with an empty reason template uses
# these, so they are translated. Placeholders: value, threshold, limit, comparison,
# indicator, subjects, and count (the value as a whole number, which picks the plural form).
REASON_TEMPLATES: dict[str, Promise] = {
    Indicator.ATTENDANCE_RATE_30D: _(
        "Attendance in the last 30 school days is %(value)s, below %(threshold)s"),
    Indicator.ATTENDANCE_RATE_SEMESTER: _(
        "Attendance this semester is %(value)s, below %(threshold)s"),
    Indicator.UNEXCUSED_LESSONS_SEMESTER: ngettext_lazy(
        "%(value)s unexcused lesson this semester; the limit is %(limit)s",
        "%(value)s unexcused lessons this semester; the limit is %(limit)s", "count"),
    Indicator.EXCUSED_LESSONS_SEMESTER: ngettext_lazy(
        "%(value)s lesson missed with an excuse this semester (threshold %(threshold)s)",
        "%(value)s lessons missed with an excuse this semester (threshold %(threshold)s)",
        "count"),
    Indicator.LATE_SEMESTER: ngettext_lazy(
        "Late %(value)s time this semester (threshold %(threshold)s)",
        "Late %(value)s times this semester (threshold %(threshold)s)", "count"),
    Indicator.INSUFFICIENT_RESULTS_30D: ngettext_lazy(
        "%(value)s insufficient result in the last 30 school days",
        "%(value)s insufficient results in the last 30 school days", "count"),
    Indicator.INSUFFICIENT_RESULTS_SEMESTER: ngettext_lazy(
        "%(value)s insufficient result this semester",
        "%(value)s insufficient results this semester", "count"),
    Indicator.BLOCKING_SUBJECTS: _(
        "Promotion at risk: the term or annual result is insufficient in %(subjects)s"),
    Indicator.GRADE_TREND: _(
        "Grades change by %(value)s points a week over the last 8 weeks "
        "(threshold %(threshold)s)"),
    Indicator.GRADE_TREND_VS_CLASS: _(
        "Grades change by %(value)s points a week compared with the class over the last "
        "8 weeks (threshold %(threshold)s)"),
    Indicator.BEHAVIOUR_INCIDENT_DAY_SHARE_30D: _(
        "Incidents on %(value)s of school days in the last 30 school days "
        "(threshold %(threshold)s)"),
    Indicator.SERIOUS_INCIDENTS_30D: ngettext_lazy(
        "%(value)s serious incident in the last 30 school days",
        "%(value)s serious incidents in the last 30 school days", "count"),
}

TEMPLATE_PLACEHOLDERS = ("value", "threshold", "limit", "comparison", "indicator", "subjects",
                         "count")


def tightens(*, comparison: str, threshold: Decimal, inherited_comparison: str,
             inherited_threshold: Decimal) -> bool:
    """True when a rule flags at least every value the inherited rule flags.

    ``< 0.97`` tightens ``< 0.95``; ``<= 0.95`` tightens ``< 0.95``; ``>= 15`` tightens
    ``> 20``. A rule that looks the other way never tightens.
    """
    if is_lower_bound(comparison) != is_lower_bound(inherited_comparison):
        return False
    if threshold != inherited_threshold:
        return (threshold > inherited_threshold) == is_lower_bound(comparison)
    inclusive = comparison in (Comparison.LE, Comparison.GE)
    inherited_inclusive = inherited_comparison in (Comparison.LE, Comparison.GE)
    return inclusive or not inherited_inclusive
