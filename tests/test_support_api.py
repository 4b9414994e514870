"""The JSON API of support cases and plans follows the same access rules as the pages."""

from __future__ import annotations

from kopiena.access.models import AccessLogEntry
from kopiena.cases import actions as case_actions
from tests import case_factories as F
from tests.base import BaseTestCase


class SupportApiTests(BaseTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.plan = F.draft_plan(self.case, self.support_a)

    def test_case_list_is_scoped_and_logged(self) -> None:
        response = self.client_for(self.support_a).get("/api/cases", {"status": "open"})
        assert response.status_code == 200
        ids = {item["id"] for item in response.json()["items"]}
        assert self.case.pk in ids
        item = next(i for i in response.json()["items"] if i["id"] == self.case.pk)
        assert item["plans"][0]["code"] == self.plan.code
        entry = AccessLogEntry.objects.filter(user=self.support_a, action="api").latest("pk")
        assert entry.pupil_count >= 1
        other = self.client_for(self.support_b).get("/api/cases").json()["items"]
        assert self.case.pk not in {i["id"] for i in other}

    def test_plan_with_progress(self) -> None:
        data = self.client_for(self.support_a).get(f"/api/plans/{self.plan.pk}").json()
        assert data["code"] == self.plan.code
        assert data["measures"][0]["measure"] == "psychologist"
        assert data["measures"][0]["risks"] == ["absences"]
        assert data["measures"][0]["planned"] == "6.00"

    def test_plan_hidden_from_others_and_from_a_partner_without_the_plan_part(self) -> None:
        for user in (self.support_b, self.teacher_b, self.municipality_coordinator,
                     self.social_worker):
            assert self.client_for(user).get(f"/api/plans/{self.plan.pk}").status_code == 404
        agency = self.social_worker.memberships.get().organisation
        case_actions.refer_case(case=self.case, agency=agency, legal_basis="consent",
                                request="Ģimenes atbalsts", shared_parts=["summary"],
                                by=self.support_a)
        social = self.client_for(self.social_worker)
        assert social.get(f"/api/plans/{self.plan.pk}").status_code == 404
        listed = {i["id"]: i for i in social.get("/api/cases").json()["items"]}
        assert listed[self.case.pk]["plans"] == []
        assert all(c.pk in listed for c in self.case.__class__.objects.filter(
            referrals__agency=agency, referrals__status__in=["pending", "accepted"]))

    def test_the_municipality_lists_only_plans_that_reached_its_step(self) -> None:
        from kopiena.plans import actions as plan_actions
        from kopiena.plans.workflow import PlanAction

        plan = plan_actions.change_status(plan=self.plan, action=PlanAction.SUBMIT,
                                          by=self.support_a)
        coordinator = self.client_for(self.municipality_coordinator)
        ids = {i["id"] for i in coordinator.get("/api/cases").json()["items"]}
        assert self.case.pk not in ids  # still at the director's step
        plan_actions.change_status(plan=plan, action=PlanAction.APPROVE, by=self.director_a)
        listed = {i["id"]: i for i in coordinator.get("/api/cases").json()["items"]}
        assert [p["code"] for p in listed[self.case.pk]["plans"]] == [plan.code]
        assert coordinator.get(f"/api/plans/{plan.pk}").status_code == 200
