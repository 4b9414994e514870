"""The daily reminders: each kind reaches the right people once, not for things that are done
or no longer running, and settles when its cause has gone."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.cases.models import SupportCase
from kopiena.conferences import actions as conference_actions
from kopiena.conferences.models import ActionItem
from kopiena.inbox.models import Notification, NotificationKind
from kopiena.inbox.reminders import send_reminders
from kopiena.inbox.tasks import send_reminders_task
from kopiena.plans import actions as plan_actions
from kopiena.plans.delivery import confirm_delivery, log_delivery
from kopiena.plans.evaluation import add_review
from kopiena.plans.models import Delivery, PlanTransition, SupportPlan
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests.base import BaseTestCase

DAY = dt.timedelta(days=1)


class ReminderTests(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        Notification.objects.all().delete()

    def _case(self) -> SupportCase:
        return F.open_case(F.pupil_without_case(self.school_a), self.support_a)

    def _approved(self, author: User | None = None) -> SupportPlan:
        return F.approved_plan(self._case(), author or self.support_a, self.director_a,
                               self.municipality_coordinator)

    def _of(self, user: User, kind: str, key: str) -> list[Notification]:
        """The user's reminders of ``kind`` about one thing (the demo has others)."""
        return list(Notification.objects.filter(
            Q(dedupe_key=key) | Q(dedupe_key__startswith=f"{key}:"), user=user, kind=kind))

    def test_review_due_reaches_case_manager_and_author_once(self) -> None:
        plan = self._approved(author=self.psychologist_a)
        SupportPlan.objects.filter(pk=plan.pk).update(next_review_on=self.today - DAY)
        assert send_reminders(self.today).reviews >= 2
        for user in (self.support_a, self.psychologist_a):
            [note] = self._of(user, NotificationKind.REVIEW_DUE, f"review:{plan.pk}")
            assert note.is_task
            assert note.url == f"/plans/{plan.pk}/"
            assert plan.code in note.title
        again = send_reminders(self.today)
        assert again.sent == 0
        assert len(self._of(self.support_a, NotificationKind.REVIEW_DUE, f"review:{plan.pk}")) == 1

    def test_no_review_reminder_before_the_date_or_for_a_draft(self) -> None:
        plan = self._approved()
        SupportPlan.objects.filter(pk=plan.pk).update(next_review_on=self.today + DAY)
        draft = F.draft_plan(self._case(), self.support_a)
        SupportPlan.objects.filter(pk=draft.pk).update(next_review_on=self.today - DAY)
        send_reminders(self.today)
        for due in (plan, draft):
            assert self._of(self.support_a, NotificationKind.REVIEW_DUE, f"review:{due.pk}") == []

    def test_a_held_review_settles_the_reminder(self) -> None:
        plan = self._approved()
        SupportPlan.objects.filter(pk=plan.pk).update(next_review_on=self.today)
        send_reminders(self.today)
        [note] = self._of(self.support_a, NotificationKind.REVIEW_DUE, f"review:{plan.pk}")
        add_review(plan=plan, by=self.support_a, reviewed_on=self.today, progress="Apmeklē.",
                   next_review_on=self.today + 30 * DAY)
        assert send_reminders(self.today).settled >= 1
        note.refresh_from_db()
        assert note.read_at is not None

    def _submitted(self) -> SupportPlan:
        plan = F.draft_plan(self._case(), self.support_a)
        return plan_actions.change_status(plan=plan, action=PlanAction.SUBMIT, by=self.support_a)

    def test_approval_waiting_longer_than_three_days(self) -> None:
        plan = self._submitted()
        Notification.objects.all().delete()  # the notice of the submission itself
        PlanTransition.objects.filter(plan=plan).update(
            happened_at=timezone.now() - 3 * DAY)
        send_reminders(self.today)
        key = f"approval-reminder:{plan.pk}"
        assert self._of(self.director_a, NotificationKind.APPROVAL_WAITING, key) == []
        PlanTransition.objects.filter(plan=plan).update(
            happened_at=timezone.now() - 4 * DAY)
        send_reminders(self.today)
        [note] = self._of(self.director_a, NotificationKind.APPROVAL_WAITING, key)
        assert note.is_task and plan.code in note.title
        # The step is taken: the reminder settles, and the next approver is not reminded
        # before their own three days.
        plan = plan_actions.change_status(plan=plan, action=PlanAction.APPROVE,
                                          by=self.director_a)
        send_reminders(self.today)
        note.refresh_from_db()
        assert note.read_at is not None
        reminders = Notification.objects.filter(
            dedupe_key__startswith=f"approval-reminder:{plan.pk}:")
        assert reminders.count() == 1

    def _conference_item(self, *, due_on: dt.date) -> ActionItem:
        conference = conference_actions.create_conference(
            school=self.school_a, held_on=self.today - 10 * DAY, title="Atbalsta komanda",
            by=self.support_a)
        return conference_actions.add_action_item(
            conference=conference, description="Piezvanīt mātei", owner=self.teacher_a,
            due_on=due_on, by=self.support_a)

    def test_overdue_action_item_reminds_its_owner(self) -> None:
        item = self._conference_item(due_on=self.today - DAY)
        on_time = self._conference_item(due_on=self.today)
        send_reminders(self.today)
        [note] = self._of(self.teacher_a, NotificationKind.ACTION_ITEM_OVERDUE,
                          f"action-item-overdue:{item.pk}")
        assert "Piezvanīt mātei" in note.title
        assert not Notification.objects.filter(
            dedupe_key=f"action-item-overdue:{on_time.pk}").exists()
        assert send_reminders(self.today).action_items == 0
        conference_actions.complete_action_item(item=item, by=self.teacher_a)
        note.refresh_from_db()
        assert note.read_at is not None

    def test_done_action_item_is_not_reminded(self) -> None:
        item = self._conference_item(due_on=self.today - DAY)
        conference_actions.complete_action_item(item=item, by=self.support_a)
        send_reminders(self.today)
        assert self._of(self.teacher_a, NotificationKind.ACTION_ITEM_OVERDUE,
                        f"action-item-overdue:{item.pk}") == []

    def _remote_session(self, *, confirmed: bool) -> Delivery:
        plan = self._approved()
        delivery = log_delivery(measure=plan.measures.get(), by=self.support_a,
                                delivered_on=F.a_school_day_in(plan), duration_minutes=40,
                                mode="remote", staff=self.psychologist_a,
                                pupil_confirmed=confirmed)
        Delivery.objects.filter(pk=delivery.pk).update(delivered_on=self.today - 3 * DAY)
        delivery.refresh_from_db()
        return delivery

    def test_unconfirmed_remote_session_reminds_who_gave_it(self) -> None:
        delivery = self._remote_session(confirmed=False)
        send_reminders(self.today)
        [note] = self._of(self.psychologist_a, NotificationKind.CONFIRMATION_OVERDUE,
                          f"confirmation:{delivery.pk}")
        assert note.url == f"/plans/{delivery.plan_id}/"
        assert send_reminders(self.today).confirmations == 0
        confirm_delivery(delivery=delivery, by=self.psychologist_a)
        send_reminders(self.today)
        note.refresh_from_db()
        assert note.read_at is not None

    def test_confirmed_or_recent_sessions_are_not_reminded(self) -> None:
        confirmed = self._remote_session(confirmed=True)
        recent = self._remote_session(confirmed=False)
        Delivery.objects.filter(pk=recent.pk).update(delivered_on=self.today - DAY)
        send_reminders(self.today)
        for delivery in (confirmed, recent):
            assert self._of(self.psychologist_a, NotificationKind.CONFIRMATION_OVERDUE,
                            f"confirmation:{delivery.pk}") == []

    def test_command_and_task_print_and_return_the_summary(self) -> None:
        item = self._conference_item(due_on=self.today - 2 * DAY)
        out = StringIO()
        call_command("send_reminders", "--date", self.today.isoformat(), stdout=out)
        overdue = re.search(r"nokavēti uzdevumi — (\d+)", out.getvalue())
        assert overdue is not None and int(overdue.group(1)) >= 1, out.getvalue()
        assert Notification.objects.filter(dedupe_key=f"action-item-overdue:{item.pk}").exists()
        result = send_reminders_task.call(self.today.isoformat())
        assert result["action_items"] == 0  # already reminded
