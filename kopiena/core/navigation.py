"""The header navigation: each role sees only what it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kopiena.access.scoping import can_see_any_named_pupil
from kopiena.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[tuple[str | Promise, str]] = [(_("Overview"), reverse("home"))]
    if can_see_any_named_pupil(user):
        items.append((_("Pupils"), reverse("pupils:list")))
    items.append((_("Organisations"), reverse("organisations:list")))
    if user.is_system_admin:
        items.append((_("Administration"), reverse("admin:index")))
    path = request.path
    return [
        NavItem(label=label, url=url,
                active=(path == url) if url == "/" else path.startswith(url))
        for label, url in items
    ]
