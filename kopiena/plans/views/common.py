"""What every plan page needs: the signed-in user, the plan with the user's rights, the
access log."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.accounts.models import User
from kopiena.plans.access import PlanAccess, get_plan_for
from kopiena.plans.models import SupportPlan


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def plan_for(request: HttpRequest, plan_id: int) -> tuple[SupportPlan, PlanAccess]:
    """The plan if the user may see it (Http404 otherwise)."""
    return get_plan_for(user_of(request), plan_id)


def editor_plan(request: HttpRequest, plan_id: int) -> tuple[SupportPlan, PlanAccess]:
    """The plan if the user may change it: its author, the case manager, the school's
    support team. Everyone else gets 404, like for a plan they cannot see."""
    plan, access = plan_for(request, plan_id)
    if not access.is_editor:
        raise Http404
    return plan, access


def log_plan(request: HttpRequest, plan: SupportPlan,
             action: AccessLogEntry.Action = AccessLogEntry.Action.VIEW) -> None:
    log_access(request, action=action, pupil_ids=[plan.pupil_id])
