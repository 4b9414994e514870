"""Forms of the case conference pages. They parse what the user typed; the rules are checked
by ``kopiena.conferences.actions``, whose messages the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.models import User
from kopiena.cases.models import SupportCase
from kopiena.conferences.access import (
    cases_to_discuss,
    possible_owners,
    school_staff,
    staff_roles,
)
from kopiena.conferences.models import CaseConference, DiscussedCase
from kopiena.organisations.models import Organisation

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_label(user: User, roles: dict[int, str]) -> str:
    name = user.full_name or user.email
    role = roles.get(user.pk)
    return f"{name}, {role}" if role else name


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    roles: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj, self.roles)


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    roles: dict[int, str] = {}

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj, self.roles)


def case_label(case: SupportCase) -> str:
    """The pupil's name and class: how the team knows the case."""
    school_class = case.pupil.school_class
    name = case.pupil.full_name
    return f"{name} ({school_class.label})" if school_class is not None else name


class CaseChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return case_label(obj)


class CasesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return case_label(obj)


class SchoolChoiceForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none(),
                                    empty_label=None)

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("For example: Support team meeting, October."))
    agenda = forms.CharField(label=_("Agenda"), required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
    participants = StaffMultipleChoiceField(
        label=_("Participants from the school"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    other_participants = forms.CharField(
        label=_("Other participants"), max_length=500, required=False,
        help_text=_("Parents, partner-agency workers and anyone else, with their role: "
                    "\"Anna Kalniņa, mother; Jānis Ozols, social service\"."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, school: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, StaffMultipleChoiceField)
        field.queryset = school_staff(school.pk)
        field.roles = staff_roles(school.pk)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), required=False,
                              widget=forms.Textarea(attrs={"rows": 10}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddCasesForm(forms.Form):
    cases = CasesField(label=_("Open cases of the school"), queryset=SupportCase.objects.none(),
                       widget=forms.CheckboxSelectMultiple,
                       error_messages={"required": _("Tick at least one case.")})

    def __init__(self, *args: Any, user: User, conference: CaseConference,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cases"]
        assert isinstance(field, CasesField)
        field.queryset = cases_to_discuss(user, conference)


class DiscussionForm(forms.Form):
    discussion = forms.CharField(label=_("Discussion"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionItemForm(forms.Form):
    description = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": _("Write what was decided.")})
    case = CaseChoiceField(label=_("Pupil (optional)"), queryset=SupportCase.objects.none(),
                           required=False, empty_label=_("– no particular pupil –"))
    owner = StaffChoiceField(label=_("Who does it"), queryset=User.objects.none(),
                             error_messages={"required": _("Choose who carries out the "
                                                           "decision.")})
    due_on = forms.DateField(label=_("By"), widget=DATE_WIDGET,
                             error_messages={"required": _("Enter by when it is to be done.")})

    def __init__(self, *args: Any, conference: CaseConference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case_field = self.fields["case"]
        assert isinstance(case_field, CaseChoiceField)
        case_field.queryset = SupportCase.objects.filter(
            pk__in=DiscussedCase.objects.filter(conference=conference).values("case_id"),
        ).select_related("pupil__school_class").order_by("pupil__last_name",
                                                         "pupil__first_name")
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, StaffChoiceField)
        owner_field.queryset = possible_owners(conference)
        owner_field.roles = staff_roles(conference.school_id)
