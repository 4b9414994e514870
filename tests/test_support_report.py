"""The support report's figures and ``manage.py support_report``.

The figures are checked against a small set of plans written here, through the real actions,
in the school year 2024/25 (the demo's own cases are in 2025/26 and later, so these are the
only plans of that year): every expected number below is counted by hand from that set.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kopiena.accounts.models import User
from kopiena.calendars.models import Semester
from kopiena.cases import actions as case_actions
from kopiena.cases.models import CaseOrigin, ConsentScope, SupportCase
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.catalogue import catalogue_for
from kopiena.plans.delivery import log_delivery
from kopiena.plans.evaluation import evaluate_plan
from kopiena.plans.models import FundingSource, PlanMeasure, PlanStatus, SupportPlan
from kopiena.plans.reports import (
    Period,
    PeriodError,
    default_period,
    parse_period,
    support_report,
)
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests.base import BaseTestCase

YEAR = Period(dt.date(2024, 9, 2), dt.date(2025, 5, 30))  # the school year 2024/25
AUTUMN = Period(dt.date(2024, 9, 2), dt.date(2024, 10, 31))
D = dt.date


@dataclass
class YearOfSupport:
    """Four pupils of Demo vidusskola in 2024/25:

    1. semester 1, psychologist 6 h at 25 EUR (ESF+); sessions of 60, 60 and 30 minutes on
       1 Oct, 8 Oct and 12 Nov; evaluated "risk reduced" on 18 Dec. Risks: absences,
       low income; reassessed on 10 June 2025 (after the year): bullying only.
    2. semester 2, transport compensation 100 EUR (municipal budget); 40 EUR paid on 14 Feb;
       then paused. Risks: absences, family conflict.
    3. semester 1, a draft (subject teacher 10 h), never sent.
    4. semester 2, approved, made inactive before anything was delivered (psychologist 4 h).
    """

    plans: list[SupportPlan]
    psychologist: PlanMeasure
    transport: PlanMeasure


def _semester(number: int) -> Semester:
    return Semester.objects.select_related("school_year").get(school_year__name="2024/25",
                                                             number=number)


def _case(pupil_school: Organisation, by: User, factors: dict[str, str]) -> SupportCase:
    pupil = F.pupil_without_case(pupil_school)
    case = case_actions.open_case(pupil=pupil, origin=CaseOrigin.FLAG, reason="Kavējumi.",
                                  opened_by=by, opened_on=D(2024, 9, 5))
    case_actions.record_consent(case=case, given_by="parent", signer_name="Anna Bērziņa",
                                scope=list(ConsentScope.values), method="in_person",
                                given_on=D(2024, 9, 6), recorded_by=by)
    case_actions.record_risk_assessment(case=case, assessed_on=D(2024, 9, 6), by=by,
                                        factors=factors)
    return case


def _plan(case: SupportCase, by: User, semester: Semester, code: str, amount: int,
          provider: User | None, source: str = FundingSource.ESF_SKOLA_KOPIENA,
          ) -> tuple[SupportPlan, PlanMeasure]:
    plan = plan_actions.create_plan(case=case, author=by, goals="Apmeklēt stundas.",
                                    semester=semester, starts_on=semester.starts_on)
    measure_type = next(m for m in catalogue_for(case.school.municipality_id) if m.code == code)
    measure = plan_actions.add_measure(
        plan=plan, by=by, measure_type=measure_type,
        risk_ids=[r.pk for r in case.assessments.get().risks.all()],
        justification="Pamatojums.", planned_amount=Decimal(amount), provider_user=provider,
        funding_source=source)
    plan.refresh_from_db()
    return plan, measure


def approve(plan: SupportPlan, author: User, director: User, coordinator: User) -> SupportPlan:
    for action, user in ((PlanAction.SUBMIT, author), (PlanAction.APPROVE, director),
                         (PlanAction.APPROVE, coordinator)):
        plan = plan_actions.change_status(plan=plan, action=action,
                                          by=User.objects.get(pk=user.pk))
    return plan


def build_year(t: BaseTestCase) -> YearOfSupport:
    support, psychologist = t.support_a, t.psychologist_a
    chain = (support, t.director_a, t.municipality_coordinator)
    first, second = _semester(1), _semester(2)

    case1 = _case(t.school_a, support, {"absences": "", "low_income": ""})
    plan1, psych = _plan(case1, support, first, "psychologist", 6, psychologist)
    plan1 = approve(plan1, *chain)
    for day, minutes in ((D(2024, 10, 1), 60), (D(2024, 10, 8), 60), (D(2024, 11, 12), 30)):
        log_delivery(measure=psych, by=support, delivered_on=day, duration_minutes=minutes,
                     mode="in_person", staff=psychologist, pupil_confirmed=True)
    evaluate_plan(plan=plan1, by=support, outcome="risk_reduced", summary="Labi.",
                  evaluated_on=D(2024, 12, 18))
    case_actions.record_risk_assessment(case=case1, assessed_on=D(2025, 6, 10), by=support,
                                        factors={"bullying": ""})

    case2 = _case(t.school_a, support, {"absences": "", "family_conflict": ""})
    plan2, transport = _plan(case2, support, second, "transport", 100, None,
                             FundingSource.MUNICIPALITY)
    plan2 = approve(plan2, *chain)
    log_delivery(measure=transport, by=support, delivered_on=D(2025, 2, 14),
                 amount_eur=Decimal(40), document_number="MU-2025/0001")
    plan2 = plan_actions.change_status(plan=plan2, action=PlanAction.PAUSE, by=support,
                                       comment="Slimnīcā.")

    case3 = _case(t.school_a, support, {"low_achievement": ""})
    plan3, _m3 = _plan(case3, support, first, "subject_teacher", 10, support)

    case4 = _case(t.school_a, support, {"low_motivation": ""})
    plan4, _m4 = _plan(case4, support, second, "psychologist", 4, psychologist)
    plan4 = approve(plan4, *chain)
    plan4 = plan_actions.change_status(plan=plan4, action=PlanAction.DEACTIVATE, by=support,
                                       comment="Nav vajadzīgs.")
    return YearOfSupport(plans=[plan1, plan2, plan3, plan4], psychologist=psych,
                         transport=transport)


def statuses(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in PlanStatus.values}


class SupportReportFigureTests(BaseTestCase):
    def setUp(self) -> None:
        self.year = build_year(self)

    def test_the_plans_of_the_set_are_where_the_figures_assume(self) -> None:
        assert [p.status for p in SupportPlan.objects.filter(
            pk__in=[p.pk for p in self.year.plans]).order_by("pk")] == [
            "completed", "paused", "draft", "inactive"]
        assert self.year.psychologist.unit_cost_eur == Decimal("25.00")  # demo figure

    def test_school_figures_for_the_school_year(self) -> None:
        report = support_report(period=YEAR, school=self.school_a)
        assert report.plans_by_status == statuses(completed=1, paused=1, draft=1, inactive=1)
        assert report.plans_total == 4
        assert report.plan_pupils == 4
        assert report.pupils_supported == 2
        assert report.risk_groups == {"learning": 2, "economic": 1, "family": 1,
                                      "social_health": 0}
        by_code = {m.code: m for m in report.measures}
        assert set(by_code) == {"psychologist", "transport"}  # the draft's measure is no plan
        psych, transport = by_code["psychologist"], by_code["transport"]
        assert (psych.plans, psych.planned_amount, psych.delivered_amount) == (
            1, Decimal("6.00"), Decimal("2.50"))
        assert (psych.planned_eur, psych.spent_eur, psych.deliveries) == (
            Decimal("150.00"), Decimal("62.50"), 3)
        assert (transport.plans, transport.planned_amount, transport.delivered_amount) == (
            1, Decimal("100.00"), Decimal("40.00"))
        assert (transport.planned_eur, transport.spent_eur) == (Decimal("100.00"),
                                                                Decimal("40.00"))
        assert report.planned_eur == Decimal("250.00")
        assert report.spent_eur == Decimal("102.50")
        assert report.spent_by_source == {"esf_skola_kopiena": Decimal("62.50"),
                                          "municipality": Decimal("40.00")}
        assert report.outcomes == {"risk_reduced": 1, "support_continues": 0,
                                   "moved_school": 0, "left_education": 0,
                                   "completed_education": 0}
        assert report.schools == []

    def test_a_shorter_period_takes_its_semester_and_its_deliveries(self) -> None:
        report = support_report(period=AUTUMN, school=self.school_a)
        # Semester 2 does not overlap September-October: plans 2 and 4 are out.
        assert report.plans_by_status == statuses(completed=1, draft=1)
        assert report.pupils_supported == 1
        psych = report.measures[0]
        # Planned: the whole plan; delivered: the two sessions of October only.
        assert (psych.code, psych.planned_amount, psych.delivered_amount, psych.spent_eur) == (
            "psychologist", Decimal("6.00"), Decimal("2.00"), Decimal("50.00"))
        assert report.spent_eur == Decimal("50.00")
        assert report.outcomes["risk_reduced"] == 0  # evaluated in December

    def test_risk_groups_follow_the_latest_assessment_up_to_the_end_of_the_period(self) -> None:
        summer = Period(YEAR.starts_on, D(2025, 6, 30))
        report = support_report(period=summer, school=self.school_a)
        # Pupil 1 was reassessed on 10 June: bullying only.
        assert report.risk_groups == {"learning": 1, "economic": 0, "family": 1,
                                      "social_health": 1}

    def test_municipality_report_covers_every_school_one_by_one(self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None
        report = support_report(period=YEAR, municipality=municipality)
        assert report.plans_total == 4 and report.pupils_supported == 2
        rows = {s.school.registration_code: s for s in report.schools}
        assert set(rows) == {"4311900001", "4311900002", "4311900003", "4311900004"}
        a = rows["4311900001"]
        assert (a.plans, a.pupils_supported, a.spent_eur) == (4, 2, Decimal("102.50"))
        assert all((s.plans, s.spent_eur) == (0, Decimal(0))
                   for code, s in rows.items() if code != "4311900001")

    def test_a_few_aggregate_queries_however_many_plans(self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None
        busy = Period(dt.date(2025, 9, 1), dt.date(2026, 12, 31))  # the demo's cases
        assert SupportPlan.objects.filter(school__parent=municipality, starts_on__gte=busy.starts_on
                                          ).count() > 20
        with CaptureQueriesContext(connection) as queries:
            support_report(period=busy, municipality=municipality)
        assert len(queries) <= 15

    def test_another_school_has_none_of_these_figures(self) -> None:
        report = support_report(period=YEAR, school=self.school_b)
        assert report.plans_total == 0 and report.spent_eur == 0 and report.measures == []


class SupportReportCommandTests(BaseTestCase):
    def setUp(self) -> None:
        build_year(self)

    def _run(self, *args: str) -> str:
        out = io.StringIO()
        with translation.override("lv"):
            call_command("support_report", *args, stdout=out)
        return out.getvalue()

    def test_json_has_the_keys_and_the_figures(self) -> None:
        data = json.loads(self._run("--school", "4311900001", "--period",
                                    "2024-09-02:2025-05-30", "--json"))
        assert {"plans_by_status", "pupils_supported", "risk_groups", "measures", "spent_eur",
                "outcomes", "spent_by_source", "school", "municipality", "period"} <= set(data)
        assert data["school"] == {"code": "4311900001", "name": "Demo vidusskola"}
        assert data["municipality"]["name"] == "Demo novads"
        assert data["period"] == {"from": "2024-09-02", "to": "2025-05-30"}
        assert data["plans_by_status"] == statuses(completed=1, paused=1, draft=1, inactive=1)
        assert data["pupils_supported"] == 2
        assert data["risk_groups"] == {"learning": 2, "economic": 1, "family": 1,
                                       "social_health": 0}
        assert data["measures"]["psychologist"]["planned_amount"] == 6
        assert data["measures"]["psychologist"]["delivered_amount"] == 2.5
        assert data["measures"]["transport"]["spent_eur"] == 40
        assert data["spent_eur"] == 102.5
        assert data["spent_by_source"] == {"esf_skola_kopiena": 62.5, "municipality": 40}
        assert data["outcomes"]["risk_reduced"] == 1

    def test_municipality_by_name_in_any_case(self) -> None:
        data = json.loads(self._run("--municipality", "demo NOVADS", "--period",
                                    "2024-09-02:2025-05-30", "--json"))
        assert data["school"] is None and data["municipality"]["name"] == "Demo novads"
        assert data["plans_by_status"]["completed"] == 1
        assert [s["plans"] for s in data["schools"] if s["code"] == "4311900001"] == [4]

    def test_the_table_shows_the_same_figures(self) -> None:
        text = self._run("--school", "4311900001", "--period", "2024-09-02:2025-05-30")
        lines = [line.split() for line in text.splitlines()]
        assert ["Psihologa", "konsultācijas", "st.", "1", "6", "2,50", "42", "150",
                "62,50"] in lines

    def test_clear_errors(self) -> None:
        with pytest.raises(CommandError, match="4399999999"):
            self._run("--school", "4399999999", "--json")
        with pytest.raises(CommandError, match="Nekāds novads"):
            self._run("--municipality", "Nekāds novads", "--json")
        for bad in ("2025-13-01:2025-12-31", "2025-09-01", "2025-12-31:2025-09-01"):
            with pytest.raises(CommandError):
                self._run("--school", "4311900001", "--period", bad)
        with pytest.raises(CommandError):
            self._run("--school", "4311900001", "--municipality", "Demo novads")

    def test_default_period_is_the_current_semester(self) -> None:
        data = json.loads(self._run("--school", "4311900001", "--json"))
        period = default_period(timezone.localdate())
        assert data["period"] == {"from": period.starts_on.isoformat(),
                                  "to": period.ends_on.isoformat()}


def test_periods_are_read_strictly() -> None:
    assert parse_period(" 2025-09-01:2025-12-19 ") == Period(D(2025, 9, 1), D(2025, 12, 19))
    assert parse_period("2025-09-01:2025-09-01").key == "2025-09-01:2025-09-01"
    for bad in ("", "2025-09-01", "2025-09-01/2025-12-19", "01.09.2025:19.12.2025",
                "2025-12-19:2025-09-01"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_paired_bars_scale_each_row_to_itself_and_name_the_figures() -> None:
    from xml.etree import ElementTree

    from kopiena.core.charts import PairedRow, paired_bars

    chart = paired_bars(title="Pasākumi", description="d", labels=("plānots", "sniegts"), rows=[
        PairedRow("Psihologs", 6, 3, "6 h", "3 h"),
        PairedRow("Transports", 100, 120, "100 EUR", "120 EUR")])
    root = ElementTree.fromstring(chart.svg)  # noqa: S314 - our own markup
    widths = [float(r.get("width", "0")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths == [490.0, 245.0, round(490 * 100 / 120, 1), 490.0]  # 640 - 150 for texts
    assert "sniegts: 120 EUR" in chart.svg
    assert chart.rows == [["Psihologs", "6 h", "3 h"], ["Transports", "100 EUR", "120 EUR"]]
