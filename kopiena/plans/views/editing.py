"""Changing a plan: its goals, the pupil's commitment and agreement, the next review (with
optimistic locking), and its measures (only while the plan is a draft or under revision)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.policies import Policy, access_policy
from kopiena.cases.actions import latest_assessment
from kopiena.plans import presentation as show
from kopiena.plans.actions import ConcurrentEdit, add_measure, remove_measure, update_plan
from kopiena.plans.catalogue import catalogue_for
from kopiena.plans.forms import PlanEditForm, show_errors
from kopiena.plans.measure_forms import MeasureForm
from kopiena.plans.models import PlanMeasure, PlanStatus, SupportPlan
from kopiena.plans.views.common import editor_plan, log_plan, user_of

# The plan's text is not changed while it is being approved (the approvers decide on what
# they read) nor once it is completed or inactive. After approval the goals are fixed, but the
# pupil's commitment and agreement (signed on the printed plan) and the next review are not.
NOT_EDITED = (PlanStatus.IN_APPROVAL, PlanStatus.COMPLETED, PlanStatus.INACTIVE)


@access_policy(Policy.PLAN)
@require_http_methods(["GET", "POST"])
@never_cache
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, _access = editor_plan(request, plan_id)
    if plan.status in NOT_EDITED:
        messages.error(request, _("The plan cannot be changed while it is “%(status)s”.") % {
            "status": PlanStatus(plan.status).label})
        return redirect("plans:detail", plan.pk)
    conflict = ""
    if request.method != "POST":
        form = PlanEditForm(plan=plan)
    else:
        form = PlanEditForm(data=request.POST, plan=plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_plan(plan=plan, by=user_of(request), version=data["version"],
                            goals=data["goals"], pupil_commitment=data["pupil_commitment"],
                            pupil_agreed=data["pupil_agreed"],
                            next_review_on=data["next_review_on"])
            except ConcurrentEdit as error:
                # Nothing is saved; the user's text stays in the form next to the saved plan,
                # and saving again (with the current version) is a decision made knowing it.
                plan.refresh_from_db()
                conflict = " ".join(error.messages)
                kept = request.POST.copy()
                kept["version"] = str(plan.version)
                form = PlanEditForm(data=kept, plan=plan)
                form.is_valid()
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("plans:detail", plan.pk)
    log_plan(request, plan)
    return render(request, "plans/edit.html", {
        "plan": plan, "form": form, "conflict": conflict, "semester": show.semester_label(plan),
    }, status=409 if conflict else 200)


def _require_editable(request: HttpRequest, plan: SupportPlan) -> HttpResponse | None:
    if plan.status in (PlanStatus.DRAFT, PlanStatus.UNDER_REVISION):
        return None
    messages.error(request, _("Measures can be changed while the plan is a draft or under "
                              "revision. To change an approved plan, revise it first."))
    return redirect("plans:detail", plan.pk)


@access_policy(Policy.PLAN)
@require_http_methods(["GET", "POST"])
@never_cache
def measure_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = editor_plan(request, plan_id)
    refused = _require_editable(request, plan)
    if refused is not None:
        return refused
    assessment = latest_assessment(plan.case)
    risks = list(assessment.risks.order_by("group", "pk")) if assessment is not None else []
    catalogue = catalogue_for(plan.school.municipality_id)
    form = MeasureForm(data=request.POST if request.method == "POST" else None, plan=plan,
                       catalogue=catalogue, risks=risks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            add_measure(plan=plan, by=user_of(request), measure_type=data["measure_type"],
                        risk_ids=data["risks"], justification=data["justification"],
                        planned_amount=data["planned_amount"],
                        provider_user=data["provider"].user,
                        provider_organisation=data["provider"].organisation,
                        schedule=data["schedule"], subject=data["subject"],
                        funding_source=data["funding_source"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The measure is added to the plan."))
            if "add_another" in request.POST:
                return redirect("plans:measure_add", plan.pk)
            return redirect("plans:detail", plan.pk)
    log_plan(request, plan)
    return render(request, "plans/measure_form.html", {
        "plan": plan, "form": form, "semester": show.semester_label(plan),
        "risk_groups": show.risks_by_group(risks, access.case),
        "chosen_risks": {str(v) for v in form["risks"].value() or []},
        "pupil_age": plan.pupil.age_on(plan.starts_on),
    })


@require_POST
@access_policy(Policy.PLAN)
def measure_remove(request: HttpRequest, plan_id: int, measure_id: int) -> HttpResponse:
    plan, _access = editor_plan(request, plan_id)
    measure = get_object_or_404(PlanMeasure.objects.select_related("plan", "measure_type"),
                                pk=measure_id, plan=plan)
    try:
        remove_measure(measure=measure, by=user_of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The measure “%(measure)s” is removed from the plan.") % {
            "measure": measure.measure_type.name})
    return redirect("plans:detail", plan.pk)
