"""Forms for a plan's measures and its delivery log: choosing a measure from the
municipality's catalogue, the risks it addresses, who provides it; logging a session or a
payment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.models import User
from kopiena.cases.models import AssessedRisk
from kopiena.organisations.models import PARTNER_AGENCY_KINDS, Organisation
from kopiena.plans.forms import TEXTAREA, date_input
from kopiena.plans.models import (
    DeliveryMode,
    FundingSource,
    MeasureKind,
    MeasureType,
    MeasureUnit,
    SupportPlan,
)

# The subjects offered first for consultations with a subject teacher: the most frequent in
# PuMPuRS (DOMAIN.md), then the other common ones. Any subject can be typed.
SUBJECTS = (
    _("Latvian"), _("Mathematics"), _("English"), _("Literature"), _("Russian"), _("German"),
    _("Physics"), _("Chemistry"), _("Biology"), _("History"), _("Geography"),
    _("Computer science"), _("Social sciences"), _("Natural sciences"),
)
SUBJECT_MEASURE = "subject_teacher"


def amount_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def school_staff(plan: SupportPlan) -> list[User]:
    """Who can give a session: the school's staff and the members of the case team (a mentor
    from a partner organisation, for example)."""
    today = timezone.localdate()
    at_school = Q(memberships__organisation_id=plan.school_id, memberships__is_active=True) & (
        Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today))
    on_team = Q(case_teams__case_id=plan.case_id, case_teams__removed_on__isnull=True)
    return list(User.objects.filter(at_school | on_team, is_active=True).distinct()
                .order_by("last_name", "first_name"))


def partner_organisations(plan: SupportPlan) -> list[Organisation]:
    municipality_id = plan.school.municipality_id
    if municipality_id is None:
        return []
    return list(Organisation.objects.filter(parent_id=municipality_id, is_active=True,
                                            kind__in=PARTNER_AGENCY_KINDS).order_by("name"))


def measure_label(measure: MeasureType) -> str:
    unit = MeasureUnit(measure.unit).label
    if measure.unit_cost_eur is not None:
        return str(_("%(name)s (in %(unit)s, %(cost)s EUR each)") % {
            "name": measure.name, "unit": unit, "cost": measure.unit_cost_eur})
    return str(_("%(name)s (in %(unit)s)") % {"name": measure.name, "unit": unit})


@dataclass(frozen=True)
class Provider:
    user: User | None
    organisation: Organisation | None


class MeasureForm(forms.Form):
    measure_type = forms.TypedChoiceField(label=_("Measure"), coerce=int)
    risks = forms.TypedMultipleChoiceField(
        label=_("Risks it addresses"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Link the measure to at least one of the assessed "
                                      "risks.")})
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Why this measure helps against the risks you ticked."))
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=80,
        widget=forms.TextInput(attrs={"list": "subject-options", "autocomplete": "off"}),
        help_text=_("For consultations with a subject teacher: choose or type the subject."))
    provider = forms.ChoiceField(
        label=_("Provided by"), required=False,
        help_text=_("A staff member of the school, a member of the case team or a partner "
                    "organisation. Not needed for compensations."))
    planned_amount = forms.DecimalField(
        label=_("Planned amount"), localize=True, max_digits=9, decimal_places=2,
        min_value=Decimal("0.01"), widget=amount_input(),
        help_text=_("In the unit of the measure: hours, sessions or euros."))
    funding_source = forms.ChoiceField(label=_("Paid from"), choices=FundingSource.choices)
    schedule = forms.CharField(label=_("Schedule"), required=False, max_length=300,
                               help_text=_("For example: every Tuesday after lessons, "
                                           "October–December."))

    def __init__(self, *args: Any, plan: SupportPlan, catalogue: list[MeasureType],
                 risks: list[AssessedRisk], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.catalogue = {m.pk: m for m in catalogue}
        grouped: dict[str, list[tuple[int, str]]] = {}
        for m in catalogue:
            grouped.setdefault(str(MeasureKind(m.kind).label), []).append((m.pk, measure_label(m)))
        measure_field = self.fields["measure_type"]
        assert isinstance(measure_field, forms.TypedChoiceField)
        measure_field.choices = [("", _("Choose a measure")), *grouped.items()]
        risk_field = self.fields["risks"]
        assert isinstance(risk_field, forms.TypedMultipleChoiceField)
        risk_field.choices = [(r.pk, r.get_factor_display()) for r in risks]
        self.staff = {u.pk: u for u in school_staff(plan)}
        self.organisations = {o.pk: o for o in partner_organisations(plan)}
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, forms.ChoiceField)
        groups = [
            (_("People"), [(f"user:{u.pk}", u.full_name or u.email) for u in self.staff.values()]),
            (_("Partner organisations"),
             [(f"org:{o.pk}", o.name) for o in self.organisations.values()]),
        ]
        provider_field.choices = [("", _("Nobody (a compensation)")),
                                  *((label, options) for label, options in groups if options)]

    @property
    def subjects(self) -> list[str]:
        return [str(s) for s in SUBJECTS]

    def clean_measure_type(self) -> MeasureType:
        value = self.cleaned_data["measure_type"]
        if value not in self.catalogue:
            raise forms.ValidationError(_("Choose a measure from the catalogue."))
        return self.catalogue[value]

    def clean_provider(self) -> Provider:
        value: str = self.cleaned_data.get("provider") or ""
        kind, _sep, pk = value.partition(":")
        if kind == "user" and pk.isdigit() and int(pk) in self.staff:
            return Provider(user=self.staff[int(pk)], organisation=None)
        if kind == "org" and pk.isdigit() and int(pk) in self.organisations:
            return Provider(user=None, organisation=self.organisations[int(pk)])
        return Provider(user=None, organisation=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        measure = data.get("measure_type")
        if isinstance(measure, MeasureType) and measure.code == SUBJECT_MEASURE and not (
                data.get("subject") or "").strip():
            self.add_error("subject", _("Name the subject of the consultations."))
        return data


class SessionForm(forms.Form):
    """A consultation or a mentor session."""

    delivered_on = forms.DateField(label=_("Date"), widget=date_input())
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), min_value=1, max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    staff = forms.TypedChoiceField(label=_("Given by"), coerce=int)
    mode = forms.ChoiceField(label=_("How"), choices=DeliveryMode.choices,
                             widget=forms.RadioSelect)
    pupil_confirmed = forms.BooleanField(
        label=_("The pupil confirmed the session"), required=False,
        help_text=_("A remote session must be confirmed by the pupil within one day; "
                    "otherwise it is flagged in the log."))
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, plan: SupportPlan, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("delivered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.staff_members = {u.pk: u for u in school_staff(plan)}
        field = self.fields["staff"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a person"))] + [
            (u.pk, u.full_name or u.email) for u in self.staff_members.values()]

    def clean_staff(self) -> User:
        value = self.cleaned_data["staff"]
        if value not in self.staff_members:
            raise forms.ValidationError(_("Choose who gave the session."))
        return self.staff_members[value]


class CompensationForm(forms.Form):
    delivered_on = forms.DateField(label=_("Date of payment"), widget=date_input())
    amount_eur = forms.DecimalField(label=_("Amount, EUR"), localize=True, max_digits=9,
                                    decimal_places=2, min_value=Decimal("0.01"),
                                    widget=amount_input())
    document_number = forms.CharField(label=_("Document number"), max_length=60,
                                      help_text=_("The number of the payment order or receipt."))
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("delivered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
