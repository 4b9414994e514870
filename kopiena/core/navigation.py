"""The header navigation: each role sees only what it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kopiena.access.scoping import (
    aggregate_municipality_ids,
    can_see_any_named_pupil,
    visible_classes,
    whole_school_ids,
)
from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.conferences.access import conference_school_ids
from kopiena.plans.report_views import has_support_reports
from kopiena.schooldata.access import can_import


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def has_support_screens(user: User) -> bool:
    return bool(whole_school_ids(user)) or aggregate_municipality_ids(user) != set() or (
        visible_classes(user).exists()
    )


def navigation_for(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[tuple[str | Promise, str]] = [(_("Overview"), reverse("home"))]
    if can_see_any_named_pupil(user):
        items.append((_("Pupils"), reverse("pupils:list")))
    if has_support_screens(user):
        items.append((_("Support"), reverse("earlywarning:home")))
    if can_see_any_named_pupil(user):
        items.append((_("Cases"), reverse("cases:list")))
    if user.has_role(Role.SCHOOL_DIRECTOR, Role.MUNICIPALITY_COORDINATOR):
        items.append((_("Approvals"), reverse("plans:approvals")))
    if conference_school_ids(user):
        items.append((_("Meetings"), reverse("conferences:list")))
    if has_support_reports(user):
        items.append((_("Reports"), reverse("plans:report")))
    items.append((_("Organisations"), reverse("organisations:list")))
    if can_import(user):
        items.append((_("School data"), reverse("schooldata:index")))
    if user.is_system_admin:
        items.append((_("Administration"), reverse("admin:index")))
    path = request.path
    return [
        NavItem(label=label, url=url,
                active=(path == url) if url == "/" else path.startswith(url))
        for label, url in items
    ]
