"""The delivery log: a session or a payment logged against one measure, and the pupil's
confirmation of a session. Editors log every measure; a member of the case team logs the
measures they provide (a mentor the mentor sessions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.policies import Policy, access_policy
from kopiena.plans import presentation as show
from kopiena.plans.access import PlanAccess
from kopiena.plans.actions import plan_url
from kopiena.plans.delivery import confirm_delivery, log_delivery
from kopiena.plans.forms import show_errors
from kopiena.plans.measure_forms import CompensationForm, SessionForm
from kopiena.plans.models import Delivery, MeasureKind, PlanMeasure, SupportPlan
from kopiena.plans.views.common import log_plan, plan_for, user_of


def _loggable(plan: SupportPlan, access: PlanAccess) -> list[PlanMeasure]:
    return [m for m in plan.measures.select_related("measure_type", "provider_user")
            if access.may_log(m)]


def _form(request: HttpRequest, plan: SupportPlan, measure: PlanMeasure) -> forms.Form:
    data = request.POST if request.method == "POST" else None
    if measure.measure_type.kind == MeasureKind.COMPENSATION:
        return CompensationForm(data=data)
    staff = measure.provider_user_id or user_of(request).pk
    return SessionForm(data=data, plan=plan, initial={"staff": staff})


def _log(request: HttpRequest, measure: PlanMeasure, data: dict[str, Any]) -> Delivery:
    if measure.measure_type.kind == MeasureKind.COMPENSATION:
        return log_delivery(measure=measure, by=user_of(request),
                            delivered_on=data["delivered_on"], amount_eur=data["amount_eur"],
                            document_number=data["document_number"], notes=data["notes"])
    return log_delivery(measure=measure, by=user_of(request), delivered_on=data["delivered_on"],
                        duration_minutes=data["duration_minutes"], mode=data["mode"],
                        staff=data["staff"], pupil_confirmed=data["pupil_confirmed"],
                        notes=data["notes"])


@access_policy(Policy.PLAN)
@require_http_methods(["GET", "POST"])
@never_cache
def delivery_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Log a session or a payment. Without ``measure`` (and with several measures the user
    may log) the page first asks which measure."""
    plan, access = plan_for(request, plan_id)
    if not access.is_editor and not access.provides:
        raise Http404
    if not access.log_delivery:
        messages.error(request, _("Support is logged while the plan is approved or in "
                                  "implementation."))
        return redirect("plans:detail", plan.pk)
    measures = _loggable(plan, access)
    wanted = request.POST.get("measure") or request.GET.get("measure", "")
    measure = next((m for m in measures if str(m.pk) == wanted), None)
    if wanted and measure is None:
        raise Http404  # a measure of another plan, or one the user does not provide
    if measure is None and len(measures) == 1:
        measure = measures[0]
    log_plan(request, plan)
    context: dict[str, Any] = {"plan": plan, "semester": show.semester_label(plan),
                               "measures": measures, "measure": measure}
    if measure is None:
        return render(request, "plans/delivery_form.html", context)
    form = _form(request, plan, measure)
    if request.method == "POST" and form.is_valid():
        try:
            _log(request, measure, form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Logged: %(measure)s, %(date)s.") % {
                "measure": measure.measure_type.name,
                "date": form.cleaned_data["delivered_on"].strftime("%d.%m.%Y")})
            if "add_another" in request.POST:
                return redirect(f"{request.path}?measure={measure.pk}")
            return redirect(f"{plan_url(plan)}#deliveries-heading")
    context |= {"form": form,
                "is_compensation": measure.measure_type.kind == MeasureKind.COMPENSATION}
    return render(request, "plans/delivery_form.html", context)


@require_POST
@access_policy(Policy.PLAN)
def delivery_confirm(request: HttpRequest, plan_id: int, delivery_id: int) -> HttpResponse:
    plan, access = plan_for(request, plan_id)
    delivery = get_object_or_404(Delivery.objects.select_related("measure__measure_type"),
                                 pk=delivery_id, plan=plan)
    if not access.may_confirm(delivery):
        raise Http404
    try:
        confirm_delivery(delivery=delivery, by=user_of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pupil's confirmation of the session on %(date)s is "
                                    "recorded.") % {
            "date": delivery.delivered_on.strftime("%d.%m.%Y")})
    return redirect(f"{plan_url(plan)}#deliveries-heading")
