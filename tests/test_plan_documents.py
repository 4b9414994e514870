"""The printable documents: the plan for signing and the consultation log form (Latvian,
1–2 pages, logged as exports, sensitive notes only for readers who may see them)."""

from __future__ import annotations

import contextlib
import re
import zlib

from kopiena.access.models import AccessLogEntry
from kopiena.core.pdf import render_document_html
from kopiena.plans import presentation as show
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests import plan_steps as S
from tests.base import BaseTestCase
from tests.pdf import requires_pdf_engine


def _pages(pdf: bytes) -> int:
    """Pages of a PDF whose objects may sit in compressed object streams."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        with contextlib.suppress(zlib.error):
            text += zlib.decompress(stream)
    return len(re.findall(rb"/Type\s*/Page\b", text))


@requires_pdf_engine
class PlanDocumentTests(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.plan = S.in_implementation(self.case, self.support_a, self.director_a,
                                        self.municipality_coordinator)
        S.session(self.plan, self.support_a, mode="remote", confirmed=False)
        S.session(self.plan, self.support_a)

    def test_plan_for_signing(self) -> None:
        response = S.english(self.support_a).get(f"/plans/{self.plan.pk}/plan.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert self.plan.code in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF")
        assert 1 <= _pages(response.content) <= 2
        entry = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).latest("pk")
        assert list(entry.pupils.values_list("pupil_id", flat=True)) == [self.pupil.pk]
        notes = [note for group in response.context["risk_groups"] for _r, note in group.risks]
        assert "Šķiršanās." in notes  # the support coordinator may read family notes

    def test_sensitive_notes_are_left_off_for_a_reader_who_may_not_see_them(self) -> None:
        response = S.english(self.teacher_a).get(f"/plans/{self.plan.pk}/plan.pdf")
        assert response.status_code == 200
        notes = [note for group in response.context["risk_groups"] for _r, note in group.risks]
        assert "Šķiršanās." not in notes
        assert "Kavē pirmdienās." in notes  # a learning risk's note is not sensitive
        factors = [r.factor for group in response.context["risk_groups"] for r, _n in group.risks]
        assert "family_conflict" in factors  # the risk itself is part of the plan

    def test_consultation_log_form(self) -> None:
        response = S.english(self.support_a).get(f"/plans/{self.plan.pk}/consultations.pdf")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert 1 <= _pages(response.content) <= 2
        assert len(response.context["sessions"]) == 2
        assert len(response.context["blank_rows"]) >= 4
        assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT,
                                             path=f"/plans/{self.plan.pk}/consultations.pdf",
                                             ).exists()


class DocumentTextTests(BaseTestCase):
    """The documents' HTML (no PDF engine needed): what is printed, and in Latvian."""

    def test_plan_document_names_everything_to_sign(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        plan = S.step(F.draft_plan(case, self.support_a), PlanAction.SUBMIT, self.support_a)
        _plan, access = S.plan_access_for(self.support_a, plan)
        html = render_document_html("plans/documents/plan.html", {
            "plan": plan, "pupil": plan.pupil, "school": plan.school, "class_label": "7.a",
            "semester": show.semester_label(plan), "case_manager": case.case_manager.full_name,
            "directors": [self.director_a.full_name], "printed_on": plan.starts_on,
            "rows": show.measure_rows(plan),
            "risk_groups": show.risks_by_group(show.plan_risks(case, plan), access.case)})
        assert '<html lang="lv">' in html
        for expected in (plan.code, plan.pupil.full_name, "7.a", case.case_manager.full_name,
                         "Motivācijas sarunas.", "Reizi nedēļā", self.director_a.full_name,
                         plan.goals):
            assert expected in html, expected
