"""Who may see which support case, and what they may do with it.

A case is visible only when its pupil is inside the scoping function
(:func:`kopiena.access.scoping.visible_pupils`) *and* the user has a reason to see this case:
the school's whole-school staff, the pupil's class teacher, a member of the case team, the
municipality while the case is shared with it for approval, or a partner agency with a live
referral of this very case. Everything else answers 404.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kopiena.access.pupil_access import pupil_permissions
from kopiena.access.scoping import NOTHING, visible_pupils, whole_school_ids
from kopiena.accounts.models import User
from kopiena.accounts.roles import PUPIL_SCOPE, PupilScope, Role
from kopiena.cases.models import Referral, ReferralStatus, SharedPart, SupportCase
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, Pupil

LIVE_REFERRAL = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
# Roles at a school that run the support process (open cases, assess, write plans): the
# roles that see the whole school in the role table (director, support coordinator and the
# support specialists).
SUPPORT_TEAM_ROLES = frozenset(
    role for role, scope in PUPIL_SCOPE.items() if scope is PupilScope.WHOLE_SCHOOL)


def support_team_school_ids(user: User) -> set[int]:
    """Schools where the user belongs to the support team and runs every case."""
    return whole_school_ids(user)


def led_class_ids(user: User) -> QuerySet[ClassStaff]:
    return ClassStaff.objects.filter(user_id=user.pk, kind=ClassStaff.Kind.CLASS_TEACHER)


def partner_organisation_ids(user: User) -> set[int]:
    return {m.organisation_id for m in user.active_memberships()
            if PUPIL_SCOPE[Role(m.role)] is PupilScope.GRANTED and m.organisation.is_partner_agency}


def coordinated_municipality_ids(user: User) -> set[int]:
    return {m.organisation_id for m in user.active_memberships()
            if Role(m.role) is Role.MUNICIPALITY_COORDINATOR}


def referral_filter(user: User) -> Q:
    """A filter on Referral admitting the referrals ``user`` answers for: those to a partner
    agency the user works at, and those to the child-rights cooperation group (Cabinet
    Regulation No. 545) of a municipality the user coordinates."""
    condition = NOTHING
    if partners := partner_organisation_ids(user):
        condition |= Q(agency_id__in=partners)
    if municipalities := coordinated_municipality_ids(user):
        condition |= Q(agency_id__in=municipalities, to_cooperation_group=True)
    return condition


def case_scope(user: User, *, through_referrals: bool = True) -> Q:
    """A filter on SupportCase admitting the cases ``user`` may open. Without
    ``through_referrals``, the cases the user reaches only through a referral are left out
    (the case list shows those apart, as referrals to answer)."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    condition = Q(school_id__in=whole_school_ids(user))
    condition |= Q(pupil__school_class_id__in=led_class_ids(user).values("school_class_id"))
    condition |= Q(team__user_id=user.pk, team__removed_on__isnull=True)
    if municipalities := coordinated_municipality_ids(user):
        condition |= Q(municipality_grant__organisation_id__in=municipalities,
                       municipality_grant__revoked_at__isnull=True)
    if through_referrals:
        referrals = Referral.objects.filter(referral_filter(user), status__in=LIVE_REFERRAL)
        condition |= Q(pk__in=referrals.values("case_id"))
    return condition


def visible_cases(user: User, *, through_referrals: bool = True) -> QuerySet[SupportCase]:
    ids = SupportCase.objects.filter(
        case_scope(user, through_referrals=through_referrals)).values("pk")
    return SupportCase.objects.filter(pk__in=ids, pupil__in=visible_pupils(user).values("pk"))


def live_referrals_for(user: User) -> QuerySet[Referral]:
    """Live referrals the user answers for, on cases the user may see."""
    return Referral.objects.filter(referral_filter(user), status__in=LIVE_REFERRAL,
                                   case__in=visible_cases(user).values("pk"))


@dataclass(frozen=True)
class CaseAccess:
    """What one user may do with one case."""

    manage: bool  # change the case, assess risks, write plans, refer, record consent
    contribute: bool  # add family contacts and notes (class teacher, team members)
    view_sensitive: bool  # family, health and behaviour notes
    # None: every part of the case; otherwise only these SharedPart values (a partner agency
    # sees what the referral shares, the municipality what approval needs).
    shared_parts: frozenset[str] | None
    referral: Referral | None  # the live referral through which a partner sees the case

    def sees(self, part: str) -> bool:
        return self.shared_parts is None or part in self.shared_parts


MUNICIPALITY_PARTS = frozenset({SharedPart.SUMMARY, SharedPart.RISKS, SharedPart.PLAN})


def case_access(user: User, case: SupportCase) -> CaseAccess:
    sensitive = pupil_permissions(user, case.pupil).view_sensitive
    if case.school_id in support_team_school_ids(user) or case.case_manager_id == user.pk:
        return CaseAccess(manage=True, contribute=True, view_sensitive=sensitive,
                          shared_parts=None, referral=None)
    on_team = case.team.filter(user_id=user.pk, removed_on__isnull=True).exists()
    leads_class = led_class_ids(user).filter(school_class_id=case.pupil.school_class_id).exists()
    if on_team or leads_class:
        return CaseAccess(manage=False, contribute=True, view_sensitive=sensitive,
                          shared_parts=None, referral=None)
    referral = (case.referrals.filter(referral_filter(user), status__in=LIVE_REFERRAL)
                .select_related("agency").order_by("-referred_at").first())
    shared_for_approval = _shared_with_municipality_of(user, case)
    if referral is not None:
        parts = frozenset(referral.shared_parts) | {SharedPart.SUMMARY}
        if shared_for_approval:
            parts |= MUNICIPALITY_PARTS
        return CaseAccess(manage=False, contribute=False, view_sensitive=sensitive,
                          shared_parts=parts, referral=referral)
    return CaseAccess(manage=False, contribute=False, view_sensitive=False,
                      shared_parts=MUNICIPALITY_PARTS, referral=None)


def _shared_with_municipality_of(user: User, case: SupportCase) -> bool:
    grant = case.municipality_grant
    return (grant is not None and grant.revoked_at is None
            and grant.organisation_id in coordinated_municipality_ids(user))


def get_case_for(user: User, case_id: int) -> tuple[SupportCase, CaseAccess]:
    """The case if ``user`` may see it, else Http404."""
    case = get_object_or_404(
        visible_cases(user).select_related("pupil__school_class", "school", "case_manager"),
        pk=case_id,
    )
    return case, case_access(user, case)


def pupil_parts_shared(user: User, pupil_id: int) -> frozenset[str]:
    """The parts of a pupil's cases that live referrals share with the user's agencies (for a
    user who reaches the pupil only through a referral)."""
    parts: set[str] = set()
    for shared in Referral.objects.filter(
        case__pupil_id=pupil_id, agency_id__in=partner_organisation_ids(user),
        status__in=LIVE_REFERRAL,
    ).values_list("shared_parts", flat=True):
        parts |= set(shared)
    return frozenset(parts)


class OpeningRight(enum.Enum):
    """How a user may start a support case for a pupil."""

    OPEN = "open"  # the school's support team opens it (from a flag or a parent's request)
    REFER = "refer"  # the pupil's class teacher refers the pupil to the support team


def opening_right(user: User, pupil: Pupil) -> OpeningRight | None:
    """For a pupil the caller has already found in ``visible_pupils(user)``."""
    if pupil.school_id is None:
        return None
    return opening_right_in(user, pupil.school_id, pupil.school_class_id)


def opening_right_in(user: User, school_id: int,
                     school_class_id: int | None) -> OpeningRight | None:
    """The right a user has over the pupils of a school (and class), for lists of pupils."""
    if school_id in support_team_school_ids(user):
        return OpeningRight.OPEN
    teaches_here = any(Role(m.role) is Role.CLASS_TEACHER and m.organisation_id == school_id
                       for m in user.active_memberships())
    if teaches_here and school_class_id is not None and led_class_ids(user).filter(
            school_class_id=school_class_id).exists():
        return OpeningRight.REFER
    return None


def mentor_organisation_ids(user: User) -> set[int]:
    """Organisations whose mentor profiles the user keeps: the schools where the user is on
    the support team, and for a municipality coordinator the municipality with its schools
    and partner agencies. Empty: the user has no mentor screens (404)."""
    ids = set(support_team_school_ids(user))
    municipalities = coordinated_municipality_ids(user)
    if municipalities:
        ids |= municipalities
        ids |= set(Organisation.objects.filter(parent_id__in=municipalities)
                   .values_list("pk", flat=True))
    return ids
