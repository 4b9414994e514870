"""Writing a new plan, reading a plan, and taking a step of its life (send for approval,
approve, return, start, pause, resume, revise, make inactive, restart)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.policies import Policy, access_policy
from kopiena.calendars.models import Semester
from kopiena.cases.access import get_case_for
from kopiena.cases.actions import active_consent
from kopiena.cases.models import CaseStatus, ConsentScope, SupportCase
from kopiena.plans import presentation as show
from kopiena.plans.access import PlanAccess
from kopiena.plans.actions import change_status, create_plan, semester_of
from kopiena.plans.delivery import spent_eur
from kopiena.plans.evaluation import compare
from kopiena.plans.forms import PlanCreateForm, show_errors
from kopiena.plans.models import Outcome, PlanEvaluation, PlanStatus, SupportPlan
from kopiena.plans.views.common import log_plan, plan_for, user_of
from kopiena.plans.views.editing import NOT_EDITED
from kopiena.plans.workflow import TRANSITIONS, PlanAction

# --- a new plan ------------------------------------------------------------------------------


def offered_semesters() -> list[Semester]:
    """The current semester (or the next one, in a break) and the one after it."""
    current = semester_of(timezone.localdate())
    if current is None:
        return []
    following = (Semester.objects.filter(starts_on__gt=current.ends_on).order_by("starts_on")
                 .select_related("school_year").first())
    return [current] + ([following] if following is not None else [])


def _create_page(request: HttpRequest, case: SupportCase, **context: Any) -> HttpResponse:
    return render(request, "plans/create.html", {"case": case, "pupil": case.pupil, **context})


@access_policy(Policy.CASE)
@require_http_methods(["GET", "POST"])
@never_cache
def plan_create(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case, access = get_case_for(user, case_id)
    if not access.manage:
        raise Http404
    if case.status != CaseStatus.OPEN:
        return _create_page(request, case, blocked=_("The case is closed: a new plan needs an "
                                                     "open case."))
    previous_plans = list(case.plans.select_related("school_year")
                          .order_by("-school_year__starts_on", "-semester"))
    if not previous_plans and not case.assessments.exists():
        return _create_page(request, case, needs_assessment=True)
    taken = {(p.school_year_id, p.semester): p for p in case.pupil.support_plans.all()}
    semesters = offered_semesters()
    free = [s for s in semesters if (s.school_year_id, s.number) not in taken]
    existing = [(s, taken[(s.school_year_id, s.number)]) for s in semesters if s not in free]
    if not free:
        return _create_page(request, case, existing=existing,
                            blocked=_("The pupil already has a support plan for each semester "
                                      "that can be planned now."))
    if request.method != "POST":
        form = PlanCreateForm(semesters=free, previous_plans=previous_plans,
                              initial=_initial(request, free, previous_plans))
    else:
        form = PlanCreateForm(data=request.POST, semesters=free, previous_plans=previous_plans)
        if form.is_valid():
            chosen = {s.pk: s for s in free}[form.cleaned_data["semester"]]
            previous = {p.pk: p for p in previous_plans}.get(
                form.cleaned_data.get("previous") or 0)
            try:
                plan = create_plan(case=case, author=user, goals=form.cleaned_data["goals"],
                                   semester=chosen, previous=previous,
                                   pupil_commitment=form.cleaned_data["pupil_commitment"])
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Support plan %(code)s is drafted. Add its measures, "
                                            "then send it for approval.") % {"code": plan.code})
                return redirect("plans:detail", plan.pk)
    return _create_page(request, case, form=form, existing=existing,
                        has_assessment=case.assessments.exists())


def _initial(request: HttpRequest, free: list[Semester],
             previous_plans: list[SupportPlan]) -> dict[str, Any]:
    """A new plan starts in the first free semester; "continue from plan X" (?previous=)
    prefills the goals and the commitment of that plan."""
    initial: dict[str, Any] = {"semester": free[0].pk}
    wanted = request.GET.get("previous", "")
    previous = next((p for p in previous_plans if str(p.pk) == wanted), None)
    if previous is not None:
        initial |= {"previous": previous.pk, "goals": previous.goals,
                    "pupil_commitment": previous.pupil_commitment}
    elif previous_plans:
        initial["previous"] = ""
    return initial


# --- the plan --------------------------------------------------------------------------------

def detail_context(plan: SupportPlan, access: PlanAccess, *,
                   action_errors: dict[str, str] | None = None,
                   typed: dict[str, str] | None = None) -> dict[str, Any]:
    transitions = list(plan.transitions.select_related("actor").order_by("happened_at", "pk"))
    rows = show.measure_rows(plan)
    evaluation = PlanEvaluation.objects.filter(plan=plan).first()
    next_plans = list(plan.next_plans.select_related("school_year"))
    return {
        "plan": plan, "access": access, "case": plan.case, "pupil": plan.pupil,
        "semester": show.semester_label(plan),
        "explanation": show.status_explanation(plan),
        "chain": show.chain_steps(plan, transitions),
        "history": show.history_rows(transitions),
        "buttons": show.action_buttons(plan, access, errors=action_errors, typed=typed),
        "rows": rows, "planned_eur": show.planned_total_eur(rows), "spent_eur": spent_eur(plan),
        "risk_groups": show.risks_by_group(show.plan_risks(plan.case, plan), access.case),
        "deliveries": show.delivery_rows(plan, access),
        "reviews": list(plan.reviews.select_related("reviewed_by")),
        "evaluation": evaluation,
        "compared": show.compared_rows(compare(evaluation.indicators_before,
                                               evaluation.indicators_after))
        if evaluation is not None else [],
        "before_as_of": show.as_of(evaluation.indicators_before) if evaluation else None,
        "after_as_of": show.as_of(evaluation.indicators_after) if evaluation else None,
        "loggable": {row.measure.pk for row in rows if access.may_log(row.measure)},
        "next_plans": next_plans,
        "offer_next_plan": access.is_editor and evaluation is not None and not next_plans
        and evaluation.outcome == Outcome.SUPPORT_CONTINUES,
        "consent": active_consent(plan.case, ConsentScope.SUPPORT_PLAN)
        if access.is_editor else None,
        "may_review": access.may_review(plan.status),
        "may_evaluate": access.may(PlanAction.COMPLETE, plan.status),
        "may_edit_text": access.is_editor and plan.status not in NOT_EDITED,
    }


@access_policy(Policy.PLAN)
@never_cache
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = plan_for(request, plan_id)
    log_plan(request, plan)
    return render(request, "plans/detail.html", detail_context(plan, access))


@require_POST
@access_policy(Policy.PLAN)
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One step of the plan's life, named by ``action``. A step the status does not allow,
    or a rule it breaks, is refused with the message on the plan page; a step the user may not
    take answers 404."""
    plan, access = plan_for(request, plan_id)
    try:
        action = PlanAction(request.POST.get("action", ""))
    except ValueError:
        raise Http404 from None
    comment = request.POST.get("comment", "")
    try:
        plan = change_status(plan=plan, action=action, by=user_of(request), comment=comment)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        plan.refresh_from_db()
        log_plan(request, plan)
        context = detail_context(plan, access, action_errors={action.value: " ".join(
            error.messages)}, typed={action.value: comment})
        context["refused"] = _("“%(action)s” was not done: %(reason)s") % {
            "action": TRANSITIONS[action].label, "reason": " ".join(error.messages)}
        return render(request, "plans/detail.html", context, status=400)
    messages.success(request, _("Done: %(action)s. The plan is now “%(status)s”.") % {
        "action": TRANSITIONS[action].label, "status": PlanStatus(plan.status).label})
    return redirect("plans:detail", plan.pk)
