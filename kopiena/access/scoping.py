"""The one scoping function: which pupils a user may see by name.

Every query of pupil data starts from :func:`visible_pupils`. Anything outside it answers 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kopiena.access.models import PupilAccessGrant
from kopiena.accounts.models import User
from kopiena.accounts.roles import CAPABILITIES, PUPIL_SCOPE, Capability, PupilScope, Role
from kopiena.organisations.models import OrganisationKind
from kopiena.pupils.models import ClassStaff, Pupil, SchoolClass

NOTHING = Q(pk__in=[])


def pupil_scope(user: User) -> Q:
    """A filter on Pupil that admits exactly the pupils ``user`` may see by name."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    condition = NOTHING
    granted_orgs: set[int] = set()
    granted_to_user = False
    for membership in user.active_memberships():
        scope = PUPIL_SCOPE[Role(membership.role)]
        if scope is PupilScope.WHOLE_SCHOOL and membership.organisation.is_school:
            condition |= Q(school_id=membership.organisation_id)
        elif scope is PupilScope.OWN_CLASSES:
            classes = ClassStaff.objects.filter(
                user_id=user.pk, school_class__school_id=membership.organisation_id
            ).values("school_class_id")
            condition |= Q(school_id=membership.organisation_id, school_class_id__in=classes)
        elif scope is PupilScope.GRANTED:
            granted_orgs.add(membership.organisation_id)
            granted_to_user = True
    if granted_orgs or granted_to_user:
        grants = PupilAccessGrant.objects.active().filter(
            Q(organisation_id__in=granted_orgs) | Q(user_id=user.pk)
        )
        condition |= Q(pk__in=grants.values("pupil_id"))
    return condition


def visible_pupils(user: User) -> QuerySet[Pupil]:
    return Pupil.objects.filter(pupil_scope(user))


def can_see_any_named_pupil(user: User) -> bool:
    return any(PUPIL_SCOPE[r] is not PupilScope.NONE for r in user.roles)


def whole_school_ids(user: User) -> set[int]:
    """Schools where the user sees every pupil (director, support coordinator, specialists)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {
        m.organisation_id for m in user.active_memberships()
        if PUPIL_SCOPE[Role(m.role)] is PupilScope.WHOLE_SCHOOL and m.organisation.is_school
    }


def visible_classes(user: User) -> QuerySet[SchoolClass]:
    """Classes whose pupils the user sees as a class: the whole school's, or their own."""
    if not user.is_authenticated or not user.is_active:
        return SchoolClass.objects.none()
    own_class_schools = {
        m.organisation_id for m in user.active_memberships()
        if PUPIL_SCOPE[Role(m.role)] is PupilScope.OWN_CLASSES
    }
    own = ClassStaff.objects.filter(
        user_id=user.pk, school_class__school_id__in=own_class_schools
    ).values("school_class_id")
    return SchoolClass.objects.filter(Q(school_id__in=whole_school_ids(user)) | Q(pk__in=own))


def aggregate_municipality_ids(user: User) -> set[int] | None:
    """Municipalities whose figures the user may see as aggregates; None means all of them
    (a national analyst). Roles with VIEW_AGGREGATES held at a municipality count."""
    if not user.is_authenticated or not user.is_active:
        return set()
    ids: set[int] = set()
    for m in user.active_memberships():
        role = Role(m.role)
        if Capability.VIEW_AGGREGATES not in CAPABILITIES[role]:
            continue
        if m.organisation.kind == OrganisationKind.NATIONAL_AGENCY:
            return None
        if m.organisation.is_municipality:
            ids.add(m.organisation_id)
    return ids
