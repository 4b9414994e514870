"""Who may see a support plan, edit it, and approve it at which step of the chain.

A plan is visible exactly when its case is (``kopiena.cases.access.visible_cases``); the
municipality coordinator reaches it because submitting a plan shares its case with the
municipality (``kopiena.plans.actions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.cases.access import CaseAccess, case_access, visible_cases
from kopiena.cases.models import SharedPart
from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.plans.models import ApprovalStep, Delivery, PlanMeasure, PlanStatus, SupportPlan
from kopiena.plans.workflow import ACTIVE, EDITABLE, TRANSITIONS, Actor, PlanAction

DEFAULT_CHAIN: tuple[Role, ...] = (Role.SCHOOL_DIRECTOR, Role.MUNICIPALITY_COORDINATOR)


def approval_chain(school: Organisation) -> list[Role]:
    """The roles that approve a plan of ``school``, in order, after its author. A school that
    does not belong to a municipality (a state vocational school) skips the municipality."""
    municipality_id = school.municipality_id
    if municipality_id is None:
        return [r for r in DEFAULT_CHAIN if r is not Role.MUNICIPALITY_COORDINATOR]
    configured = (ApprovalStep.objects.filter(municipality_id=municipality_id)
                  .order_by("position").values_list("role", flat=True))
    return [Role(r) for r in configured] or list(DEFAULT_CHAIN)


def step_due(plan: SupportPlan) -> Role | None:
    """The role whose approval the plan waits for, or None when it is not in approval."""
    if plan.status != "in_approval":
        return None
    chain = approval_chain(plan.school)
    return chain[plan.approvals_done] if plan.approvals_done < len(chain) else None


def _organisation_for(role: Role, school: Organisation) -> int | None:
    """Where a role must be held to approve for ``school``."""
    if role is Role.MUNICIPALITY_COORDINATOR:
        return school.municipality_id
    if role is Role.NATIONAL_ANALYST:
        return None  # any national agency
    return school.pk


def approvers(plan: SupportPlan, role: Role) -> list[User]:
    """The active users who hold ``role`` where it approves plans of the plan's school."""
    where = _organisation_for(role, plan.school)
    if where is None:
        return []
    return [m.user for m in Membership.objects.filter(organisation_id=where, role=role,
                                                      user__is_active=True).select_related("user")]


def holds_step(user: User, role: Role, school: Organisation) -> bool:
    where = _organisation_for(role, school)
    for m in user.active_memberships():
        if Role(m.role) is not role:
            continue
        if where is None and m.organisation.kind == OrganisationKind.NATIONAL_AGENCY:
            return True
        if m.organisation_id == where:
            return True
    return False


# Statuses in which sessions and payments are logged (the first one starts implementation).
LOGGING = frozenset({PlanStatus.APPROVED, PlanStatus.IN_IMPLEMENTATION})


@dataclass(frozen=True)
class PlanAccess:
    case: CaseAccess
    edit: bool  # content may be changed now (editor and an editable status)
    is_editor: bool
    approve: bool  # the user holds the approval step that is due
    # Sessions and payments may be logged now: by an editor for every measure, by a member of
    # the case team for the measures they provide (a mentor for the mentor measure).
    log_delivery: bool = False
    provides: frozenset[int] = frozenset()  # ids of the measures the user provides

    def may(self, action: PlanAction, status: str) -> bool:
        transition = TRANSITIONS[action]
        if status not in transition.sources:
            return False
        return self.approve if transition.actor is Actor.APPROVER else self.is_editor

    def may_log(self, measure: PlanMeasure) -> bool:
        return self.log_delivery and (self.is_editor or measure.pk in self.provides)

    def may_confirm(self, delivery: Delivery) -> bool:
        """The pupil's confirmation is recorded by an editor or by the measure's provider."""
        return self.is_editor or delivery.measure_id in self.provides

    def may_review(self, status: str) -> bool:
        return self.is_editor and status in ACTIVE


def _provided_measures(user: User, plan: SupportPlan) -> frozenset[int]:
    """The plan's measures that ``user`` provides as an active member of the case team."""
    if not plan.case.team.filter(user_id=user.pk, removed_on__isnull=True).exists():
        return frozenset()
    return frozenset(plan.measures.filter(provider_user_id=user.pk).values_list("pk", flat=True))


def plan_access(user: User, plan: SupportPlan, case: CaseAccess | None = None) -> PlanAccess:
    case_rights = case if case is not None else case_access(user, plan.case)
    is_editor = case_rights.manage or plan.author_id == user.pk
    due = step_due(plan)
    provides = frozenset() if is_editor or not case_rights.contribute else (
        _provided_measures(user, plan))
    return PlanAccess(
        case=case_rights, is_editor=is_editor, edit=is_editor and plan.status in EDITABLE,
        approve=due is not None and holds_step(user, due, plan.school),
        log_delivery=plan.status in LOGGING and (is_editor or bool(provides)),
        provides=provides,
    )


def reached_municipality(plan: SupportPlan) -> bool:
    """The plan waits for, or once passed, the municipality coordinator's approval step."""
    return step_due(plan) is Role.MUNICIPALITY_COORDINATOR or plan.transitions.filter(
        acting_role=Role.MUNICIPALITY_COORDINATOR).exists()


def visible_plans(user: User) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(case__in=visible_cases(user).values("pk"))


def get_plan_for(user: User, plan_id: int) -> tuple[SupportPlan, PlanAccess]:
    """The plan if ``user`` may see it, else Http404: its case is visible, the plan part of
    the case is shared with the user (a partner agency sees what the referral shares), and a
    user who sees the case only because it is shared with the municipality sees a plan once
    it has reached the municipality's approval step."""
    plan = get_object_or_404(
        visible_plans(user).select_related("case__pupil__school_class", "case__case_manager",
                                           "pupil__school_class", "school__parent",
                                           "school_year", "author"),
        pk=plan_id,
    )
    access = plan_access(user, plan)
    if not plan_readable(plan, access.case):
        raise Http404
    return plan, access


def plan_readable(plan: SupportPlan, case_rights: CaseAccess) -> bool:
    """Whether a reader with these rights to the plan's case may read the plan: the plan part
    is shared with them, and a reader who sees the case only because it is shared with the
    municipality reads the plans that have reached the municipality's approval step. (Lists of
    a case's plans use this to leave out the ones the reader cannot open.)"""
    if not case_rights.sees(SharedPart.PLAN):
        return False
    through_municipality = case_rights.shared_parts is not None and case_rights.referral is None
    return not through_municipality or reached_municipality(plan)
