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
    if not created:
        return created
    # Everyone without a preference gets e-mail at once; one query for the others.
    not_now = set(NotificationPreference.objects.filter(
        user_id__in=[n.user_id for n in created]).exclude(
        email_mode=EmailMode.IMMEDIATELY).values_list("user_id", flat=True))
    immediate = [n.pk for n in created if n.user_id not in not_now]
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


def mark_all_read(*, user: User, tasks_only: bool = False) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if tasks_only:
        unread = unread.filter(is_task=True)
    return unread.update(read_at=timezone.now())


def settle(*, dedupe_keys: Iterable[str]) -> int:
    """Mark the tasks with these keys read for everyone: the thing they ask for is done."""
    return Notification.objects.filter(dedupe_key__in=list(dedupe_keys),
                                       read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_email_mode(*, user: User, email_mode: str) -> NotificationPreference:
    if email_mode not in EmailMode.values:
        raise ValueError(email_mode)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user)
    preference.email_mode = email_mode
    if email_mode == EmailMode.DAILY_DIGEST and preference.last_digest_at is None:
        # The first digest lists what arrives from now on, not the whole history.
        preference.last_digest_at = timezone.now()
    preference.save(update_fields=["email_mode", "last_digest_at"])
    return preference
