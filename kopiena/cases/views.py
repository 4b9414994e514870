"""Support case pages (placeholder until the case screens land)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.cases.access import get_case_for


@access_policy(Policy.CASE)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    case, _access = get_case_for(request.user, case_id)
    return HttpResponse(str(case))
