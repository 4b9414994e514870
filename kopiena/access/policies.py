"""Every URL declares who may open it. The permission-matrix test fails on a URL without one."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from kopiena.accounts.models import User
from kopiena.accounts.permissions import organisations_with
from kopiena.accounts.roles import Capability

V = TypeVar("V", bound=Callable[..., HttpResponse])


class Policy(enum.StrEnum):
    PUBLIC = "public"  # no login needed (login page, health check, static)
    AUTHENTICATED = "authenticated"  # any signed-in user; shows only what they may see
    PUPIL = "pupil"  # one pupil, resolved through the scoping function, else 404
    ORGANISATION = "organisation"  # one organisation the user may see, else 404
    SYSTEM_ADMIN = "system_admin"  # system administrators only, everyone else 404
    SCHOOL = "school"  # a school where the user sees every pupil, else 404
    SCHOOL_CLASS = "school_class"  # a class in access.scoping.visible_classes, else 404
    MUNICIPALITY_AGGREGATES = "municipality_aggregates"  # figures the user may see, else 404
    NOTICE = "notice"  # a threshold notice about a pupil in the user's scope, else 404
    # Users who hold Capability.IMPORT_SCHOOL_DATA at a school, everyone else 404; the view
    # then answers 404 for a school or an import run outside those schools.
    SCHOOL_DATA = "school_data"
    # The support rules of one municipality or school: readers as in
    # kopiena.earlywarning.rule_views.rules_access, everyone else 404; changes only by the
    # editors it names (404 for the rest).
    RULES = "rules"
    # One support case in kopiena.cases.access.visible_cases, else 404; changes only by the
    # rights kopiena.cases.access.case_access gives (404 for a part the user may not see).
    CASE = "case"
    # Pages that start from a pupil in the user's scope and open or list that pupil's cases.
    CASE_PUPIL = "case_pupil"
    # One support plan whose case is visible and whose plan part is shared with the user.
    PLAN = "plan"
    # A case conference of a school where the user is on the support team, else 404.
    CONFERENCE = "conference"
    # The support settings of one municipality (measure catalogue, approval chain): its
    # coordinator changes them, the municipality's school staff read them, else 404.
    MUNICIPALITY_SETTINGS = "municipality_settings"
    # Support reports of a school or municipality: figures as in kopiena.plans.reports.
    SUPPORT_REPORT = "support_report"


def _is_system_admin(user: object) -> bool:
    return bool(getattr(user, "is_system_admin", False))


def _may_import_school_data(user: object) -> bool:
    return isinstance(user, User) and bool(
        organisations_with(user, Capability.IMPORT_SCHOOL_DATA)
    )


# Policies checked before the view runs (the others are checked by the view's own lookup).
GATES: dict[Policy, Callable[[object], bool]] = {
    Policy.SYSTEM_ADMIN: _is_system_admin,
    Policy.SCHOOL_DATA: _may_import_school_data,
}


def access_policy(policy: Policy) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        wrapped: Callable[..., HttpResponse] = view
        gate = GATES.get(policy)
        if gate is not None:

            @wraps(view)
            def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                if not gate(request.user):
                    raise Http404
                return view(request, *args, **kwargs)

            wrapped = gated
        if policy is not Policy.PUBLIC:
            wrapped = login_required(wrapped)
        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


# URLs whose views are not ours (Django admin, allauth, django-ninja), by URL name: an exact
# name first, then the longest matching prefix.
INCLUDED_POLICIES: dict[str, Policy] = {
    "api:get_pupil": Policy.PUPIL,
    "api:get_plan": Policy.PLAN,
    "api:api-root": Policy.PUBLIC,  # answers 404: nothing lives at the root
    "api:": Policy.AUTHENTICATED,
    "admin:": Policy.SYSTEM_ADMIN,
    # allauth pages: sign-in and password reset are public; the rest redirect to sign-in.
    "account_": Policy.PUBLIC,
    "mfa_": Policy.AUTHENTICATED,
}


def included_policy(url_name: str) -> Policy | None:
    if url_name in INCLUDED_POLICIES:
        return INCLUDED_POLICIES[url_name]
    matches = [p for p in INCLUDED_POLICIES if p.endswith((":", "_")) and url_name.startswith(p)]
    return INCLUDED_POLICIES[max(matches, key=len)] if matches else None
