"""Who sees which case conference, and whom a conference may name.

A conference belongs to the support team of its school
(:func:`kopiena.cases.access.support_team_school_ids`): they see, hold and minute it.
Everyone else gets 404. The owner of an action item who is not on the support team sees
their own items in the inbox and may mark them done there.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.cases.access import support_team_school_ids, visible_cases
from kopiena.cases.models import CaseStatus, SupportCase
from kopiena.conferences.models import ActionItem, CaseConference
from kopiena.organisations.models import Organisation


def conference_school_ids(user: User) -> set[int]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return support_team_school_ids(user)


def conference_schools(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=conference_school_ids(user)).order_by("name")


def visible_conferences(user: User) -> QuerySet[CaseConference]:
    return CaseConference.objects.filter(school_id__in=conference_school_ids(user))


def get_conference_for(user: User, conference_id: int) -> CaseConference:
    """The conference if ``user`` is on the support team of its school, else Http404."""
    return get_object_or_404(
        visible_conferences(user).select_related("school__parent", "created_by"),
        pk=conference_id)


def _active_membership(prefix: str = "memberships__") -> Q:
    today = timezone.localdate()
    return (Q(**{f"{prefix}is_active": True, f"{prefix}organisation__is_active": True})
            & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})))


def school_staff(school_id: int) -> QuerySet[User]:
    """Everyone who holds a role at the school today."""
    return User.objects.filter(
        _active_membership(), is_active=True, memberships__organisation_id=school_id,
    ).distinct().order_by("last_name", "first_name", "email")


def staff_roles(school_id: int) -> dict[int, str]:
    """Each staff member's roles at the school, for labels ("Name, psychologist")."""
    from kopiena.accounts.models import Membership

    roles: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(
            _active_membership(""), organisation_id=school_id).order_by("role"):
        roles.setdefault(membership.user_id, []).append(str(membership.get_role_display()))
    return {user_id: ", ".join(names) for user_id, names in roles.items()}


def possible_owners(conference: CaseConference, case: SupportCase | None = None) -> QuerySet[User]:
    """Who may own a decision: the school's staff, or a member of the team of the case (any
    case discussed at the conference when no case is given), a mentor or partner worker."""
    teams = Q(case_teams__case__discussions__conference=conference)
    if case is not None:
        teams = Q(case_teams__case=case)
    teams &= Q(case_teams__removed_on__isnull=True)
    staff = school_staff(conference.school_id).values("pk")
    return User.objects.filter(Q(pk__in=staff) | teams, is_active=True).distinct().order_by(
        "last_name", "first_name", "email")


def cases_to_discuss(user: User, conference: CaseConference) -> QuerySet[SupportCase]:
    """The school's open cases the user sees and the conference has not discussed yet."""
    return (visible_cases(user).filter(school_id=conference.school_id, status=CaseStatus.OPEN)
            .exclude(discussions__conference=conference)
            .select_related("pupil__school_class", "case_manager")
            .order_by("pupil__last_name", "pupil__first_name", "pk"))


def may_complete(user: User, item: ActionItem) -> bool:
    """The owner, or the support team of the conference's school, marks an item done."""
    return item.owner_id == user.pk or item.conference.school_id in conference_school_ids(user)


def own_open_items(user: User) -> QuerySet[ActionItem]:
    return (ActionItem.objects.filter(owner=user, done_on__isnull=True)
            .select_related("conference__school", "case__pupil__school_class")
            .order_by("due_on", "pk"))
