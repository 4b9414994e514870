"""The permission matrix, generated from the URL resolver.

Every URL must declare an access policy. Each demo persona is checked against pupils and
organisations of its own school, another school of the same municipality, another
municipality, and pupils reached through grants (shared, referred, revoked referral).
The expected visibility below is written out by hand: it is the specification, not a call
to the scoping function under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kopiena.access.models import PupilAccessGrant
from kopiena.access.policies import Policy, included_policy
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, Pupil
from kopiena.schooldata.models import ImportKind, ImportRun
from tests import people as P


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: Any


def _walk(resolvers: list[URLPattern | URLResolver], prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        else:
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield Route(name=name, route=prefix + str(entry.pattern), callback=entry.callback)


ROUTES = list(_walk(get_resolver().url_patterns, "", ""))


def policy_of(route: Route) -> Policy | None:
    declared = getattr(route.callback, "access_policy", None)
    if declared is not None:
        return Policy(declared)
    return included_policy(route.name)


def test_every_url_declares_an_access_policy() -> None:
    missing = [f"{r.route} ({r.name})" for r in ROUTES if policy_of(r) is None]
    assert missing == [], "URLs without an access policy: " + ", ".join(missing)


def test_the_matrix_sees_the_pupil_and_organisation_urls() -> None:
    policies = {policy_of(r) for r in ROUTES}
    assert {Policy.PUPIL, Policy.ORGANISATION, Policy.SYSTEM_ADMIN, Policy.PUBLIC,
            Policy.AUTHENTICATED, Policy.SCHOOL_DATA} <= policies
    assert len([r for r in ROUTES if policy_of(r) is Policy.PUPIL]) >= 2


# Target pupils, by the relation they have to the personas.
OWN_CLASS_A = "own_class_a"
OTHER_CLASS_A = "other_class_a"
SHARED_A = "shared_with_municipality_a"
REFERRED_A = "referred_a"
REVOKED_A = "revoked_referral_a"
CLASS_B = "class_b"
OTHER_MUNICIPALITY = "other_municipality"

SCHOOL_A_ALL = {OWN_CLASS_A, OTHER_CLASS_A, SHARED_A, REFERRED_A, REVOKED_A}

SEES_PUPILS: dict[str, set[str]] = {
    P.ADMIN: set(),
    P.MUNICIPALITY: {SHARED_A},
    P.NATIONAL: set(),
    P.DIRECTOR_A: SCHOOL_A_ALL,
    P.SUPPORT_A: SCHOOL_A_ALL,
    P.PSYCHOLOGIST_A: SCHOOL_A_ALL,
    P.TEACHER_A: {OWN_CLASS_A},
    P.SUPPORT_B: {CLASS_B},
    P.TEACHER_B: {CLASS_B},
    P.SOCIAL: {REFERRED_A},
    P.MOBILITY: set(),
    P.PROJECT: set(),
}

OWN_SCHOOL = "own_school_a"
SAME_MUNICIPALITY_SCHOOL = "school_b"
OTHER_MUNICIPALITY_SCHOOL = "other_municipality_school"
DEMO_SCHOOLS = {OWN_SCHOOL, SAME_MUNICIPALITY_SCHOOL}
ALL_SCHOOLS = DEMO_SCHOOLS | {OTHER_MUNICIPALITY_SCHOOL}

SEES_ORGANISATIONS: dict[str, set[str]] = {
    P.ADMIN: ALL_SCHOOLS,
    P.NATIONAL: ALL_SCHOOLS,
    **{email: DEMO_SCHOOLS for email in P.ALL_PERSONAS if email not in (P.ADMIN, P.NATIONAL)},
}


@pytest.fixture
def pupil_targets(db: None) -> dict[str, Pupil]:
    teacher_a = P.user(P.TEACHER_A)
    teacher_b = P.user(P.TEACHER_B)
    own_class_a = ClassStaff.objects.get(user=teacher_a, kind="class_teacher").school_class
    class_b = ClassStaff.objects.get(user=teacher_b, kind="class_teacher").school_class
    school_a_others = list(
        Pupil.objects.filter(school=P.org(P.SCHOOL_A)).exclude(school_class=own_class_a)
        .filter(access_grants__isnull=True)[:4]
    )
    targets: dict[str, Pupil | None] = {
        OWN_CLASS_A: Pupil.objects.filter(school_class=own_class_a).first(),
        OTHER_CLASS_A: school_a_others[0],
        SHARED_A: school_a_others[1],
        REFERRED_A: school_a_others[2],
        REVOKED_A: school_a_others[3],
        CLASS_B: Pupil.objects.filter(school_class=class_b).first(),
        OTHER_MUNICIPALITY: Pupil.objects.filter(
            school=P.org(P.SCHOOL_OTHER_MUNICIPALITY)
        ).first(),
    }
    found = {k: v for k, v in targets.items() if v is not None}
    assert found.keys() == targets.keys()
    municipality = P.org(P.SCHOOL_A).parent
    social_service = P.user(P.SOCIAL).memberships.get().organisation
    PupilAccessGrant.objects.create(
        pupil=found[SHARED_A], kind=PupilAccessGrant.Kind.SHARED_WITH_MUNICIPALITY,
        organisation=municipality,
    )
    PupilAccessGrant.objects.create(
        pupil=found[REFERRED_A], kind=PupilAccessGrant.Kind.REFERRAL,
        organisation=social_service,
    )
    PupilAccessGrant.objects.create(
        pupil=found[REVOKED_A], kind=PupilAccessGrant.Kind.REFERRAL,
        organisation=social_service, revoked_at=timezone.now(),
    )
    return found


def _client_for(email: str | None) -> Client:
    client = Client()
    if email is not None:
        client.force_login(P.user(email))
    return client


def _routes(policy: Policy) -> list[Route]:
    return [r for r in ROUTES if policy_of(r) is policy]


def _fill(route: str, **values: object) -> str:
    url = "/" + route.lstrip("^").rstrip("$")
    for key, value in values.items():
        url = url.replace(f"<int:{key}>", str(value)).replace(f"<{key}>", str(value))
    assert "<" not in url, url
    return url


@pytest.mark.parametrize("email", P.ALL_PERSONAS)
@pytest.mark.parametrize("route", _routes(Policy.PUPIL), ids=lambda r: r.name)
def test_pupil_urls(route: Route, email: str, pupil_targets: dict[str, Pupil]) -> None:
    client = _client_for(email)
    for target, pupil in pupil_targets.items():
        response = client.get(_fill(route.route, pupil_id=pupil.pk))
        expected = 200 if target in SEES_PUPILS[email] else 404
        assert response.status_code == expected, (email, route.name, target)


@pytest.mark.parametrize("route", _routes(Policy.PUPIL), ids=lambda r: r.name)
def test_pupil_urls_refuse_anonymous(route: Route, pupil_targets: dict[str, Pupil]) -> None:
    response = Client().get(_fill(route.route, pupil_id=pupil_targets[OWN_CLASS_A].pk))
    assert response.status_code in (302, 401)


@pytest.mark.parametrize("email", P.ALL_PERSONAS)
def test_pupil_list_shows_only_scoped_pupils(email: str, pupil_targets: dict[str, Pupil]) -> None:
    """The list with no filter selected: exactly the pupils in scope, none other."""
    client = _client_for(email)
    for target, pupil in pupil_targets.items():
        response = client.get("/pupils/", {"q": f"{pupil.first_name} {pupil.last_name}"})
        assert response.status_code == 200
        listed = f'href="/pupils/{pupil.pk}/"' in response.content.decode()
        assert listed == (target in SEES_PUPILS[email]), (email, target)
    api = client.get("/api/pupils")
    assert api.status_code == 200
    assert api.json()["count"] == client.get("/pupils/").context["page"].paginator.count


@pytest.mark.parametrize("email", P.ALL_PERSONAS)
@pytest.mark.parametrize("route", _routes(Policy.ORGANISATION), ids=lambda r: r.name)
def test_organisation_urls(route: Route, email: str, db: None) -> None:
    targets = {
        OWN_SCHOOL: P.org(P.SCHOOL_A),
        SAME_MUNICIPALITY_SCHOOL: P.org(P.SCHOOL_B),
        OTHER_MUNICIPALITY_SCHOOL: P.org(P.SCHOOL_OTHER_MUNICIPALITY),
    }
    client = _client_for(email)
    for target, organisation in targets.items():
        response = client.get(_fill(route.route, organisation_id=organisation.pk))
        expected = 200 if target in SEES_ORGANISATIONS[email] else 404
        assert response.status_code == expected, (email, target)


# allauth answers 404 here while the user has no authenticator of that kind yet.
NOTHING_TO_SHOW_YET = {"mfa_download_recovery_codes", "mfa_view_recovery_codes", "mfa_deactivate_totp"}
# Pages for some roles only, which answer 404 to the rest; their own matrix checks who gets
# what (tests/test_permission_matrix_cases.py).
ROLE_CHECKED = {"cases:mentors", "cases:mentor_create"}


def _plain(routes: list[Route]) -> list[Route]:
    return [r for r in routes if "<" not in r.route and "(?P" not in r.route]


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _plain(_routes(Policy.AUTHENTICATED)), ids=lambda r: r.name)
def test_authenticated_urls(route: Route, email: str | None, db: None) -> None:
    response = _client_for(email).get(_fill(route.route))
    if email is None:
        assert response.status_code in (302, 401), route.name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    else:
        allowed = {200, 302, 405}
        if route.name in NOTHING_TO_SHOW_YET | ROLE_CHECKED:
            allowed.add(404)
        assert response.status_code in allowed, (route.name, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/login/"), route.name


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _routes(Policy.SYSTEM_ADMIN), ids=lambda r: r.name)
def test_system_admin_urls(route: Route, email: str | None, db: None) -> None:
    url = "/" + route.route
    for key in ("<path:object_id>", "<int:content_type_id>", "<path:object_id>",
                "<path:url>", "<app_label>"):
        url = url.replace(key, "1" if key != "<app_label>" else "accounts")
    url = url.replace("^", "").replace("$", "")
    if "<" in url or "(?P" in url:
        url = "/admin/"
    response = _client_for(email).get(url)
    if email is None:
        assert response.status_code == 302
    elif email == P.ADMIN:
        assert response.status_code < 500
    else:
        assert response.status_code == 404, (email, url)


@pytest.mark.parametrize("route", _plain(_routes(Policy.PUBLIC)), ids=lambda r: r.name)
def test_public_urls_answer_anonymous(route: Route, db: None) -> None:
    assert Client().get(_fill(route.route)).status_code < 500


# Who may import school data (and see the import pages) for which school.
IMPORTS_FOR: dict[str, set[str]] = {
    email: set() for email in P.ALL_PERSONAS
} | {
    P.DIRECTOR_A: {OWN_SCHOOL},
    P.SUPPORT_A: {OWN_SCHOOL},
    P.SUPPORT_B: {SAME_MUNICIPALITY_SCHOOL},
}
# POST-only actions: a GET that passes the access check answers 405; the status partial sends
# a browser without htmx on to the run page (303).
SCHOOL_DATA_ALLOWED = {200, 303, 405}


def _school_targets() -> dict[str, Organisation]:
    return {
        OWN_SCHOOL: P.org(P.SCHOOL_A),
        SAME_MUNICIPALITY_SCHOOL: P.org(P.SCHOOL_B),
        OTHER_MUNICIPALITY_SCHOOL: P.org(P.SCHOOL_OTHER_MUNICIPALITY),
    }


def _assert_refused_anonymous(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _routes(Policy.SCHOOL_DATA), ids=lambda r: r.name)
def test_school_data_urls(route: Route, email: str | None, db: None) -> None:
    client = _client_for(email)
    allowed = IMPORTS_FOR[email] if email is not None else set()
    targets = _school_targets()
    if "<int:run_id>" not in route.route:
        response = client.get(_fill(route.route))
        if email is None:
            _assert_refused_anonymous(response)
            return
        assert response.status_code == (200 if allowed else 404), (email, route.name)
        for target, school in targets.items():
            response = client.get(_fill(route.route), {"school": school.pk})
            expected = 200 if target in allowed else 404
            assert response.status_code == expected, (email, route.name, target)
        return
    for target, school in targets.items():
        # Recorded by the command line (no user), so only the school decides who sees it.
        run = ImportRun.objects.create(kind=ImportKind.GRADES, file_name="grades.csv",
                                       checksum="0" * 64, status=ImportRun.Status.APPLYING)
        run.schools.add(school)
        url = _fill(route.route, run_id=run.pk)
        response = client.get(url)
        if email is None:
            _assert_refused_anonymous(response)
            _assert_refused_anonymous(client.post(url))
            continue
        if target in allowed:
            assert response.status_code in SCHOOL_DATA_ALLOWED, (email, route.name, target)
        else:
            assert response.status_code == 404, (email, route.name, target)
            assert client.post(url).status_code == 404, (email, route.name, target)
            run.refresh_from_db()
            assert (run.status, run.cancel_requested) == (ImportRun.Status.APPLYING, False)
