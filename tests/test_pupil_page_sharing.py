"""A partner agency sees on the pupil page only what a referral shares with it."""

from __future__ import annotations

from kopiena.cases import actions as case_actions
from tests import case_factories as F
from tests.base import BaseTestCase


class PupilPageSharingTests(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.agency = self.social_worker.memberships.get().organisation

    def _refer(self, parts: list[str]) -> None:
        case_actions.refer_case(case=self.case, agency=self.agency, legal_basis="consent",
                                request="Ģimenes atbalsts", shared_parts=parts,
                                by=self.support_a)

    def test_without_the_indicators_part_the_record_is_hidden(self) -> None:
        self._refer(["summary"])
        response = self.client_for(self.social_worker).get(f"/pupils/{self.pupil.pk}/")
        assert response.status_code == 200
        assert 'id="attendance-heading"' not in response.content.decode()
        assert response.context["support"] is None

    def test_with_the_indicators_part_the_record_is_shown(self) -> None:
        self._refer(["summary", "indicators"])
        response = self.client_for(self.social_worker).get(f"/pupils/{self.pupil.pk}/")
        assert 'id="attendance-heading"' in response.content.decode()

    def test_school_staff_always_see_the_record(self) -> None:
        response = self.client_for(self.support_a).get(f"/pupils/{self.pupil.pk}/")
        assert 'id="attendance-heading"' in response.content.decode()
