from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.access.pupil_access import get_pupil_for
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import User
from kopiena.cases.access import pupil_parts_shared
from kopiena.cases.models import SharedPart
from kopiena.core.htmx import is_htmx
from kopiena.earlywarning.pupil_support import pupil_support
from kopiena.pupils import crypto
from kopiena.pupils.filters import PupilFilterForm
from kopiena.schooldata.pupil_record import pupil_school_record

PAGE_SIZE = 50


@access_policy(Policy.AUTHENTICATED)
@never_cache
def pupil_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    scoped = visible_pupils(request.user)
    form = PupilFilterForm(request.GET or None, scoped=scoped)
    pupils = form.apply(scoped) if form.is_bound else scoped
    pupils = pupils.select_related("school", "school_class").order_by(
        "last_name", "first_name", "pk"
    )
    page = Paginator(pupils, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [p.pk for p in page.object_list]
    if shown:
        log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=shown,
                   query=form.describe())
    template = "pupils/list.html#results" if is_htmx(request) else "pupils/list.html"
    return render(request, template, {"form": form, "page": page})


@access_policy(Policy.PUPIL)
@never_cache
def pupil_detail(request: HttpRequest, pupil_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    pupil, permissions = get_pupil_for(request.user, pupil_id)
    log_access(request, action=AccessLogEntry.Action.VIEW, pupil_ids=[pupil.pk])
    personal_code = None
    if permissions.view_personal_code and pupil.has_personal_code:
        digits = crypto.reveal(pupil.personal_code_ciphertext)
        personal_code = f"{digits[:6]}-{digits[6:]}"
    # School staff see the whole record; a partner agency only what a referral shares.
    record_visible = permissions.school_staff or (
        SharedPart.INDICATORS in pupil_parts_shared(request.user, pupil.pk))
    context = {
        "pupil": pupil,
        "permissions": permissions,
        "record_visible": record_visible,
        "personal_code": personal_code,
        "enrolments": pupil.enrolments.select_related("school", "school_class"),
        "guardians": pupil.guardian_links.select_related("guardian"),
        "support": pupil_support(request.user, pupil) if record_visible else None,
        "school_record": (pupil_school_record(pupil, may_see_notes=permissions.view_sensitive)
                          if record_visible else None),
        "class_teachers": (
            pupil.school_class.staff_assignments.filter(kind="class_teacher")
            .select_related("user") if pupil.school_class else []
        ),
    }
    return render(request, "pupils/detail.html", context)
