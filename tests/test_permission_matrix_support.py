"""Permission matrix of the support screens (policies SCHOOL, SCHOOL_CLASS,
MUNICIPALITY_AGGREGATES, NOTICE), generated from the URL resolver like the main matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kopiena.access.policies import Policy
from kopiena.calendars.schooldays import current_school_year
from kopiena.earlywarning.models import FollowUpTask, StatutoryThresholdCase, ThresholdNotice
from kopiena.pupils.models import ClassStaff, Pupil, SchoolClass
from tests import people as P
from tests.pdf import requires_pdf_engine
from tests.test_permission_matrix import ROUTES, Route, _client_for, _fill, policy_of

SCHOOL_A_WHOLE = {P.DIRECTOR_A, P.SUPPORT_A, P.PSYCHOLOGIST_A}

SEES_SCHOOL: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
SEES_SCHOOL.update({e: {P.SCHOOL_A} for e in SCHOOL_A_WHOLE})
SEES_SCHOOL[P.SUPPORT_B] = {P.SCHOOL_B}

SEES_CLASS: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
SEES_CLASS.update({e: {"7.a"} for e in [*SCHOOL_A_WHOLE, P.TEACHER_A]})
SEES_CLASS.update({e: {"2.k"} for e in [P.SUPPORT_B, P.TEACHER_B]})

SEES_MUNICIPALITY: dict[str, set[str]] = {email: set() for email in P.ALL_PERSONAS}
SEES_MUNICIPALITY.update({e: {"demo"} for e in [P.MUNICIPALITY, P.PROJECT]})
SEES_MUNICIPALITY[P.NATIONAL] = {"demo", "other"}

SEES_NOTICE = {*SCHOOL_A_WHOLE, P.TEACHER_A}

COVERED = {Policy.SCHOOL, Policy.SCHOOL_CLASS, Policy.MUNICIPALITY_AGGREGATES, Policy.NOTICE}


def _routes(policy: Policy) -> list[Route]:
    return [r for r in ROUTES if policy_of(r) is policy]


def test_every_support_policy_has_a_matrix() -> None:
    assert all(_routes(policy) for policy in COVERED)


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _routes(Policy.SCHOOL), ids=lambda r: r.name)
def test_school_screens(route: Route, email: str | None, db: None) -> None:
    client = _client_for(email)
    for code in (P.SCHOOL_A, P.SCHOOL_B, P.SCHOOL_OTHER_MUNICIPALITY):
        response = client.get(_fill(route.route, organisation_id=P.org(code).pk))
        if email is None:
            assert response.status_code == 302
        else:
            expected = 200 if code in SEES_SCHOOL[email] else 404
            assert response.status_code == expected, (email, code)


def _class(school_code: str, label: str) -> SchoolClass:
    year = current_school_year()
    return SchoolClass.objects.get(school__registration_code=school_code, label=label,
                                   school_year=year)


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _routes(Policy.SCHOOL_CLASS), ids=lambda r: r.name)
def test_class_screens(route: Route, email: str | None, db: None) -> None:
    client = _client_for(email)
    other = SchoolClass.objects.filter(school__registration_code=P.SCHOOL_OTHER_MUNICIPALITY)
    another_a = SchoolClass.objects.filter(school__registration_code=P.SCHOOL_A).exclude(
        label="7.a").first()
    targets = {"7.a": _class(P.SCHOOL_A, "7.a"), "2.k": _class(P.SCHOOL_B, "2.k"),
               "another_a": another_a, "other": other.first()}
    for name, school_class in targets.items():
        assert school_class is not None
        response = client.get(_fill(route.route, class_id=school_class.pk))
        if email is None:
            assert response.status_code == 302
        else:
            whole_a = email in SCHOOL_A_WHOLE and name == "another_a"
            expected = 200 if name in SEES_CLASS[email] or whole_a else 404
            assert response.status_code == expected, (email, name)


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", _routes(Policy.MUNICIPALITY_AGGREGATES), ids=lambda r: r.name)
def test_municipality_screens(route: Route, email: str | None, db: None) -> None:
    client = _client_for(email)
    targets = {"demo": P.org(P.SCHOOL_A).parent, "other": P.org(P.SCHOOL_OTHER_MUNICIPALITY).parent}
    for name, municipality in targets.items():
        assert municipality is not None
        response = client.get(_fill(route.route, organisation_id=municipality.pk))
        if email is None:
            assert response.status_code == 302
        else:
            expected = 200 if name in SEES_MUNICIPALITY[email] else 404
            assert response.status_code == expected, (email, name)


@pytest.fixture
def notice(db: None) -> ThresholdNotice:
    teacher = P.user(P.TEACHER_A)
    own_class = ClassStaff.objects.get(user=teacher, kind="class_teacher").school_class
    pupil = Pupil.objects.filter(school_class=own_class).first()
    assert pupil is not None and pupil.school is not None
    year = current_school_year()
    assert year is not None
    StatutoryThresholdCase.objects.filter(pupil=pupil).delete()
    case = StatutoryThresholdCase.objects.create(
        pupil=pupil, school=pupil.school, school_class=own_class, school_year=year, semester=1,
        detected_on=dt.date(2026, 11, 20), unexcused_lessons=23,
    )
    FollowUpTask.objects.create(case=case, kind=FollowUpTask.Kind.CONTACT_FAMILY,
                                assignee=teacher)
    return ThresholdNotice.objects.create(case=case, recipient="parents")


@requires_pdf_engine
@pytest.mark.parametrize("email", P.ALL_PERSONAS)
def test_notice_pdf_and_sent(email: str, notice: ThresholdNotice) -> None:
    client = _client_for(email)
    [pdf_route] = [r for r in _routes(Policy.NOTICE) if r.name.endswith("notice_pdf")]
    [sent_route] = [r for r in _routes(Policy.NOTICE) if r.name.endswith("notice_sent")]
    response = client.get(_fill(pdf_route.route, notice_id=notice.pk))
    expected = 200 if email in SEES_NOTICE else 404
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    sent = client.post(_fill(sent_route.route, notice_id=notice.pk))
    assert sent.status_code == (302 if email in SEES_NOTICE else 404)
    notice.refresh_from_db()
    assert (notice.sent_at is not None) == (email in SEES_NOTICE)


def test_task_of_someone_else_is_404(notice: ThresholdNotice) -> None:
    task = notice.case.tasks.get()
    assert Client().post(f"/support/tasks/{task.pk}/done/").status_code == 302  # to login
    assert _client_for(P.DIRECTOR_A).post(f"/support/tasks/{task.pk}/done/").status_code == 404
    response = _client_for(P.TEACHER_A).post(f"/support/tasks/{task.pk}/done/")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
