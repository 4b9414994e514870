"""The case team: add and remove members, change the case manager, match a mentor. Only
those who manage the case (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kopiena.access.policies import Policy, access_policy
from kopiena.cases import actions
from kopiena.cases.forms import CaseManagerForm, ConfirmForm, TeamMemberForm
from kopiena.cases.mentor_forms import MentorMatchForm
from kopiena.cases.mentors import matchable_mentors, pupil_old_enough
from kopiena.cases.models import MENTOR_MIN_AGE, CaseStatus, TeamRole
from kopiena.cases.page import Tab
from kopiena.cases.web import (
    FormPage,
    Need,
    case_for,
    case_page_url,
    done,
    form_page,
    posted,
    submit,
    user_of,
)


@access_policy(Policy.CASE)
@never_cache
def add_member(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    form = TeamMemberForm(posted(request), case=case)

    def run() -> None:
        actions.add_team_member(case=case, user=form.cleaned_data["person"],
                                role=form.cleaned_data["role"], by=user_of(request))

    if submit(request, form, run):
        return done(request, case, _("%(name)s is now in the team.") % {
            "name": form.cleaned_data["person"].full_name}, Tab.TEAM)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Add a team member"), submit_label=gettext_lazy("Add to the team"),
        tab=Tab.TEAM,
        intro=gettext_lazy("Staff of the school, or a worker of a partner agency (which needs "
                           "the parent's consent to sharing with partner agencies). Team "
                           "members see the whole case and are notified.")))


@access_policy(Policy.CASE)
@never_cache
def remove_member(request: HttpRequest, case_id: int, member_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    member = get_object_or_404(case.team.select_related("user"), pk=member_id,
                               removed_on__isnull=True)
    if member.role == TeamRole.CASE_MANAGER:
        messages.info(request, _("Choose another case manager instead."))
        return redirect(case_page_url(case, Tab.TEAM))
    form = ConfirmForm(posted(request))
    if submit(request, form, lambda: actions.remove_team_member(member=member,
                                                                by=user_of(request))):
        return done(request, case, _("%(name)s has left the team.") % {
            "name": member.user.full_name}, Tab.TEAM)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Remove from the team"), submit_label=gettext_lazy("Remove"),
        tab=Tab.TEAM, danger=True,
        intro=_("%(name)s (%(role)s) will no longer be on the team of this case. Someone "
                "from outside the school loses access to the pupil at once.") % {
            "name": member.user.full_name, "role": member.get_role_display()}))


@access_policy(Policy.CASE)
@never_cache
def change_manager(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    form = CaseManagerForm(posted(request), case=case)

    def run() -> None:
        actions.change_case_manager(case=case, manager=form.cleaned_data["manager"],
                                    by=user_of(request), version=form.cleaned_data["version"])

    if submit(request, form, run):
        return done(request, case, _("%(name)s is now the case manager and has been "
                                     "notified.") % {
            "name": form.cleaned_data["manager"].full_name}, Tab.TEAM)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Change the case manager"),
        submit_label=gettext_lazy("Change the case manager"), tab=Tab.TEAM,
        intro=_("The case manager now: %(name)s.") % {"name": case.case_manager.full_name}))


@access_policy(Policy.CASE)
@never_cache
def match_mentor(request: HttpRequest, case_id: int) -> HttpResponse:
    """Match a trained mentor with a free place to a pupil aged 13 or over."""
    case, access = case_for(request, case_id, Need.MANAGE)
    old_enough = pupil_old_enough(case)
    mentors = matchable_mentors(case)
    form = MentorMatchForm(posted(request) if old_enough else None, mentors=mentors)

    def run() -> None:
        actions.add_team_member(case=case, user=form.cleaned_data["mentor"].user,
                                role=TeamRole.MENTOR, by=user_of(request))

    if case.status == CaseStatus.OPEN and submit(request, form, run):
        return done(request, case, _("%(name)s is now the pupil's mentor.") % {
            "name": form.cleaned_data["mentor"].user.full_name}, Tab.TEAM)
    age = case.pupil.age_on(timezone.localdate())
    is_open = case.status == CaseStatus.OPEN
    has_mentors = mentors.exists()
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Match a mentor"), submit_label=gettext_lazy("Match this mentor"),
        tab=Tab.TEAM, fields_template="cases/_mentor_fields.html",
        extra={"old_enough": old_enough, "age": age, "min_age": MENTOR_MIN_AGE,
               "has_mentors": has_mentors, "is_open": is_open,
               "hide_submit": not (old_enough and is_open and has_mentors)}))
