"""Case conferences: holding one, the cases discussed, decisions as action items, the
minutes with their version, and the pages that do it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kopiena.access.models import AccessLogEntry
from kopiena.cases import actions as case_actions
from kopiena.cases.models import CaseEvent, EventKind, SupportCase
from kopiena.conferences import actions
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.inbox.models import Notification, NotificationKind
from tests import case_factories as F
from tests.base import BaseTestCase

DAY = dt.timedelta(days=1)


class ConferenceActionTests(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.case = F.open_case(F.pupil_without_case(self.school_a, of_teacher=self.teacher_a),
                                self.support_a)
        self.conference = actions.create_conference(
            school=self.school_a, held_on=self.today, title="Atbalsta komanda, novembris",
            agenda="1. Kavējumi\n2. Mentori", participants=[self.director_a, self.teacher_a],
            other_participants="Anna Kalniņa, māte", by=self.support_a)

    def test_create_with_staff_participants_only(self) -> None:
        assert set(self.conference.participants.all()) == {self.director_a, self.teacher_a}
        with pytest.raises(ValidationError) as raised:
            actions.create_conference(school=self.school_a, held_on=self.today, title="X",
                                      participants=[self.teacher_b], by=self.support_a)
        assert "participants" in raised.value.message_dict
        with pytest.raises(ValidationError) as empty:
            actions.create_conference(school=self.school_a, held_on=self.today, title=" ",
                                      by=self.support_a)
        assert "title" in empty.value.message_dict

    def test_only_the_schools_support_team_holds_it(self) -> None:
        for outsider in (self.teacher_a, self.support_b, self.social_worker):
            with pytest.raises(PermissionDenied):
                actions.create_conference(school=self.school_a, held_on=self.today,
                                          title="Sanāksme", by=outsider)

    def test_adding_a_case_writes_its_timeline(self) -> None:
        discussed = actions.add_case(conference=self.conference, case=self.case,
                                     by=self.psychologist_a)
        assert discussed.added_by == self.psychologist_a
        event = CaseEvent.objects.filter(case=self.case, kind=EventKind.CONFERENCE).get()
        assert self.conference.title in event.summary
        with pytest.raises(ValidationError):
            actions.add_case(conference=self.conference, case=self.case, by=self.support_a)

    def test_cases_of_another_school_or_closed_are_refused(self) -> None:
        other = F.open_case(F.pupil_without_case(self.school_b), self.support_b)
        with pytest.raises(PermissionDenied):
            actions.add_case(conference=self.conference, case=other, by=self.support_a)
        closed = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        case_actions.close_case(case=closed, by=self.support_a, reason="Atrisināts")
        closed = SupportCase.objects.get(pk=closed.pk)
        with pytest.raises(ValidationError):
            actions.add_case(conference=self.conference, case=closed, by=self.support_a)

    def test_remove_a_case_added_by_mistake_only_without_decisions(self) -> None:
        discussed = actions.add_case(conference=self.conference, case=self.case,
                                     by=self.support_a)
        actions.add_action_item(conference=self.conference, description="Sarunāties",
                                owner=self.psychologist_a, due_on=self.today + DAY,
                                case=self.case, by=self.support_a)
        with pytest.raises(ValidationError):
            actions.remove_case(discussed=discussed, by=self.support_a)
        ActionItem.objects.filter(case=self.case).delete()
        actions.remove_case(discussed=discussed, by=self.support_a)
        assert not DiscussedCase.objects.filter(pk=discussed.pk).exists()

    def test_action_item_notifies_its_owner(self) -> None:
        actions.add_case(conference=self.conference, case=self.case, by=self.support_a)
        item = actions.add_action_item(
            conference=self.conference, description="Piezvanīt ģimenei līdz piektdienai",
            owner=self.teacher_a, due_on=self.today + 7 * DAY, case=self.case,
            by=self.support_a)
        note = Notification.objects.get(user=self.teacher_a, kind=NotificationKind.ACTION_ITEM)
        assert note.is_task
        assert "Piezvanīt ģimenei" in note.title
        # The class teacher sees the case of their pupil: the name is in the title and the
        # link leads to the case (they do not see the conference).
        assert self.case.pupil.full_name in note.title
        assert note.url == f"/cases/{self.case.pk}/"
        assert item.created_by == self.support_a

    def test_action_item_rules(self) -> None:
        def add(**changes: Any) -> ActionItem:
            values: dict[str, Any] = {
                "conference": self.conference, "description": "Darīt", "owner": self.teacher_a,
                "due_on": self.today + DAY, "by": self.support_a}
            values.update(changes)
            return actions.add_action_item(**values)

        cases: dict[str, dict[str, Any]] = {
            "owner": {"owner": self.teacher_b},
            "due_on": {"due_on": self.today - DAY},
            "case": {"case": self.case},  # not discussed at this conference
            "description": {"description": "  "},
        }
        for field, change in cases.items():
            with pytest.raises(ValidationError) as raised:
                add(**change)
            assert field in raised.value.message_dict, field
        with pytest.raises(PermissionDenied):
            add(by=self.teacher_a)

    def test_a_case_team_member_from_outside_may_own_a_decision(self) -> None:
        actions.add_case(conference=self.conference, case=self.case, by=self.support_a)
        case_actions.add_team_member(case=self.case, user=self.social_worker, role="partner",
                                     by=self.support_a)
        item = actions.add_action_item(conference=self.conference, description="Mājas vizīte",
                                       owner=self.social_worker, due_on=self.today + DAY,
                                       case=self.case, by=self.support_a)
        assert item.owner == self.social_worker

    def test_done_by_owner_or_support_team_only(self) -> None:
        item = actions.add_action_item(conference=self.conference, description="Darīt",
                                       owner=self.teacher_a, due_on=self.today + DAY,
                                       by=self.support_a)
        with pytest.raises(PermissionDenied):
            actions.complete_action_item(item=item, by=self.teacher_b)
        actions.complete_action_item(item=item, by=self.teacher_a)
        item.refresh_from_db()
        assert item.done_on == self.today and item.done_by == self.teacher_a
        assert Notification.objects.get(user=self.teacher_a,
                                        dedupe_key=f"action-item:{item.pk}").read_at is not None
        with pytest.raises(ValidationError):
            actions.complete_action_item(item=item, by=self.teacher_a)
        actions.reopen_action_item(item=item, by=self.psychologist_a)
        actions.complete_action_item(item=item, by=self.psychologist_a)
        item.refresh_from_db()
        assert item.done_by == self.psychologist_a

    def test_minutes_refuse_a_stale_version(self) -> None:
        version = self.conference.version
        saved = actions.save_minutes(conference=self.conference, version=version,
                                     minutes="Vienojāmies par mentoru.", by=self.support_a)
        assert saved.version == version + 1
        with pytest.raises(actions.ConcurrentEdit):
            actions.save_minutes(conference=self.conference, version=version,
                                 minutes="Cits teksts", by=self.director_a)
        assert CaseConference.objects.get(pk=self.conference.pk).minutes == (
            "Vienojāmies par mentoru.")


class ConferencePageTests(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.client_a = self.client_for(self.support_a)

    def _create(self) -> CaseConference:
        response = self.client_a.post("/conferences/new/", {
            "school": self.school_a.pk, "held_on": self.today.isoformat(),
            "title": "Atbalsta komandas sanāksme", "agenda": "Kavējumi",
            "participants": [self.director_a.pk, self.psychologist_a.pk],
            "other_participants": "Sociālā dienesta darbiniece"})
        assert response.status_code == 302, response.content.decode()[:2000]
        conference = CaseConference.objects.get(title="Atbalsta komandas sanāksme")
        assert response["Location"] == f"/conferences/{conference.pk}/"
        return conference

    def test_the_whole_meeting_through_the_pages(self) -> None:
        assert self.client_a.get("/conferences/").status_code == 200
        assert self.client_a.get("/conferences/new/").status_code == 200
        conference = self._create()
        assert set(conference.participants.all()) == {self.director_a, self.psychologist_a}

        page = self.client_a.get(f"/conferences/{conference.pk}/cases/")
        assert page.status_code == 200
        assert self.pupil.full_name in page.content.decode()
        added = self.client_a.post(f"/conferences/{conference.pk}/cases/",
                                   {"cases": [self.case.pk]})
        assert added.status_code == 302
        discussed = DiscussedCase.objects.get(conference=conference, case=self.case)

        prefix = f"d{discussed.pk}"
        saved = self.client_a.post(f"/conferences/{conference.pk}/cases/{discussed.pk}/", {
            f"{prefix}-discussion": "Kavē pirmdienās; mātei grūti.",
            f"{prefix}-version": discussed.version})
        assert saved.status_code == 302
        discussed.refresh_from_db()
        assert discussed.discussion == "Kavē pirmdienās; mātei grūti."

        item = self.client_a.post(f"/conferences/{conference.pk}/items/", {
            "description": "Norunāt tikšanos ar māti", "case": self.case.pk,
            "owner": self.teacher_a.pk, "due_on": (self.today + 5 * DAY).isoformat()})
        assert item.status_code == 302
        action_item = ActionItem.objects.get(conference=conference)
        assert action_item.owner == self.teacher_a

        minutes = self.client_a.post(f"/conferences/{conference.pk}/minutes/", {
            "minutes": "Sanāksme notika.", "version": conference.version})
        assert minutes.status_code == 302

        detail = self.client_a.get(f"/conferences/{conference.pk}/")
        html = detail.content.decode()
        assert detail.status_code == 200
        assert "Kavē pirmdienās; mātei grūti." in html
        assert "Norunāt tikšanos ar māti" in html
        assert "Sanāksme notika." in html
        logged = AccessLogEntry.objects.filter(user=self.support_a,
                                               path=f"/conferences/{conference.pk}/").last()
        assert logged is not None
        assert list(logged.pupils.values_list("pupil_id", flat=True)) == [self.pupil.pk]

        # The owner finds the item in the inbox and marks it done there.
        teacher = self.client_for(self.teacher_a)
        inbox = teacher.get("/inbox/").content.decode()
        assert "Norunāt tikšanos ar māti" in inbox
        assert teacher.post(f"/inbox/action-items/{action_item.pk}/done/").status_code == 302
        action_item.refresh_from_db()
        assert action_item.done_by == self.teacher_a

    def test_forms_keep_what_was_typed_on_errors(self) -> None:
        conference = self._create()
        response = self.client_a.post(f"/conferences/{conference.pk}/items/", {
            "description": "Mans ieraksts", "owner": self.teacher_b.pk,
            "due_on": self.today.isoformat()})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Mans ieraksts" in html
        assert "error-summary" in html
        assert not ActionItem.objects.filter(conference=conference).exists()

    def test_concurrent_minutes_keep_both_texts(self) -> None:
        conference = self._create()
        stale = conference.version
        self.client_for(self.director_a).post(f"/conferences/{conference.pk}/minutes/", {
            "minutes": "Direktora teksts", "version": stale})
        response = self.client_a.post(f"/conferences/{conference.pk}/minutes/", {
            "minutes": "Koordinatora teksts", "version": stale})
        assert response.status_code == 409
        html = response.content.decode()
        assert "Koordinatora teksts" in html and "Direktora teksts" in html
        assert CaseConference.objects.get(pk=conference.pk).minutes == "Direktora teksts"

    def test_edit_the_conference(self) -> None:
        conference = self._create()
        assert self.client_a.get(f"/conferences/{conference.pk}/edit/").status_code == 200
        response = self.client_a.post(f"/conferences/{conference.pk}/edit/", {
            "held_on": (self.today + DAY).isoformat(), "title": "Pārcelta sanāksme",
            "agenda": "", "participants": [self.teacher_a.pk], "other_participants": "",
            "version": conference.version})
        assert response.status_code == 302
        conference.refresh_from_db()
        assert conference.title == "Pārcelta sanāksme"
        assert list(conference.participants.all()) == [self.teacher_a]
        stale = self.client_a.post(f"/conferences/{conference.pk}/edit/", {
            "held_on": self.today.isoformat(), "title": "Novecojis", "agenda": "",
            "other_participants": "", "version": conference.version - 1})
        assert stale.status_code == 409
        conference.refresh_from_db()
        assert conference.title == "Pārcelta sanāksme"
