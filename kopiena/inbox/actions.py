"""Notifications: one function that puts a message in users' inboxes and, after the
transaction commits, e-mails those who want each message at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kopiena.accounts.models import User
from kopiena.inbox.models import EmailMode, Notification, NotificationPreference


def email_mode(user: User) -> str:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email_mode if pref is not None else EmailMode.IMMEDIATELY


def notify(users: Iterable[User | None], *, kind: str, title: str, url: str = "",
           dedupe_key: str = "", is_task: bool = False) -> list[Notification]:
    """Add a notification for each user (once per ``dedupe_key``). ``title`` is stored as
    given: callers render it in Latvian, the interface's default language."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(
                    user=user, kind=kind, title=title[:300], url=url, dedupe_key=dedupe_key,
                    is_task=is_task))
        except IntegrityError:  # the same reminder raced in from another process
            continue
    immediate = [n.pk for n in created if email_mode(n.user) == EmailMode.IMMEDIATELY]
    if immediate:
        transaction.on_commit(lambda: send_notification_emails(immediate))
    return created


def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True
                                         ).select_related("user"):
        with translation.override("lv"):
            link = f"{settings.SITE_URL}{n.url}" if n.url else settings.SITE_URL
            send_mail(subject=f"Kopiena: {n.title}", message=f"{n.title}\n\n{link}\n",
                      from_email=None, recipient_list=[n.user.email])
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def mark_read(*, user: User, notification_ids: Iterable[int]) -> int:
    return Notification.objects.filter(user=user, pk__in=list(notification_ids),
                                       read_at__isnull=True).update(read_at=timezone.now())
