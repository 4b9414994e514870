"""The filters of the case list: status, school, "my cases" and a pupil's name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.models import User
from kopiena.cases.models import CaseStatus, SupportCase
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import fold

ALL = "all"


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Pupil's name"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[(CaseStatus.OPEN, _("Open cases")),
                                        (CaseStatus.CLOSED, _("Closed cases")),
                                        (ALL, _("All cases"))])
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none(),
                                    required=False, empty_label=_("All schools"))
    mine = forms.BooleanField(label=_("Only my cases"), required=False,
                              help_text=_("Cases I manage or whose team I am on."))

    def __init__(self, data: Any, *, cases: QuerySet[SupportCase]) -> None:
        super().__init__(data)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(
            pk__in=cases.values("school_id")).order_by("name")

    def apply(self, cases: QuerySet[SupportCase], user: User) -> QuerySet[SupportCase]:
        if not self.is_bound:
            return cases.filter(status=CaseStatus.OPEN)
        if not self.is_valid():
            return cases.none()
        data = self.cleaned_data
        status = data["status"] or CaseStatus.OPEN
        if status != ALL:
            cases = cases.filter(status=status)
        if data["school"] is not None:
            cases = cases.filter(school=data["school"])
        if data["mine"]:
            cases = cases.filter(
                Q(case_manager=user)
                | Q(pk__in=SupportCase.objects.filter(team__user=user,
                                                      team__removed_on__isnull=True)
                    .values("pk")))
        for word in fold(data["q"] or "").split():
            cases = cases.filter(pupil__search_name__contains=word)
        return cases
