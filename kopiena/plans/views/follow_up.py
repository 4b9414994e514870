"""Reviews during the semester, the end-of-semester evaluation, and the next semester's plan
when support continues."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.plans import presentation as show
from kopiena.plans.evaluation import add_review, continue_support, evaluate_plan
from kopiena.plans.forms import EvaluationForm, ReviewForm, show_errors
from kopiena.plans.models import Outcome, PlanEvaluation, SupportPlan
from kopiena.plans.views.common import editor_plan, log_plan, user_of
from kopiena.plans.workflow import PlanAction


@access_policy(Policy.PLAN)
@require_http_methods(["GET", "POST"])
@never_cache
def review_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = editor_plan(request, plan_id)
    if not access.may_review(plan.status):
        messages.error(request, _("A plan is reviewed while it is approved, in implementation, "
                                  "paused or under revision."))
        return redirect("plans:detail", plan.pk)
    form = ReviewForm(data=request.POST if request.method == "POST" else None,
                      initial={"next_review_on": None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            add_review(plan=plan, by=user_of(request), reviewed_on=data["reviewed_on"],
                       progress=data["progress"], next_steps=data["next_steps"],
                       next_review_on=data["next_review_on"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("plans:detail", plan.pk)
    log_plan(request, plan)
    return render(request, "plans/review_form.html", {
        "plan": plan, "form": form, "semester": show.semester_label(plan),
        "reviews": list(plan.reviews.select_related("reviewed_by")),
    })


def _next_plan(request: HttpRequest, plan: SupportPlan, user: User) -> SupportPlan | None:
    """Draft next semester's plan from ``plan``; a refusal becomes a message."""
    try:
        following = continue_support(plan=plan, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    if following is None:
        messages.error(request, _("The next semester is not in the school calendar yet, so its "
                                  "plan cannot be drafted now."))
        return None
    messages.success(request, _("Next semester's plan %(code)s is drafted from this one. Check "
                                "its goals and measures.") % {"code": following.code})
    return following


@access_policy(Policy.PLAN)
@require_http_methods(["GET", "POST"])
@never_cache
def plan_evaluate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = editor_plan(request, plan_id)
    if not access.may(PlanAction.COMPLETE, plan.status):
        messages.error(request, _("A plan is evaluated while it is in implementation or "
                                  "paused."))
        return redirect("plans:detail", plan.pk)
    form = EvaluationForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_of(request)
        try:
            evaluate_plan(plan=plan, by=user, outcome=data["outcome"], summary=data["summary"],
                          evaluated_on=data["evaluated_on"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The plan is evaluated and completed."))
            if data["outcome"] == Outcome.SUPPORT_CONTINUES and data["continue_support"]:
                following = _next_plan(request, plan, user)
                if following is not None:
                    return redirect("plans:detail", following.pk)
            return redirect("plans:detail", plan.pk)
    log_plan(request, plan)
    return render(request, "plans/evaluate.html", {
        "plan": plan, "form": form, "semester": show.semester_label(plan),
    })


@require_POST
@access_policy(Policy.PLAN)
def plan_continue(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Next semester's plan for a plan evaluated with "support continues"."""
    plan, _access = editor_plan(request, plan_id)
    evaluation = PlanEvaluation.objects.filter(plan=plan).first()
    if evaluation is None or evaluation.outcome != Outcome.SUPPORT_CONTINUES:
        messages.error(request, _("The next plan is drafted from a plan evaluated with the "
                                  "outcome “support continues”."))
        return redirect("plans:detail", plan.pk)
    if plan.next_plans.exists():
        messages.error(request, _("The next plan is already drafted."))
        return redirect("plans:detail", plan.pk)
    following = _next_plan(request, plan, user_of(request))
    return redirect("plans:detail", following.pk if following is not None else plan.pk)
