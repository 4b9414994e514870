"""The plan pages: writing a plan, reading it, every status step through the web (and its
refusals), editing with optimistic locking, measures, the delivery log, reviews, the
evaluation with before and after, and the approvals list."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from kopiena.access.models import AccessLogEntry
from kopiena.cases import actions as case_actions
from kopiena.cases.models import CaseOrigin
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.catalogue import catalogue_for
from kopiena.plans.models import (
    MeasureType,
    PlanStatus,
    PlanTransition,
    SupportPlan,
)
from kopiena.plans.workflow import PlanAction
from kopiena.pupils.models import Pupil
from tests import case_factories as F
from tests import plan_steps as S
from tests.base import BaseTestCase


def _young_pupil(school: Organisation) -> Pupil:
    today = timezone.localdate()
    return next(p for p in Pupil.objects.filter(school=school, support_cases__isnull=True)
                .order_by("pk") if p.age_on(today) < 12)


def _offered(plan: SupportPlan, code: str) -> MeasureType:
    """The measure of this code in the catalogue of the plan's municipality."""
    return {m.code: m for m in catalogue_for(plan.school.municipality_id)}[code]


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined, no-any-return]


class PlanCreationTests(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.client = S.english(self.support_a)
        self.url = f"/plans/new/{self.case.pk}/"

    def test_create_offers_the_current_and_next_semester_and_drafts_the_plan(self) -> None:
        response = self.client.get(self.url)
        assert response.status_code == 200
        choices = response.context["form"].fields["semester"].choices
        current = plan_actions.semester_of(timezone.localdate())
        assert current is not None
        assert choices[0][0] == current.pk
        assert len(choices) == 2  # the current and the next semester
        response = self.client.post(self.url, {
            "semester": current.pk, "goals": "Apmeklēt visas stundas.",
            "pupil_commitment": "Nākt uz konsultācijām."})
        plan = SupportPlan.objects.get(case=self.case)
        self.assertRedirects(response, f"/plans/{plan.pk}/", fetch_redirect_response=False)
        assert (plan.status, plan.author, plan.semester) == (PlanStatus.DRAFT, self.support_a,
                                                             current.number)
        assert plan.pupil_commitment == "Nākt uz konsultācijām."

    def test_goals_are_required_and_the_input_is_kept(self) -> None:
        current = plan_actions.semester_of(timezone.localdate())
        assert current is not None
        response = self.client.post(self.url, {"semester": current.pk, "goals": " ",
                                               "pupil_commitment": "Mana apņemšanās"})
        assert response.status_code == 200
        assert not SupportPlan.objects.filter(case=self.case).exists()
        assert "Mana apņemšanās" in _text(response)
        assert response.context["form"].errors["goals"]

    def test_without_a_risk_assessment_the_page_explains_and_links_to_the_case(self) -> None:
        pupil = F.pupil_without_case(self.school_a)
        case = case_actions.open_case(pupil=pupil, origin=CaseOrigin.FLAG, reason="Kavējumi.",
                                      opened_by=self.support_a)
        response = self.client.get(f"/plans/new/{case.pk}/")
        assert response.status_code == 200
        assert "form" not in response.context
        text = _text(response)
        assert "Assess the risks first" in text
        assert f'href="/cases/{case.pk}/"' in text

    def test_continue_from_a_previous_plan_prefills_goals_and_copies_measures(self) -> None:
        previous = F.draft_plan(self.case, self.support_a)
        response = self.client.get(self.url, {"previous": previous.pk})
        form = response.context["form"]
        assert form.initial["previous"] == previous.pk
        assert form.initial["goals"] == previous.goals
        # The current semester is taken by the previous plan: only the next one is offered.
        [(next_semester, _label)] = form.fields["semester"].choices
        response = self.client.post(self.url, {"semester": next_semester, "previous": previous.pk,
                                               "goals": previous.goals})
        plan = SupportPlan.objects.exclude(pk=previous.pk).get(case=self.case)
        assert plan.previous_plan == previous
        old, new = previous.measures.get(), plan.measures.get()
        assert new.measure_type == old.measure_type
        assert set(new.risks.all()) == set(old.risks.all())
        assert f'href="/plans/{plan.pk}/"' in _text(self.client.get(f"/plans/{previous.pk}/"))

    def test_teacher_of_the_pupil_cannot_write_a_plan(self) -> None:
        pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        case = F.open_case(pupil, self.support_a)
        teacher = S.english(self.teacher_a)
        assert teacher.get(f"/cases/{case.pk}/").status_code == 200  # sees the case
        assert teacher.get(f"/plans/new/{case.pk}/").status_code == 404
        assert teacher.post(f"/plans/new/{case.pk}/", {"goals": "x"}).status_code == 404


class PlanPageTests(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.plan = F.draft_plan(self.case, self.support_a)
        self.url = f"/plans/{self.plan.pk}/"

    def test_detail_shows_the_plan_and_logs_the_view(self) -> None:
        response = S.english(self.support_a).get(self.url)
        assert response.status_code == 200
        text = _text(response)
        assert self.plan.code in text
        assert "Consultations with a psychologist" in text
        assert "Absences from lessons" in text and "Learning and school risks" in text
        assert "Motivācijas sarunas." in text  # the justification
        assert "Send for approval" in text
        assert 'name="action" value="submit"' in text
        entry = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.VIEW,
                                              path=self.url).latest("pk")
        assert list(entry.pupils.values_list("pupil_id", flat=True)) == [self.pupil.pk]

    def test_buttons_only_for_the_steps_the_user_may_take(self) -> None:
        teacher = _text(S.english(self.teacher_a).get(self.url))
        assert 'name="action"' not in teacher  # the class teacher reads the plan only
        plan = S.step(self.plan, PlanAction.SUBMIT, self.support_a)
        director = _text(S.english(self.director_a).get(self.url))
        assert 'value="approve"' in director and 'value="return"' in director
        author = _text(S.english(self.support_a).get(self.url))
        assert 'value="approve"' not in author and 'value="deactivate"' in author
        assert plan.status == PlanStatus.IN_APPROVAL
        # A step that needs a comment has a labelled comment field.
        assert re.search(r'<label for="comment-return">', director)

    def test_sensitive_risk_notes_only_for_readers_who_may_see_them(self) -> None:
        support = _text(S.english(self.support_a).get(self.url))
        teacher = _text(S.english(self.teacher_a).get(self.url))
        assert "Šķiršanās." in support  # the family-conflict note
        assert "Šķiršanās." not in teacher
        assert "Conflicts or violence in the family" in teacher  # the risk itself is shown
        assert "Kavē pirmdienās." in teacher  # a learning risk's note is not sensitive


class TransitionTests(BaseTestCase):
    """Every step of the plan's life through the one status URL."""

    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.plan = F.draft_plan(self.case, self.support_a)
        self.url = f"/plans/{self.plan.pk}/status/"

    def _post(self, user: object, action: str, comment: str = "") -> object:
        return S.english(user).post(self.url, {"action": action, "comment": comment})  # type: ignore[arg-type]

    def _status(self) -> str:
        self.plan.refresh_from_db()
        return self.plan.status

    def test_every_step_through_the_web(self) -> None:
        steps = [
            (self.support_a, "submit", "", PlanStatus.IN_APPROVAL),
            (self.director_a, "return", "Precizējiet mērķus.", PlanStatus.DRAFT),
            (self.support_a, "submit", "", PlanStatus.IN_APPROVAL),
            (self.director_a, "approve", "", PlanStatus.IN_APPROVAL),
            (self.municipality_coordinator, "approve", "", PlanStatus.APPROVED),
            (self.support_a, "start", "", PlanStatus.IN_IMPLEMENTATION),
            (self.support_a, "pause", "Skolēns slimo.", PlanStatus.PAUSED),
            (self.support_a, "resume", "", PlanStatus.IN_IMPLEMENTATION),
            (self.support_a, "revise", "Jāpievieno mentors.", PlanStatus.UNDER_REVISION),
            (self.support_a, "deactivate", "Pārcēlās uz citu skolu.", PlanStatus.INACTIVE),
            (self.support_a, "reopen", "", PlanStatus.DRAFT),
        ]
        for user, action, comment, expected in steps:
            response = self._post(user, action, comment)
            assert response.status_code == 302, (action, _text(response))  # type: ignore[attr-defined]
            assert self._status() == expected, action
        assert PlanTransition.objects.filter(plan=self.plan, action="return").get().comment == (
            "Precizējiet mērķus.")
        page = _text(S.english(self.support_a).get(f"/plans/{self.plan.pk}/"))
        assert "Pārcēlās uz citu skolu." in page  # the status history keeps every comment

    def test_a_step_the_status_does_not_allow_is_refused_with_a_message(self) -> None:
        response = self._post(self.support_a, "start")
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "cannot be changed with" in _text(response)
        assert self._status() == PlanStatus.DRAFT

    def test_a_missing_reason_is_shown_next_to_the_field_and_the_status_stays(self) -> None:
        response = self._post(self.support_a, "deactivate", "  ")
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert 'id="comment-deactivate-error"' in _text(response)
        assert self._status() == PlanStatus.DRAFT

    def test_submit_without_consent_is_refused_with_the_reason(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a, consent=False)
        plan = F.draft_plan(case, self.support_a)
        response = S.english(self.support_a).post(f"/plans/{plan.pk}/status/",
                                                  {"action": "submit"})
        assert response.status_code == 400
        assert "consent" in _text(response)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT

    def test_a_step_the_user_may_not_take_answers_404(self) -> None:
        S.step(self.plan, PlanAction.SUBMIT, self.support_a)
        # The author may not approve; the coordinator cannot even see the plan yet.
        assert self._post(self.support_a, "approve").status_code == 404  # type: ignore[attr-defined]
        assert self._post(self.municipality_coordinator, "approve").status_code == 404  # type: ignore[attr-defined]
        assert self._post(self.support_b, "return", "x").status_code == 404  # type: ignore[attr-defined]
        assert self._post(self.support_a, "no-such-step").status_code == 404  # type: ignore[attr-defined]
        assert self._status() == PlanStatus.IN_APPROVAL

    def test_class_teacher_sees_the_plan_but_cannot_send_it(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a, of_teacher=self.teacher_a),
                           self.support_a)
        plan = F.draft_plan(case, self.support_a)
        teacher = S.english(self.teacher_a)
        assert teacher.get(f"/plans/{plan.pk}/").status_code == 200
        assert teacher.post(f"/plans/{plan.pk}/status/", {"action": "submit"}).status_code == 404
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT


class EditingTests(BaseTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)
        self.plan = F.draft_plan(self.case, self.support_a)
        self.client = S.english(self.support_a)

    def _form(self, version: int, goals: str) -> dict[str, object]:
        return {"goals": goals, "pupil_commitment": "Apmeklēšu konsultācijas.",
                "pupil_agreed": "on", "next_review_on": "", "version": version}

    def test_edit_saves_and_bumps_the_version(self) -> None:
        url = f"/plans/{self.plan.pk}/edit/"
        assert self.client.get(url).context["form"]["version"].value() == self.plan.version
        response = self.client.post(url, self._form(self.plan.version, "Jauni mērķi."))
        assert response.status_code == 302
        self.plan.refresh_from_db()
        assert (self.plan.goals, self.plan.pupil_agreed) == ("Jauni mērķi.", True)

    def test_concurrent_edit_keeps_the_typed_text_and_saves_nothing(self) -> None:
        url = f"/plans/{self.plan.pk}/edit/"
        opened = self.plan.version
        plan_actions.update_plan(plan=self.plan, by=self.psychologist_a, version=opened,
                                 goals="Psihologa mērķi.", pupil_commitment="",
                                 pupil_agreed=False, next_review_on=None)
        response = self.client.post(url, self._form(opened, "Mani mērķi."))
        assert response.status_code == 409
        text = _text(response)
        assert "Someone else changed this plan" in text
        assert "Mani mērķi." in text  # what the user typed
        assert "Psihologa mērķi." in text  # the plan as saved now
        self.plan.refresh_from_db()
        assert self.plan.goals == "Psihologa mērķi."
        # Saving again, now knowing the other change, works.
        kept = response.context["form"]["version"].value()
        assert int(kept) == self.plan.version
        assert self.client.post(url, self._form(int(kept), "Mani mērķi.")).status_code == 302
        self.plan.refresh_from_db()
        assert self.plan.goals == "Mani mērķi."

    def test_a_plan_in_approval_is_not_edited(self) -> None:
        plan = S.step(self.plan, PlanAction.SUBMIT, self.support_a)
        url = f"/plans/{plan.pk}/edit/"
        assert self.client.get(url).status_code == 302
        assert self.client.post(url, self._form(plan.version, "Citi.")).status_code == 302
        plan.refresh_from_db()
        assert plan.goals == "Apmeklēt visas matemātikas stundas."
        assert f'href="{url}"' not in _text(self.client.get(f"/plans/{plan.pk}/"))

    def test_goals_of_an_approved_plan_are_not_changed_by_the_form(self) -> None:
        plan = S.step(S.step(S.step(self.plan, PlanAction.SUBMIT, self.support_a),
                             PlanAction.APPROVE, self.director_a),
                      PlanAction.APPROVE, self.municipality_coordinator)
        response = self.client.post(f"/plans/{plan.pk}/edit/",
                                    self._form(plan.version, "Citi mērķi."))
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.goals == "Apmeklēt visas matemātikas stundas."
        assert plan.pupil_agreed  # the agreement is recorded after approval, on signing

    def test_add_a_measure_with_risks_grouped_and_a_partner_provider(self) -> None:
        url = f"/plans/{self.plan.pk}/measures/add/"
        page = self.client.get(url)
        text = _text(page)
        assert "<legend>Learning and school risks</legend>" in text
        assert "<legend>Family risks</legend>" in text
        options = re.findall(r'<option value="([^"]+)">', text.split('id="subject-options"')[1])
        assert options[:3] == ["Latvian", "Mathematics", "English"]
        partner = Organisation.objects.get(memberships__user=self.social_worker)
        risks = self.case.assessments.get().risks
        measure = _offered(self.plan, "social_pedagogue")
        latvian = S.english(self.support_a, "lv")  # a decimal comma, as typed in Latvian
        response = latvian.post(url, {
            "measure_type": measure.pk, "risks": [risks.get(factor="family_conflict").pk,
                                                  risks.get(factor="low_income").pk],
            "justification": "Sadarbība ar ģimeni.", "provider": f"org:{partner.pk}",
            "planned_amount": "4,5", "funding_source": "municipality", "schedule": "Oktobrī"})
        assert response.status_code == 302
        added = self.plan.measures.get(measure_type=measure)
        assert added.provider_organisation == partner
        assert added.planned_amount == Decimal("4.5")
        assert {r.factor for r in added.risks.all()} == {"family_conflict", "low_income"}

    def test_a_measure_needs_risks_and_a_subject_for_subject_teachers(self) -> None:
        url = f"/plans/{self.plan.pk}/measures/add/"
        measure = _offered(self.plan, "subject_teacher")
        response = self.client.post(url, {
            "measure_type": measure.pk, "justification": "Matemātika.",
            "provider": f"user:{self.support_a.pk}", "planned_amount": "10",
            "funding_source": "esf_skola_kopiena"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "risks" in errors and "subject" in errors
        assert self.plan.measures.count() == 1
        assert "Matemātika." in _text(response)  # the input is kept

    def test_the_action_refusal_is_shown_next_to_the_field(self) -> None:
        young = F.open_case(_young_pupil(self.school_a), self.support_a)
        plan = F.draft_plan(young, self.support_a)
        measure = _offered(plan, "mentor")
        risk = young.assessments.get().risks.first()
        assert risk is not None
        response = self.client.post(f"/plans/{plan.pk}/measures/add/", {
            "measure_type": measure.pk, "risks": [risk.pk], "justification": "x",
            "provider": f"user:{self.support_a.pk}", "planned_amount": "3",
            "funding_source": "esf_skola_kopiena"})
        assert response.status_code == 200
        assert "13" in str(response.context["form"].errors["measure_type"])

    def test_measures_change_only_in_a_draft_or_under_revision(self) -> None:
        plan = S.step(self.plan, PlanAction.SUBMIT, self.support_a)
        response = self.client.get(f"/plans/{plan.pk}/measures/add/")
        assert response.status_code == 302
        measure = plan.measures.get()
        self.client.post(f"/plans/{plan.pk}/measures/{measure.pk}/remove/")
        assert plan.measures.filter(pk=measure.pk).exists()
        plan = S.step(plan, PlanAction.RETURN, self.director_a, "Labot")
        response = self.client.post(f"/plans/{plan.pk}/measures/{measure.pk}/remove/")
        assert response.status_code == 302
        assert not plan.measures.exists()
