"""Every view, list and API read of pupil data is logged; nobody can change the log."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client

from kopiena.access.models import AccessedPupil, AccessLogEntry, AppendOnlyError
from kopiena.access.scoping import visible_pupils
from kopiena.pupils.models import Pupil
from tests import people as P


@pytest.fixture
def director(db: None) -> Client:
    client = Client()
    client.force_login(P.user(P.DIRECTOR_A))
    return client


def _entries_for(email: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user__email=email).order_by("pk"))


def test_pupil_page_view_is_logged_with_who_what_where(director: Client) -> None:
    pupil = visible_pupils(P.user(P.DIRECTOR_A)).first()
    assert pupil is not None
    response = director.get(f"/pupils/{pupil.pk}/", REMOTE_ADDR="10.1.2.3",
                            HTTP_USER_AGENT="pytest-browser")
    assert response.status_code == 200
    entry = _entries_for(P.DIRECTOR_A)[-1]
    assert entry.action == AccessLogEntry.Action.VIEW
    assert entry.path == f"/pupils/{pupil.pk}/"
    assert entry.ip_address == "10.1.2.3"
    assert entry.user_agent == "pytest-browser"
    assert list(entry.pupils.values_list("pupil_id", flat=True)) == [pupil.pk]


def test_refused_pupil_page_writes_no_view_entry(director: Client) -> None:
    other = Pupil.objects.filter(school__registration_code=P.SCHOOL_B).first()
    assert other is not None
    before = AccessLogEntry.objects.count()
    assert director.get(f"/pupils/{other.pk}/").status_code == 404
    assert AccessLogEntry.objects.count() == before


def test_search_result_list_logs_exactly_the_pupils_shown(director: Client) -> None:
    response = director.get("/pupils/", {"grade": "7"})
    shown = [p.pk for p in response.context["page"].object_list]
    assert shown
    entry = _entries_for(P.DIRECTOR_A)[-1]
    assert entry.action == AccessLogEntry.Action.LIST
    assert entry.query == "grade=7"
    assert sorted(entry.pupils.values_list("pupil_id", flat=True)) == sorted(shown)
    assert entry.pupil_count == len(shown)


def test_api_reads_are_logged(director: Client) -> None:
    response = director.get("/api/pupils")
    ids = [item["id"] for item in response.json()["items"]]
    entry = _entries_for(P.DIRECTOR_A)[-1]
    assert entry.action == AccessLogEntry.Action.API
    assert sorted(entry.pupils.values_list("pupil_id", flat=True)) == sorted(ids)
    detail = director.get(f"/api/pupils/{ids[0]}")
    assert detail.status_code == 200
    assert _entries_for(P.DIRECTOR_A)[-1].pupils.get().pupil_id == ids[0]


def test_access_log_cannot_be_changed_or_deleted(director: Client) -> None:
    pupil = visible_pupils(P.user(P.DIRECTOR_A)).first()
    assert pupil is not None
    director.get(f"/pupils/{pupil.pk}/")
    entry = _entries_for(P.DIRECTOR_A)[-1]
    entry.path = "/forged/"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(path="/forged/")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessedPupil.objects.filter(entry=entry).delete()
    entry.refresh_from_db()
    assert entry.path == f"/pupils/{pupil.pk}/"


def test_change_history_is_kept_and_cannot_be_deleted(db: None) -> None:
    pupil = Pupil.objects.first()
    assert pupil is not None
    pupil.first_name = "Elza"
    pupil.save()
    entry = LogEntry.objects.get_for_object(pupil).latest("timestamp")
    assert entry.changes_dict["first_name"][1] == "Elza"
    assert "personal_code_ciphertext" not in entry.changes_dict
    with pytest.raises(AppendOnlyError):
        entry.delete()
    entry.changes_text = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_access_log_and_pupils_are_not_in_the_admin(db: None) -> None:
    from django.contrib import admin

    registered = {m._meta.label for m in admin.site._registry}
    assert not {"access.AccessLogEntry", "access.AccessedPupil", "pupils.Pupil",
                "pupils.Guardian"} & registered
    client = Client()
    client.force_login(P.user(P.ADMIN))
    assert client.get("/admin/auditlog/logentry/").status_code == 200
