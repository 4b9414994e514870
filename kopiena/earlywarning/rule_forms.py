"""The form that adds or changes one support rule of a municipality or a school.

Thresholds are typed the way people read them: rates and shares as a percentage (92 for
92 %), counts as whole numbers, grade trends in points a week. The form converts them to the
stored value; the rule itself is validated by ``save_support_rule`` (the tightening check for
schools included), whose messages the view puts back on the fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kopiena.earlywarning.catalogue import (
    Comparison,
    Indicator,
    SupportLevel,
    ValueKind,
    value_kind,
)
from kopiena.earlywarning.models import SupportRule
from kopiena.organisations.models import Organisation

# The rule fields a person edits; anything else save_support_rule complains about is shown
# above the form.
EDITABLE_FIELDS = ("indicator", "level", "comparison", "threshold", "reason_template", "source")
HUNDRED = Decimal(100)
STORED_PLACES = Decimal("0.0001")
MAX_POINTS = Decimal(10)


def version_of(rule: SupportRule) -> str:
    """The value the form carries to notice a change made by someone else meanwhile."""
    return rule.changed_at.isoformat() if rule.changed_at else ""


def shown_threshold(indicator: str, threshold: Decimal) -> Decimal:
    """The stored threshold as a person types it (a percentage for rates and shares)."""
    value = threshold * HUNDRED if value_kind(indicator) is ValueKind.FRACTION else threshold
    value = value.normalize()
    # normalize() writes 100 as 1E+2; a whole number is shown without an exponent.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class RuleForm(forms.Form):
    """Adds a rule (indicator and level chosen) or changes one (indicator and level fixed)."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    level = forms.ChoiceField(label=_("Support level"), choices=SupportLevel.choices)
    comparison = forms.ChoiceField(label=_("Comparison"), choices=Comparison.choices)
    threshold = forms.DecimalField(
        label=_("Threshold"), localize=True, max_digits=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Attendance rates and shares of school days: a percentage, for example "
                    "92 for 92%. Counts: a whole number. Grade trends: points a week, for "
                    "example -0.5."),
    )
    reason_template = forms.CharField(
        label=_("Reason text (optional)"), required=False, max_length=300,
        help_text=_("Leave empty to use the standard text of the indicator, which is "
                    "translated into every language. Placeholders: %(value)s, %(threshold)s, "
                    "%(limit)s."),
    )
    source = forms.CharField(
        label=_("Source"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this threshold: a regulation, a decision of the municipality or "
                    "the school, a study."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation: Organisation,
                 rule: SupportRule | None = None, **kwargs: Any) -> None:
        self.organisation = organisation
        self.rule = rule
        if rule is not None:
            kwargs.setdefault("initial", {}).update({
                "comparison": rule.comparison,
                "threshold": shown_threshold(rule.indicator, rule.threshold),
                "reason_template": rule.reason_template, "source": rule.source,
                "version": version_of(rule),
            })
        super().__init__(*args, **kwargs)
        if rule is not None:
            # The indicator and the level say which rule this is; they are not changed.
            del self.fields["indicator"]
            del self.fields["level"]
        else:
            del self.fields["version"]

    @property
    def chosen_indicator(self) -> str | None:
        if self.rule is not None:
            return self.rule.indicator
        value = self["indicator"].value()
        return value if value in Indicator.values else None

    @property
    def chosen_level(self) -> str | None:
        if self.rule is not None:
            return self.rule.level
        value = self["level"].value()
        return value if value in SupportLevel.values else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = self.rule.indicator if self.rule is not None else data.get("indicator")
        threshold = data.get("threshold")
        if indicator and isinstance(threshold, Decimal):
            try:
                data["threshold"] = self._stored_threshold(indicator, threshold)
            except ValidationError as error:
                self.add_error("threshold", error)
        if self.rule is None and indicator and data.get("level"):
            self._check_not_taken(indicator, data["level"])
        return data

    def _stored_threshold(self, indicator: str, typed: Decimal) -> Decimal:
        kind = value_kind(indicator)
        if kind is ValueKind.FRACTION:
            if not Decimal(0) <= typed <= HUNDRED:
                raise ValidationError(_("Enter a percentage between 0 and 100."),
                                      code="percentage")
            if _decimals(typed) > 2:
                raise ValidationError(_("Enter the percentage with at most 2 decimals."),
                                      code="decimals")
            return (typed / HUNDRED).quantize(STORED_PLACES)
        if kind is ValueKind.COUNT:
            if typed < 0 or _decimals(typed) > 0:
                raise ValidationError(_("Enter a whole number, 0 or more."), code="count")
            return typed.quantize(STORED_PLACES)
        if abs(typed) > MAX_POINTS or _decimals(typed) > 2:
            raise ValidationError(
                _("Enter points a week between %(low)s and %(high)s, with at most 2 "
                  "decimals.") % {"low": -MAX_POINTS, "high": MAX_POINTS}, code="points")
        return typed.quantize(STORED_PLACES)

    def _check_not_taken(self, indicator: str, level: str) -> None:
        taken = SupportRule.objects.filter(
            organisation=self.organisation, indicator=indicator, level=level, is_active=True)
        if taken.exists():
            self.add_error("level", _(
                "There is already a rule of %(organisation)s for this indicator and support "
                "level. Change that rule instead.") % {"organisation": self.organisation.name})

    def apply_to(self, rule: SupportRule) -> bool:
        """Copy the cleaned values onto ``rule``; True when anything changed."""
        data = self.cleaned_data
        values = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        changed = rule.pk is None or any(
            getattr(rule, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(rule, name, value)
        return changed

    def add_rule_errors(self, error: ValidationError) -> None:
        """Put the messages of the rule's validation on the fields they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)
