"""The access helper for one pupil: returns the pupil and what the user may do with it."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from kopiena.access.models import PupilAccessGrant
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.accounts.roles import CAPABILITIES, PUPIL_SCOPE, Capability, PupilScope, Role
from kopiena.pupils.models import Pupil


@dataclass(frozen=True)
class PupilPermissions:
    capabilities: frozenset[Capability]
    # Reaches the pupil as school staff (whole school or own classes), not only through a
    # grant: a partner agency or the municipality sees only what a case shares with it.
    school_staff: bool = False

    @property
    def view_personal_code(self) -> bool:
        return Capability.VIEW_PERSONAL_CODE in self.capabilities

    @property
    def view_sensitive(self) -> bool:
        return Capability.VIEW_SENSITIVE in self.capabilities


def pupil_permissions(user: User, pupil: Pupil) -> PupilPermissions:
    """Capabilities come only from memberships that give access to *this* pupil."""
    caps: set[Capability] = set()
    school_staff = False
    memberships = user.active_memberships()
    granted_orgs: set[int | None] = set()
    if any(PUPIL_SCOPE[Role(m.role)] is PupilScope.GRANTED for m in memberships):
        granted_orgs = set(PupilAccessGrant.objects.active().filter(pupil=pupil)
                           .values_list("organisation_id", flat=True))
    for membership in memberships:
        role = Role(membership.role)
        scope = PUPIL_SCOPE[role]
        at_school = membership.organisation_id == pupil.school_id
        granted = scope is PupilScope.GRANTED and membership.organisation_id in granted_orgs
        staff = scope in (PupilScope.WHOLE_SCHOOL, PupilScope.OWN_CLASSES) and at_school
        school_staff |= staff
        if staff or granted:
            caps |= CAPABILITIES[role]
    return PupilPermissions(capabilities=frozenset(caps), school_staff=school_staff)


def get_pupil_for(user: User, pupil_id: int) -> tuple[Pupil, PupilPermissions]:
    """The pupil if ``user`` may see it, else Http404 (never 403: nothing leaks)."""
    pupil = get_object_or_404(visible_pupils(user).select_related("school", "school_class"),
                              pk=pupil_id)
    return pupil, pupil_permissions(user, pupil)
