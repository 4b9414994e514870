"""Write the access log: every view, list or export of pupil data."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.core.internal.httpkit import get_client_ip
from django.http import HttpRequest

from kopiena.access.models import AccessedPupil, AccessLogEntry
from kopiena.accounts.models import User


def client_address(request: HttpRequest) -> str | None:
    """The client's address, behind trusted proxies too (same rule as login throttling)."""
    address: str | None = get_client_ip(request)
    return address


def log_access(
    request: HttpRequest, *, action: AccessLogEntry.Action, pupil_ids: Iterable[int],
    query: str = "",
) -> AccessLogEntry:
    ids = sorted(set(pupil_ids))
    user = request.user if isinstance(request.user, User) else None
    entry = AccessLogEntry.objects.create(
        user=user,
        action=action,
        path=request.get_full_path()[:500],
        query=query[:500],
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        pupil_count=len(ids),
    )
    AccessedPupil.objects.bulk_create([AccessedPupil(entry=entry, pupil_id=i) for i in ids])
    return entry
