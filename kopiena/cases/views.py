"""Support case screens: the case list, opening a case or referring a pupil to the support
team, the case page with its tabs, and the case summary for a support-team meeting.

The forms that change a case post to their own small URLs (``record_views``, ``team_views``,
``referral_views``); mentors have ``mentor_views``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.access.pupil_access import get_pupil_for
from kopiena.access.scoping import whole_school_ids
from kopiena.accounts.models import User
from kopiena.cases import actions
from kopiena.cases.access import (
    OpeningRight,
    led_class_ids,
    live_referrals_for,
    mentor_organisation_ids,
    opening_right,
    visible_cases,
)
from kopiena.cases.filters import CaseFilterForm
from kopiena.cases.forms import OpenCaseForm
from kopiena.cases.models import CaseOrigin, CaseStatus, ReferralStatus, SupportCase
from kopiena.cases.page import Tab, build_page, tabs_for
from kopiena.cases.referral_forms import AnswerReferralForm
from kopiena.cases.summary import summary_pdf_bytes
from kopiena.cases.web import Need, case_for, case_page_url, posted, submit, user_of
from kopiena.core.pdf import pdf_response
from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.earlywarning.pupil_support import pupil_support
from kopiena.earlywarning.reasons import level_label
from kopiena.organisations.models import Organisation
from kopiena.plans.models import PlanStatus, SupportPlan
from kopiena.plans.views.catalogue import settings_municipality_ids

PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseRow:
    case: SupportCase
    plan_status: str  # the latest plan's status label, "" without a plan
    level: str  # the support level shown: now (full readers) or when opened (the others)
    level_label: str
    level_is_current: bool


def _rows(user: User, cases: list[SupportCase]) -> list[CaseRow]:
    whole = whole_school_ids(user)
    led = set(led_class_ids(user).values_list("school_class_id", flat=True))
    on_team = set(SupportCase.objects.filter(
        pk__in=[c.pk for c in cases], team__user=user, team__removed_on__isnull=True,
    ).values_list("pk", flat=True))
    levels = dict(PupilSupportStatus.objects.filter(
        pupil_id__in=[c.pupil_id for c in cases]).values_list("pupil_id", "level"))
    plan_labels = dict(PlanStatus.choices)
    rows = []
    for case in cases:
        full = (case.school_id in whole or case.pupil.school_class_id in led
                or case.pk in on_team)
        level = levels.get(case.pupil_id, "") if full else case.support_level
        status = getattr(case, "latest_plan_status", None) or ""
        rows.append(CaseRow(case=case, plan_status=str(plan_labels.get(status, "")),
                            level=level, level_label=level_label(level) if level else "",
                            level_is_current=full))
    return rows


@access_policy(Policy.AUTHENTICATED)
@never_cache
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's cases; for a partner agency (or the cooperation group), its referrals."""
    user = user_of(request)
    scoped = visible_cases(user, through_referrals=False)
    form = CaseFilterForm(request.GET or None, cases=scoped)
    latest_plan = SupportPlan.objects.filter(case=OuterRef("pk")).order_by(
        "-school_year__starts_on", "-semester", "-created_at").values("status")[:1]
    cases = (form.apply(scoped, user)
             .annotate(latest_plan_status=Subquery(latest_plan))
             .select_related("pupil__school_class", "school", "case_manager")
             .order_by("-opened_on", "-pk"))
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(live_referrals_for(user).select_related(
        "case__pupil__school_class", "case__school", "agency", "referred_by",
    ).annotate(pending_first=Case(When(status=ReferralStatus.PENDING, then=Value(0)),
                                  default=Value(1), output_field=IntegerField()))
        .order_by("pending_first", "-referred_at"))
    shown = [c.pupil_id for c in page.object_list] + [r.case.pupil_id for r in referrals]
    if shown:
        log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=shown)
    return render(request, "cases/list.html", {
        "form": form, "page": page, "rows": _rows(user, list(page.object_list)),
        "referrals": referrals, "answer_form": AnswerReferralForm(),
        "has_cases": scoped.exists(), "may_open": bool(whole_school_ids(user)),
        "keeps_mentors": bool(mentor_organisation_ids(user)),
        "settings_municipalities": Organisation.objects.filter(
            pk__in=settings_municipality_ids(user)[0]).order_by("name"),
    })


@access_policy(Policy.CASE_PUPIL)
@never_cache
def open_case(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """The support team opens a case; the pupil's class teacher refers the pupil to the
    support team. A pupil with an open case goes to that case."""
    user = user_of(request)
    pupil, _permissions = get_pupil_for(user, pupil_id)
    existing = visible_cases(user).filter(pupil=pupil, status=CaseStatus.OPEN).first()
    if existing is not None:
        messages.info(request, _("%(pupil)s already has an open support case.")
                      % {"pupil": pupil.full_name})
        return redirect(case_page_url(existing))
    right = opening_right(user, pupil)
    if right is None:
        raise Http404
    form = OpenCaseForm(posted(request), pupil=pupil, right=right)
    opened: list[SupportCase] = []

    def run() -> None:
        data = form.cleaned_data
        opened.append(actions.open_case(
            pupil=pupil, reason=data["reason"], opened_by=user,
            origin=CaseOrigin.TEACHER_REFERRAL if right is OpeningRight.REFER
            else data["origin"],
            case_manager=data.get("case_manager")))

    if submit(request, form, run):
        case = opened[0]
        if right is OpeningRight.REFER:
            messages.success(request, _(
                "%(pupil)s is referred to the support team. %(manager)s is the case manager "
                "and has been notified.") % {"pupil": pupil.full_name,
                                             "manager": case.case_manager.full_name})
        else:
            messages.success(request, _("The support case is open. Next: record the "
                                        "parent's consent and assess the risks."))
        return redirect(case_page_url(case))
    log_access(request, action=AccessLogEntry.Action.VIEW, pupil_ids=[pupil.pk])
    return render(request, "cases/open.html", {
        "pupil": pupil, "form": form, "refer": right is OpeningRight.REFER,
        "support": pupil_support(user, pupil),
        "default_manager": actions.default_case_manager(pupil.school) if pupil.school else None,
        "closed_cases": visible_cases(user).filter(pupil=pupil, status=CaseStatus.CLOSED),
    })


@access_policy(Policy.CASE)
@never_cache
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = user_of(request)
    case, access = case_for(request, case_id)
    try:
        tab = Tab(request.GET.get("tab") or Tab.OVERVIEW)
    except ValueError:
        raise Http404 from None
    if tab not in tabs_for(access):
        raise Http404
    page = build_page(request, user, case, access, tab)
    log_access(request, action=AccessLogEntry.Action.VIEW, pupil_ids=[case.pupil_id])
    return render(request, "cases/detail.html", {
        "case": case, "access": access, "page": page, **page.context,
    })


@access_policy(Policy.CASE)
@never_cache
def summary_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case on 1–2 pages for a support-team meeting, in Latvian."""
    case, access = case_for(request, case_id, Need.CONTRIBUTE)
    pdf = summary_pdf_bytes(user_of(request), case, access)
    log_access(request, action=AccessLogEntry.Action.EXPORT, pupil_ids=[case.pupil_id])
    return pdf_response(pdf, f"lieta-{case.pk}.pdf")
