"""Form pieces shared by the case forms: dates typed or picked, people chosen by name and
role, and putting an action's ValidationError back on the form's fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role

# A date picker sends ISO dates; people also type the Latvian way.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: StrOrPromise, *, required: bool = True, today: bool = True,
               help_text: StrOrPromise = "") -> forms.DateField:
    """A date field; ``today`` makes today the initial value (the usual answer)."""
    return forms.DateField(label=label, required=required, input_formats=DATE_INPUT_FORMATS,
                           widget=DatePicker(), help_text=help_text,
                           initial=timezone.localdate if today else None)


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PersonChoiceField(forms.ModelChoiceField[User]):
    """Users shown as "Name (role, organisation)" from their memberships in ``organisations``."""

    def label_from_instance(self, obj: User) -> str:
        places = [f"{m.get_role_display()}, {m.organisation.name}"
                  for m in getattr(obj, "chosen_memberships", [])]
        return f"{obj.full_name} ({'; '.join(places)})" if places else obj.full_name


def people_at(organisation_ids: Iterable[int], roles: Iterable[Role] | None = None
              ) -> QuerySet[User]:
    """Active users with an active membership at one of the organisations (in these roles),
    with those memberships prefetched as ``chosen_memberships``."""
    memberships = Membership.objects.filter(organisation_id__in=list(organisation_ids),
                                            is_active=True, organisation__is_active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=[str(r) for r in roles])
    return (User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
            .prefetch_related(Prefetch("memberships",
                                       queryset=memberships.select_related("organisation"),
                                       to_attr="chosen_memberships"))
            .order_by("last_name", "first_name", "pk"))


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's messages next to the fields they name, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
