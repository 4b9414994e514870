"""Bringing a support plan to a status for the plan page tests, through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.cases import actions as case_actions
from kopiena.cases.models import MentorProfile, SupportCase, TeamRole
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.access import PlanAccess, get_plan_for
from kopiena.plans.delivery import log_delivery
from kopiena.plans.models import Delivery, MeasureType, PlanMeasure, SupportPlan
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def step(plan: SupportPlan, action: PlanAction, by: User, comment: str = "") -> SupportPlan:
    return plan_actions.change_status(plan=plan, action=action, by=fresh(by), comment=comment)


def at_municipality_step(case: SupportCase, author: User, director: User) -> SupportPlan:
    """Sent for approval and approved by the director: waits for the municipality."""
    plan = step(F.draft_plan(case, author), PlanAction.SUBMIT, author)
    return step(plan, PlanAction.APPROVE, director)


def in_implementation(case: SupportCase, author: User, director: User,
                      coordinator: User) -> SupportPlan:
    plan = F.approved_plan(case, fresh(author), fresh(director), fresh(coordinator))
    return step(plan, PlanAction.START, author)


def session(plan: SupportPlan, by: User, *, mode: str = "in_person", confirmed: bool = True,
            measure: PlanMeasure | None = None) -> Delivery:
    measure = measure or plan.measures.order_by("pk").first()
    assert measure is not None
    return log_delivery(measure=measure, by=fresh(by), delivered_on=F.a_school_day_in(plan), duration_minutes=45,
                        mode=mode, staff=fresh(by), pupil_confirmed=confirmed)


def english(user: User, language: str = "en") -> Client:
    """A signed-in client that reads the pages in English (the tests match English text)."""
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def trained_mentor(organisation: Organisation) -> User:
    """A mentor from a partner organisation who completed the mentor training."""
    mentor = User.objects.create_user("mentors.tests@demo.kopiena.lv", first_name="Mārtiņš",
                                      last_name="Mentors")
    Membership.objects.create(user=mentor, organisation=organisation, role=Role.MENTOR)
    MentorProfile.objects.create(user=mentor, organisation=organisation,
                                 training="Skola – kopienā mentoru programma",
                                 training_completed_on=timezone.localdate() - dt.timedelta(days=90))
    return mentor


def mentor_measure(plan: SupportPlan, mentor: User, by: User) -> PlanMeasure:
    """The mentor joins the case team and provides the plan's mentor measure."""
    case_actions.add_team_member(case=plan.case, user=mentor, role=TeamRole.MENTOR, by=fresh(by))
    risk = plan.case.assessments.get().risks.get(factor="absences")
    return plan_actions.add_measure(
        plan=plan, by=fresh(by), measure_type=MeasureType.objects.get(municipality=None,
                                                                      code="mentor"),
        risk_ids=[risk.pk], justification="Regulāras sarunas ar mentoru.",
        planned_amount=Decimal(8), provider_user=mentor, schedule="Reizi divās nedēļās")


def plan_access_for(user: User, plan: SupportPlan) -> tuple[SupportPlan, PlanAccess]:
    return get_plan_for(fresh(user), plan.pk)
