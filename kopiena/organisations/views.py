from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.calendars.schooldays import current_school_year
from kopiena.organisations.models import Organisation
from kopiena.organisations.queries import visible_organisations


@access_policy(Policy.AUTHENTICATED)
def organisation_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    organisations = (
        visible_organisations(request.user)
        .select_related("parent")
        .order_by("kind", "name")
    )
    municipalities = [o for o in organisations if o.is_municipality]
    by_parent: dict[int | None, list[Organisation]] = {}
    for org in organisations:
        by_parent.setdefault(org.parent_id, []).append(org)
    tree = [(m, by_parent.get(m.pk, [])) for m in municipalities]
    others = [
        o for o in organisations
        if not o.is_municipality and o.parent_id not in {m.pk for m in municipalities}
    ]
    return render(request, "organisations/list.html", {"tree": tree, "others": others})


@access_policy(Policy.ORGANISATION)
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    organisation = get_object_or_404(
        visible_organisations(request.user).select_related("parent"), pk=organisation_id
    )
    year = current_school_year()
    classes = (
        organisation.classes.filter(school_year=year)
        .annotate(pupil_count=Count("pupils"))
        .prefetch_related("staff_assignments__user")
        if year is not None and organisation.is_school else []
    )
    staff = (
        organisation.memberships.filter(is_active=True, user__is_active=True)
        .select_related("user").order_by("role", "user__last_name")
    )
    return render(request, "organisations/detail.html", {
        "organisation": organisation, "classes": classes, "staff": staff,
        "children": organisation.children.order_by("kind", "name"),
    })
