"""What the case page shows, tab by tab, for one reader.

Staff of the pupil's school see every tab. A partner-agency worker sees the parts the referral
shares, the municipality coordinator the summary, the risks and the plans. Sensitive notes
(the family and the social/health risk groups, family contacts, sensitive timeline entries)
only reach readers with ``view_sensitive``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.models import User
from kopiena.cases.access import CaseAccess
from kopiena.cases.actions import active_consent, latest_assessment
from kopiena.cases.forms import (
    CaseManagerForm,
    ConsentForm,
    FamilyContactForm,
    NoteForm,
    TeamMemberForm,
)
from kopiena.cases.mentors import pupil_old_enough
from kopiena.cases.models import (
    MENTOR_MIN_AGE,
    CaseEvent,
    CaseStatus,
    ConsentScope,
    Referral,
    ReferralStatus,
    RiskAssessment,
    SharedPart,
    SupportCase,
    TeamRole,
)
from kopiena.cases.referral_forms import AnswerReferralForm, ReferralForm
from kopiena.cases.risk_factors import SENSITIVE_GROUPS, RiskGroup
from kopiena.conferences.case_record import case_meetings
from kopiena.earlywarning.pupil_support import pupil_support
from kopiena.plans.access import plan_readable
from kopiena.plans.models import SupportPlan

TIMELINE_PAGE = 30
RECENT_EVENTS = 5


class Tab(enum.StrEnum):
    OVERVIEW = "overview"
    TIMELINE = "timeline"
    TEAM = "team"
    CONSENT = "consent"
    RISKS = "risks"
    FAMILY = "family"
    REFERRALS = "referrals"


TAB_LABELS = {
    Tab.OVERVIEW: _("Overview"), Tab.TIMELINE: _("Timeline and notes"), Tab.TEAM: _("Team"),
    Tab.CONSENT: _("Consent"), Tab.RISKS: _("Risk assessment"),
    Tab.FAMILY: _("Family contacts"), Tab.REFERRALS: _("Referrals"),
}


def tabs_for(access: CaseAccess) -> list[Tab]:
    whole = access.shared_parts is None  # staff of the pupil's school, the case team
    tabs = [Tab.OVERVIEW]
    if whole:
        tabs += [Tab.TIMELINE, Tab.TEAM, Tab.CONSENT]
    if access.sees(SharedPart.RISKS):
        tabs.append(Tab.RISKS)
    if access.sees(SharedPart.FAMILY_CONTACTS) and (whole or access.view_sensitive):
        tabs.append(Tab.FAMILY)
    if whole:
        tabs.append(Tab.REFERRALS)
    return tabs


# --- pieces several tabs and the summary document show --------------------------------------

@dataclass(frozen=True)
class RiskLine:
    label: str
    note: str
    note_hidden: bool  # a note exists but the reader may not see it


@dataclass(frozen=True)
class RiskGroupView:
    group: str
    label: str
    lines: list[RiskLine]


@dataclass(frozen=True)
class AssessmentView:
    assessment: RiskAssessment
    groups: list[RiskGroupView]

    @property
    def factor_count(self) -> int:
        return sum(len(g.lines) for g in self.groups)


def assessment_view(assessment: RiskAssessment, *, view_sensitive: bool) -> AssessmentView:
    risks = list(assessment.risks.all())
    groups = []
    for group in RiskGroup:
        hide = group in SENSITIVE_GROUPS and not view_sensitive
        lines = [RiskLine(label=str(r.get_factor_display()), note="" if hide else r.note,
                          note_hidden=hide and bool(r.note))
                 for r in risks if r.group == group]
        if lines:
            groups.append(RiskGroupView(group=group.value, label=str(group.label), lines=lines))
    return AssessmentView(assessment=assessment, groups=groups)


def plans_of(case: SupportCase) -> QuerySet[SupportPlan]:
    return case.plans.select_related("school_year", "author").order_by(
        "-school_year__starts_on", "-semester", "-created_at")


def plan_create_url(case: SupportCase) -> str:
    return reverse("plans:create", args=[case.pk])


def visible_events(case: SupportCase, access: CaseAccess) -> tuple[QuerySet[CaseEvent], int]:
    """The timeline the reader may see, and how many sensitive entries it leaves out."""
    events = case.events.select_related("actor")
    if access.view_sensitive:
        return events, 0
    return events.filter(sensitive=False), events.filter(sensitive=True).count()


# --- the page ---------------------------------------------------------------------------------

@dataclass
class CasePage:
    case: SupportCase
    access: CaseAccess
    tab: Tab
    tabs: list[tuple[Tab, str]]
    is_open: bool
    consent_missing: bool  # no active consent to a support plan: a plan cannot be approved
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"cases/tabs/{self.tab.value}.html"


def build_page(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
               tab: Tab) -> CasePage:
    page = CasePage(
        case=case, access=access, tab=tab,
        tabs=[(t, str(TAB_LABELS[t])) for t in tabs_for(access)],
        is_open=case.status == CaseStatus.OPEN,
        consent_missing=(access.shared_parts is None
                         and active_consent(case, ConsentScope.SUPPORT_PLAN) is None),
    )
    builders = {
        Tab.OVERVIEW: _overview, Tab.TIMELINE: _timeline, Tab.TEAM: _team,
        Tab.CONSENT: _consent, Tab.RISKS: _risks, Tab.FAMILY: _family,
        Tab.REFERRALS: _referrals,
    }
    page.context = builders[tab](request, user, case, access, page.is_open)
    return page


def _overview(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
              is_open: bool) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if access.sees(SharedPart.INDICATORS):
        context["support"] = pupil_support(user, case.pupil)
    if access.sees(SharedPart.PLAN):
        context["plans"] = [p for p in plans_of(case) if plan_readable(p, access)]
        if access.manage and is_open:
            context["plan_create_url"] = plan_create_url(case)
    if access.sees(SharedPart.RISKS) and (latest := latest_assessment(case)) is not None:
        context["latest"] = assessment_view(latest, view_sensitive=access.view_sensitive)
    referral = access.referral
    if referral is not None:
        context["referral"] = referral
        if referral.status == ReferralStatus.PENDING:
            context["answer_form"] = AnswerReferralForm()
    if access.shared_parts is None:
        context["consent"] = active_consent(case)
        context["live_referrals"] = list(case.referrals.filter(
            status__in=(ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
        ).select_related("agency"))
        events, _hidden = visible_events(case, access)
        context["recent_events"] = list(events[:RECENT_EVENTS])
        context["team"] = list(case.team.filter(removed_on__isnull=True)
                               .select_related("user").order_by("role", "pk"))
        context["meetings"] = case_meetings(user, case)
    return context


def _timeline(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
              is_open: bool) -> dict[str, Any]:
    events, hidden = visible_events(case, access)
    return {
        "events": Paginator(events, TIMELINE_PAGE).get_page(request.GET.get("page")),
        "hidden_events": hidden,
        "note_form": NoteForm() if access.manage or access.contribute else None,
    }


def _team(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
          is_open: bool) -> dict[str, Any]:
    members = case.team.select_related("user").order_by("role", "added_on", "pk")
    may_change = access.manage and is_open
    return {
        "members": [m for m in members if m.removed_on is None],
        "former_members": [m for m in members if m.removed_on is not None],
        "case_manager_role": TeamRole.CASE_MANAGER,
        "member_form": TeamMemberForm(case=case) if may_change else None,
        "manager_form": CaseManagerForm(case=case) if may_change else None,
        "mentor_age_ok": pupil_old_enough(case),
        "mentor_min_age": MENTOR_MIN_AGE,
    }


def _consent(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
             is_open: bool) -> dict[str, Any]:
    consents = list(case.consents.select_related("guardian", "recorded_by", "withdrawn_by"))
    return {
        "consents": consents,
        "consent_form": ConsentForm(pupil=case.pupil) if access.manage and is_open else None,
        "open_form": not any(c.is_active for c in consents),
    }


def _risks(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
           is_open: bool) -> dict[str, Any]:
    assessments = case.assessments.select_related("assessed_by").prefetch_related("risks")
    return {
        "assessments": [assessment_view(a, view_sensitive=access.view_sensitive)
                        for a in assessments],
        "may_assess": access.manage and is_open,
    }


def _family(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
            is_open: bool) -> dict[str, Any]:
    contacts = case.family_contacts.select_related("guardian", "recorded_by")
    hidden = 0
    if not access.view_sensitive:
        # Someone who may not read sensitive notes sees only the contacts they recorded.
        hidden = contacts.exclude(recorded_by=user).count()
        contacts = contacts.filter(recorded_by=user)
    shown = list(contacts)
    return {
        "contacts": shown,
        "open_form": not shown,
        "hidden_contacts": hidden,
        "contact_form": (FamilyContactForm(pupil=case.pupil)
                         if (access.manage or access.contribute) and is_open else None),
    }


def _referrals(request: HttpRequest, user: User, case: SupportCase, access: CaseAccess,
               is_open: bool) -> dict[str, Any]:
    referrals: list[Referral] = list(case.referrals.select_related(
        "agency", "referred_by", "answered_by"))
    return {
        "referrals": referrals,
        "part_labels": dict(SharedPart.choices),
        "live_statuses": (ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
        "referral_form": ReferralForm(case=case) if access.manage and is_open else None,
    }
