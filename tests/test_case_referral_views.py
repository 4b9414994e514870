"""Referrals through the web: the school refers (with consent or grounds in law), the
agency accepts or declines, the school revokes; the child-rights cooperation group is
reached through the municipality coordinator."""

from __future__ import annotations

from kopiena.cases.models import Referral, ReferralStatus
from kopiena.inbox.models import Notification, NotificationKind
from kopiena.organisations.models import OrganisationKind
from tests import case_factories as F
from tests.case_web import CaseViewTestCase, case_url


class ReferralTests(CaseViewTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.client_a = self.client_for(self.support_a)

    def test_refer_accept_and_revoke_through_the_web(self) -> None:
        agency = self.social_service()
        response = self.client_a.post(case_url(self.case, "referrals/new/"), {
            "agency": str(agency.pk), "legal_basis": "consent", "basis_note": "",
            "request": "Lūdzam apmeklēt ģimeni.", "shared_parts": ["risks"]})
        assert response.status_code == 302
        referral = Referral.objects.get(case=self.case)
        assert referral.shared_parts == ["risks", "summary"]
        assert Notification.objects.filter(user=self.social_worker,
                                           kind=NotificationKind.REFERRAL_RECEIVED).exists()
        social = self.client_for(self.social_worker)
        listing = social.get("/cases/")
        assert referral.pk in [r.pk for r in listing.context["referrals"]]
        assert listing.context["referrals"][0].status == ReferralStatus.PENDING  # first
        accepted = social.post(case_url(self.case, f"referrals/{referral.pk}/answer/"),
                               {"decision": "accept", "answer": ""})
        assert accepted.status_code == 302
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.ACCEPTED
        revoked = self.client_a.post(case_url(self.case, f"referrals/{referral.pk}/revoke/"),
                                     {"reason": "Situācija atrisināta."})
        assert revoked.status_code == 302
        assert social.get(case_url(self.case)).status_code == 404
        assert referral.pk not in [r.pk for r in social.get("/cases/").context["referrals"]]

    def test_without_consent_the_grounds_are_required(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a, consent=False)
        url = case_url(case, "referrals/new/")
        data = {"agency": str(self.social_service().pk), "request": "Lūdzam palīdzību.",
                "shared_parts": ["risks"]}
        by_consent = self.client_a.post(url, {**data, "legal_basis": "consent"})
        assert by_consent.context["form"].errors["legal_basis"]
        no_grounds = self.client_a.post(url, {**data, "legal_basis": "reg_89"})
        assert no_grounds.context["form"].errors["basis_note"]
        assert not Referral.objects.filter(case=case).exists()
        grounded = self.client_a.post(url, {**data, "legal_basis": "reg_89",
                                            "basis_note": "25 neattaisnotas stundas."})
        assert grounded.status_code == 302

    def test_declining_needs_an_answer_and_ends_the_agencys_access(self) -> None:
        referral = self.refer_to_social_service(self.case)
        social = self.client_for(self.social_worker)
        url = case_url(self.case, f"referrals/{referral.pk}/answer/")
        silent = social.post(url, {"decision": "decline", "answer": ""})
        assert silent.status_code == 200
        assert silent.context["form"].errors["answer"]
        declined = social.post(url, {"decision": "decline",
                                     "answer": "Ģimene jau ir mūsu uzskaitē citā lietā."})
        assert declined.status_code == 302 and declined["Location"] == "/cases/"
        assert social.get(case_url(self.case)).status_code == 404
        assert Notification.objects.filter(user=self.support_a,
                                           kind=NotificationKind.REFERRAL_ANSWERED).exists()

    def test_the_cooperation_group_is_reached_through_the_municipality_coordinator(
            self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None and municipality.kind == OrganisationKind.MUNICIPALITY
        response = self.client_a.post(case_url(self.case, "referrals/new/"), {
            "agency": str(municipality.pk), "legal_basis": "reg_545",
            "basis_note": "Nepieciešama ātra starpinstitūciju rīcība.",
            "request": "Lūdzam izskatīt sadarbības grupā.", "shared_parts": ["risks"]})
        assert response.status_code == 302
        referral = Referral.objects.get(case=self.case)
        assert referral.to_cooperation_group
        coordinator = self.client_for(self.municipality_coordinator)
        assert Notification.objects.filter(user=self.municipality_coordinator,
                                           kind=NotificationKind.REFERRAL_RECEIVED).exists()
        assert referral.pk in [r.pk for r in coordinator.get("/cases/").context["referrals"]]
        page = coordinator.get(case_url(self.case))
        assert page.status_code == 200 and page.context["access"].referral == referral
        assert coordinator.get(case_url(self.case), {"tab": "timeline"}).status_code == 404
