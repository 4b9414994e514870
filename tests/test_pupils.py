"""Pupil list (search, filters, paging, htmx) and pupil page (field-level access)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kopiena.access.scoping import visible_pupils
from kopiena.pupils import crypto
from kopiena.pupils.models import Pupil
from kopiena.pupils.personal_code import parse_personal_code
from tests import people as P


def _client(email: str) -> Client:
    client = Client()
    client.force_login(P.user(email))
    return client


def test_search_ignores_diacritics_and_word_order(db: None) -> None:
    pupil = Pupil.objects.create(first_name="Līga", last_name="Kļaviņa", birth_date="2012-04-01",
                                 gender="F", school=P.org(P.SCHOOL_A))
    client = _client(P.DIRECTOR_A)
    for query in ("klavina", "Kļaviņa Līga", "liga KLAV"):
        page = client.get("/pupils/", {"q": query}).context["page"]
        assert pupil in page.object_list, query


def test_filters_combine_and_stay_in_scope(db: None) -> None:
    client = _client(P.DIRECTOR_A)
    page = client.get("/pupils/", {"grade": "5"}).context["page"]
    pupils = list(page.object_list)
    assert pupils
    assert all(p.school_class.grade == 5 for p in pupils)
    assert all(p.school.registration_code == P.SCHOOL_A for p in pupils)
    # Filtering by another school's id shows nothing from it: the choice is not offered.
    other = P.org(P.SCHOOL_B)
    response = client.get("/pupils/", {"school": other.pk})
    assert response.context["form"].errors
    assert list(response.context["page"].object_list) == []


def test_bad_filter_input_keeps_what_was_typed(db: None) -> None:
    response = _client(P.DIRECTOR_A).get("/pupils/", {"q": "Anna", "grade": "abc"})
    assert response.status_code == 200
    assert 'value="Anna"' in response.content.decode()
    assert response.context["form"].errors


def test_paging_covers_every_pupil_once(db: None) -> None:
    client = _client(P.DIRECTOR_A)
    expected = set(visible_pupils(P.user(P.DIRECTOR_A)).values_list("pk", flat=True))
    seen: list[int] = []
    page_number = 1
    while True:
        page = client.get("/pupils/", {"page": page_number}).context["page"]
        seen += [p.pk for p in page.object_list]
        if not page.has_next():
            break
        page_number += 1
    assert sorted(seen) == sorted(expected)


def test_htmx_request_gets_only_the_results(db: None) -> None:
    response = _client(P.DIRECTOR_A).get("/pupils/", {"q": "a"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="pupil-results"' in html
    assert "<header" not in html


def test_pupil_list_query_count_does_not_grow_with_page(
    db: None, django_assert_max_num_queries: Any
) -> None:
    client = _client(P.DIRECTOR_A)
    client.get("/pupils/")  # warm caches (session, content types)
    with django_assert_max_num_queries(14):
        response = client.get("/pupils/")
    assert len(response.context["page"].object_list) == 50


def test_pupil_page_query_count(db: None, django_assert_max_num_queries: Any) -> None:
    client = _client(P.DIRECTOR_A)
    pupil = visible_pupils(P.user(P.DIRECTOR_A)).first()
    assert pupil is not None
    client.get(f"/pupils/{pupil.pk}/")
    # Page, pupil, guardians, enrolments, class teachers, calendar, attendance, grades,
    # behaviour, support status and level history: a fixed number, whatever the data.
    with django_assert_max_num_queries(24):
        client.get(f"/pupils/{pupil.pk}/")


def _pupil_with_code(school_code: str) -> Pupil:
    pupil = (
        Pupil.objects.filter(school__registration_code=school_code)
        .exclude(personal_code_ciphertext="").first()
    )
    assert pupil is not None
    return pupil


@pytest.mark.parametrize(
    ("email", "shows_code"),
    [(P.DIRECTOR_A, True), (P.SUPPORT_A, True), (P.PSYCHOLOGIST_A, False),
     (P.TEACHER_A, False)],
)
def test_personal_code_only_for_roles_that_need_it(db: None, email: str, shows_code: bool) -> None:
    pupil = visible_pupils(P.user(email)).exclude(personal_code_ciphertext="").first()
    assert pupil is not None
    digits = crypto.reveal(pupil.personal_code_ciphertext)
    formatted = parse_personal_code(digits).formatted
    html = _client(email).get(f"/pupils/{pupil.pk}/").content.decode()
    assert (formatted in html) is shows_code
    assert digits not in html


def test_personal_code_is_not_stored_in_clear(db: None) -> None:
    pupil = _pupil_with_code(P.SCHOOL_A)
    digits = crypto.reveal(pupil.personal_code_ciphertext)
    assert digits not in pupil.personal_code_ciphertext
    assert pupil.personal_code_digest == crypto.digest(digits)
    assert digits[:6] not in pupil.personal_code_digest
