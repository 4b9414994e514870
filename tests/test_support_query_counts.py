"""The support lists do not query once per row: more cases, plans or approvals cost no
more queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopiena.plans import actions as plan_actions
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests.base import BaseTestCase


class SupportQueryCountTests(BaseTestCase):
    def _count(self, url: str) -> int:
        client = self.client_for(self.support_a)
        client.get(url)  # warm caches that are per process, not per row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    def test_case_list_and_api(self) -> None:
        before = (self._count("/cases/"), self._count("/api/cases"))
        for _ in range(3):
            case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
            F.draft_plan(case, self.support_a)
        after = (self._count("/cases/"), self._count("/api/cases"))
        assert after[0] == before[0]
        assert after[1] == before[1]

    def test_plan_page_does_not_grow_with_deliveries(self) -> None:
        from kopiena.plans.delivery import log_delivery

        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        plan = F.approved_plan(case, self.support_a, self.director_a,
                               self.municipality_coordinator)
        measure = plan.measures.get()
        log_delivery(measure=measure, by=self.support_a, delivered_on=F.a_school_day_in(plan),
                     duration_minutes=45, mode="remote", staff=self.psychologist_a)
        one = self._count(f"/plans/{plan.pk}/")
        for _ in range(4):
            log_delivery(measure=measure, by=self.support_a,
                         delivered_on=F.a_school_day_in(plan), duration_minutes=30,
                         mode="in_person", staff=self.psychologist_a, pupil_confirmed=True)
        assert self._count(f"/plans/{plan.pk}/") == one

    def test_approvals_list(self) -> None:
        client_count = self._count_for_director()
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        plan = F.draft_plan(case, self.support_a)
        plan_actions.change_status(plan=plan, action=PlanAction.SUBMIT, by=self.support_a)
        assert self._count_for_director() <= client_count + 1

    def _count_for_director(self) -> int:
        client = self.client_for(self.director_a)
        client.get("/plans/approvals/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/plans/approvals/")
        return len(queries.captured_queries)
