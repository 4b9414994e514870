from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.core.overview import overview_for


@access_policy(Policy.AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return render(request, "core/home.html", {"overview": overview_for(request.user)})


@access_policy(Policy.PUBLIC)
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("OK", content_type="text/plain")
