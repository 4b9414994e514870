"""The delivery log (sessions, payments, the pupil's confirmation and its flag, mentors
logging their sessions), reviews, the evaluation with before and after, the next plan, and
the list of plans waiting for approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.models import (
    Delivery,
    MeasureType,
    Outcome,
    PlanEvaluation,
    PlanStatus,
    SupportPlan,
)
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests import plan_steps as S
from tests.base import BaseTestCase


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined, no-any-return]


class DeliveryLogTests(BaseTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)
        self.plan = F.approved_plan(self.case, S.fresh(self.support_a), S.fresh(self.director_a),
                                    S.fresh(self.municipality_coordinator))
        self.client = S.english(self.support_a)
        self.add_url = f"/plans/{self.plan.pk}/deliveries/add/"

    def test_first_session_logged_starts_implementation(self) -> None:
        measure = self.plan.measures.get()
        response = self.client.post(self.add_url, {
            "measure": measure.pk, "delivered_on": F.a_school_day_in(self.plan).isoformat(),
            "duration_minutes": "90", "staff": self.psychologist_a.pk, "mode": "in_person",
            "pupil_confirmed": "on", "notes": ""})
        assert response.status_code == 302
        delivery = Delivery.objects.get(plan=self.plan)
        assert (delivery.staff, delivery.amount, delivery.recorded_by) == (
            self.psychologist_a, Decimal("1.50"), self.support_a)
        assert delivery.pupil_confirmed_at is not None
        self.plan.refresh_from_db()
        assert self.plan.status == PlanStatus.IN_IMPLEMENTATION
        page = _text(self.client.get(f"/plans/{self.plan.pk}/"))
        assert "1.50 hours" in page and "25 %" in page  # 1.5 of 6 planned hours

    def test_a_session_form_refuses_a_future_date_and_keeps_the_input(self) -> None:
        measure = self.plan.measures.get()
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = self.client.post(self.add_url, {
            "measure": measure.pk, "delivered_on": tomorrow.isoformat(), "duration_minutes": "45",
            "staff": self.psychologist_a.pk, "mode": "remote", "notes": "Piezīme"})
        assert response.status_code == 200
        assert response.context["form"].errors["delivered_on"]
        assert "Piezīme" in _text(response)
        assert not Delivery.objects.filter(plan=self.plan).exists()

    def test_remote_session_not_confirmed_within_a_day_is_flagged_and_can_be_confirmed(
            self) -> None:
        plan = S.step(self.plan, PlanAction.START, self.support_a)
        late = S.session(plan, self.support_a, mode="remote", confirmed=False)
        on_time = S.session(plan, self.support_a, mode="remote", confirmed=False)
        Delivery.objects.filter(pk=late.pk).update(
            delivered_on=timezone.localdate() - dt.timedelta(days=3))
        page = _text(self.client.get(f"/plans/{plan.pk}/"))
        assert page.count("Not confirmed within one day") == 1
        assert f"/deliveries/{late.pk}/confirm/" in page
        assert f"/deliveries/{on_time.pk}/confirm/" in page
        response = self.client.post(f"/plans/{plan.pk}/deliveries/{on_time.pk}/confirm/")
        assert response.status_code == 302
        on_time.refresh_from_db()
        assert on_time.pupil_confirmed_at is not None
        page = _text(self.client.get(f"/plans/{plan.pk}/"))
        assert f"/deliveries/{on_time.pk}/confirm/" not in page

    def test_compensation_is_logged_with_amount_and_document(self) -> None:
        plan = S.step(self.plan, PlanAction.REVISE, self.support_a, "Transports")
        risk = self.case.assessments.get().risks.get(factor="low_income")
        transport = plan_actions.add_measure(
            plan=plan, by=S.fresh(self.support_a), measure_type=MeasureType.objects.get(
                municipality=None, code="transport"), risk_ids=[risk.pk],
            justification="Autobusa biļetes.", planned_amount=Decimal(120))
        for action, user in ((PlanAction.SUBMIT, self.support_a),
                             (PlanAction.APPROVE, self.director_a),
                             (PlanAction.APPROVE, self.municipality_coordinator)):
            plan = S.step(plan, action, user)
        form = self.client.get(self.add_url, {"measure": transport.pk})
        assert "document_number" in form.context["form"].fields
        response = self.client.post(self.add_url, {
            "measure": transport.pk, "delivered_on": F.a_school_day_in(plan).isoformat(),
            "amount_eur": "35.50", "document_number": "MK-2026/114"})
        assert response.status_code == 302
        paid = Delivery.objects.get(measure=transport)
        assert (paid.amount_eur, paid.document_number, paid.mode) == (
            Decimal("35.50"), "MK-2026/114", "")
        assert "35.50" in _text(self.client.get(f"/plans/{plan.pk}/"))

    def test_mentor_on_the_team_logs_only_the_mentor_sessions(self) -> None:
        partner = Organisation.objects.get(memberships__user=self.social_worker)
        mentor = S.trained_mentor(partner)
        plan = S.step(self.plan, PlanAction.REVISE, self.support_a, "Mentors")
        mentoring = S.mentor_measure(plan, mentor, self.support_a)
        for action, user in ((PlanAction.SUBMIT, self.support_a),
                             (PlanAction.APPROVE, self.director_a),
                             (PlanAction.APPROVE, self.municipality_coordinator)):
            plan = S.step(plan, action, user)
        client = S.english(mentor)
        page = client.get(self.add_url)
        assert page.status_code == 200
        assert page.context["measure"] == mentoring  # the only measure the mentor provides
        other = plan.measures.exclude(pk=mentoring.pk).get()
        assert client.get(self.add_url, {"measure": other.pk}).status_code == 404
        assert client.post(self.add_url, {
            "measure": other.pk, "delivered_on": F.a_school_day_in(plan).isoformat(),
            "duration_minutes": "45", "staff": mentor.pk, "mode": "in_person"},
        ).status_code == 404
        response = client.post(self.add_url, {
            "measure": mentoring.pk, "delivered_on": F.a_school_day_in(plan).isoformat(),
            "duration_minutes": "60", "staff": mentor.pk, "mode": "remote"})
        assert response.status_code == 302
        logged = Delivery.objects.get(measure=mentoring)
        assert (logged.amount, logged.recorded_by) == (Decimal(1), mentor)  # one session
        plan.refresh_from_db()
        assert plan.status == PlanStatus.IN_IMPLEMENTATION  # the mentor's session started it
        # The mentor may not change the plan.
        assert client.post(f"/plans/{plan.pk}/status/",
                           {"action": "pause", "comment": "x"}).status_code == 404
        assert client.get(f"/plans/{plan.pk}/edit/").status_code == 404

    def test_class_teacher_cannot_log(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a, of_teacher=self.teacher_a),
                           self.support_a)
        plan = F.approved_plan(case, S.fresh(self.support_a), S.fresh(self.director_a),
                               S.fresh(self.municipality_coordinator))
        teacher = S.english(self.teacher_a)
        assert teacher.get(f"/plans/{plan.pk}/deliveries/add/").status_code == 404
        assert "Log a session" not in _text(teacher.get(f"/plans/{plan.pk}/"))


class ReviewAndEvaluationTests(BaseTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.plan = S.in_implementation(self.case, self.support_a, self.director_a,
                                        self.municipality_coordinator)
        self.client = S.english(self.support_a)

    def test_review_is_recorded_with_the_next_review_date(self) -> None:
        url = f"/plans/{self.plan.pk}/reviews/add/"
        next_review = min(self.plan.ends_on, timezone.localdate() + dt.timedelta(days=14))
        response = self.client.post(url, {
            "reviewed_on": timezone.localdate().isoformat(), "progress": "Apmeklējums uzlabojas.",
            "next_steps": "Turpināt.", "next_review_on": next_review.isoformat()})
        assert response.status_code == 302
        self.plan.refresh_from_db()
        assert self.plan.next_review_on == next_review
        assert self.plan.reviews.get().progress == "Apmeklējums uzlabojas."
        assert "Apmeklējums uzlabojas." in _text(self.client.get(f"/plans/{self.plan.pk}/"))
        empty = self.client.post(url, {"reviewed_on": timezone.localdate().isoformat(),
                                       "progress": ""})
        assert empty.status_code == 200 and empty.context["form"].errors["progress"]

    def test_evaluation_completes_the_plan_and_shows_before_and_after(self) -> None:
        S.session(self.plan, self.support_a)
        response = self.client.post(f"/plans/{self.plan.pk}/evaluate/", {
            "outcome": Outcome.RISK_REDUCED, "summary": "Kavējumu vairs nav.",
            "evaluated_on": F.a_school_day_in(self.plan).isoformat()})
        assert response.status_code == 302
        self.plan.refresh_from_db()
        assert self.plan.status == PlanStatus.COMPLETED
        page = self.client.get(f"/plans/{self.plan.pk}/")
        text = _text(page)
        assert "Risk reduced" in text and "Kavējumu vairs nav." in text
        rows = page.context["compared"]
        assert rows[0].label == "Attendance, last 30 school days"
        assert all(r.change_label for r in rows)  # words, not colour alone
        assert "Before" in text and "After" in text

    def test_before_and_after_say_better_or_worse_in_words(self) -> None:
        S.session(self.plan, self.support_a)
        plan_actions_eval = PlanEvaluation.objects.create(
            plan=self.plan, evaluated_on=timezone.localdate(), evaluated_by=self.support_a,
            outcome=Outcome.RISK_REDUCED, summary="x",
            indicators_before={"attendance_rate_30d": 0.8, "unexcused_lessons_semester": 4,
                               "support_level": "intensive", "as_of": "2026-09-01"},
            indicators_after={"attendance_rate_30d": 0.95, "unexcused_lessons_semester": 9,
                              "support_level": "targeted", "as_of": "2026-11-20"})
        assert plan_actions_eval.pk
        rows = {r.label: r for r in self.client.get(
            f"/plans/{self.plan.pk}/").context["compared"]}
        attendance = rows["Attendance, last 30 school days"]
        assert (attendance.before, attendance.after, attendance.arrow, attendance.change_label) == (
            "80 %", "95 %", "↑", "better")
        unexcused = rows["Unexcused lessons, semester"]
        assert (unexcused.arrow, unexcused.change_label) == ("↑", "worse")
        level = rows["Support level"]
        assert (level.arrow, level.change_label) == ("↓", "better")
        assert rows["Insufficient results, last 30 days"].change_label == "cannot be compared"

    def test_support_continues_drafts_the_next_plan_from_this_one(self) -> None:
        response = self.client.post(f"/plans/{self.plan.pk}/evaluate/", {
            "outcome": Outcome.SUPPORT_CONTINUES, "summary": "Vajag vēl.",
            "evaluated_on": F.a_school_day_in(self.plan).isoformat(),
            "continue_support": "on"})
        following = SupportPlan.objects.get(previous_plan=self.plan)
        self.assertRedirects(response, f"/plans/{following.pk}/", fetch_redirect_response=False)
        assert following.status == PlanStatus.DRAFT
        assert following.measures.count() == self.plan.measures.count()
        assert following.goals == self.plan.goals

    def test_next_plan_can_be_drafted_later_from_the_plan_page(self) -> None:
        self.client.post(f"/plans/{self.plan.pk}/evaluate/", {
            "outcome": Outcome.SUPPORT_CONTINUES, "summary": "Vajag vēl.",
            "evaluated_on": F.a_school_day_in(self.plan).isoformat()})
        assert not SupportPlan.objects.filter(previous_plan=self.plan).exists()
        page = _text(self.client.get(f"/plans/{self.plan.pk}/"))
        assert f'action="/plans/{self.plan.pk}/continue/"' in page
        assert self.client.post(f"/plans/{self.plan.pk}/continue/").status_code == 302
        assert SupportPlan.objects.filter(previous_plan=self.plan).count() == 1
        self.client.post(f"/plans/{self.plan.pk}/continue/")  # a second click adds nothing
        assert SupportPlan.objects.filter(previous_plan=self.plan).count() == 1

    def test_evaluation_only_for_a_running_plan(self) -> None:
        draft_case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        draft = F.draft_plan(draft_case, self.support_a)
        response = self.client.post(f"/plans/{draft.pk}/evaluate/", {
            "outcome": Outcome.RISK_REDUCED, "summary": "x",
            "evaluated_on": timezone.localdate().isoformat()})
        assert response.status_code == 302
        assert not PlanEvaluation.objects.filter(plan=draft).exists()
        assert S.english(self.teacher_a).get(
            f"/plans/{self.plan.pk}/evaluate/").status_code == 404


class ApprovalListTests(BaseTestCase):
    def test_each_approver_sees_the_plans_at_their_step_oldest_first(self) -> None:
        first = S.step(F.draft_plan(F.open_case(F.pupil_without_case(self.school_a),
                                                self.support_a), self.support_a),
                       PlanAction.SUBMIT, self.support_a)
        second = S.step(F.draft_plan(F.open_case(F.pupil_without_case(self.school_a),
                                                 self.support_a), self.support_a),
                        PlanAction.SUBMIT, self.support_a)
        ours = {first.pk, second.pk}  # the demo data has plans waiting too

        def waiting(user: object) -> list[SupportPlan]:
            response = S.english(user).get("/plans/approvals/")  # type: ignore[arg-type]
            assert response.status_code == 200
            listed = [w.plan for w in response.context["waiting"]]
            since = [w.since for w in response.context["waiting"]]
            assert since == sorted(since)  # the longest waiting first
            return [p for p in listed if p.pk in ours]

        assert waiting(self.director_a) == [first, second]
        assert waiting(self.municipality_coordinator) == []
        S.step(second, PlanAction.APPROVE, self.director_a)
        assert waiting(self.municipality_coordinator) == [second]
        assert waiting(self.director_a) == [first]
        assert second.code in _text(S.english(self.municipality_coordinator).get(
            "/plans/approvals/"))
        for user in (self.support_a, self.support_b, self.teacher_a, self.social_worker):
            assert waiting(user) == []
