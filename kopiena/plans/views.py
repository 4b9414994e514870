"""Support plan pages (placeholder until the plan screens land)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.plans.access import get_plan_for


@access_policy(Policy.PLAN)
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    plan, _access = get_plan_for(request.user, plan_id)
    return HttpResponse(str(plan))
