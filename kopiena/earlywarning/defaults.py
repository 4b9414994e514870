"""The shipped default support rules, with their sources.

Installed by migration 0002 (rules without an organisation). The anchors are in
shared/DOMAIN.md ("What early-warning practice has learned", "School data facts"). Where a
number is Kopiena's own choice rather than an anchor or the law, the source says so: every
one of them can be changed by a municipality and tightened by a school.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kopiena.earlywarning.catalogue import (
    STATUTORY_SOURCE,
    STATUTORY_UNEXCUSED_LIMIT,
    Comparison,
    Indicator,
    SupportLevel,
)

_ATTENDANCE = ("DOMAIN.md, anchors: attendance thresholds >= 95%, 90-95%, 80-90%, < 80% are "
               "common; each band below 95% is one support level higher.")
_BEHAVIOUR = ("DOMAIN.md, anchors: behaviour as the share of school days with an incident; "
              "the thresholds 10% and 25% are Kopiena defaults, not an anchor.")


@dataclass(frozen=True)
class DefaultRule:
    indicator: Indicator
    comparison: Comparison
    threshold: Decimal
    level: SupportLevel
    source: str


DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule(Indicator.ATTENDANCE_RATE_30D, Comparison.LT, Decimal("0.95"),
                SupportLevel.UNIVERSAL, _ATTENDANCE),
    DefaultRule(Indicator.ATTENDANCE_RATE_30D, Comparison.LT, Decimal("0.90"),
                SupportLevel.TARGETED, _ATTENDANCE),
    DefaultRule(Indicator.ATTENDANCE_RATE_30D, Comparison.LT, Decimal("0.80"),
                SupportLevel.INTENSIVE, _ATTENDANCE),
    DefaultRule(Indicator.ATTENDANCE_RATE_SEMESTER, Comparison.LT, Decimal("0.95"),
                SupportLevel.UNIVERSAL, _ATTENDANCE),
    DefaultRule(Indicator.ATTENDANCE_RATE_SEMESTER, Comparison.LT, Decimal("0.90"),
                SupportLevel.TARGETED, _ATTENDANCE),
    DefaultRule(Indicator.ATTENDANCE_RATE_SEMESTER, Comparison.LT, Decimal("0.80"),
                SupportLevel.INTENSIVE, _ATTENDANCE),
    DefaultRule(Indicator.UNEXCUSED_LESSONS_SEMESTER, Comparison.GE, Decimal(10),
                SupportLevel.TARGETED,
                f"Progress toward the statutory threshold: {STATUTORY_SOURCE}. Half of the "
                f"limit of {STATUTORY_UNEXCUSED_LIMIT} is a Kopiena default, not the law."),
    DefaultRule(Indicator.UNEXCUSED_LESSONS_SEMESTER, Comparison.GT,
                Decimal(STATUTORY_UNEXCUSED_LIMIT), SupportLevel.INTENSIVE,
                f"{STATUTORY_SOURCE}: more than {STATUTORY_UNEXCUSED_LIMIT} lessons missed "
                "without a justified reason in a semester; the school informs the "
                "municipality."),
    DefaultRule(Indicator.INSUFFICIENT_RESULTS_SEMESTER, Comparison.GE, Decimal(1),
                SupportLevel.UNIVERSAL,
                "DOMAIN.md, anchors: course failures; insufficient results are 1-3, nv, ni "
                "(school-data spec v1)."),
    DefaultRule(Indicator.INSUFFICIENT_RESULTS_SEMESTER, Comparison.GE, Decimal(5),
                SupportLevel.TARGETED,
                "DOMAIN.md, anchors: course failures; five in a semester (of some 50 ongoing "
                "grades) is a Kopiena default."),
    DefaultRule(Indicator.BLOCKING_SUBJECTS, Comparison.GE, Decimal(1),
                SupportLevel.TARGETED,
                "Cabinet Regulation No. 11 (2022), p. 25: promotion rules (DOMAIN.md, School "
                "data facts); see kopiena/earlywarning/grading.py."),
    DefaultRule(Indicator.BEHAVIOUR_INCIDENT_DAY_SHARE_30D, Comparison.GE, Decimal("0.10"),
                SupportLevel.TARGETED, _BEHAVIOUR),
    DefaultRule(Indicator.BEHAVIOUR_INCIDENT_DAY_SHARE_30D, Comparison.GE, Decimal("0.25"),
                SupportLevel.INTENSIVE, _BEHAVIOUR),
    DefaultRule(Indicator.SERIOUS_INCIDENTS_30D, Comparison.GE, Decimal(1),
                SupportLevel.TARGETED,
                "DOMAIN.md, anchors: behaviour; an incident of severity 3 (serious, "
                "school-data spec v1) is a Kopiena default for targeted support."),
)


def install_default_rules(rule_model: Any) -> None:
    """Create or update the default rules (also with a migration's historical model)."""
    for rule in DEFAULT_RULES:
        rule_model.objects.update_or_create(
            organisation=None, indicator=rule.indicator.value, level=rule.level.value,
            is_active=True,
            defaults={"comparison": rule.comparison.value, "threshold": rule.threshold,
                      "source": rule.source, "reason_template": ""},
        )
