"""Forms of a municipality's support settings: a measure of the catalogue and the approval
chain. The rules are checked by ``kopiena.plans.catalogue``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.plans.catalogue import APPROVER_ROLES, MAX_APPROVAL_STEPS
from kopiena.plans.measure_forms import amount_input
from kopiena.plans.models import MeasureKind, MeasureType, MeasureUnit


class MeasureChangeForm(forms.Form):
    name_lv = forms.CharField(label=_("Name in Latvian"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    unit_cost_eur = forms.DecimalField(
        label=_("Unit cost, EUR"), required=False, localize=True, max_digits=9,
        decimal_places=2, widget=amount_input(),
        help_text=_("The price of one hour or session, used to plan and count the money. "
                    "Leave empty when there is no fixed price; compensations have none."))
    is_active = forms.BooleanField(
        label=_("In use"), required=False,
        help_text=_("A measure not in use is no longer offered for new plans; plans that have "
                    "it keep it."))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, measure: MeasureType, own: MeasureType | None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update({
            "name_lv": measure.name_lv, "name_en": measure.name_en,
            "unit_cost_eur": measure.unit_cost_eur, "is_active": measure.is_active,
            "version": measure_version(own)})
        super().__init__(*args, **kwargs)


def measure_version(own: MeasureType | None) -> str:
    """The version of the municipality's own row ("" while it has none), carried by the form
    to notice a change made by someone else meanwhile."""
    return own.changed_at.isoformat() if own is not None and own.changed_at else ""


class MeasureAddForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40,
        help_text=_("A short name for exports and reports: small Latin letters, digits, '-' and "
                    "'_', for example summer_camp."))
    name_lv = forms.CharField(label=_("Name in Latvian"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices,
                             widget=forms.RadioSelect)
    unit = forms.ChoiceField(label=_("Planned in"), choices=MeasureUnit.choices,
                             widget=forms.RadioSelect,
                             help_text=_("Consultations and sessions in hours or sessions, "
                                         "compensations in euros."))
    unit_cost_eur = forms.DecimalField(label=_("Unit cost, EUR"), required=False, localize=True,
                                       max_digits=9, decimal_places=2, widget=amount_input())
    min_pupil_age = forms.IntegerField(label=_("Minimum pupil age"), required=False,
                                       min_value=1, max_value=25)


EMPTY_STEP = ("", _("(no further step)"))


class ApprovalChainForm(forms.Form):
    """The roles that approve after the author, in order: one select per step."""

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [EMPTY_STEP] + [(r.value, r.label) for r in APPROVER_ROLES]
        for index in range(MAX_APPROVAL_STEPS):
            self.fields[f"step_{index + 1}"] = forms.ChoiceField(
                label=_("Step %(number)d") % {"number": index + 1}, choices=choices,
                required=index == 0, initial=roles[index] if index < len(roles) else "")

    def roles(self) -> list[str]:
        """The chosen roles in order; an empty step ends the chain."""
        chosen = []
        for index in range(MAX_APPROVAL_STEPS):
            value = self.cleaned_data.get(f"step_{index + 1}") or ""
            if not value:
                break
            chosen.append(value)
        return chosen

    def skipped_step(self) -> bool:
        """A role chosen after an empty step (it would be ignored)."""
        values = [self.cleaned_data.get(f"step_{i + 1}") or "" for i in range(MAX_APPROVAL_STEPS)]
        first_empty = next((i for i, v in enumerate(values) if not v), len(values))
        return any(values[first_empty:])
