"""Reasons: stored as structured data, rendered in the active language when shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kopiena.earlywarning.catalogue import (
    LEVEL_RANK,
    REASON_TEMPLATES,
    STATUTORY_LIMITS,
    Comparison,
    Indicator,
    SupportLevel,
    ValueKind,
    value_kind,
)

COMPARISON_SIGNS: dict[str, str] = {Comparison.LT: "<", Comparison.LE: "≤", Comparison.GT: ">", Comparison.GE: "≥"}


@dataclass(frozen=True)
class Reason:
    """One matched rule: what was measured, against what, and the text it gives."""

    indicator: str
    value: float
    comparison: str
    threshold: str  # the rule's Decimal threshold as text, e.g. "0.9500"
    level: str
    rule_id: int | None = None
    template: str = ""  # the rule's own text; empty: the indicator's standard text
    subjects: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator, "value": self.value, "comparison": self.comparison,
            "threshold": self.threshold, "level": self.level, "rule_id": self.rule_id,
            "template": self.template, "subjects": list(self.subjects),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reason:
        return cls(
            indicator=data["indicator"], value=data["value"], comparison=data["comparison"],
            threshold=str(data["threshold"]), level=data["level"],
            rule_id=data.get("rule_id"), template=data.get("template", ""),
            subjects=tuple(data.get("subjects", ())),
        )

    def render(self) -> str:
        """The plain-language reason in the active language."""
        params = {
            "value": format_value(self.indicator, self.value),
            "threshold": format_value(self.indicator, Decimal(self.threshold)),
            "limit": format_value(self.indicator, STATUTORY_LIMITS.get(
                self.indicator, Decimal(self.threshold))),
            "comparison": COMPARISON_SIGNS.get(self.comparison, self.comparison),
            "indicator": str(Indicator(self.indicator).label)
            if self.indicator in Indicator.values else self.indicator,
            "subjects": ", ".join(self.subjects),
            "count": int(self.value),
        }
        if self.template:
            try:
                return gettext(self.template) % params
            except (KeyError, ValueError, TypeError):
                pass  # an invalid custom text falls back to the standard one
        standard = REASON_TEMPLATES.get(self.indicator)
        if standard is None:
            return (f"{params['indicator']}: {params['value']} "
                    f"({params['comparison']} {params['threshold']})")
        return str(standard % params)


@dataclass(frozen=True)
class Assessment:
    level: str = SupportLevel.UNIVERSAL
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    def reasons_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.reasons]

    def rendered_reasons(self) -> list[str]:
        return [r.render() for r in self.reasons]


def render_reasons(stored: list[dict[str, Any]]) -> list[str]:
    """Texts of reasons stored on a status or an event, in the active language."""
    return [Reason.from_json(r).render() for r in stored]


def level_label(level: str) -> str:
    return str(SupportLevel(level).label)


def order_reasons(reasons: list[Reason]) -> tuple[Reason, ...]:
    """Highest level first, then in the order of the indicators."""
    position = {value: i for i, value in enumerate(Indicator.values)}
    return tuple(sorted(reasons, key=lambda r: (-LEVEL_RANK[r.level],
                                                position.get(r.indicator, len(position)))))


def format_value(indicator: str, value: float | Decimal | int) -> str:
    kind = value_kind(indicator)
    if kind is ValueKind.FRACTION:
        number = _trimmed(Decimal(str(value)) * 100, 2)
        return str(_("%(number)s%%") % {"number": number})
    if kind is ValueKind.POINTS_PER_WEEK:
        text = formats.number_format(Decimal(str(value)), decimal_pos=2)
        return text if Decimal(str(value)) < 0 else f"+{text}"
    return _trimmed(Decimal(str(value)), 2)


def _trimmed(number: Decimal, places: int) -> str:
    """At most ``places`` decimals, trailing zeros dropped, in the active locale."""
    rounded = round(number, places)
    decimals = 0
    for decimals in range(places + 1):
        if rounded == round(rounded, decimals):
            break
    return formats.number_format(rounded, decimal_pos=decimals)
