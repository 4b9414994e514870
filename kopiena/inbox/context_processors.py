"""The number of unread notifications, for the inbox link in the page header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kopiena.accounts.models import User
from kopiena.inbox.models import Notification


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    # Counted only when a template shows it (not for partials and documents).
    return {"inbox_unread": SimpleLazyObject(
        lambda: Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count())}
