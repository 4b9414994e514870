"""The JSON API of support cases and plans: the same access rules and access log as the
pages (``cases.access``, ``plans.access``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.accounts.models import User
from kopiena.cases.access import CaseAccess, case_access, visible_cases
from kopiena.cases.models import SharedPart, SupportCase
from kopiena.plans.access import get_plan_for, plan_readable
from kopiena.plans.delivery import progress, spent_eur

router = Router(tags=["support"])
PAGE_SIZE = 100


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class PlanSummaryOut(Schema):
    id: int
    code: str
    status: str
    school_year: str
    semester: int


class CaseOut(Schema):
    id: int
    pupil_id: int
    school: str
    status: str
    origin: str
    opened_on: dt.date
    closed_on: dt.date | None
    case_manager: str
    plans: list[PlanSummaryOut]

    @classmethod
    def of(cls, case: SupportCase, *, access: CaseAccess) -> CaseOut:
        plans = [PlanSummaryOut(id=p.pk, code=p.code, status=p.status,
                                school_year=p.school_year.name, semester=p.semester)
                 for p in case.plans.all() if plan_readable(p, access)]
        return cls(id=case.pk, pupil_id=case.pupil_id, school=case.school.registration_code,
                   status=case.status, origin=case.origin, opened_on=case.opened_on,
                   closed_on=case.closed_on, case_manager=case.case_manager.full_name,
                   plans=plans)


class CasePage(Schema):
    count: int
    page: int
    items: list[CaseOut]


@router.get("/cases", response=CasePage)
def list_cases(request: HttpRequest, page: int = 1, status: str = "") -> CasePage:
    """Support cases the caller may open, 100 per page; `status` is `open` or `closed`."""
    cases = visible_cases(_user(request)).select_related(
        "pupil", "school", "case_manager").order_by(
        "-opened_on", "-pk").prefetch_related("plans__school_year")
    if status:
        cases = cases.filter(status=status)
    current = Paginator(cases, PAGE_SIZE).get_page(page)
    items = list(current.object_list)
    if items:
        log_access(request, action=AccessLogEntry.Action.API, pupil_ids=[c.pupil_id for c in items])
    user = _user(request)
    return CasePage(count=current.paginator.count, page=current.number, items=[
        CaseOut.of(c, access=case_access(user, c)) for c in items])


class MeasureOut(Schema):
    measure: str
    risks: list[str]
    justification: str
    provider: str
    unit: str
    planned: Decimal
    delivered: Decimal
    planned_eur: Decimal
    spent_eur: Decimal
    funding_source: str


class PlanOut(Schema):
    id: int
    code: str
    case_id: int
    pupil_id: int
    status: str
    school_year: str
    semester: int
    starts_on: dt.date
    ends_on: dt.date
    goals: str
    measures: list[MeasureOut]
    spent_eur: Decimal


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> PlanOut:
    """One support plan with planned against delivered per measure; 404 unless the caller
    may see the plan."""
    plan, access = get_plan_for(_user(request), plan_id)
    if not access.case.sees(SharedPart.PLAN):
        raise Http404
    log_access(request, action=AccessLogEntry.Action.API, pupil_ids=[plan.pupil_id])
    return PlanOut(
        id=plan.pk, code=plan.code, case_id=plan.case_id, pupil_id=plan.pupil_id,
        status=plan.status, school_year=plan.school_year.name, semester=plan.semester,
        starts_on=plan.starts_on, ends_on=plan.ends_on, goals=plan.goals,
        spent_eur=spent_eur(plan),
        measures=[MeasureOut(
            measure=p.measure.measure_type.code,
            risks=[r.factor for r in p.measure.risks.all()],
            justification=p.measure.justification, provider=p.measure.provider_label,
            unit=p.measure.unit, planned=p.planned, delivered=p.delivered,
            planned_eur=p.measure.planned_eur, spent_eur=p.spent_eur,
            funding_source=p.measure.funding_source) for p in progress(plan)],
    )
