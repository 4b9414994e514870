"""Permission matrix of the support rules (policy RULES), generated from the URL resolver like
the main matrix: who reads the rules of a municipality or a school, who adds, changes and
deactivates them. The expectations are written out by hand: they are the specification."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from kopiena.access.policies import Policy
from kopiena.earlywarning.models import SupportRule
from kopiena.earlywarning.rule_forms import version_of
from kopiena.organisations.models import Organisation
from tests import people as P
from tests.test_permission_matrix import ROUTES, Route, _client_for, _fill, policy_of

DEMO = "demo_municipality"  # Demo novads
OTHER = "other_municipality"
SCHOOL_A = "school_a"
SCHOOL_B = "school_b"
OTHER_SCHOOL = "other_municipality_school"

CODES = {
    DEMO: "90000000001",
    OTHER: "90000000011",
    SCHOOL_A: P.SCHOOL_A,
    SCHOOL_B: P.SCHOOL_B,
    OTHER_SCHOOL: P.SCHOOL_OTHER_MUNICIPALITY,
}

READS: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
READS[P.MUNICIPALITY] = {DEMO, SCHOOL_A, SCHOOL_B}
READS[P.NATIONAL] = {DEMO, OTHER}
READS[P.PROJECT] = {DEMO}
READS.update({email: {SCHOOL_A} for email in (P.DIRECTOR_A, P.SUPPORT_A, P.PSYCHOLOGIST_A)})
READS[P.SUPPORT_B] = {SCHOOL_B}

CHANGES: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
CHANGES[P.MUNICIPALITY] = {DEMO}
CHANGES.update({email: {SCHOOL_A} for email in (P.DIRECTOR_A, P.SUPPORT_A)})
CHANGES[P.SUPPORT_B] = {SCHOOL_B}

# Schools tighten and change their rules; only a municipality deactivates one.
DEACTIVATES: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
DEACTIVATES[P.MUNICIPALITY] = {DEMO}

RULE_URLS = {"earlywarning:rules", "earlywarning:rule_add", "earlywarning:rule_change",
             "earlywarning:rule_deactivate"}

# Valid for every target: tightens the default "attendance below 90% → targeted support".
NEW_RULE = {"indicator": "attendance_rate_30d", "level": "targeted", "comparison": "<",
            "threshold": "93", "reason_template": "", "source": "Matrix test"}


def _route(name: str) -> Route:
    [route] = [r for r in ROUTES if r.name == f"earlywarning:{name}"]
    return route


def _organisations() -> dict[str, Organisation]:
    return {target: Organisation.objects.get(registration_code=code)
            for target, code in CODES.items()}


def _refused_anonymous(response: object) -> None:
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"].startswith("/accounts/login/")  # type: ignore[index]


def test_the_matrix_covers_every_rules_url() -> None:
    assert {r.name for r in ROUTES if policy_of(r) is Policy.RULES} == RULE_URLS


def test_the_targets_are_the_demo_organisations(db: None) -> None:
    organisations = _organisations()
    assert organisations[DEMO].name == "Demo novads"
    assert organisations[SCHOOL_A].parent == organisations[DEMO]
    assert organisations[SCHOOL_B].parent == organisations[DEMO]
    assert organisations[OTHER_SCHOOL].parent == organisations[OTHER]


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
def test_rules_page(email: str | None, db: None) -> None:
    client = _client_for(email)
    for target, organisation in _organisations().items():
        response = client.get(_fill(_route("rules").route, organisation_id=organisation.pk))
        if email is None:
            _refused_anonymous(response)
            continue
        expected = 200 if target in READS[email] else 404
        assert response.status_code == expected, (email, target)
        if expected == 200:
            editable = target in CHANGES[email]
            assert response.context["can_edit"] is editable, (email, target)
            add_link = f'href="/support/rules/{organisation.pk}/add/"'
            assert (add_link in response.content.decode()) is editable


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
def test_add_a_rule(email: str | None, db: None) -> None:
    client = _client_for(email)
    for target, organisation in _organisations().items():
        url = _fill(_route("rule_add").route, organisation_id=organisation.pk)
        form = client.get(url)
        response = client.post(url, NEW_RULE)
        created = SupportRule.objects.filter(organisation=organisation, is_active=True,
                                             indicator="attendance_rate_30d", level="targeted")
        if email is None:
            _refused_anonymous(form)
            _refused_anonymous(response)
            assert not created.exists()
            continue
        allowed = target in CHANGES[email]
        assert form.status_code == (200 if allowed else 404), (email, target)
        assert response.status_code == (302 if allowed else 404), (email, target)
        assert created.exists() is allowed, (email, target)
        if allowed:
            assert created.get().threshold == Decimal("0.93")
            assert created.get().changed_by == P.user(email)


@pytest.fixture
def own_rules(db: None) -> dict[str, SupportRule]:
    """One active rule of each target organisation (schools: a tightening)."""
    return {
        target: SupportRule.objects.create(
            organisation=organisation, indicator="attendance_rate_semester", level="targeted",
            comparison="<", threshold=Decimal("0.91"), source="Matrix test")
        for target, organisation in _organisations().items()
    }


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
def test_change_a_rule(email: str | None, own_rules: dict[str, SupportRule]) -> None:
    client = _client_for(email)
    for target, rule in own_rules.items():
        url = _fill(_route("rule_change").route, organisation_id=rule.organisation_id,
                    rule_id=rule.pk)
        form = client.get(url)
        response = client.post(url, {"comparison": "<", "threshold": "94",
                                     "source": "Changed", "version": version_of(rule)})
        rule.refresh_from_db()
        if email is None:
            _refused_anonymous(form)
            _refused_anonymous(response)
            assert rule.threshold == Decimal("0.91")
            continue
        allowed = target in CHANGES[email]
        assert form.status_code == (200 if allowed else 404), (email, target)
        assert response.status_code == (302 if allowed else 404), (email, target)
        assert rule.threshold == (Decimal("0.94") if allowed else Decimal("0.91"))


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
def test_deactivate_a_rule(email: str | None, own_rules: dict[str, SupportRule]) -> None:
    client = _client_for(email)
    for target, rule in own_rules.items():
        url = _fill(_route("rule_deactivate").route, organisation_id=rule.organisation_id,
                    rule_id=rule.pk)
        assert client.get(url).status_code == 405  # POST only
        response = client.post(url, {"version": version_of(rule)})
        rule.refresh_from_db()
        if email is None:
            _refused_anonymous(response)
            assert rule.is_active
            continue
        allowed = target in DEACTIVATES[email]
        assert response.status_code == (302 if allowed else 404), (email, target)
        assert rule.is_active is not allowed, (email, target)


@pytest.mark.parametrize("email", [P.MUNICIPALITY, P.DIRECTOR_A, P.SUPPORT_A, P.SUPPORT_B])
def test_a_rule_of_another_organisation_is_404(
        email: str, own_rules: dict[str, SupportRule]) -> None:
    """An editor's own organisation in the URL does not open another organisation's rule."""
    client = _client_for(email)
    organisations = _organisations()
    [own] = CHANGES[email]
    for target, rule in own_rules.items():
        if target == own:
            continue
        for name in ("rule_change", "rule_deactivate"):
            url = _fill(_route(name).route, organisation_id=organisations[own].pk,
                        rule_id=rule.pk)
            assert client.post(url, {"comparison": "<", "threshold": "94",
                                     "version": version_of(rule)}).status_code == 404
        assert client.get(_fill(_route("rule_change").route,
                                organisation_id=organisations[own].pk,
                                rule_id=rule.pk)).status_code == 404
        rule.refresh_from_db()
        assert (rule.is_active, rule.threshold) == (True, Decimal("0.91"))


def test_rules_of_other_kinds_of_organisation_are_404(db: None) -> None:
    """Only municipalities and schools have rules: the national agency's page is 404."""
    agency = P.user(P.NATIONAL).memberships.get().organisation
    client = _client_for(P.NATIONAL)
    assert client.get(_fill(_route("rules").route, organisation_id=agency.pk)).status_code == 404


def test_changes_need_the_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(P.user(P.MUNICIPALITY))
    demo = _organisations()[DEMO]
    url = _fill(_route("rule_add").route, organisation_id=demo.pk)
    assert client.post(url, NEW_RULE).status_code == 403
    assert not SupportRule.objects.filter(organisation=demo).exists()
