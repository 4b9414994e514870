"""Forms of the mentor screens: a mentor's profile, and matching a mentor to a pupil."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kopiena.accounts.models import Membership
from kopiena.cases.fields import date_field
from kopiena.cases.models import MentorProfile


class MembershipChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name} ({obj.get_role_display()}, {obj.organisation.name})"


class MentorProfileForm(forms.Form):
    person = MembershipChoiceField(
        label=_("Mentor"), queryset=Membership.objects.none(), empty_label=_("Choose a person"),
        help_text=_("A person who works at one of your organisations."))
    training = forms.CharField(label=_("Training programme"), required=False, max_length=200,
                               help_text=_("For example: the mentor training programme of "
                                           "\"Skola – kopienā\"."))
    training_completed_on = date_field(
        _("Training completed on"), required=False, today=False,
        help_text=_("Only mentors who completed the training are matched to pupils."))
    interests = forms.CharField(label=_("Interests and strengths"), required=False,
                                max_length=300,
                                help_text=_("Helps to match a mentor with a pupil: sports, "
                                            "music, crafts, languages…"))
    max_pupils = forms.IntegerField(label=_("Pupils at most"), min_value=1, max_value=20,
                                    initial=3)
    is_active = forms.BooleanField(label=_("Available to take pupils"), required=False,
                                   initial=True)

    def __init__(self, *args: Any, memberships: QuerySet[Membership],
                 profile: MentorProfile | None = None, **kwargs: Any) -> None:
        if profile is not None:
            kwargs.setdefault("initial", {}).update({
                "training": profile.training,
                "training_completed_on": profile.training_completed_on,
                "interests": profile.interests, "max_pupils": profile.max_pupils,
                "is_active": profile.is_active,
            })
        super().__init__(*args, **kwargs)
        if profile is not None:
            del self.fields["person"]  # the mentor of a profile does not change
        else:
            field = self.fields["person"]
            assert isinstance(field, MembershipChoiceField)
            field.queryset = memberships


class MentorChoiceField(forms.ModelChoiceField[MentorProfile]):
    def label_from_instance(self, obj: MentorProfile) -> str:
        free = getattr(obj, "free_places", 0)
        parts = [obj.user.full_name, obj.organisation.name]
        if obj.interests:
            parts.append(obj.interests)
        parts.append(ngettext("%(free)d free place", "%(free)d free places", free)
                     % {"free": free})
        return " · ".join(parts)


class MentorMatchForm(forms.Form):
    mentor = MentorChoiceField(label=_("Mentor"), queryset=MentorProfile.objects.none(),
                               widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args: Any, mentors: QuerySet[MentorProfile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, MentorChoiceField)
        field.queryset = mentors
