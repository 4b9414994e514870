"""The risk assessment form: the four risk groups, each a checklist of factors with a note for
every factor ticked, and a summary. A repeated assessment starts from the latest one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from kopiena.cases.fields import date_field, text_area
from kopiena.cases.models import RiskAssessment
from kopiena.cases.risk_factors import SENSITIVE_GROUPS, RiskGroup, factors_of


@dataclass(frozen=True)
class FactorFields:
    tick: BoundField
    note: BoundField


@dataclass(frozen=True)
class GroupFields:
    group: str
    label: str
    sensitive: bool
    factors: list[FactorFields]


class RiskAssessmentForm(forms.Form):
    assessed_on = date_field(_("Assessed on"))
    summary = forms.CharField(
        label=_("Summary of the assessment"), required=False, widget=text_area(4),
        max_length=4000,
        help_text=_("What the team concluded, and what the pupil and the family said."))

    def __init__(self, *args: Any, previous: RiskAssessment | None = None,
                 copy_sensitive_notes: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        found = {}
        if previous is not None:
            found = {r.factor: r for r in previous.risks.all()}
        for group in RiskGroup:
            for factor in factors_of(group):
                earlier = found.get(factor.key)
                self.fields[f"factor_{factor.key}"] = forms.BooleanField(
                    label=str(factor.label), required=False, initial=earlier is not None)
                keep_note = earlier is not None and (
                    copy_sensitive_notes or group not in SENSITIVE_GROUPS)
                self.fields[f"note_{factor.key}"] = forms.CharField(
                    label=_("Note: %(factor)s") % {"factor": factor.label}, required=False,
                    widget=text_area(2), max_length=2000,
                    initial=earlier.note if keep_note and earlier is not None else "")

    def groups(self) -> list[GroupFields]:
        """The checklist, group by group, for the template's fieldsets."""
        return [GroupFields(
            group=group.value, label=str(group.label), sensitive=group in SENSITIVE_GROUPS,
            factors=[FactorFields(tick=self[f"factor_{f.key}"], note=self[f"note_{f.key}"])
                     for f in factors_of(group)],
        ) for group in RiskGroup]

    def factors(self) -> dict[str, str]:
        """Each ticked factor with its note (notes of unticked factors are dropped)."""
        return {name.removeprefix("factor_"): self.cleaned_data.get(
                    "note_" + name.removeprefix("factor_"), "")
                for name, value in self.cleaned_data.items()
                if name.startswith("factor_") and value}
