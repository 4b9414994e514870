"""Who sees which part of a support case, through the web: partner agencies see the shared
parts of a referred case until revocation or the withdrawal of consent; the municipality
sees the summary, the risks and the plans; a class teacher refers only their own pupils;
another school sees nothing."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from kopiena.accounts.models import Membership
from kopiena.cases import actions
from kopiena.cases.models import Consent, Referral, ReferralStatus, SupportCase
from kopiena.plans import actions as plan_actions
from kopiena.plans.workflow import PlanAction
from kopiena.pupils.models import Pupil
from tests import case_factories as F
from tests.base import BaseTestCase

ALL_TABS = ("overview", "timeline", "team", "consent", "risks", "family", "referrals")


class CaseAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a)
        self.case = F.open_case(self.pupil, self.support_a)
        actions.record_family_contact(case=self.case, contacted_on=timezone.localdate(),
                                      kind="home_visit", summary="Mājās nav elektrības.",
                                      by=self.support_a, with_whom="Vecmāmiņa")
        actions.add_note(case=self.case, text="Iekšēja piezīme komandai.", by=self.support_a)
        self.plan = F.draft_plan(self.case, self.support_a)

    def refer(self, parts: list[str], legal_basis: str = "consent",
              basis_note: str = "") -> Referral:
        agency = Membership.objects.get(user=self.social_worker).organisation
        return actions.refer_case(case=self.case, agency=agency, legal_basis=legal_basis,
                                  request="Lūdzam atbalstu ģimenei.", shared_parts=parts,
                                  by=self.support_a, basis_note=basis_note)

    def tab_statuses(self, client: Client) -> dict[str, int]:
        return {tab: client.get(f"/cases/{self.case.pk}/", {"tab": tab}).status_code
                for tab in ALL_TABS}

    def visible_tabs(self, client: Client) -> set[str]:
        return {tab for tab, status in self.tab_statuses(client).items() if status == 200}


class PartnerAgencyTests(CaseAccessTestCase):
    def test_social_worker_sees_only_the_shared_parts(self) -> None:
        referral = self.refer(["risks"])
        social = self.client_for(self.social_worker)
        assert self.visible_tabs(social) == {"overview", "risks"}
        page = social.get(f"/cases/{self.case.pk}/")
        html = page.content.decode()
        assert page.context["access"].referral == referral
        assert self.case.reason in html  # the summary is always shared
        assert self.plan.code not in html  # the plan is not shared
        assert "support" not in page.context  # nor the indicators
        assert "Iekšēja piezīme komandai." not in html
        assert f'href="/pupils/{self.pupil.pk}/"' not in html
        # The pupil's page leads the agency to the case.
        pupil_page = social.get(f"/pupils/{self.pupil.pk}/")
        assert f'href="/cases/{self.case.pk}/"' in pupil_page.content.decode()
        # A partner does not change the case.
        for tail in ("notes/new/", "family/new/", "risks/new/", "consent/new/",
                     "summary.pdf", "team/add/", "referrals/new/", "close/"):
            assert social.get(f"/cases/{self.case.pk}/{tail}").status_code == 404, tail

    def test_shared_family_contacts_reach_the_agency(self) -> None:
        self.refer(["family_contacts", "plan", "indicators"])
        social = self.client_for(self.social_worker)
        assert self.visible_tabs(social) == {"overview", "family"}
        assert "Mājās nav elektrības." in social.get(
            f"/cases/{self.case.pk}/", {"tab": "family"}).content.decode()
        assert self.plan.code in social.get(f"/cases/{self.case.pk}/").content.decode()

    def test_access_ends_at_once_when_the_school_revokes(self) -> None:
        referral = self.refer(["risks"])
        social = self.client_for(self.social_worker)
        assert social.get(f"/cases/{self.case.pk}/").status_code == 200
        actions.revoke_referral(referral=referral, by=self.support_a, reason="Kļūda.")
        assert self.visible_tabs(social) == set()
        assert social.get(f"/cases/{self.case.pk}/referrals/{referral.pk}/answer/"
                          ).status_code == 404
        assert referral.pk not in [r.pk for r in social.get("/cases/").context["referrals"]]
        assert social.get(f"/pupils/{self.pupil.pk}/").status_code == 404

    def test_access_ends_when_the_consent_is_withdrawn(self) -> None:
        self.refer(["risks"])
        social = self.client_for(self.social_worker)
        assert social.get(f"/cases/{self.case.pk}/").status_code == 200
        consent = Consent.objects.get(case=self.case)
        self.client_for(self.support_a).post(
            f"/cases/{self.case.pk}/consent/{consent.pk}/withdraw/",
            {"withdrawn_on": timezone.localdate().isoformat(), "note": "Mātes iesniegums."})
        assert self.visible_tabs(social) == set()

    def test_a_referral_on_a_legal_basis_survives_the_withdrawal(self) -> None:
        referral = self.refer(["risks"], legal_basis="reg_89",
                              basis_note="Vairāk nekā 20 neattaisnotas stundas.")
        consent = Consent.objects.get(case=self.case)
        actions.withdraw_consent(consent=consent, withdrawn_on=timezone.localdate(),
                                 note="Tēvs atsauc.", by=self.support_a)
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.PENDING
        assert self.client_for(self.social_worker).get(
            f"/cases/{self.case.pk}/").status_code == 200

    def test_only_the_agency_answers_and_only_while_pending(self) -> None:
        referral = self.refer(["risks"])
        url = f"/cases/{self.case.pk}/referrals/{referral.pk}/answer/"
        assert self.client_for(self.support_a).get(url).status_code == 404
        social = self.client_for(self.social_worker)
        assert social.get(url).status_code == 200
        social.post(url, {"decision": "accept"})
        again = social.get(url)
        assert again.status_code == 302  # answered: back to the case, with a message

    def test_another_agency_sees_nothing(self) -> None:
        referral = self.refer(["risks"])
        court_worker = Membership.objects.filter(
            organisation__kind="orphans_court", role="partner_worker").first()
        assert court_worker is not None
        client = self.client_for(court_worker.user)
        assert self.visible_tabs(client) == set()
        assert referral.pk not in [r.pk for r in client.get("/cases/").context["referrals"]]


class MunicipalityTests(CaseAccessTestCase):
    def test_the_coordinator_sees_summary_risks_and_plans_only(self) -> None:
        coordinator = self.client_for(self.municipality_coordinator)
        assert self.visible_tabs(coordinator) == set()  # not shared yet
        plan = plan_actions.change_status(plan=self.plan, action=PlanAction.SUBMIT,
                                          by=self.support_a)
        plan_actions.change_status(plan=plan, action=PlanAction.APPROVE, by=self.director_a)
        # Now the municipality's approval is due: the case is shared with it.
        assert self.visible_tabs(coordinator) == {"overview", "risks"}
        html = coordinator.get(f"/cases/{self.case.pk}/").content.decode()
        assert self.plan.code in html
        risks = coordinator.get(f"/cases/{self.case.pk}/", {"tab": "risks"}).content.decode()
        assert "Kavē pirmdienās." in risks and "Šķiršanās." not in risks
        assert coordinator.get(f"/cases/{self.case.pk}/summary.pdf").status_code == 404
        listed = coordinator.get("/cases/").context["rows"]
        row = next(r for r in listed if r.case.pk == self.case.pk)
        assert row.level_is_current is False  # no indicators for the municipality


class OpeningTests(BaseTestCase):
    def test_a_class_teacher_refers_only_their_own_pupils(self) -> None:
        own = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        other = (Pupil.objects.filter(school=self.school_a)
                 .exclude(school_class=own.school_class)
                 .exclude(support_cases__status="open").first())
        school_b = Pupil.objects.filter(school=self.school_b).first()
        assert other is not None and school_b is not None
        teacher = self.client_for(self.teacher_a)
        assert teacher.get(f"/cases/open/{own.pk}/").status_code == 200
        assert teacher.get(f"/cases/open/{other.pk}/").status_code == 404
        assert teacher.post(f"/cases/open/{other.pk}/", {"reason": "x"}).status_code == 404
        assert teacher.get(f"/cases/open/{school_b.pk}/").status_code == 404
        assert not SupportCase.objects.filter(pupil=other, status="open").exists()

    def test_the_teacher_cannot_choose_an_origin_or_manager(self) -> None:
        own = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.client_for(self.teacher_a).post(f"/cases/open/{own.pk}/", {
            "reason": "Bieži kavē.", "origin": "parent_request",
            "case_manager": str(self.teacher_a.pk)})
        case = SupportCase.objects.get(pupil=own, status="open")
        assert case.origin == "teacher_referral"
        assert case.case_manager != self.teacher_a

    def test_the_municipality_and_agencies_do_not_open_cases(self) -> None:
        pupil = F.pupil_without_case(self.school_a)
        for user in (self.municipality_coordinator, self.social_worker, self.support_b,
                     self.teacher_b, self.national_analyst):
            assert self.client_for(user).get(f"/cases/open/{pupil.pk}/").status_code == 404


class OtherSchoolTests(CaseAccessTestCase):
    def test_support_b_gets_404_on_every_part_of_a_school_a_case(self) -> None:
        referral = self.refer(["risks"])
        consent = Consent.objects.get(case=self.case)
        member = self.case.team.first()
        assert member is not None
        client = self.client_for(self.support_b)
        assert self.visible_tabs(client) == set()
        for tail in ("summary.pdf", "team/add/", f"team/{member.pk}/remove/", "team/manager/",
                     "team/mentor/", "consent/new/", f"consent/{consent.pk}/withdraw/",
                     f"consent/{consent.pk}/scan/", "risks/new/", "family/new/",
                     "notes/new/", "close/", "referrals/new/",
                     f"referrals/{referral.pk}/answer/", f"referrals/{referral.pk}/revoke/"):
            assert client.get(f"/cases/{self.case.pk}/{tail}").status_code == 404, tail
            assert client.post(f"/cases/{self.case.pk}/{tail}", {}).status_code == 404, tail
        assert self.case.pk not in [r.case.pk for r in
                                    client.get("/cases/", {"status": "all"}).context["rows"]]

    def test_an_unknown_tab_is_not_found(self) -> None:
        client = self.client_for(self.support_a)
        assert client.get(f"/cases/{self.case.pk}/", {"tab": "secrets"}).status_code == 404
