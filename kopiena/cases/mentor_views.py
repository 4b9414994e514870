"""Mentor profiles: who has completed the mentor training, their interests and how many
pupils they take. For the support team of a school and the municipality coordinator; every
one else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import Membership, User
from kopiena.cases.access import mentor_organisation_ids, support_team_school_ids
from kopiena.cases.mentor_forms import MentorProfileForm
from kopiena.cases.mentors import pool_organisation_ids, save_mentor_profile, with_load
from kopiena.cases.models import MENTOR_MIN_AGE, MentorProfile
from kopiena.cases.web import posted, submit, user_of
from kopiena.organisations.models import Organisation


def _editable(user: User) -> set[int]:
    ids = mentor_organisation_ids(user)
    if not ids:
        raise Http404
    return ids


def _listed(user: User) -> set[int]:
    """The organisations whose mentors the user keeps, and those the user's schools find
    mentors at (their municipality and its partner agencies)."""
    ids = _editable(user)
    for school in Organisation.objects.filter(pk__in=support_team_school_ids(user)):
        ids |= pool_organisation_ids(school)
    return ids


def _candidates(editable: set[int]) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation_id__in=editable, is_active=True,
                                      user__is_active=True, organisation__is_active=True)
            .exclude(user__mentor_profile__isnull=False)
            .select_related("user", "organisation")
            .order_by("user__last_name", "user__first_name", "organisation__name"))


@access_policy(Policy.AUTHENTICATED)
@never_cache
def mentor_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    editable = _editable(user)
    profiles = with_load(MentorProfile.objects.filter(organisation_id__in=_listed(user))
                         .select_related("user", "organisation"))
    return render(request, "cases/mentors.html", {
        "profiles": profiles.order_by("organisation__name", "user__last_name"),
        "editable": editable, "min_age": MENTOR_MIN_AGE,
    })


@access_policy(Policy.AUTHENTICATED)
@never_cache
def mentor_create(request: HttpRequest) -> HttpResponse:
    return _profile_form(request, None)


@access_policy(Policy.AUTHENTICATED)
@never_cache
def mentor_edit(request: HttpRequest, profile_id: int) -> HttpResponse:
    return _profile_form(request, profile_id)


def _profile_form(request: HttpRequest, profile_id: int | None) -> HttpResponse:
    editable = _editable(user_of(request))
    profile = None
    if profile_id is not None:
        profile = get_object_or_404(MentorProfile.objects.select_related("user", "organisation"),
                                    pk=profile_id, organisation_id__in=editable)
    form = MentorProfileForm(posted(request), memberships=_candidates(editable), profile=profile)

    def run() -> None:
        data = form.cleaned_data
        if profile is not None:
            mentor, organisation = profile.user, profile.organisation
        else:
            mentor, organisation = data["person"].user, data["person"].organisation
        save_mentor_profile(
            user=mentor, organisation=organisation, training=data["training"], completed_on=data["training_completed_on"],
            interests=data["interests"], max_pupils=data["max_pupils"],
            is_active=data["is_active"], profile=profile)

    if submit(request, form, run):
        messages.success(request, _("The mentor profile is saved."))
        return redirect("cases:mentors")
    return render(request, "cases/mentor_form.html", {"form": form, "profile": profile})
