"""The inbox: only one's own notifications, reading them, the e-mail preference, the daily
digest, and the inbox line for support levels raised by a recompute."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.earlywarning.models import SupportLevelEvent
from kopiena.earlywarning.signals import support_levels_changed
from kopiena.inbox.actions import notify, set_email_mode
from kopiena.inbox.digest import send_digest
from kopiena.inbox.models import EmailMode, Notification, NotificationKind
from kopiena.inbox.tasks import send_digest_task
from kopiena.pupils.models import ClassStaff, Pupil
from tests.base import BaseTestCase


def _note(user: User, title: str, *, task: bool = False, url: str = "/pupils/") -> Notification:
    [created] = notify([user], kind=NotificationKind.CASE_ASSIGNED, title=title, url=url,
                       is_task=task)
    return created


class InboxPageTests(BaseTestCase):
    def setUp(self) -> None:
        Notification.objects.filter(user__in=[self.support_a, self.teacher_a]).delete()
        self.info = _note(self.support_a, "Informācija par skolu")
        self.task = _note(self.support_a, "Apstipriniet plānu", task=True)
        self.foreign = _note(self.teacher_a, "Skolotājas paziņojums")

    def test_lists_only_own_notifications_tasks_first_unread_marked(self) -> None:
        response = self.client_for(self.support_a).get("/inbox/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Apstipriniet plānu" in html and "Informācija par skolu" in html
        assert "Skolotājas paziņojums" not in html
        assert html.index("Apstipriniet plānu") < html.index("Informācija par skolu")
        assert "inbox-item--unread" in html
        # The header shows the unread count on every page.
        assert 'class="inbox-count">2<' in html

    def test_tasks_filter(self) -> None:
        html = self.client_for(self.support_a).get("/inbox/?show=tasks").content.decode()
        assert "Apstipriniet plānu" in html
        assert "Informācija par skolu" not in html

    def test_mark_one_and_all_read(self) -> None:
        client = self.client_for(self.support_a)
        assert client.post(f"/inbox/{self.info.pk}/read/").status_code == 302
        self.info.refresh_from_db()
        self.task.refresh_from_db()
        assert self.info.read_at is not None and self.task.read_at is None
        client.post("/inbox/read-all/")
        self.task.refresh_from_db()
        assert self.task.read_at is not None
        self.foreign.refresh_from_db()
        assert self.foreign.read_at is None  # someone else's stays unread

    def test_someone_elses_notification_is_404(self) -> None:
        client = self.client_for(self.support_a)
        assert client.post(f"/inbox/{self.foreign.pk}/read/").status_code == 404
        assert client.get(f"/inbox/{self.foreign.pk}/open/").status_code == 404
        self.foreign.refresh_from_db()
        assert self.foreign.read_at is None

    def test_opening_follows_the_link_and_marks_read(self) -> None:
        response = self.client_for(self.support_a).get(f"/inbox/{self.task.pk}/open/")
        assert response.status_code == 302
        assert response["Location"] == "/pupils/"
        self.task.refresh_from_db()
        assert self.task.read_at is not None

    def test_opening_never_redirects_off_site(self) -> None:
        evil = _note(self.support_a, "Saite", url="//evil.example/")
        response = self.client_for(self.support_a).get(f"/inbox/{evil.pk}/open/")
        assert response["Location"] == "/inbox/"

    def test_anonymous_goes_to_login(self) -> None:
        for url in ("/inbox/", "/inbox/preferences/"):
            response = Client().get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        assert Client().post(f"/inbox/{self.info.pk}/read/").status_code == 302
        self.info.refresh_from_db()
        assert self.info.read_at is None

    def test_preference_form(self) -> None:
        client = self.client_for(self.teacher_a)
        page = client.get("/inbox/preferences/")
        assert page.status_code == 200
        assert 'value="immediately"' in page.content.decode()
        response = client.post("/inbox/preferences/", {"email_mode": "daily_digest"})
        assert response.status_code == 302
        preference = self.teacher_a.notification_preference
        preference.refresh_from_db()
        assert preference.email_mode == EmailMode.DAILY_DIGEST
        assert preference.last_digest_at is not None
        invalid = client.post("/inbox/preferences/", {"email_mode": "carrier_pigeon"})
        assert invalid.status_code == 200
        preference.refresh_from_db()
        assert preference.email_mode == EmailMode.DAILY_DIGEST

    def test_immediate_email_unless_the_user_chose_otherwise(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            _note(self.teacher_a, "Uzreiz")
        assert [m.to for m in mail.outbox] == [[self.teacher_a.email]]
        set_email_mode(user=self.teacher_a, email_mode=EmailMode.NONE)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            _note(self.teacher_a, "Bez e-pasta")
        assert mail.outbox == []


class DigestTests(BaseTestCase):
    def setUp(self) -> None:
        Notification.objects.filter(user__in=[self.support_a, self.teacher_a]).delete()
        set_email_mode(user=self.support_a, email_mode=EmailMode.DAILY_DIGEST)
        set_email_mode(user=self.teacher_a, email_mode=EmailMode.DAILY_DIGEST)
        mail.outbox.clear()

    def test_one_latvian_message_with_the_news_then_nothing_twice(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            _note(self.support_a, "Plāns gaida apstiprinājumu", task=True)
            _note(self.support_a, "Nosūtījums pieņemts")
            old = _note(self.support_a, "Jau izlasīts")
        old.read_at = timezone.now()
        old.save()
        assert mail.outbox == []  # the digest replaces the immediate e-mails
        out = StringIO()
        call_command("send_digest", stdout=out)
        assert len(mail.outbox) == 1  # teacher_a had no news
        message = mail.outbox[0]
        assert message.to == [self.support_a.email]
        assert "Kopiena" in message.subject
        assert "Plāns gaida apstiprinājumu" in message.body
        assert "Nosūtījums pieņemts" in message.body
        assert "Jau izlasīts" not in message.body
        assert "Uzdevumi" in message.body or "Tasks" in message.body
        assert "/inbox/preferences/" in message.body
        assert "1" in out.getvalue()
        preference = self.support_a.notification_preference
        preference.refresh_from_db()
        assert preference.last_digest_at is not None
        assert not Notification.objects.filter(user=self.support_a, read_at__isnull=True,
                                               emailed_at__isnull=True).exists()
        mail.outbox.clear()
        send_digest()
        assert mail.outbox == []

    def test_only_news_since_the_last_digest(self) -> None:
        earlier = _note(self.support_a, "Vecs paziņojums")
        preference = self.support_a.notification_preference
        preference.refresh_from_db()
        assert preference.last_digest_at is not None
        Notification.objects.filter(pk=earlier.pk).update(
            created_at=preference.last_digest_at - dt.timedelta(hours=1))
        assert send_digest().sent == 0
        _note(self.support_a, "Jauns paziņojums")
        send_digest()
        assert len(mail.outbox) == 1
        assert "Jauns paziņojums" in mail.outbox[0].body
        assert "Vecs paziņojums" not in mail.outbox[0].body

    def test_a_past_date_covers_that_day_only(self) -> None:
        note = _note(self.support_a, "Šodienas ziņa")
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Notification.objects.filter(pk=note.pk).update(
            created_at=timezone.now() - dt.timedelta(days=3))
        preference = self.support_a.notification_preference
        preference.last_digest_at = timezone.now() - dt.timedelta(days=4)
        preference.save()
        assert send_digest(yesterday).sent == 1
        # The next run starts where that digest ended: nothing is sent twice.
        assert send_digest().sent == 0

    def test_users_who_want_no_digest_get_none(self) -> None:
        set_email_mode(user=self.support_a, email_mode=EmailMode.NONE)
        _note(self.support_a, "Klusais paziņojums")
        assert send_digest().sent == 0
        assert mail.outbox == []

    def test_the_task_runs_the_same_digest(self) -> None:
        _note(self.support_a, "No uzdevuma")
        result = send_digest_task.call()
        assert result["sent"] == 1
        assert len(mail.outbox) == 1


class LevelsRaisedTests(BaseTestCase):
    def _events(self, school_pupils: list[Pupil], change: str = "raised") -> list[SupportLevelEvent]:
        today = timezone.localdate()
        assert all(p.school is not None for p in school_pupils)
        return [SupportLevelEvent.objects.create(
            pupil=p, school_id=p.school_id or 0, date=today, previous_level="universal",
            level="targeted", change=change) for p in school_pupils]

    def test_one_notification_per_school_for_coordinator_and_class_teacher(self) -> None:
        Notification.objects.filter(kind=NotificationKind.NEW_FLAG).delete()
        own_class = ClassStaff.objects.get(user=self.teacher_a, kind="class_teacher").school_class
        in_class = list(Pupil.objects.filter(school_class=own_class).order_by("pk")[:3])
        elsewhere = list(Pupil.objects.filter(school=self.school_a).exclude(
            school_class=own_class).order_by("pk")[:4])
        in_b = list(Pupil.objects.filter(school=self.school_b).order_by("pk")[:2])
        events = (self._events(in_class + elsewhere + in_b)
                  + self._events(elsewhere[:1], change="lowered"))
        support_levels_changed.send(sender=SupportLevelEvent, events=events)
        coordinator = Notification.objects.filter(user=self.support_a,
                                                  kind=NotificationKind.NEW_FLAG)
        assert coordinator.count() == 1
        note = coordinator.get()
        # 3 + 4 pupils raised; the lowered one is not counted.
        assert re.search(r"\b7\b", note.title.replace(self.school_a.name, ""))
        assert note.url == f"/support/schools/{self.school_a.pk}/"
        teacher = Notification.objects.get(user=self.teacher_a, kind=NotificationKind.NEW_FLAG)
        assert re.search(r"\b3\b", teacher.title.replace(self.school_a.name, ""))
        assert teacher.url == f"/support/classes/{own_class.pk}/"
        assert Notification.objects.filter(user=self.support_b,
                                           kind=NotificationKind.NEW_FLAG).count() == 1
        # The same recompute announced again adds nothing.
        support_levels_changed.send(sender=SupportLevelEvent, events=events)
        assert Notification.objects.filter(kind=NotificationKind.NEW_FLAG,
                                           user=self.support_a).count() == 1

    def test_nothing_when_no_level_rose(self) -> None:
        Notification.objects.filter(kind=NotificationKind.NEW_FLAG).delete()
        pupils = list(Pupil.objects.filter(school=self.school_a)[:2])
        support_levels_changed.send(sender=SupportLevelEvent,
                                    events=self._events(pupils, change="lowered"))
        assert not Notification.objects.filter(kind=NotificationKind.NEW_FLAG).exists()
