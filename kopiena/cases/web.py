"""What every case view does the same way: find the case with the right it needs (404
otherwise), run an action from a posted form, show a form on its own page, go back to the
case page with a message."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django_stubs_ext import StrOrPromise

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.accounts.models import User
from kopiena.cases.access import CaseAccess, get_case_for
from kopiena.cases.fields import add_errors
from kopiena.cases.models import SupportCase


class Need(enum.Enum):
    SEE = "see"
    CONTRIBUTE = "contribute"  # family contacts, notes, the summary for a meeting
    MANAGE = "manage"  # everything else that changes the case


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def case_for(request: HttpRequest, case_id: int,
             need: Need = Need.SEE) -> tuple[SupportCase, CaseAccess]:
    """The case with what the user may do, or Http404 when the user may not see it or lacks
    the right the page needs."""
    case, access = get_case_for(user_of(request), case_id)
    if need is Need.MANAGE and not access.manage:
        raise Http404
    if need is Need.CONTRIBUTE and not (access.manage or access.contribute):
        raise Http404
    return case, access


def case_page_url(case: SupportCase, tab: str = "") -> str:
    url = reverse("cases:detail", args=[case.pk])
    return f"{url}?tab={tab}#{tab}" if tab and tab != "overview" else url


def posted(request: HttpRequest) -> Any:
    """The form data when the form was sent, else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


def submit(request: HttpRequest, form: forms.Form, run: Callable[[], object]) -> bool:
    """Run the action when the posted form is valid; its ValidationError goes onto the form.
    Returns True when the action was done."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        run()
    except ValidationError as error:
        add_errors(form, error)
        return False
    except PermissionDenied:
        raise Http404 from None
    return True


def done(request: HttpRequest, case: SupportCase, message: str,
         tab: str = "") -> HttpResponseRedirect:
    messages.success(request, message)
    return redirect(case_page_url(case, tab))


@dataclass(frozen=True)
class FormPage:
    """A form shown on its own page (and after a failed attempt, with the messages)."""

    title: StrOrPromise
    submit_label: StrOrPromise
    tab: str
    intro: StrOrPromise = ""
    multipart: bool = False
    danger: bool = False  # the action cannot be undone (revoke, withdraw, close, remove)
    fields_template: str = "cases/_form_fields.html"
    extra: dict[str, Any] = field(default_factory=dict)


def form_page(request: HttpRequest, case: SupportCase, access: CaseAccess,
              form: forms.Form, page: FormPage) -> HttpResponse:
    log_access(request, action=AccessLogEntry.Action.VIEW, pupil_ids=[case.pupil_id])
    return render(request, "cases/form_page.html", {
        "case": case, "access": access, "form": form, "page": page,
        "cancel_url": case_page_url(case, page.tab), **page.extra,
    })
