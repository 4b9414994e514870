"""Search and filters of the pupil list, applied on top of the scoped queryset."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Programme, Pupil, SchoolClass, fold


class SchoolClassChoiceField(forms.ModelChoiceField[SchoolClass]):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.label} · {obj.school}"


class PupilFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    school = forms.ModelChoiceField(
        label=_("School"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("All schools"),
    )
    school_class = SchoolClassChoiceField(
        label=_("Class"), queryset=SchoolClass.objects.none(), required=False,
        empty_label=_("All classes"),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"), required=False, coerce=int, empty_value=None,
        choices=[("", _("All grades"))] + [(str(g), str(g)) for g in range(1, 13)],
    )
    programme = forms.ChoiceField(
        label=_("Programme"), required=False,
        choices=[("", _("All programmes")), *Programme.choices],
    )

    def __init__(self, data: object, *, scoped: QuerySet[Pupil]) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        # Only schools and classes that hold visible pupils are offered.
        school_field = self.fields["school"]
        class_field = self.fields["school_class"]
        assert isinstance(school_field, forms.ModelChoiceField)
        assert isinstance(class_field, forms.ModelChoiceField)
        school_field.queryset = Organisation.objects.filter(
            pk__in=scoped.values("school_id")
        ).order_by("name")
        class_field.queryset = SchoolClass.objects.filter(
            pk__in=scoped.values("school_class_id")
        ).select_related("school").order_by("school__name", "grade", "label")

    def apply(self, scoped: QuerySet[Pupil]) -> QuerySet[Pupil]:
        if not self.is_valid():
            return scoped.none()
        data = self.cleaned_data
        qs = scoped
        for word in fold(data["q"] or "").split():
            qs = qs.filter(search_name__contains=word)
        if data["school"]:
            qs = qs.filter(school=data["school"])
        if data["school_class"]:
            qs = qs.filter(school_class=data["school_class"])
        if data["grade"]:
            qs = qs.filter(school_class__grade=data["grade"])
        if data["programme"]:
            qs = qs.filter(programme=data["programme"])
        return qs

    def describe(self) -> str:
        """The search as written to the access log."""
        if not self.is_bound:
            return ""
        return "&".join(f"{k}={v}" for k, v in sorted(self.data.items()) if v and k != "page")
