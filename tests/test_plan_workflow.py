"""Every transition of a support plan, who may take it, and what it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.cases import actions as case_actions
from kopiena.inbox.models import Notification
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plan_actions
from kopiena.plans.access import get_plan_for, plan_access, plan_readable, reached_municipality
from kopiena.plans.delivery import log_delivery
from kopiena.plans.evaluation import evaluate_plan
from kopiena.plans.models import PlanStatus, PlanTransition, SupportPlan
from kopiena.plans.workflow import TRANSITIONS, PlanAction
from tests import case_factories as F
from tests import plan_steps as S
from tests.base import BaseTestCase


class PlanWorkflowTests(BaseTestCase):
    def setUp(self) -> None:
        self.pupil = F.pupil_without_case(self.school_a)
        self.case = F.open_case(self.pupil, self.support_a)

    def _do(self, plan: SupportPlan, action: PlanAction, user: User,
            comment: str = "") -> SupportPlan:
        return plan_actions.change_status(plan=plan, action=action, by=self.fresh(user),
                                          comment=comment)

    def test_full_approval_chain_author_director_municipality(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        assert plan.code.startswith(f"IAP-{self.school_a.registration_code}-")
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        assert plan.status == PlanStatus.IN_APPROVAL
        # The municipality cannot approve before the director.
        with pytest.raises(PermissionDenied):
            self._do(plan, PlanAction.APPROVE, self.municipality_coordinator)
        assert Notification.objects.filter(user=self.director_a, is_task=True).exists()
        plan = self._do(plan, PlanAction.APPROVE, self.director_a)
        assert plan.status == PlanStatus.IN_APPROVAL
        # Submitting shared the case with the municipality: the coordinator now sees the pupil.
        coordinator = self.fresh(self.municipality_coordinator)
        assert visible_pupils(coordinator).filter(pk=self.pupil.pk).exists()
        plan = self._do(plan, PlanAction.APPROVE, coordinator)
        assert plan.status == PlanStatus.APPROVED
        steps = list(PlanTransition.objects.filter(plan=plan).values_list(
            "to_status", "acting_role"))
        assert steps == [("draft", ""), ("in_approval", "support_coordinator"),
                         ("in_approval", "school_director"),
                         ("approved", "municipality_coordinator")]

    def test_submit_needs_consent_and_a_measure(self) -> None:
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a, consent=False)
        plan = F.draft_plan(case, self.support_a)
        with pytest.raises(ValidationError, match=r"piekrišana|consent"):
            self._do(plan, PlanAction.SUBMIT, self.support_a)
        empty = F.draft_plan(self.case, self.support_a, with_measure=False)
        with pytest.raises(ValidationError):
            self._do(empty, PlanAction.SUBMIT, self.support_a)

    def test_return_pause_resume_revise_reapprove(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        with pytest.raises(ValidationError):
            self._do(plan, PlanAction.RETURN, self.director_a)  # comment required
        plan = self._do(plan, PlanAction.RETURN, self.director_a, "Precizēt mērķus")
        assert plan.status == PlanStatus.DRAFT
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        plan = self._do(plan, PlanAction.APPROVE, self.director_a)
        plan = self._do(plan, PlanAction.APPROVE, self.municipality_coordinator)
        measure = plan.measures.get()
        log_delivery(measure=measure, by=self.support_a, delivered_on=F.a_school_day_in(plan),
                     duration_minutes=45, mode="in_person", staff=self.psychologist_a,
                     pupil_confirmed=True)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.IN_IMPLEMENTATION  # first delivery started it
        with pytest.raises(ValidationError):
            self._do(plan, PlanAction.PAUSE, self.support_a)  # reason required
        plan = self._do(plan, PlanAction.PAUSE, self.support_a, "Slimības dēļ")
        assert plan.status_reason == "Slimības dēļ"
        with pytest.raises(ValidationError, match=r"delivered|sniegts"):
            self._do(plan, PlanAction.DEACTIVATE, self.support_a, "x")  # something was spent
        plan = self._do(plan, PlanAction.RESUME, self.support_a)
        plan = self._do(plan, PlanAction.REVISE, self.support_a, "Jauns pasākums")
        assert plan.status == PlanStatus.UNDER_REVISION
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        plan = self._do(plan, PlanAction.RETURN, self.director_a, "Vēl jāprecizē")
        assert plan.status == PlanStatus.UNDER_REVISION  # a revision returns to revision
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        plan = self._do(plan, PlanAction.APPROVE, self.director_a)
        plan = self._do(plan, PlanAction.APPROVE, self.municipality_coordinator)
        assert plan.status == PlanStatus.APPROVED
        assert plan.approval_round == 4

    def test_inactive_only_when_nothing_spent_and_restart(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        plan = self._do(plan, PlanAction.DEACTIVATE, self.support_a, "Pārcēlās")
        assert plan.status == PlanStatus.INACTIVE
        plan = self._do(plan, PlanAction.REOPEN, self.support_a)
        assert plan.status == PlanStatus.DRAFT

    def test_invalid_transition_is_refused_with_a_message(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        for action in (PlanAction.APPROVE, PlanAction.START, PlanAction.PAUSE,
                       PlanAction.RESUME, PlanAction.REVISE, PlanAction.REOPEN,
                       PlanAction.RETURN):
            assert plan.status not in TRANSITIONS[action].sources
            with pytest.raises(ValidationError, match=r"Melnraksts|Draft"):
                self._do(plan, action, self.director_a, "x")

    def test_class_teacher_and_other_school_cannot_submit(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        for user in (self.support_b, self.social_worker, self.municipality_coordinator):
            with pytest.raises(PermissionDenied):
                self._do(plan, PlanAction.SUBMIT, user)

    def test_consent_withdrawal_stops_sharing_and_blocks_approval(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        plan = self._do(plan, PlanAction.APPROVE, self.director_a)
        referral = case_actions.refer_case(
            case=self.case, agency=self.fresh(self.social_worker).active_memberships()[0]
            .organisation, legal_basis="consent", request="Ģimenes atbalsts",
            shared_parts=["summary", "plan"], by=self.support_a)
        social = self.fresh(self.social_worker)
        assert visible_pupils(social).filter(pk=self.pupil.pk).exists()
        revoked = case_actions.withdraw_consent(consent=self.case.consents.get(),
                                                withdrawn_on=plan.starts_on, note="",
                                                by=self.support_a)
        assert revoked == 2  # the referral and the municipality's view
        referral.refresh_from_db()
        assert referral.status == "revoked"
        assert not visible_pupils(self.fresh(self.social_worker)).filter(pk=self.pupil.pk).exists()
        assert not visible_pupils(self.fresh(self.municipality_coordinator)).filter(
            pk=self.pupil.pk).exists()
        with pytest.raises(ValidationError, match=r"(?i)consent|piekrišan"):
            self._do(plan, PlanAction.APPROVE, self.municipality_coordinator)

    def test_evaluation_completes_with_before_and_after(self) -> None:
        plan = F.approved_plan(self.case, self.support_a, self.director_a,
                               self.municipality_coordinator)
        log_delivery(measure=plan.measures.get(), by=self.support_a,
                     delivered_on=F.a_school_day_in(plan), duration_minutes=90,
                     mode="remote", staff=self.psychologist_a)
        evaluation = evaluate_plan(plan=plan, by=self.support_a, outcome="risk_reduced",
                                   summary="Apmeklējums uzlabojās.")
        plan.refresh_from_db()
        assert plan.status == PlanStatus.COMPLETED
        assert evaluation.indicators_after.get("support_level") is not None
        assert plan.deliveries.get().amount == Decimal("1.50")


class PlanAccessRightsTests(BaseTestCase):
    """The rights of kopiena.plans.access beyond the status table: logging deliveries, and
    reading a plan through the municipality's sharing."""

    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)

    def test_continued_plan_keeps_the_risk_links_of_its_measures(self) -> None:
        previous = F.draft_plan(self.case, self.support_a)
        following = plan_actions.semester_of(previous.ends_on + dt.timedelta(days=1))
        assert following is not None
        plan = plan_actions.create_plan(case=self.case, author=self.support_a, goals="x",
                                        semester=following, previous=previous)
        assert [r.factor for r in plan.measures.get().risks.all()] == ["absences"]
        assert [r.factor for r in previous.measures.get().risks.all()] == ["absences"]

    def test_a_mentor_on_the_team_logs_the_mentor_measure_and_so_starts_the_plan(self) -> None:
        partner = Organisation.objects.get(memberships__user=self.social_worker)
        mentor = S.trained_mentor(partner)
        plan = F.draft_plan(self.case, self.support_a)
        mentoring = S.mentor_measure(plan, mentor, self.support_a)
        other = plan.measures.exclude(pk=mentoring.pk).get()
        access = plan_access(S.fresh(mentor), plan)
        assert (access.is_editor, access.log_delivery) == (False, False)  # a draft takes none
        for action, user in ((PlanAction.SUBMIT, self.support_a),
                             (PlanAction.APPROVE, self.director_a),
                             (PlanAction.APPROVE, self.municipality_coordinator)):
            plan = self._do(plan, action, user)
        access = plan_access(S.fresh(mentor), plan)
        assert access.log_delivery and access.may_log(mentoring) and not access.may_log(other)
        teacher = plan_access(S.fresh(self.teacher_a), plan)
        assert not teacher.log_delivery
        log_delivery(measure=mentoring, by=S.fresh(mentor), delivered_on=F.a_school_day_in(plan),
                     duration_minutes=60, mode="in_person", staff=mentor)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.IN_IMPLEMENTATION
        start = PlanTransition.objects.get(plan=plan, action="start")
        assert start.actor == mentor
        # Starting is the only step the mentor's session takes; the rest stays the editors'.
        with pytest.raises(PermissionDenied):
            self._do(plan, PlanAction.PAUSE, mentor, "x")

    def test_the_municipality_reads_a_plan_from_its_approval_step_on(self) -> None:
        plan = F.draft_plan(self.case, self.support_a)
        plan = self._do(plan, PlanAction.SUBMIT, self.support_a)
        assert not reached_municipality(plan)
        plan = self._do(plan, PlanAction.APPROVE, self.director_a)
        assert reached_municipality(plan)
        coordinator = S.fresh(self.municipality_coordinator)
        rights = plan_access(coordinator, plan).case
        assert plan_readable(plan, rights)
        plan = self._do(plan, PlanAction.RETURN, coordinator, "Precizēt")
        assert plan_readable(plan, rights)  # it has been at the municipality's step
        with pytest.raises(Http404):
            get_plan_for(S.fresh(self.support_b), plan.pk)

    def _do(self, plan: SupportPlan, action: PlanAction, user: User,
            comment: str = "") -> SupportPlan:
        return plan_actions.change_status(plan=plan, action=action, by=S.fresh(user),
                                          comment=comment)
