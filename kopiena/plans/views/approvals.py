"""The plans waiting for the signed-in user's approval: a director sees the school's plans at
the director's step, the municipality coordinator the municipality's at theirs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.organisations.models import Organisation
from kopiena.plans import presentation as show
from kopiena.plans.access import holds_step, step_due, visible_plans
from kopiena.plans.models import PlanStatus, SupportPlan
from kopiena.plans.views.catalogue import settings_municipality_ids
from kopiena.plans.views.common import user_of


@dataclass(frozen=True)
class WaitingPlan:
    plan: SupportPlan
    step: Role
    since: dt.datetime
    semester: str


def waiting_for(user: User) -> list[WaitingPlan]:
    """Plans whose due approval step the user holds, the longest waiting first."""
    plans = (visible_plans(user).filter(status=PlanStatus.IN_APPROVAL)
             .select_related("pupil__school_class", "school__parent", "school_year", "author")
             .annotate(since=Max("transitions__happened_at")))
    waiting = []
    for plan in plans:
        due = step_due(plan)
        if due is not None and holds_step(user, due, plan.school):
            waiting.append(WaitingPlan(plan=plan, step=due, since=plan.since,
                                       semester=show.semester_label(plan)))
    return sorted(waiting, key=lambda w: (w.since, w.plan.pk))


@access_policy(Policy.AUTHENTICATED)
@never_cache
def approvals(request: HttpRequest) -> HttpResponse:
    waiting = waiting_for(user_of(request))
    if waiting:
        log_access(request, action=AccessLogEntry.Action.LIST,
                   pupil_ids=[w.plan.pupil_id for w in waiting])
    reads, _edits = settings_municipality_ids(user_of(request))
    return render(request, "plans/approvals.html", {
        "waiting": waiting,
        "settings": Organisation.objects.filter(pk__in=reads).order_by("name"),
    })
