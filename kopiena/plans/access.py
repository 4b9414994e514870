"""Who may see a support plan, edit it, and approve it at which step of the chain.

A plan is visible exactly when its case is (``kopiena.cases.access.visible_cases``); the
municipality coordinator reaches it because submitting a plan shares its case with the
municipality (``kopiena.plans.actions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.cases.access import CaseAccess, case_access, visible_cases
from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.plans.models import ApprovalStep, SupportPlan
from kopiena.plans.workflow import EDITABLE, TRANSITIONS, Actor, PlanAction

DEFAULT_CHAIN: tuple[Role, ...] = (Role.SCHOOL_DIRECTOR, Role.MUNICIPALITY_COORDINATOR)


def approval_chain(school: Organisation) -> list[Role]:
    """The roles that approve a plan of ``school``, in order, after its author. A school that
    does not belong to a municipality (a state vocational school) skips the municipality."""
    municipality_id = school.municipality_id
    chain: list[Role]
    if municipality_id is None:
        chain = list(DEFAULT_CHAIN)
    else:
        configured = list(ApprovalStep.objects.filter(municipality_id=municipality_id)
                          .order_by("position").values_list("role", flat=True))
        chain = [Role(r) for r in configured] or list(DEFAULT_CHAIN)
    if municipality_id is None:
        chain = [r for r in chain if r is not Role.MUNICIPALITY_COORDINATOR]
    return chain


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


@dataclass(frozen=True)
class PlanAccess:
    case: CaseAccess
    edit: bool  # content may be changed now (editor and an editable status)
    is_editor: bool
    approve: bool  # the user holds the approval step that is due

    def may(self, action: PlanAction, status: str) -> bool:
        transition = TRANSITIONS[action]
        if status not in transition.sources:
            return False
        return self.approve if transition.actor is Actor.APPROVER else self.is_editor


def plan_access(user: User, plan: SupportPlan, case: CaseAccess | None = None) -> PlanAccess:
    case_rights = case if case is not None else case_access(user, plan.case)
    is_editor = case_rights.manage or plan.author_id == user.pk
    due = step_due(plan)
    return PlanAccess(
        case=case_rights, is_editor=is_editor, edit=is_editor and plan.status in EDITABLE,
        approve=due is not None and holds_step(user, due, plan.school),
    )


def visible_plans(user: User) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(case__in=visible_cases(user).values("pk"))


def get_plan_for(user: User, plan_id: int) -> tuple[SupportPlan, PlanAccess]:
    plan = get_object_or_404(
        visible_plans(user).select_related("case__pupil__school_class", "school__parent",
                                           "school_year", "author"),
        pk=plan_id,
    )
    return plan, plan_access(user, plan)
