"""Support reports, PuMPuRS style: per period and school or municipality, the plans by status,
the pupils supported, their risk groups, the measures planned and delivered, the money by
measure and by funding source, and the outcomes of the evaluations.

:func:`support_report` computes every figure with a handful of aggregate queries; the screen,
the XLSX and CSV exports (``kopiena.plans.reports_tables``) and ``manage.py support_report``
all show what it returns. Figures are complete here; hiding small groups from readers without
pupil-level access is the presentation's job.

Definitions (so that a reader can check any figure by hand):

- a plan belongs to the period when its *semester* overlaps the period; it is counted under
  its current status;
- a pupil is *supported* when they have a plan of the period that was approved (approved, in
  implementation, paused, under revision or completed);
- risk groups: the supported pupils per group of the latest risk assessment of their case
  made on or before the last day of the period;
- measures: planned amounts and euros of the supported plans' measures; delivered amounts
  and euros spent from the delivery log within the period;
- outcomes: the evaluations made within the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kopiena.calendars.models import Semester
from kopiena.cases.models import AssessedRisk, RiskAssessment, SupportCase
from kopiena.cases.risk_factors import RiskGroup
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation
from kopiena.plans.models import (
    Delivery,
    FundingSource,
    MeasureType,
    MeasureUnit,
    Outcome,
    PlanEvaluation,
    PlanMeasure,
    PlanStatus,
    SupportPlan,
)

S = PlanStatus
# Plans whose pupil counts as supported: approved at some point and not made inactive.
SUPPORTED = (S.APPROVED, S.IN_IMPLEMENTATION, S.PAUSED, S.UNDER_REVISION, S.COMPLETED)
CENT = Decimal("0.01")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


class PeriodError(ValueError):
    """The period cannot be read; the message says why, in the user's language."""


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date

    @property
    def key(self) -> str:
        """The period as the command and the exports write it: 2025-09-01:2025-12-19."""
        return f"{self.starts_on.isoformat()}:{self.ends_on.isoformat()}"

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


def parse_period(text: str) -> Period:
    """``YYYY-MM-DD:YYYY-MM-DD``, first day before or on the last."""
    first, sep, last = text.strip().partition(":")
    try:
        if not sep:
            raise ValueError
        period = Period(dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip()))
    except ValueError:
        raise PeriodError(_("Write the period as YYYY-MM-DD:YYYY-MM-DD, for example "
                            "2025-09-01:2025-12-19.")) from None
    return checked_period(period.starts_on, period.ends_on)


def checked_period(starts_on: dt.date, ends_on: dt.date) -> Period:
    if ends_on < starts_on:
        raise PeriodError(_("The period ends before it starts."))
    return Period(starts_on, ends_on)


def semester_period(semester: Semester) -> Period:
    return Period(semester.starts_on, semester.ends_on)


def current_semester(today: dt.date) -> Semester | None:
    """The semester of ``today``; in a break, the last one that started (its report is the
    one people ask for then); before any semester, the first."""
    semesters = Semester.objects.select_related("school_year")
    return (semesters.filter(starts_on__lte=today, ends_on__gte=today).first()
            or semesters.filter(starts_on__lte=today).order_by("-starts_on").first()
            or semesters.order_by("starts_on").first())


def default_period(today: dt.date) -> Period:
    semester = current_semester(today)
    if semester is None:
        return Period(today, today)
    return semester_period(semester)


def schools_of(municipality: Organisation) -> list[Organisation]:
    return list(Organisation.objects.filter(parent=municipality,
                                            kind__in=EDUCATION_INSTITUTION_KINDS).order_by("name"))


# --- the figures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasureFigures:
    """One measure type (by code) of the report. ``pupils`` is the number of distinct pupils
    the row is about (planned or delivered), for the small-group rule."""

    code: str
    name: str
    kind: str
    unit: str
    plans: int
    pupils: int
    planned_amount: Decimal
    delivered_amount: Decimal
    planned_eur: Decimal
    spent_eur: Decimal
    deliveries: int

    @property
    def delivered_share(self) -> float | None:
        """Delivered as a share of planned (None when nothing was planned)."""
        return float(self.delivered_amount / self.planned_amount) if self.planned_amount else None


@dataclass(frozen=True)
class SourceFigures:
    source: str
    planned_eur: Decimal
    spent_eur: Decimal
    pupils: int

    @property
    def label(self) -> str:
        return str(FundingSource(self.source).label)


@dataclass(frozen=True)
class SchoolFigures:
    school: Organisation
    plans: int
    plan_pupils: int
    pupils_supported: int
    spent_eur: Decimal
    spent_pupils: int


@dataclass
class SupportReport:
    period: Period
    school: Organisation | None  # a school's report
    municipality: Organisation | None  # a municipality's report (all its schools)
    plans_by_status: dict[str, int]
    status_pupils: dict[str, int]  # distinct pupils behind each status figure
    plan_pupils: int  # distinct pupils with a plan of the period (any status)
    pupils_supported: int
    risk_groups: dict[str, int]
    measures: list[MeasureFigures]
    planned_eur: Decimal
    spent_eur: Decimal
    spent_pupils: int
    sources: list[SourceFigures]
    outcomes: dict[str, int]
    outcome_pupils: dict[str, int]
    schools: list[SchoolFigures] = field(default_factory=list)

    @property
    def plans_total(self) -> int:
        return sum(self.plans_by_status.values())

    @property
    def spent_by_source(self) -> dict[str, Decimal]:
        return {s.source: s.spent_eur for s in self.sources}

    @property
    def title(self) -> str:
        place = self.school or self.municipality
        return str(place.name) if place is not None else ""

    def as_json(self) -> dict[str, Any]:
        """Every figure, unsuppressed, as ``manage.py support_report --json`` prints it."""
        def org(o: Organisation | None) -> dict[str, str] | None:
            return None if o is None else {"code": o.registration_code, "name": o.name}

        return {
            "school": org(self.school),
            "municipality": org(self.municipality or (self.school.parent if self.school
                                                     else None)),
            "period": {"from": self.period.starts_on.isoformat(),
                       "to": self.period.ends_on.isoformat()},
            "plans_total": self.plans_total,
            "plans_by_status": dict(self.plans_by_status),
            "pupils_with_plans": self.plan_pupils,
            "pupils_supported": self.pupils_supported,
            "risk_groups": dict(self.risk_groups),
            "measures": {m.code: {
                "name": m.name, "kind": m.kind, "unit": m.unit, "plans": m.plans,
                "pupils": m.pupils, "planned_amount": _number(m.planned_amount),
                "delivered_amount": _number(m.delivered_amount),
                "deliveries": m.deliveries,
                "planned_eur": _number(m.planned_eur), "spent_eur": _number(m.spent_eur),
            } for m in self.measures},
            "planned_eur": _number(self.planned_eur),
            "spent_eur": _number(self.spent_eur),
            "spent_by_source": {s.source: _number(s.spent_eur) for s in self.sources},
            "planned_by_source": {s.source: _number(s.planned_eur) for s in self.sources},
            "outcomes": dict(self.outcomes),
            "schools": [{
                "code": s.school.registration_code, "name": s.school.name, "plans": s.plans,
                "pupils_supported": s.pupils_supported, "spent_eur": _number(s.spent_eur),
            } for s in self.schools],
        }


def _number(value: Decimal) -> float | int:
    rounded = value.quantize(CENT)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT)


def _semester_filter(period: Period) -> Q:
    """Plans whose semester overlaps the period."""
    condition = Q(pk__in=[])
    for year_id, number in Semester.objects.filter(
            starts_on__lte=period.ends_on, ends_on__gte=period.starts_on,
    ).values_list("school_year_id", "number"):
        condition |= Q(school_year_id=year_id, semester=number)
    return condition


def plans_in_period(school_ids: list[int], period: Period) -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(_semester_filter(period), school_id__in=school_ids)


def _planned_eur() -> Case:
    """A measure's planned money: the amount itself for euros, else amount × unit cost."""
    return Case(
        When(unit=MeasureUnit.EUR, then=F("planned_amount")),
        default=F("planned_amount") * Coalesce(F("unit_cost_eur"), Value(Decimal(0)),
                                                output_field=_MONEY),
        output_field=_MONEY,
    )


def support_report(*, period: Period, school: Organisation | None = None,
                   municipality: Organisation | None = None) -> SupportReport:
    """The figures of one school, or of every school of a municipality, for ``period``."""
    if school is not None and municipality is None:
        schools, catalogue_owner = [school], school.parent
    elif municipality is not None and school is None:
        schools, catalogue_owner = schools_of(municipality), municipality
    else:
        raise ValueError("Give a school or a municipality.")
    ids = [s.pk for s in schools]
    plans = plans_in_period(ids, period)
    supported = plans.filter(status__in=SUPPORTED)
    deliveries = Delivery.objects.filter(plan__school_id__in=ids,
                                         delivered_on__gte=period.starts_on,
                                         delivered_on__lte=period.ends_on)

    by_status = dict.fromkeys(S.values, 0)
    status_pupils = dict.fromkeys(S.values, 0)
    for row in plans.values("status").annotate(n=Count("pk"),
                                               pupils=Count("pupil_id", distinct=True)):
        by_status[row["status"]] = row["n"]
        status_pupils[row["status"]] = row["pupils"]
    pupil_counts = plans.aggregate(
        all=Count("pupil_id", distinct=True),
        supported=Count("pupil_id", distinct=True, filter=Q(status__in=SUPPORTED)))

    spent = deliveries.aggregate(eur=Sum("amount_eur"), pupils=Count("plan__pupil_id",
                                                                      distinct=True))
    measures = _measures(supported, deliveries, catalogue_owner)
    outcomes = dict.fromkeys(Outcome.values, 0)
    outcome_pupils = dict.fromkeys(Outcome.values, 0)
    for row in PlanEvaluation.objects.filter(
            plan__school_id__in=ids, evaluated_on__gte=period.starts_on,
            evaluated_on__lte=period.ends_on,
    ).values("outcome").annotate(n=Count("pk"), pupils=Count("plan__pupil_id", distinct=True)):
        outcomes[row["outcome"]] = row["n"]
        outcome_pupils[row["outcome"]] = row["pupils"]

    return SupportReport(
        period=period, school=school, municipality=municipality,
        plans_by_status=by_status, status_pupils=status_pupils,
        plan_pupils=pupil_counts["all"], pupils_supported=pupil_counts["supported"],
        risk_groups=_risk_groups(supported, period),
        measures=measures,
        planned_eur=_money(sum((m.planned_eur for m in measures), Decimal(0))),
        spent_eur=_money(spent["eur"]), spent_pupils=spent["pupils"],
        sources=_sources(supported, deliveries),
        outcomes=outcomes, outcome_pupils=outcome_pupils,
        schools=_per_school(schools, plans, deliveries) if municipality is not None else [],
    )


def _risk_groups(supported: QuerySet[SupportPlan], period: Period) -> dict[str, int]:
    latest = (RiskAssessment.objects.filter(case_id=OuterRef("pk"),
                                            assessed_on__lte=period.ends_on)
              .order_by("-assessed_on", "-pk").values("pk")[:1])
    assessments = (SupportCase.objects.filter(pk__in=supported.values("case_id"))
                   .annotate(latest=Subquery(latest)).filter(latest__isnull=False)
                   .values("latest"))
    groups = dict.fromkeys(RiskGroup.values, 0)
    for row in (AssessedRisk.objects.filter(assessment_id__in=assessments).values("group")
                .annotate(pupils=Count("assessment__case__pupil_id", distinct=True))):
        groups[row["group"]] = row["pupils"]
    return groups


def _measures(supported: QuerySet[SupportPlan], deliveries: QuerySet[Delivery],
              municipality: Organisation | None) -> list[MeasureFigures]:
    planned = {row["measure_type__code"]: row for row in (
        PlanMeasure.objects.filter(plan__in=supported.values("pk"))
        .values("measure_type__code")
        .annotate(plans=Count("plan_id", distinct=True),
                  pupils=Count("plan__pupil_id", distinct=True),
                  amount=Sum("planned_amount"), eur=Sum(_planned_eur())))}
    delivered = {row["measure__measure_type__code"]: row for row in (
        deliveries.values("measure__measure_type__code")
        .annotate(amount=Sum("amount"), eur=Sum("amount_eur"), n=Count("pk"),
                  pupils=Count("plan__pupil_id", distinct=True)))}
    types = _measure_types(set(planned) | set(delivered), municipality)
    rows = []
    for code in sorted(set(planned) | set(delivered),
                       key=lambda c: (types[c].position, c) if c in types else (10_000, c)):
        p, d = planned.get(code, {}), delivered.get(code, {})
        kind = types[code]
        rows.append(MeasureFigures(
            code=code, name=kind.name, kind=kind.kind, unit=kind.unit,
            plans=p.get("plans", 0), pupils=max(p.get("pupils", 0), d.get("pupils", 0)),
            planned_amount=_money(p.get("amount")), delivered_amount=_money(d.get("amount")),
            planned_eur=_money(p.get("eur")), spent_eur=_money(d.get("eur")),
            deliveries=d.get("n", 0),
        ))
    return rows


def _measure_types(codes: set[str], municipality: Organisation | None) -> dict[str, MeasureType]:
    """Name, kind and unit of each code: the municipality's own row, else the default."""
    found: dict[str, MeasureType] = {}
    for row in MeasureType.objects.filter(code__in=codes, municipality=None):
        found[row.code] = row
    if municipality is not None:
        for row in MeasureType.objects.filter(code__in=codes, municipality=municipality):
            found[row.code] = row
    for row in MeasureType.objects.filter(code__in=codes - set(found)):  # another's own measure
        found.setdefault(row.code, row)
    return found


def _sources(supported: QuerySet[SupportPlan],
             deliveries: QuerySet[Delivery]) -> list[SourceFigures]:
    planned = {row["funding_source"]: row for row in (
        PlanMeasure.objects.filter(plan__in=supported.values("pk")).values("funding_source")
        .annotate(eur=Sum(_planned_eur()), pupils=Count("plan__pupil_id", distinct=True)))}
    spent = {row["measure__funding_source"]: row for row in (
        deliveries.values("measure__funding_source")
        .annotate(eur=Sum("amount_eur"), pupils=Count("plan__pupil_id", distinct=True)))}
    return [
        SourceFigures(source=source, planned_eur=_money(planned.get(source, {}).get("eur")),
                      spent_eur=_money(spent.get(source, {}).get("eur")),
                      pupils=max(planned.get(source, {}).get("pupils", 0),
                                 spent.get(source, {}).get("pupils", 0)))
        for source in FundingSource.values if source in planned or source in spent
    ]


def _per_school(schools: list[Organisation], plans: QuerySet[SupportPlan],
                deliveries: QuerySet[Delivery]) -> list[SchoolFigures]:
    counts = {row["school_id"]: row for row in plans.values("school_id").annotate(
        plans=Count("pk"), pupils=Count("pupil_id", distinct=True),
        supported=Count("pupil_id", distinct=True, filter=Q(status__in=SUPPORTED)))}
    money = {row["plan__school_id"]: row for row in deliveries.values("plan__school_id").annotate(
        eur=Sum("amount_eur"), pupils=Count("plan__pupil_id", distinct=True))}
    return [
        SchoolFigures(school=s, plans=counts.get(s.pk, {}).get("plans", 0),
                      plan_pupils=counts.get(s.pk, {}).get("pupils", 0),
                      pupils_supported=counts.get(s.pk, {}).get("supported", 0),
                      spent_eur=_money(money.get(s.pk, {}).get("eur")),
                      spent_pupils=money.get(s.pk, {}).get("pupils", 0))
        for s in schools
    ]
