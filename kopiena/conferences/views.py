"""Case conference pages: the list, holding a new one, the conference page with its minutes,
and the printable recap. The cases discussed and the decisions are in ``case_views``.

Policy CONFERENCE: the support team of the conference's school; everyone else 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.conferences import actions
from kopiena.conferences.access import (
    conference_schools,
    get_conference_for,
    staff_roles,
    visible_conferences,
)
from kopiena.conferences.forms import (
    ActionItemForm,
    ConferenceForm,
    DiscussionForm,
    MinutesForm,
    SchoolChoiceForm,
)
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.conferences.recap import recap_pdf
from kopiena.core.pdf import pdf_response
from kopiena.organisations.models import Organisation

PAGE_SIZE = 25


def signed_in_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def form_errors(form: Any, error: ValidationError) -> None:
    """Put an action's messages next to the fields they concern (else above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages_of_field in error.message_dict.items():
            for message in messages_of_field:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@access_policy(Policy.CONFERENCE)
@never_cache
def conference_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    schools = list(conference_schools(user))
    if not schools:
        raise Http404
    conferences = visible_conferences(user).select_related("school")
    school_id = request.GET.get("school", "")
    if school_id.isdigit() and int(school_id) in {s.pk for s in schools}:
        conferences = conferences.filter(school_id=int(school_id))
    conferences = conferences.annotate(
        cases=Count("discussed", distinct=True),
        open_items=Count("action_items", filter=Q(action_items__done_on__isnull=True),
                         distinct=True),
    ).order_by("-held_on", "-pk")
    page = Paginator(conferences, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "conferences/list.html", {
        "page": page, "schools": schools, "school_id": school_id,
        "today": timezone.localdate(),
    })


@access_policy(Policy.CONFERENCE)
@require_http_methods(["GET", "POST"])
@never_cache
def conference_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    schools = conference_schools(user)
    if not schools.exists():
        raise Http404
    school: Organisation | None = schools.first() if schools.count() == 1 else None
    chosen = request.GET.get("school") or request.POST.get("school")
    if chosen:
        school = schools.filter(pk=chosen).first() if chosen.isdigit() else None
        if school is None:
            raise Http404
    if school is None:
        return render(request, "conferences/choose_school.html",
                      {"form": SchoolChoiceForm(schools=schools)})
    form = ConferenceForm(request.POST or None, school=school,
                          initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conference = actions.create_conference(
                school=school, held_on=data["held_on"], title=data["title"], by=user,
                agenda=data["agenda"], participants=data["participants"],
                other_participants=data["other_participants"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The conference is saved. Add the cases to discuss."))
            return redirect("conferences:detail", conference.pk)
    return render(request, "conferences/form.html", {"form": form, "school": school})


@access_policy(Policy.CONFERENCE)
@require_http_methods(["GET", "POST"])
@never_cache
def conference_edit(request: HttpRequest, conference_id: int) -> HttpResponse:
    user = signed_in_user(request)
    conference = get_conference_for(user, conference_id)
    initial = {"held_on": conference.held_on, "title": conference.title,
               "agenda": conference.agenda, "other_participants": conference.other_participants,
               "participants": list(conference.participants.all()),
               "version": conference.version}
    form = ConferenceForm(request.POST or None, school=conference.school, initial=initial)
    saved: CaseConference | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_conference(
                conference=conference, version=data["version"] or 0, held_on=data["held_on"],
                title=data["title"], agenda=data["agenda"], participants=data["participants"],
                other_participants=data["other_participants"], by=user)
        except PermissionDenied:
            raise Http404 from None
        except actions.ConcurrentEdit as error:
            # Shown again with the text kept; the next save goes over the saved version.
            saved = CaseConference.objects.get(pk=conference.pk)
            typed = request.POST.copy()
            typed["version"] = str(saved.version)
            form = ConferenceForm(typed, school=conference.school)
            form.is_valid()
            form_errors(form, error)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The conference is saved."))
            return redirect("conferences:detail", conference.pk)
    return render(request, "conferences/form.html", {
        "form": form, "school": conference.school, "conference": conference, "saved": saved,
    }, status=409 if saved is not None else 200)


def render_detail(request: HttpRequest, conference: CaseConference, *,
                  minutes_form: MinutesForm | None = None,
                  item_form: ActionItemForm | None = None,
                  discussion_form: tuple[int, DiscussionForm] | None = None,
                  saved_minutes: str | None = None, saved_discussion: str | None = None,
                  status: int = 200) -> HttpResponse:
    """The conference page; a form that failed is shown again with what the user typed."""
    discussed = list(DiscussedCase.objects.filter(conference=conference).select_related(
        "case__pupil__school_class", "case__case_manager"))
    rows = []
    for entry in discussed:
        form = (discussion_form[1] if discussion_form and discussion_form[0] == entry.pk
                else DiscussionForm(prefix=f"d{entry.pk}", initial={
                    "discussion": entry.discussion, "version": entry.version}))
        rows.append((entry, form))
    items = list(ActionItem.objects.filter(conference=conference).select_related(
        "owner", "done_by", "case__pupil"))
    pupil_ids = {d.case.pupil_id for d in discussed}
    if pupil_ids:
        log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=pupil_ids)
    roles = staff_roles(conference.school_id)
    return render(request, "conferences/detail.html", {
        "conference": conference, "discussed": rows, "items": items,
        "cases_with_items": {i.case_id for i in items if i.case_id is not None},
        "participants": [(u, roles.get(u.pk, "")) for u in conference.participants.order_by(
            "last_name", "first_name")],
        "minutes_form": minutes_form or MinutesForm(initial={
            "minutes": conference.minutes, "version": conference.version}),
        "item_form": item_form or ActionItemForm(conference=conference),
        "saved_minutes": saved_minutes, "saved_discussion": saved_discussion,
        "conflict_case": discussion_form[0] if discussion_form else None,
        "today": timezone.localdate(),
    }, status=status)


@access_policy(Policy.CONFERENCE)
@never_cache
def conference_detail(request: HttpRequest, conference_id: int) -> HttpResponse:
    return render_detail(request, get_conference_for(signed_in_user(request), conference_id))


@access_policy(Policy.CONFERENCE)
@require_POST
def minutes(request: HttpRequest, conference_id: int) -> HttpResponse:
    user = signed_in_user(request)
    conference = get_conference_for(user, conference_id)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            actions.save_minutes(conference=conference, version=form.cleaned_data["version"],
                                 minutes=form.cleaned_data["minutes"], by=user)
        except PermissionDenied:
            raise Http404 from None
        except actions.ConcurrentEdit as error:
            current = CaseConference.objects.get(pk=conference.pk)
            form = MinutesForm({"minutes": form.cleaned_data["minutes"],
                                "version": current.version})
            form.is_valid()
            form_errors(form, error)
            return render_detail(request, current, minutes_form=form,
                                 saved_minutes=current.minutes, status=409)
        messages.success(request, _("The minutes are saved."))
        return redirect(f"{_detail_url(conference)}#minutes")
    return render_detail(request, conference, minutes_form=form)


def _detail_url(conference: CaseConference) -> str:
    return actions.conference_url(conference)


@access_policy(Policy.CONFERENCE)
@never_cache
def recap(request: HttpRequest, conference_id: int) -> HttpResponse:
    conference = get_conference_for(signed_in_user(request), conference_id)
    pdf, pupil_ids = recap_pdf(conference)
    log_access(request, action=AccessLogEntry.Action.EXPORT, pupil_ids=pupil_ids)
    return pdf_response(pdf, f"sanaksme-{conference.held_on.isoformat()}-{conference.pk}.pdf")
