"""The daily digest: one e-mail a day, in Latvian, to each user who chose it, listing their
unread notifications since the last digest. Users with no news get nothing."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from kopiena.inbox.models import EmailMode, Notification, NotificationPreference

logger = logging.getLogger(__name__)

DIGEST_LANGUAGE = "lv"


@dataclass
class DigestSummary:
    sent: int = 0
    notifications: int = 0
    without_news: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def digest_until(on: dt.date | None) -> dt.datetime:
    """The end of the period a digest covers: now, or the end of ``on`` when it is past."""
    now = timezone.now()
    if on is None or on >= timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))


def news_for(preference: NotificationPreference, until: dt.datetime) -> list[Notification]:
    unread = Notification.objects.filter(user_id=preference.user_id, read_at__isnull=True,
                                         created_at__lte=until)
    if preference.last_digest_at is not None:
        unread = unread.filter(created_at__gt=preference.last_digest_at)
    return list(unread.order_by("-is_task", "created_at", "pk"))


def render_digest(preference: NotificationPreference, news: list[Notification]) -> tuple[str, str]:
    """The subject and body, in Latvian."""
    with translation.override(DIGEST_LANGUAGE):
        subject = ngettext("Kopiena: %(count)d new notification",
                           "Kopiena: %(count)d new notifications", len(news)) % {
            "count": len(news)}
        body = render_to_string("inbox/email/digest.txt", {
            "user": preference.user, "site": settings.SITE_URL,
            "tasks": [n for n in news if n.is_task],
            "others": [n for n in news if not n.is_task],
            "inbox_url": settings.SITE_URL + reverse("inbox:index"),
            "preferences_url": settings.SITE_URL + reverse("inbox:preferences"),
        })
    return subject, body


def send_digest(on: dt.date | None = None) -> DigestSummary:
    """Send the digest for ``on`` (today by default) and record it on each preference, so
    running it twice sends nothing new."""
    until = digest_until(on)
    summary = DigestSummary()
    preferences = (NotificationPreference.objects
                   .filter(email_mode=EmailMode.DAILY_DIGEST, user__is_active=True)
                   .exclude(user__email="")
                   .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=until))
                   .select_related("user").order_by("pk"))
    for preference in preferences:
        news = news_for(preference, until)
        if not news:
            summary.without_news += 1
            continue
        subject, body = render_digest(preference, news)
        try:
            send_mail(subject=subject, message=body, from_email=None,
                      recipient_list=[preference.user.email])
        except Exception:  # one bad address or a mail server hiccup: the others still go
            logger.exception("digest to user %s failed", preference.user_id)
            summary.failed += 1
            continue
        Notification.objects.filter(pk__in=[n.pk for n in news], emailed_at__isnull=True
                                    ).update(emailed_at=timezone.now())
        NotificationPreference.objects.filter(pk=preference.pk).update(last_digest_at=until)
        summary.sent += 1
        summary.notifications += len(news)
    return summary
