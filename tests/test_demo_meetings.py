"""The demo's support-team meetings (seeded once per session by seed_demo, see
``kopiena.demo.meetings``): Demo vidusskola meets in both school years about its open cases,
and its decisions are done, open or overdue, so that the coordinator's inbox has work."""

from __future__ import annotations

from django.utils import timezone

from kopiena.calendars.schooldays import current_school_year
from kopiena.cases.models import CaseEvent, EventKind
from kopiena.conferences.access import own_open_items, school_staff
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.inbox.models import Notification, NotificationKind
from tests.base import BaseTestCase


class DemoMeetingTests(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.meetings = CaseConference.objects.filter(school=self.school_a).order_by("held_on")
        self.items = ActionItem.objects.filter(conference__school=self.school_a).select_related(
            "conference")

    def test_school_a_meets_in_both_school_years_before_today(self) -> None:
        year = current_school_year()
        assert year is not None
        days = list(self.meetings.values_list("held_on", flat=True))
        assert len(days) >= 5
        assert all(day < self.today and day.weekday() < 5 for day in days)
        assert any(day < year.starts_on for day in days)
        assert any(day >= year.starts_on for day in days)
        assert len(set(days)) == len(days)
        # Every school with open cases meets, not only the walk-through's.
        assert CaseConference.objects.values("school").distinct().count() >= 3

    def test_each_meeting_discusses_open_cases_of_its_school_and_is_minuted(self) -> None:
        sizes = []
        for meeting in self.meetings.prefetch_related("participants"):
            discussed = list(DiscussedCase.objects.filter(conference=meeting)
                             .select_related("case"))
            sizes.append(len(discussed))
            assert 1 <= len(discussed) <= 5, meeting
            assert meeting.title and meeting.agenda and meeting.minutes
            assert self.support_a in meeting.participants.all()
            for entry in discussed:
                assert entry.case.school_id == self.school_a.pk
                assert entry.case.opened_on < meeting.held_on
                assert entry.discussion.strip()
                # The case's timeline says it was discussed, on the day of the meeting.
                assert CaseEvent.objects.filter(
                    case=entry.case, kind=EventKind.CONFERENCE,
                    happened_at__date=meeting.held_on).exists()
        assert max(sizes) >= 2

    def test_decisions_are_mostly_done_some_open_and_some_overdue(self) -> None:
        items = list(self.items)
        done = [i for i in items if i.done_on is not None]
        still_open = [i for i in items if i.done_on is None]
        assert len(done) > len(still_open) > 0
        assert all(i.conference.held_on < i.done_on < self.today  # type: ignore[operator]
                   for i in done)
        assert all(i.due_on >= i.conference.held_on for i in items)
        assert any(i.due_on >= self.today for i in still_open)
        overdue = [i for i in still_open if i.due_on < self.today]
        assert any(i.owner_id == self.support_a.pk for i in overdue)
        staff = set(school_staff(self.school_a.pk).values_list("pk", flat=True))
        assert {i.owner_id for i in items} <= staff
        # Decisions about a case are about one discussed at that meeting.
        for item in items:
            if item.case_id is not None:
                assert DiscussedCase.objects.filter(conference=item.conference,
                                                    case_id=item.case_id).exists()

    def test_the_walk_through_class_teachers_own_no_decision(self) -> None:
        assert not ActionItem.objects.filter(owner__in=[self.teacher_a, self.teacher_b]).exists()

    def test_the_coordinator_finds_her_action_items_and_the_overdue_reminder(self) -> None:
        mine = list(own_open_items(self.support_a))
        overdue = [i for i in mine if i.due_on < self.today]
        assert overdue and any(i.due_on >= self.today for i in mine)
        reminders = Notification.objects.filter(
            user=self.support_a, kind=NotificationKind.ACTION_ITEM_OVERDUE, read_at__isnull=True)
        assert {n.dedupe_key for n in reminders} >= {f"action-item-overdue:{i.pk}"
                                                     for i in overdue}
        html = self.client_for(self.support_a).get("/inbox/").content.decode()
        assert 'id="action-items"' in html
        assert overdue[0].description in html

    def test_the_meetings_page_lists_them(self) -> None:
        response = self.client_for(self.psychologist_a).get(
            f"/conferences/?school={self.school_a.pk}")
        assert response.status_code == 200
        html = response.content.decode()
        latest = self.meetings.last()
        assert latest is not None and latest.title in html
        assert f'href="/conferences/{latest.pk}/"' in html
