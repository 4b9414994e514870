"""Forms of referrals: the school refers a case (to a partner agency or the municipal
child-rights cooperation group), the agency answers, the school revokes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from kopiena.cases.fields import text_area
from kopiena.cases.models import LegalBasis, SharedPart, SupportCase
from kopiena.organisations.models import PARTNER_AGENCY_KINDS, Organisation


class AgencyChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        if obj.is_municipality:
            return _t("Child-rights cooperation group of %(municipality)s (Cabinet Regulation "
                      "No. 545)") % {"municipality": obj.name}
        return f"{obj.name} ({obj.get_kind_display()})"


def referral_agencies(case: SupportCase) -> list[Organisation]:
    """The partner agencies of the school's municipality, then the municipality itself as the
    child-rights cooperation group."""
    municipality_id = case.school.municipality_id
    if municipality_id is None:
        return []
    agencies = list(Organisation.objects.filter(
        parent_id=municipality_id, kind__in=PARTNER_AGENCY_KINDS, is_active=True,
    ).order_by("name"))
    return [*agencies, *Organisation.objects.filter(pk=municipality_id)]


class ReferralForm(forms.Form):
    agency = AgencyChoiceField(label=_("Refer to"), queryset=Organisation.objects.none(),
                               empty_label=_("Choose an agency"))
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), widget=forms.RadioSelect, choices=LegalBasis.choices,
        initial=LegalBasis.CONSENT,
        help_text=_("Without the parent's consent the school refers a case only where the law "
                    "allows it; write the grounds below."))
    basis_note = forms.CharField(label=_("Grounds"), required=False, widget=text_area(),
                                 max_length=2000)
    request = forms.CharField(label=_("What the school asks the agency to do"),
                              widget=text_area(4), max_length=4000)
    shared_parts = forms.MultipleChoiceField(
        label=_("Shared with the agency"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=[(p.value, p.label) for p in SharedPart if p != SharedPart.SUMMARY],
        help_text=_("The reason for support and the case manager are always shared. The "
                    "agency sees nothing else of the case."))

    def __init__(self, *args: Any, case: SupportCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = Organisation.objects.filter(
            pk__in=[a.pk for a in referral_agencies(case)]).order_by("kind", "name")

    @property
    def parts(self) -> list[str]:
        return [SharedPart.SUMMARY, *self.cleaned_data.get("shared_parts", [])]


class AnswerReferralForm(forms.Form):
    ACCEPT = "accept"
    DECLINE = "decline"

    decision = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))],
                                 widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Answer to the school"), required=False, widget=text_area(),
        max_length=2000,
        help_text=_("Required when declining: why the agency does not take the case."))

    @property
    def accepts(self) -> bool:
        return self.cleaned_data.get("decision") == self.ACCEPT


class RevokeReferralForm(forms.Form):
    reason = forms.CharField(label=_("Why the school takes the referral back"),
                             widget=text_area(), max_length=300)
