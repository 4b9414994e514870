"""The JSON API (django-ninja). Same scoping and access log as the pages; OpenAPI at /api/docs."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.pupil_access import get_pupil_for
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.pupils.models import Pupil

API_PAGE_SIZE = 100

api = NinjaAPI(
    title="Kopiena API", version="1", urls_namespace="api", auth=django_auth,
    docs_decorator=login_required,
)


class PupilOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    school: str | None
    school_class: str | None
    programme: str

    @classmethod
    def of(cls, pupil: Pupil) -> PupilOut:
        return cls(
            id=pupil.pk, first_name=pupil.first_name, last_name=pupil.last_name,
            birth_date=pupil.birth_date, programme=pupil.programme,
            school=pupil.school.registration_code if pupil.school else None,
            school_class=pupil.school_class.label if pupil.school_class else None,
        )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class PupilPage(Schema):
    count: int
    page: int
    items: list[PupilOut]


@api.get("/pupils", response=PupilPage, tags=["pupils"])
def list_pupils(request: HttpRequest, page: int = 1) -> PupilPage:
    """Pupils the caller may see by name, 100 per page (`page` from 1)."""
    paginator = Paginator(
        visible_pupils(_user(request)).select_related("school", "school_class"), API_PAGE_SIZE
    )
    current = paginator.get_page(page)
    items = list(current.object_list)
    if items:
        log_access(request, action=AccessLogEntry.Action.API, pupil_ids=[p.pk for p in items])
    return PupilPage(
        count=paginator.count, page=current.number,
        items=[PupilOut.of(p) for p in items],
    )


@api.get("/pupils/{pupil_id}", response=PupilOut, tags=["pupils"])
def get_pupil(request: HttpRequest, pupil_id: int) -> PupilOut:
    """One pupil the caller may see by name; 404 otherwise."""
    pupil, _perms = get_pupil_for(_user(request), pupil_id)
    log_access(request, action=AccessLogEntry.Action.API, pupil_ids=[pupil.pk])
    return PupilOut.of(pupil)


def _add_routers() -> None:
    from kopiena.support_api import router as support_router

    api.add_router("/", support_router)


_add_routers()
