"""The support report screen and its XLSX and CSV exports: who sees which report, figures
about fewer than 5 pupils hidden from readers without pupil-level access, the same figures in
the files, the access log."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from kopiena.access.models import AccessLogEntry
from kopiena.calendars.models import Semester
from kopiena.plans.catalogue import save_municipality_measure
from kopiena.plans.models import PlanStatus, SupportPlan
from kopiena.plans.reports import SUPPORTED
from tests import people as P
from tests.base import BaseTestCase
from tests.test_support_report import YEAR, build_year

URL = "/plans/reports/"
YEAR_QUERY = {"starts_on": "2024-09-02", "ends_on": "2025-05-30"}
# Plans by status, in the order of PlanStatus, of the set of tests.test_support_report.
YEAR_STATUSES = [1, 0, 0, 0, 1, 0, 1, 1]
PSYCHOLOGIST_ROW = ["Psihologa konsultācijas", "st.", "1", "6", "2,50", "42", "150", "62,50"]
PSYCHOLOGIST_HIDDEN = ["Psihologa konsultācijas", "st.", "<5", "–", "–", "–", "–", "–"]

SEES_REPORTS = {P.DIRECTOR_A, P.SUPPORT_A, P.PSYCHOLOGIST_A, P.SUPPORT_B, P.MUNICIPALITY,
                P.PROJECT, P.NATIONAL}


def _table(response: Any, key: str) -> list[list[str]]:
    for table, rows, _foot in response.context["tables"]:
        if table.key == key:
            return list(rows)
    raise KeyError(key)


class ReportAccessTests(BaseTestCase):
    def test_who_has_a_report_and_which(self) -> None:
        municipality = self.school_a.parent
        for email in P.ALL_PERSONAS:
            response = self.client_for(P.user(email)).get(URL)
            assert response.status_code == (200 if email in SEES_REPORTS else 404), email
        expected = {P.SUPPORT_A: (self.school_a, None), P.DIRECTOR_A: (self.school_a, None),
                    P.SUPPORT_B: (self.school_b, None), P.MUNICIPALITY: (None, municipality),
                    P.PROJECT: (None, municipality), P.NATIONAL: (None, municipality)}
        for email, (school, place) in expected.items():
            report = self.client_for(P.user(email)).get(URL).context["report"]
            assert (report.school, report.municipality) == (school, place), email

    def test_the_navigation_links_the_report_for_those_who_have_one(self) -> None:
        for email in P.ALL_PERSONAS:
            page = self.client_for(P.user(email)).get("/").content.decode()
            assert (f'href="{URL}"' in page) == (email in SEES_REPORTS), email

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        for url in (URL, URL + "export.xlsx", URL + "export.csv"):
            response = Client().get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")

    def test_a_school_or_municipality_outside_the_scope_answers_404(self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None
        other = self.other_municipality_school
        cases = [
            (self.support_a, f"s{self.school_b.pk}", 404), (self.support_a, f"m{municipality.pk}", 404),
            (self.support_a, f"s{self.school_a.pk}", 200),
            (self.director_a, f"s{other.pk}", 404),
            (self.municipality_coordinator, f"s{self.school_a.pk}", 200),
            (self.municipality_coordinator, f"s{other.pk}", 404),
            (self.municipality_coordinator, f"m{other.parent_id}", 404),
            (self.project_manager, f"s{self.school_b.pk}", 200),
            (self.national_analyst, f"m{other.parent_id}", 200),
            (self.national_analyst, f"s{other.pk}", 200),
            (self.support_a, "x1", 404), (self.support_a, "s", 404),
        ]
        for user, scope, status in cases:
            for url in (URL, URL + "export.csv", URL + "export.xlsx"):
                response = self.client_for(user).get(url, {"scope": scope, **YEAR_QUERY})
                assert response.status_code == status, (user.email, scope, url)

    def test_exports_refuse_those_without_a_report(self) -> None:
        for user in (self.teacher_a, self.social_worker, self.mobility_coordinator, self.admin):
            for url in (URL + "export.csv", URL + "export.xlsx"):
                assert self.client_for(user).get(url).status_code == 404


class ReportScreenTests(BaseTestCase):
    def setUp(self) -> None:
        build_year(self)

    def _get(self, user: Any, **params: str) -> Any:
        response = self.client_for(user).get(URL, params)
        assert response.status_code == 200
        return response

    def test_the_support_team_sees_every_figure_of_its_school(self) -> None:
        response = self._get(self.support_a, scope=f"s{self.school_a.pk}", **YEAR_QUERY)
        assert response.context["report"].period == YEAR
        assert [row[1] for row in _table(response, "plans_by_status")] == [
            str(n) for n in YEAR_STATUSES]
        assert PSYCHOLOGIST_ROW in _table(response, "measures")
        assert [row[1] for row in _table(response, "risk_groups")] == ["2", "1", "1", "0"]
        assert not response.context["hidden"]
        chart = response.context["chart"]
        assert chart is not None and "<svg" in chart.svg
        assert [row[0] for row in chart.rows] == ["Psihologa konsultācijas",
                                                  "Starppilsētu transporta izdevumu kompensācija"]
        assert "&lt;5" not in response.content.decode()

    def test_the_municipality_sees_small_groups_hidden(self) -> None:
        response = self._get(self.municipality_coordinator, scope=f"s{self.school_a.pk}",
                             **YEAR_QUERY)
        assert [row[1] for row in _table(response, "plans_by_status")] == [
            "<5", "0", "0", "0", "<5", "0", "<5", "<5"]
        assert PSYCHOLOGIST_HIDDEN in _table(response, "measures")
        summary = {row[0]: row[1] for row in _table(response, "summary")}
        assert "<5" in summary.values() and "–" in summary.values()
        assert response.context["hidden"]
        assert response.context["chart"] is None  # every row is about fewer than 5 pupils
        municipality = self._get(self.municipality_coordinator,
                                 scope=f"m{self.school_a.parent_id}", **YEAR_QUERY)
        rows = {row[0]: row[1:] for row in _table(municipality, "schools")}
        assert rows["Demo vidusskola"] == ["<5", "<5", "–"]
        assert rows["Demo mūzikas skola"] == ["0", "0", "0"]  # zero says nothing about anyone

    def test_groups_of_five_or_more_are_shown_to_the_municipality(self) -> None:
        demo = self.school_a.parent
        response = self._get(self.municipality_coordinator, scope=f"m{demo.pk}" if demo else "",
                             starts_on="2025-09-01", ends_on="2026-05-31")
        plans = SupportPlan.objects.filter(school__parent=demo, school_year__name="2025/26")
        pupils = plans.filter(status__in=SUPPORTED).values("pupil_id").distinct().count()
        assert plans.count() >= 5 and pupils >= 5  # the demo's previous school year
        summary = [row[1] for row in _table(response, "summary")]
        assert str(plans.count()) in summary and str(pupils) in summary

    def test_a_semester_can_be_chosen(self) -> None:
        first = Semester.objects.get(school_year__name="2024/25", number=1)
        response = self._get(self.support_a, scope=f"s{self.school_a.pk}",
                             semester=str(first.pk))
        report = response.context["report"]
        assert (report.period.starts_on, report.period.ends_on) == (first.starts_on,
                                                                    first.ends_on)
        assert report.plans_by_status[PlanStatus.COMPLETED] == 1
        assert report.plans_by_status[PlanStatus.PAUSED] == 0  # a semester-2 plan

    def test_a_wrong_period_is_explained_and_no_report_made(self) -> None:
        for params in ({"starts_on": "2025-05-30"}, {"starts_on": "2025-05-30",
                                                     "ends_on": "2024-09-02"},
                       {"semester": ""}):
            response = self._get(self.support_a, scope=f"s{self.school_a.pk}", **params)
            assert response.context["report"] is None
            assert response.context["form"].errors, params


class ReportExportTests(BaseTestCase):
    def setUp(self) -> None:
        build_year(self)

    def _export(self, user: Any, kind: str) -> Any:
        response = self.client_for(user).get(f"{URL}export.{kind}",
                                              {"scope": f"s{self.school_a.pk}", **YEAR_QUERY})
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="atbalsta-parskats-demo-vidusskola-20240902-20250530.{kind}"')
        return response

    def _sheets(self, user: Any) -> dict[str, list[list[Any]]]:
        book = load_workbook(io.BytesIO(self._export(user, "xlsx").content))
        return {name: [list(r) for r in book[name].iter_rows(values_only=True)]
                for name in book.sheetnames}

    def test_xlsx_holds_the_figures_as_numbers(self) -> None:
        sheets = list(self._sheets(self.support_a).values())
        assert len(sheets) == 6  # summary, statuses, risks, measures, money, outcomes
        statuses = sheets[1]
        assert statuses[0][1:3] == ["Demo vidusskola", "02.09.2024–30.05.2025"]
        assert [row[1] for row in statuses[3:11]] == YEAR_STATUSES
        measures = {row[0]: row[1:] for row in sheets[3][3:]}
        assert measures["Psihologa konsultācijas"] == ["st.", 1, 6, 2.5, 42, 150, 62.5]
        money = {row[0]: row[1:] for row in sheets[4][3:]}
        assert sorted(money.values()) == [[100, 40], [150, 62.5]]

    def test_xlsx_hides_small_groups_for_the_municipality(self) -> None:
        sheets = list(self._sheets(self.municipality_coordinator).values())
        assert [row[1] for row in sheets[1][3:11]] == ["<5", 0, 0, 0, "<5", 0, "<5", "<5"]
        measures = {row[0]: row[1:] for row in sheets[3][3:]}
        assert measures["Psihologa konsultācijas"] == ["st.", "<5", "–", "–", "–", "–", "–"]

    def _csv_rows(self, user: Any) -> list[list[str]]:
        text = self._export(user, "csv").content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))

    def test_csv_has_the_same_figures(self) -> None:
        rows = self._csv_rows(self.support_a)
        assert rows[0][1:] == ["Demo vidusskola", "02.09.2024–30.05.2025"]
        assert PSYCHOLOGIST_ROW in rows
        with translation.override("lv"):
            title, first_status = gettext("Plans by status"), str(PlanStatus.DRAFT.label)
        start = rows.index([title]) + 2
        assert rows[start][0] == first_status
        assert [int(row[1]) for row in rows[start:start + 8]] == YEAR_STATUSES
        assert rows[start + 8][1] == "4"  # all plans

    def test_csv_hides_small_groups_for_the_municipality(self) -> None:
        rows = self._csv_rows(self.municipality_coordinator)
        assert PSYCHOLOGIST_HIDDEN in rows
        assert PSYCHOLOGIST_ROW not in rows

    def test_a_name_never_becomes_a_formula(self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None
        save_municipality_measure(municipality=municipality, code="psychologist",
                                  by=self.municipality_coordinator, name_lv="=1+1",
                                  name_en="=1+1", unit_cost_eur=Decimal(25), is_active=True)
        assert ["'=1+1", *PSYCHOLOGIST_ROW[1:]] in self._csv_rows(self.support_a)
        book = load_workbook(io.BytesIO(self._export(self.support_a, "xlsx").content))
        cells = [row[0] for row in book.worksheets[3].iter_rows() if row[0].value == "=1+1"]
        assert len(cells) == 1 and cells[0].data_type == "s"

    def test_every_export_is_logged_without_pupils(self) -> None:
        before = AccessLogEntry.objects.filter(user=self.support_a,
                                               action=AccessLogEntry.Action.EXPORT).count()
        self._export(self.support_a, "csv")
        self._export(self.support_a, "xlsx")
        entries = AccessLogEntry.objects.filter(user=self.support_a,
                                                action=AccessLogEntry.Action.EXPORT)
        assert entries.count() == before + 2
        latest = entries.order_by("-pk").first()
        assert latest is not None and latest.pupil_count == 0
        assert "Demo vidusskola" in latest.query and "2024-09-02:2025-05-30" in latest.query
        # Showing the report on the screen is no export.
        self.client_for(self.support_a).get(URL, {"scope": f"s{self.school_a.pk}"})
        assert entries.count() == before + 2

