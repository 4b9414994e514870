"""The case summary for a support-team meeting: one or two A4 pages in Latvian."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.cases.access import CaseAccess
from kopiena.cases.actions import active_consent, latest_assessment
from kopiena.cases.models import ReferralStatus, SharedPart, SupportCase
from kopiena.cases.page import assessment_view, plans_of
from kopiena.core.pdf import render_pdf
from kopiena.earlywarning.pupil_support import pupil_support
from kopiena.plans.delivery import progress, spent_eur
from kopiena.plans.models import SupportPlan
from kopiena.plans.workflow import ACTIVE

RECENT_CONTACTS = 5


def current_plan(case: SupportCase) -> SupportPlan | None:
    """The running plan, else the most recent one."""
    plans = list(plans_of(case))
    running = [p for p in plans if p.status in ACTIVE]
    chosen = running or plans
    return chosen[0] if chosen else None


def summary_context(user: User, case: SupportCase, access: CaseAccess) -> dict[str, Any]:
    context: dict[str, Any] = {
        "case": case, "pupil": case.pupil, "today": timezone.localdate(),
        "view_sensitive": access.view_sensitive,
        "consent": active_consent(case),
        "team": list(case.team.filter(removed_on__isnull=True).select_related("user")
                     .order_by("role", "pk")),
        "referrals": list(case.referrals.filter(
            status__in=(ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
        ).select_related("agency")),
    }
    if access.sees(SharedPart.INDICATORS):
        context["support"] = pupil_support(user, case.pupil)
    if access.sees(SharedPart.RISKS) and (latest := latest_assessment(case)) is not None:
        context["assessment"] = assessment_view(latest, view_sensitive=access.view_sensitive)
    plan = current_plan(case) if access.sees(SharedPart.PLAN) else None
    if plan is not None:
        context.update(plan=plan, measures=progress(plan), spent=spent_eur(plan))
    if access.view_sensitive and access.sees(SharedPart.FAMILY_CONTACTS):
        context["contacts"] = list(case.family_contacts.select_related("guardian")
                                   [:RECENT_CONTACTS])
    return context


def summary_pdf_bytes(user: User, case: SupportCase, access: CaseAccess) -> bytes:
    return render_pdf("cases/summary_pdf.html", summary_context(user, case, access))
