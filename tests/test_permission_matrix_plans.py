"""Permission matrix of the support-plan pages, generated from the URL resolver like the main
matrix: who reads a plan, who changes it, who approves, who sees a municipality's settings.
The expectations are written out by hand: they are the specification."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kopiena.access.policies import Policy
from kopiena.cases import actions as case_actions
from kopiena.cases.models import SupportCase
from kopiena.organisations.models import Organisation
from kopiena.plans.evaluation import continue_support, evaluate_plan
from kopiena.plans.models import ApprovalStep, PlanStatus, SupportPlan
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests import people as P
from tests import plan_steps as S
from tests.pdf import requires_pdf_engine
from tests.test_permission_matrix import ROUTES, Route, _client_for, _fill, policy_of

# The plan is of a pupil of teacher_a's class at school A.
EDITORS = {P.SUPPORT_A, P.DIRECTOR_A, P.PSYCHOLOGIST_A}
READERS = EDITORS | {P.TEACHER_A}
EVERYONE = [None, *P.ALL_PERSONAS]

PLAN_PAGES = {  # URL name: (the plan's state, who gets 200)
    "detail": ("draft", READERS),
    "edit": ("draft", EDITORS),
    "measure_add": ("draft", EDITORS),
    "delivery_add": ("approved", EDITORS),
    "review_add": ("approved", EDITORS),
    "evaluate": ("in_implementation", EDITORS),
}
PLAN_DOCUMENTS = {"pdf", "consultations_pdf"}  # read like the plan page
PLAN_POSTS = {"status", "measure_remove", "delivery_confirm", "continue"}
SETTINGS_PAGES = {"catalogue", "catalogue_measure", "catalogue_measure_add", "approval_chain"}
OTHER = {"create", "approvals"}


def _route(name: str) -> Route:
    [route] = [r for r in ROUTES if r.name == f"plans:{name}"]
    return route


def _refused_anonymous(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _case() -> SupportCase:
    pupil = F.pupil_without_case(P.org(P.SCHOOL_A), of_teacher=P.user(P.TEACHER_A))
    return F.open_case(pupil, P.user(P.SUPPORT_A))


def _plan(state: str) -> SupportPlan:
    case = _case()
    support, director = P.user(P.SUPPORT_A), P.user(P.DIRECTOR_A)
    coordinator = P.user(P.MUNICIPALITY)
    if state == "draft":
        return F.draft_plan(case, support)
    if state == "approved":
        return F.approved_plan(case, support, director, coordinator)
    return S.in_implementation(case, support, director, coordinator)


def test_the_matrix_covers_every_plan_url() -> None:
    ours = {Policy.PLAN, Policy.CASE, Policy.MUNICIPALITY_SETTINGS, Policy.AUTHENTICATED}
    names = {r.name.removeprefix("plans:") for r in ROUTES
             if r.name.startswith("plans:") and policy_of(r) in ours}
    assert names == set(PLAN_PAGES) | PLAN_DOCUMENTS | PLAN_POSTS | SETTINGS_PAGES | OTHER


@pytest.mark.parametrize("name", sorted(PLAN_PAGES))
def test_plan_pages(name: str, db: None) -> None:
    state, allowed = PLAN_PAGES[name]
    plan = _plan(state)
    url = _fill(_route(name).route, plan_id=plan.pk)
    for email in EVERYONE:
        response = _client_for(email).get(url)
        if email is None:
            _refused_anonymous(response)
            continue
        assert response.status_code == (200 if email in allowed else 404), (name, email)


@requires_pdf_engine
@pytest.mark.parametrize("name", sorted(PLAN_DOCUMENTS))
def test_plan_documents(name: str, db: None) -> None:
    plan = _plan("draft")
    url = _fill(_route(name).route, plan_id=plan.pk)
    for email in EVERYONE:
        response = _client_for(email).get(url)
        if email is None:
            _refused_anonymous(response)
            continue
        assert response.status_code == (200 if email in READERS else 404), (name, email)


def test_create_a_plan(db: None) -> None:
    case = _case()
    url = _fill(_route("create").route, case_id=case.pk)
    for email in EVERYONE:
        response = _client_for(email).get(url)
        if email is None:
            _refused_anonymous(response)
            continue
        assert response.status_code == (200 if email in EDITORS else 404), email


def _refused_then_done(url: str, data: dict[str, Any], changed: Any) -> None:
    """Everyone but the editors gets 404 and nothing changes; then an editor succeeds."""
    _refused_anonymous(Client().post(url, data))
    for email in P.ALL_PERSONAS:
        if email in EDITORS:
            continue
        assert _client_for(email).post(url, data).status_code == 404, email
        assert not changed(), email
    assert _client_for(P.PSYCHOLOGIST_A).post(url, data).status_code == 302
    assert changed()


def test_status_change(db: None) -> None:
    plan = _plan("draft")

    def submitted() -> bool:
        plan.refresh_from_db()
        return plan.status == PlanStatus.IN_APPROVAL

    _refused_then_done(_fill(_route("status").route, plan_id=plan.pk), {"action": "submit"},
                       submitted)


def test_measure_remove(db: None) -> None:
    plan = _plan("draft")
    measure = plan.measures.get()
    url = _fill(_route("measure_remove").route, plan_id=plan.pk, measure_id=measure.pk)
    _refused_then_done(url, {}, lambda: not plan.measures.exists())


def test_delivery_confirm(db: None) -> None:
    plan = _plan("in_implementation")
    delivery = S.session(plan, P.user(P.SUPPORT_A), mode="remote", confirmed=False)

    def confirmed() -> bool:
        delivery.refresh_from_db()
        return delivery.pupil_confirmed_at is not None

    url = _fill(_route("delivery_confirm").route, plan_id=plan.pk, delivery_id=delivery.pk)
    _refused_then_done(url, {}, confirmed)


def test_next_plan(db: None) -> None:
    plan = _plan("in_implementation")
    evaluate_plan(plan=plan, by=P.user(P.SUPPORT_A), outcome="support_continues",
                  summary="Vajag vēl.")
    url = _fill(_route("continue").route, plan_id=plan.pk)
    _refused_then_done(url, {}, lambda: plan.next_plans.exists())


def test_approvals_list_answers_everyone(db: None) -> None:
    for email in EVERYONE:
        response = _client_for(email).get(_fill(_route("approvals").route))
        if email is None:
            _refused_anonymous(response)
        else:
            assert response.status_code == 200, email


# --- who sees a plan through sharing ---------------------------------------------------------

def test_coordinator_sees_a_plan_only_once_it_reaches_the_municipality_step(db: None) -> None:
    coordinator = _client_for(P.MUNICIPALITY)
    support, director = P.user(P.SUPPORT_A), P.user(P.DIRECTOR_A)
    plan = F.draft_plan(_case(), support)
    url = f"/plans/{plan.pk}/"
    assert coordinator.get(url).status_code == 404
    plan = S.step(plan, PlanAction.SUBMIT, support)
    assert coordinator.get(url).status_code == 404  # waits for the director
    plan = S.step(plan, PlanAction.APPROVE, director)
    assert coordinator.get(url).status_code == 200
    for name in ("edit", "measure_add"):
        assert coordinator.get(_fill(_route(name).route, plan_id=plan.pk)).status_code == 404
    plan = S.step(plan, PlanAction.APPROVE, P.user(P.MUNICIPALITY))
    assert coordinator.get(url).status_code == 200
    # The next plan of the same (shared) case stays hidden until it reaches the step again.
    plan = S.step(plan, PlanAction.START, support)
    evaluate_plan(plan=plan, by=S.fresh(support), outcome="support_continues",
                  summary="Turpinām.")
    next_plan = continue_support(plan=plan, by=S.fresh(support))
    assert next_plan is not None
    assert coordinator.get(f"/plans/{next_plan.pk}/").status_code == 404
    assert coordinator.get(f"/cases/{plan.case_id}/").status_code == 200  # the case is shared


@pytest.mark.parametrize(("parts", "sees"), [(["summary"], False),
                                             (["summary", "plan"], True)])
def test_social_worker_sees_the_plan_only_when_the_referral_shares_it(
        parts: list[str], sees: bool, db: None) -> None:
    plan = _plan("draft")
    agency = P.user(P.SOCIAL).memberships.get().organisation
    referral = case_actions.refer_case(case=plan.case, agency=agency, legal_basis="consent",
                                       request="Ģimenes atbalsts", shared_parts=parts,
                                       by=P.user(P.SUPPORT_A))
    social = _client_for(P.SOCIAL)
    assert social.get(f"/cases/{plan.case_id}/").status_code == 200
    assert social.get(f"/plans/{plan.pk}/").status_code == (200 if sees else 404)
    assert social.get(f"/plans/{plan.pk}/edit/").status_code == 404
    case_actions.revoke_referral(referral=referral, by=P.user(P.SUPPORT_A))
    assert social.get(f"/plans/{plan.pk}/").status_code == 404


# --- a municipality's settings ---------------------------------------------------------------

DEMO, OTHER_MUNICIPALITY, SCHOOL = "demo_municipality", "other_municipality", "school_a"
SETTINGS_READERS = {P.MUNICIPALITY: {DEMO}, P.DIRECTOR_A: {DEMO}, P.SUPPORT_A: {DEMO},
                    P.PSYCHOLOGIST_A: {DEMO}, P.SUPPORT_B: {DEMO}}
SETTINGS_EDITORS = {P.MUNICIPALITY: {DEMO}}


def _settings_targets() -> dict[str, Organisation]:
    school = P.org(P.SCHOOL_A)
    other = P.org(P.SCHOOL_OTHER_MUNICIPALITY)
    assert school.parent is not None and other.parent is not None
    return {DEMO: school.parent, OTHER_MUNICIPALITY: other.parent, SCHOOL: school}


@pytest.mark.parametrize("name", sorted(SETTINGS_PAGES))
def test_municipality_settings(name: str, db: None) -> None:
    allowed = SETTINGS_READERS if name == "catalogue" else SETTINGS_EDITORS
    for target, organisation in _settings_targets().items():
        route = _route(name).route.replace("<slug:code>", "psychologist")
        url = _fill(route, organisation_id=organisation.pk)
        for email in EVERYONE:
            response = _client_for(email).get(url)
            if email is None:
                _refused_anonymous(response)
                continue
            expected = 200 if target in allowed.get(email, set()) else 404
            assert response.status_code == expected, (name, email, target)


def test_only_the_coordinator_changes_the_approval_chain(db: None) -> None:
    municipality = _settings_targets()[DEMO]
    url = _fill(_route("approval_chain").route, organisation_id=municipality.pk)
    data = {"step_1": "school_director"}
    _refused_anonymous(Client().post(url, data))
    for email in P.ALL_PERSONAS:
        if email == P.MUNICIPALITY:
            continue
        assert _client_for(email).post(url, data).status_code == 404, email
        assert not ApprovalStep.objects.filter(municipality=municipality).exists()
    assert _client_for(P.MUNICIPALITY).post(url, data).status_code == 302
    assert list(ApprovalStep.objects.filter(municipality=municipality).values_list(
        "role", flat=True)) == ["school_director"]
