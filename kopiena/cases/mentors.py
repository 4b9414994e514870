"""Mentors ("Skola – kopienā"): who is trained, how many pupils each mentors now, and which
mentors a school may match to a pupil aged 13 and over."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopiena.accounts.models import User
from kopiena.cases.models import (
    MENTOR_MIN_AGE,
    CaseStatus,
    MentorProfile,
    SupportCase,
    TeamRole,
)
from kopiena.organisations.models import PARTNER_AGENCY_KINDS, Organisation

_CURRENT_MENTEE = Q(user__case_teams__role=TeamRole.MENTOR,
                    user__case_teams__removed_on__isnull=True,
                    user__case_teams__case__status=CaseStatus.OPEN)


def with_load(profiles: QuerySet[MentorProfile], *,
              free_only: bool = False) -> QuerySet[MentorProfile]:
    """Annotate ``mentees`` (pupils mentored now, in open cases) and ``free_places``; with
    ``free_only``, only mentors who can take another pupil."""
    loaded = profiles.annotate(
        mentees=Count("user__case_teams", filter=_CURRENT_MENTEE, distinct=True),
    ).annotate(free_places=F("max_pupils") - F("mentees"))
    return loaded.filter(free_places__gt=0) if free_only else loaded


def current_mentees(profile: MentorProfile) -> int:
    return profile.user.case_teams.filter(role=TeamRole.MENTOR, removed_on__isnull=True,
                                          case__status=CaseStatus.OPEN).count()


def pool_organisation_ids(school: Organisation) -> set[int]:
    """Where a school finds mentors: the school itself, its municipality and the
    municipality's partner agencies (youth centre, NGOs)."""
    ids = {school.pk}
    municipality_id = school.municipality_id
    if municipality_id is not None:
        ids.add(municipality_id)
        ids |= set(Organisation.objects.filter(parent_id=municipality_id,
                                               kind__in=PARTNER_AGENCY_KINDS)
                   .values_list("pk", flat=True))
    return ids


def matchable_mentors(case: SupportCase) -> QuerySet[MentorProfile]:
    """Trained, available mentors of the school's pool with a free place, not yet on the
    case's team, most free places first."""
    on_team = case.team.filter(removed_on__isnull=True).values("user_id")
    candidates = MentorProfile.objects.filter(
        organisation_id__in=pool_organisation_ids(case.school), is_active=True,
        training_completed_on__isnull=False, user__is_active=True,
    ).exclude(user_id__in=on_team).select_related("user", "organisation")
    return with_load(candidates, free_only=True).order_by("-free_places", "user__last_name")


def pupil_old_enough(case: SupportCase) -> bool:
    return case.pupil.age_on(timezone.localdate()) >= MENTOR_MIN_AGE


@transaction.atomic
def save_mentor_profile(*, user: User, organisation: Organisation, training: str,
                        completed_on: dt.date | None, interests: str, max_pupils: int,
                        is_active: bool, profile: MentorProfile | None = None) -> MentorProfile:
    """Create a mentor's profile (``profile`` None) or change it. The mentor works at
    ``organisation``; a person has one profile."""
    errors: dict[str, str] = {}
    if profile is None and MentorProfile.objects.filter(user=user).exists():
        errors["person"] = _("%(name)s already has a mentor profile: change that one.") % {
            "name": user.full_name}
    if not any(m.organisation_id == organisation.pk for m in user.active_memberships()):
        errors["person"] = _("The mentor must work at the organisation.")
    if completed_on is not None and completed_on > timezone.localdate():
        errors["training_completed_on"] = _("The date cannot be in the future.")
    if completed_on is not None and not training.strip():
        errors["training"] = _("Write which training the mentor completed.")
    if max_pupils < 1:
        errors["max_pupils"] = _("A mentor takes at least one pupil.")
    elif profile is not None and max_pupils < current_mentees(profile):
        mentees = current_mentees(profile)
        errors["max_pupils"] = ngettext("The mentor already mentors %(count)d pupil.",
                                        "The mentor already mentors %(count)d pupils.",
                                        mentees) % {"count": mentees}
    if errors:
        raise ValidationError(errors)
    profile = profile or MentorProfile(user=user)
    profile.organisation = organisation
    profile.training = training.strip()
    profile.training_completed_on = completed_on
    profile.interests = interests.strip()
    profile.max_pupils = max_pupils
    profile.is_active = is_active
    profile.save()
    return profile
