"""Printable documents in Latvian: the plan for signing and the consultation log form."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import Membership
from kopiena.accounts.roles import Role
from kopiena.core.pdf import pdf_response, render_pdf
from kopiena.plans import presentation as show
from kopiena.plans.access import PlanAccess
from kopiena.plans.models import DeliveryMode, MeasureKind, SupportPlan
from kopiena.plans.views.common import log_plan, plan_for

# The consultation log has room for at least this many rows, blank ones to fill in by hand.
LOG_ROWS = 18
MIN_BLANK_ROWS = 4


def _directors(plan: SupportPlan) -> list[str]:
    return [m.user.full_name for m in Membership.objects.filter(
        organisation_id=plan.school_id, role=Role.SCHOOL_DIRECTOR, is_active=True,
        user__is_active=True).select_related("user").order_by("pk")]


def _document_context(plan: SupportPlan, access: PlanAccess) -> dict[str, Any]:
    pupil = plan.pupil
    return {
        "plan": plan, "pupil": pupil, "school": plan.school,
        "class_label": pupil.school_class.label if pupil.school_class else "",
        "semester": show.semester_label(plan), "case_manager": plan.case.case_manager.full_name,
        "directors": _directors(plan), "printed_on": timezone.localdate(),
    }


@access_policy(Policy.PLAN)
@never_cache
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = plan_for(request, plan_id)
    log_plan(request, plan, AccessLogEntry.Action.EXPORT)
    context = _document_context(plan, access) | {
        "rows": show.measure_rows(plan),
        "risk_groups": show.risks_by_group(show.plan_risks(plan.case, plan), access.case),
    }
    pdf = render_pdf("plans/documents/plan.html", context)
    return pdf_response(pdf, f"{plan.code}.pdf")


@access_policy(Policy.PLAN)
@never_cache
def consultation_log_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The sessions logged so far, with an empty column for the pupil's signature, and blank
    rows for the sessions still to come."""
    plan, access = plan_for(request, plan_id)
    log_plan(request, plan, AccessLogEntry.Action.EXPORT)
    sessions = list(plan.deliveries.exclude(mode="").select_related(
        "measure__measure_type", "staff").order_by("delivered_on", "pk"))
    blank = max(MIN_BLANK_ROWS, LOG_ROWS - len(sessions))
    context = _document_context(plan, access) | {
        "sessions": sessions, "blank_rows": range(blank), "remote": DeliveryMode.REMOTE,
        "measures": [m for m in plan.measures.select_related("measure_type", "provider_user",
                                                            "provider_organisation")
                     if m.measure_type.kind != MeasureKind.COMPENSATION],
    }
    pdf = render_pdf("plans/documents/consultations.html", context)
    return pdf_response(pdf, f"{plan.code}-konsultacijas.pdf")
