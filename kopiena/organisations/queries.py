"""Which organisations a user may see: their own, and everything under their municipality."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.organisations.models import Organisation, OrganisationKind


def visible_organisations(user: User) -> QuerySet[Organisation]:
    memberships = user.active_memberships()
    if any(m.role in (Role.NATIONAL_ANALYST, Role.SYSTEM_ADMIN) for m in memberships):
        return Organisation.objects.all()
    municipality_ids = {m.organisation.municipality_id for m in memberships} - {None}
    own_ids = {m.organisation_id for m in memberships}
    return Organisation.objects.filter(
        Q(pk__in=own_ids) | Q(pk__in=municipality_ids) | Q(parent_id__in=municipality_ids)
    )


def schools_of(municipality: Organisation) -> QuerySet[Organisation]:
    from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS

    return Organisation.objects.filter(parent=municipality, kind__in=EDUCATION_INSTITUTION_KINDS)


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
