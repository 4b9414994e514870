"""The support case screens through the web: the teacher's referral end to end, opening a
case, consent, risks, family contacts, notes, closing, the list and the summary for a
meeting (the team and mentors: test_case_team_views; referrals: test_case_referral_views)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kopiena.access.models import AccessedPupil, AccessLogEntry
from kopiena.accounts.models import Membership
from kopiena.accounts.roles import Role
from kopiena.cases import actions
from kopiena.cases.access import get_case_for
from kopiena.cases.models import (
    AssessedRisk,
    CaseEvent,
    CaseOrigin,
    CaseStatus,
    Consent,
    FamilyContact,
    ReferralStatus,
    SupportCase,
    TeamRole,
)
from kopiena.cases.summary import summary_context
from kopiena.inbox.models import Notification, NotificationKind
from tests import case_factories as F
from tests.case_web import CaseViewTestCase, case_url, today
from tests.pdf import requires_pdf_engine


class TeacherReferralTests(CaseViewTestCase):
    """Done when: a class teacher refers a flagged pupil; the support coordinator takes it."""

    def test_teacher_refers_own_pupil_and_support_coordinator_takes_over(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        teacher = self.client_for(self.teacher_a)
        page = teacher.get(f"/pupils/{pupil.pk}/")
        assert page.status_code == 200
        assert f'href="/cases/open/{pupil.pk}/"' in page.content.decode()

        form = teacher.get(f"/cases/open/{pupil.pk}/")
        assert form.status_code == 200
        assert "origin" not in form.context["form"].fields  # a referral, not a choice
        assert "case_manager" not in form.context["form"].fields

        empty = teacher.post(f"/cases/open/{pupil.pk}/", {"reason": "  "})
        assert empty.status_code == 200
        assert empty.context["form"].errors["reason"]
        assert not SupportCase.objects.filter(pupil=pupil).exists()

        sent = teacher.post(f"/cases/open/{pupil.pk}/",
                            {"reason": "Kavē pirmdienas, nav mājasdarbu."})
        case = SupportCase.objects.get(pupil=pupil, status=CaseStatus.OPEN)
        assert sent.status_code == 302
        assert sent["Location"] == f"/cases/{case.pk}/"
        assert case.origin == CaseOrigin.TEACHER_REFERRAL
        assert case.reason == "Kavē pirmdienas, nav mājasdarbu."
        manager = actions.default_case_manager(self.school_a)
        assert manager is not None and case.case_manager == manager
        assert Membership.objects.filter(user=manager, organisation=self.school_a,
                                         role=Role.SUPPORT_COORDINATOR).exists()
        assert Notification.objects.filter(user=manager, kind=NotificationKind.CASE_ASSIGNED,
                                           url=f"/cases/{case.pk}/", is_task=True).exists()
        assert case.team.filter(user=self.teacher_a, role=TeamRole.CLASS_TEACHER,
                                removed_on__isnull=True).exists()

        # The teacher follows the case; a second referral goes to the open case.
        assert teacher.get(f"/cases/{case.pk}/").status_code == 200
        again = teacher.get(f"/cases/open/{pupil.pk}/")
        assert again.status_code == 302 and again["Location"] == f"/cases/{case.pk}/"

        # The case manager finds it among "my cases", with the consent banner on the case.
        coordinator = self.client_for(manager)
        mine = coordinator.get("/cases/", {"mine": "on", "status": "open"})
        assert case in [row.case for row in mine.context["rows"]]
        detail = coordinator.get(f"/cases/{case.pk}/")
        assert detail.context["page"].consent_missing

        consent = coordinator.post(f"/cases/{case.pk}/consent/new/", {
            "given_by": "parent", "signer_name": "Anna Kalniņa",
            "scope": ["support_plan", "municipality"], "method": "in_person",
            "given_on": today()})
        assert consent.status_code == 302
        assert not coordinator.get(f"/cases/{case.pk}/").context["page"].consent_missing

        assessed = coordinator.post(f"/cases/{case.pk}/risks/new/", {
            "assessed_on": today(), "factor_absences": "on",
            "note_absences": "Kavē pirmdienās.", "summary": "Jāsāk ar sarunu ģimenē."})
        assert assessed.status_code == 302
        assert AssessedRisk.objects.filter(assessment__case=case, factor="absences",
                                           note="Kavē pirmdienās.").exists()

    def test_class_view_offers_the_referral_next_to_flagged_pupils(self) -> None:
        school_class = self.teacher_a.class_assignments.get(kind="class_teacher").school_class
        page = self.client_for(self.teacher_a).get(f"/support/classes/{school_class.pk}/")
        assert page.status_code == 200
        flagged = [r.status for r in page.context["rows"] if r.status.level != "universal"]
        assert flagged, "the demo class 7.a has flagged pupils"
        html = page.content.decode()
        for status in flagged:
            assert f'href="/cases/open/{status.pupil_id}/"' in html
        universal = [r.status for r in page.context["rows"] if r.status.level == "universal"
                     and not SupportCase.objects.filter(pupil_id=r.status.pupil_id,
                                                        status="open").exists()]
        for status in universal:
            assert f'href="/cases/open/{status.pupil_id}/"' not in html


class OpenCaseTests(CaseViewTestCase):
    def test_support_team_opens_a_case_at_a_parents_request(self) -> None:
        pupil = F.pupil_without_case(self.school_a)
        client = self.client_for(self.psychologist_a)
        page = client.get(f"/cases/open/{pupil.pk}/")
        assert page.status_code == 200
        assert "support" in page.context  # the current level and its reasons inform it
        response = client.post(f"/cases/open/{pupil.pk}/", {
            "origin": "parent_request", "reason": "Māte lūdz atbalstu.",
            "case_manager": str(self.support_a.pk)})
        case = SupportCase.objects.get(pupil=pupil, status="open")
        assert response.status_code == 302
        assert case.origin == CaseOrigin.PARENT_REQUEST
        assert case.case_manager == self.support_a
        assert case.opened_by == self.psychologist_a

    def test_the_pupil_page_shows_the_open_case(self) -> None:
        pupil = F.pupil_without_case(self.school_a)
        case = F.open_case(pupil, self.support_a)
        html = self.client_for(self.director_a).get(f"/pupils/{pupil.pk}/").content.decode()
        assert f'href="/cases/{case.pk}/"' in html
        assert f'href="/cases/open/{pupil.pk}/"' not in html


class ConsentTests(CaseViewTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a,
                                consent=False)
        self.client_a = self.client_for(self.support_a)

    def test_a_scanned_consent_needs_the_file_and_keeps_what_was_typed(self) -> None:
        response = self.client_a.post(case_url(self.case, "consent/new/"), {
            "given_by": "parent", "signer_name": "Jānis Ozols", "scope": ["support_plan"],
            "method": "scanned", "given_on": today()})
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["scan"]
        assert form["signer_name"].value() == "Jānis Ozols"
        assert not Consent.objects.filter(case=self.case).exists()

    def test_scanned_consent_is_stored_and_opened_only_by_the_managers(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(pupil, self.support_a, consent=False)
        scan = SimpleUploadedFile("iesniegums.pdf", b"%PDF-1.4 test", "application/pdf")
        response = self.client_a.post(case_url(self.case, "consent/new/"), {
            "given_by": "parent", "signer_name": "Jānis Ozols", "scope": ["support_plan"],
            "method": "scanned", "given_on": today(), "scan": scan})
        assert response.status_code == 302
        consent = Consent.objects.get(case=self.case)
        url = case_url(self.case, f"consent/{consent.pk}/scan/")
        opened = self.client_a.get(url)
        assert opened.status_code == 200
        assert opened.content == b"%PDF-1.4 test"
        assert opened["Content-Type"] == "application/pdf"
        # The class teacher sees the case, but not the signed application.
        teacher = self.client_for(self.teacher_a)
        assert teacher.get(case_url(self.case)).status_code == 200
        assert teacher.get(url).status_code == 404

    def test_a_wrong_file_type_is_refused(self) -> None:
        scan = SimpleUploadedFile("iesniegums.exe", b"MZ", "application/octet-stream")
        response = self.client_a.post(case_url(self.case, "consent/new/"), {
            "given_by": "parent", "signer_name": "Jānis Ozols", "scope": ["support_plan"],
            "method": "scanned", "given_on": today(), "scan": scan})
        assert response.status_code == 200
        assert response.context["form"].errors["scan"]

    def test_signer_defaults_to_the_chosen_guardian(self) -> None:
        link = self.case.pupil.guardian_links.select_related("guardian").first()
        assert link is not None
        self.client_a.post(case_url(self.case, "consent/new/"), {
            "given_by": "parent", "guardian": str(link.guardian_id), "signer_name": "",
            "scope": ["support_plan"], "method": "in_person", "given_on": today()})
        consent = Consent.objects.get(case=self.case)
        assert consent.signer_name == link.guardian.name
        assert consent.guardian_id == link.guardian_id

    def test_withdrawal_stops_sharing_with_the_agency_at_once(self) -> None:
        consent = actions.record_consent(
            case=self.case, given_by="parent", signer_name="Anna", scope=F.ALL_SCOPES,
            method="in_person", given_on=timezone.localdate(), recorded_by=self.support_a)
        referral = self.refer_to_social_service(self.case)
        social = self.client_for(self.social_worker)
        assert social.get(case_url(self.case)).status_code == 200
        response = self.client_a.post(case_url(self.case, f"consent/{consent.pk}/withdraw/"),
                                      {"withdrawn_on": today(),
                                       "note": "Tēva rakstisks iesniegums."})
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.REVOKED
        assert social.get(case_url(self.case)).status_code == 404
        page = self.client_a.get(case_url(self.case))
        assert page.context["page"].consent_missing


class RiskAssessmentTests(CaseViewTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.client_a = self.client_for(self.support_a)

    def test_notes_of_unticked_factors_are_dropped_and_one_factor_is_needed(self) -> None:
        url = case_url(self.case, "risks/new/")
        nothing = self.client_a.post(url, {"assessed_on": today(), "note_bullying": "x"})
        assert nothing.status_code == 200
        assert nothing.context["form"].non_field_errors()
        self.client_a.post(url, {"assessed_on": today(), "factor_bullying": "on",
                                 "note_bullying": "Klasē apsaukā.",
                                 "note_low_income": "nav atzīmēts"})
        latest = actions.latest_assessment(self.case)
        assert latest is not None
        assert {r.factor: r.note for r in latest.risks.all()} == {"bullying": "Klasē apsaukā."}

    def test_a_repeated_assessment_starts_from_the_latest(self) -> None:
        form = self.client_a.get(case_url(self.case, "risks/new/")).context["form"]
        assert form["factor_absences"].value() is True
        assert form["factor_bullying"].value() is False
        assert form["note_family_conflict"].value() == "Šķiršanās."  # support_a reads it

    def test_sensitive_notes_are_hidden_from_the_class_teacher(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        case = F.open_case(pupil, self.support_a)
        page = self.client_for(self.teacher_a).get(case_url(case), {"tab": "risks"})
        html = page.content.decode()
        assert "Kavē pirmdienās." in html  # learning group: not sensitive
        assert "Šķiršanās." not in html  # family group: sensitive
        assert "Šķiršanās." in self.client_a.get(case_url(case), {"tab": "risks"}
                                                  ).content.decode()
        # The teacher cannot assess (manage only).
        assert self.client_for(self.teacher_a).get(
            case_url(case, "risks/new/")).status_code == 404


class FamilyContactAndNoteTests(CaseViewTestCase):
    def setUp(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(pupil, self.support_a)

    def test_class_teacher_records_a_contact_but_reads_only_their_own(self) -> None:
        teacher = self.client_for(self.teacher_a)
        url = case_url(self.case, "family/new/")
        missing = teacher.post(url, {"contacted_on": today(), "kind": "call",
                                     "summary": "Runājām."})
        assert missing.status_code == 200
        assert missing.context["form"].errors["with_whom"]
        actions.record_family_contact(case=self.case, contacted_on=timezone.localdate(),
                                      kind="meeting", summary="Sarunā ar psihologu.",
                                      by=self.psychologist_a, with_whom="Māte")
        link = self.case.pupil.guardian_links.first()
        assert link is not None
        done = teacher.post(url, {"contacted_on": today(), "kind": "call",
                                  "guardian": str(link.guardian_id),
                                  "summary": "Vienojāmies par tikšanos."})
        assert done.status_code == 302
        assert FamilyContact.objects.filter(case=self.case, recorded_by=self.teacher_a,
                                            guardian_id=link.guardian_id).exists()
        html = teacher.get(case_url(self.case), {"tab": "family"}).content.decode()
        assert "Vienojāmies par tikšanos." in html
        assert "Sarunā ar psihologu." not in html
        assert "Sarunā ar psihologu." in self.client_for(self.support_a).get(
            case_url(self.case), {"tab": "family"}).content.decode()

    def test_sensitive_notes_stay_out_of_the_teachers_timeline(self) -> None:
        support = self.client_for(self.support_a)
        support.post(case_url(self.case, "notes/new/"),
                     {"text": "Ārsta slēdziens saņemts.", "sensitive": "on"})
        support.post(case_url(self.case, "notes/new/"), {"text": "Tikšanās otrdien."})
        assert CaseEvent.objects.filter(case=self.case, kind="note").count() == 2
        html = self.client_for(self.teacher_a).get(
            case_url(self.case), {"tab": "timeline"}).content.decode()
        assert "Tikšanās otrdien." in html
        assert "Ārsta slēdziens saņemts." not in html
        assert "Ārsta slēdziens saņemts." in support.get(
            case_url(self.case), {"tab": "timeline"}).content.decode()


class CloseAndListTests(CaseViewTestCase):
    def test_a_running_plan_keeps_the_case_open(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        F.approved_plan(case, self.support_a, self.director_a, self.municipality_coordinator)
        response = self.client_for(self.support_a).post(
            case_url(case, "close/"), {"reason": "Atbalsts vairs nav vajadzīgs.",
                                        "closed_on": today()})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN

    def test_closing_ends_the_referrals(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        referral = self.refer_to_social_service(case)
        response = self.client_for(self.support_a).post(
            case_url(case, "close/"), {"reason": "Pārgāja uz citu skolu.",
                                        "closed_on": today()})
        assert response.status_code == 302
        case.refresh_from_db()
        referral.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
        assert referral.status == ReferralStatus.REVOKED

    def test_list_filters_and_access_log(self) -> None:
        open_one = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        closed = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        actions.close_case(case=closed, by=self.support_a, reason="Atrisināts.")
        client = self.client_for(self.director_a)
        default = client.get("/cases/")
        shown = [row.case for row in default.context["rows"]]
        assert closed not in shown
        assert all(c.status == CaseStatus.OPEN for c in shown)
        by_name = client.get("/cases/", {"q": open_one.pupil.last_name, "status": "all"})
        assert open_one in [row.case for row in by_name.context["rows"]]
        closed_list = client.get("/cases/", {"status": "closed", "q": closed.pupil.last_name})
        assert [row.case for row in closed_list.context["rows"]] == [closed]
        entry = AccessLogEntry.objects.filter(user=self.director_a,
                                              action=AccessLogEntry.Action.LIST).latest("pk")
        assert AccessedPupil.objects.filter(entry=entry, pupil=closed.pupil).exists()
        other = self.client_for(self.support_b).get("/cases/", {"status": "all"})
        assert all(row.case.school_id == self.school_b.pk for row in other.context["rows"])


class SummaryTests(CaseViewTestCase):
    @requires_pdf_engine
    def test_the_summary_is_a_pdf_and_its_export_is_logged(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        F.approved_plan(case, self.support_a, self.director_a, self.municipality_coordinator)
        response = self.client_for(self.support_a).get(case_url(case, "summary.pdf"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert AccessLogEntry.objects.filter(
            user=self.support_a, action=AccessLogEntry.Action.EXPORT,
            pupils__pupil=case.pupil).exists()

    def test_the_summary_leaves_sensitive_notes_out_for_the_class_teacher(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        case = F.open_case(pupil, self.support_a)
        actions.record_family_contact(case=case, contacted_on=timezone.localdate(),
                                      kind="call", summary="Māte slimo.", by=self.support_a,
                                      with_whom="Māte")
        plan = F.approved_plan(case, self.support_a, self.director_a,
                               self.municipality_coordinator)
        _case, teacher_access = get_case_for(self.teacher_a, case.pk)
        teacher = summary_context(self.teacher_a, case, teacher_access)
        family = [g for g in teacher["assessment"].groups if g.group == "family"]
        assert family and all(line.note == "" for line in family[0].lines)
        assert "contacts" not in teacher
        assert teacher["plan"] == plan
        assert [m.planned for m in teacher["measures"]] == [6]
        _case, support_access = get_case_for(self.support_a, case.pk)
        support = summary_context(self.support_a, case, support_access)
        assert [c.summary for c in support["contacts"]] == ["Māte slimo."]
