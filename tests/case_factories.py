"""Building support cases and plans for tests, through the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.cases import actions as case_actions
from kopiena.cases.models import CaseOrigin, ConsentScope, SupportCase
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.models import MeasureType, SupportPlan
from kopiena.plans.workflow import PlanAction
from kopiena.pupils.models import ClassStaff, Pupil

ALL_SCOPES = list(ConsentScope.values)


def pupil_without_case(school: Organisation, *, of_teacher: User | None = None,
                       min_age: int = 0) -> Pupil:
    pupils = Pupil.objects.filter(school=school).exclude(support_cases__status="open")
    if of_teacher is not None:
        classes = ClassStaff.objects.filter(user=of_teacher, kind="class_teacher").values(
            "school_class_id")
        pupils = pupils.filter(school_class_id__in=classes)
    today = timezone.localdate()
    for pupil in pupils.order_by("pk"):
        if pupil.age_on(today) >= min_age and not pupil.support_plans.exists():
            return pupil
    raise LookupError("no pupil without a case")


def open_case(pupil: Pupil, by: User, *, consent: bool = True,
              scopes: list[str] | None = None) -> SupportCase:
    case = case_actions.open_case(pupil=pupil, origin=CaseOrigin.FLAG, opened_by=by,
                                  reason="Daudz neattaisnotu kavējumu matemātikā.")
    if consent:
        case_actions.record_consent(
            case=case, given_by="parent", signer_name="Anna Kalniņa",
            scope=scopes or ALL_SCOPES, method="in_person",
            given_on=timezone.localdate(), recorded_by=by)
    case_actions.record_risk_assessment(
        case=case, assessed_on=timezone.localdate(), by=by,
        factors={"absences": "Kavē pirmdienās.", "low_income": "", "family_conflict": "Šķiršanās."})
    return case


def draft_plan(case: SupportCase, by: User, *, with_measure: bool = True) -> SupportPlan:
    semester = plan_actions.semester_of(timezone.localdate())
    assert semester is not None
    plan = plan_actions.create_plan(case=case, author=by, semester=semester,
                                    goals="Apmeklēt visas matemātikas stundas.")
    if with_measure:
        risk = case.assessments.get().risks.get(factor="absences")
        plan_actions.add_measure(
            plan=plan, by=by, measure_type=MeasureType.objects.get(municipality=None,
                                                                   code="psychologist"),
            risk_ids=[risk.pk], justification="Motivācijas sarunas.", planned_amount=Decimal(6),
            provider_user=by, schedule="Reizi nedēļā")
    plan.refresh_from_db()
    return plan


def approved_plan(case: SupportCase, author: User, director: User,
                  coordinator: User) -> SupportPlan:
    plan = draft_plan(case, author)
    plan = plan_actions.change_status(plan=plan, action=PlanAction.SUBMIT, by=author)
    plan = plan_actions.change_status(plan=plan, action=PlanAction.APPROVE, by=director)
    return plan_actions.change_status(plan=plan, action=PlanAction.APPROVE, by=coordinator)


def a_school_day_in(plan: SupportPlan) -> dt.date:
    return max(plan.starts_on, min(timezone.localdate(), plan.ends_on))
