"""The cases discussed at a conference and its decisions (action items).

Policy CONFERENCE: the support team of the conference's school; everyone else 404. Each view
parses its form, calls one action and redirects back to the conference page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.conferences import actions
from kopiena.conferences.access import cases_to_discuss, get_conference_for
from kopiena.conferences.forms import ActionItemForm, AddCasesForm, DiscussionForm
from kopiena.conferences.models import ActionItem, DiscussedCase
from kopiena.conferences.views import form_errors, render_detail, signed_in_user


@access_policy(Policy.CONFERENCE)
@require_http_methods(["GET", "POST"])
@never_cache
def add_cases(request: HttpRequest, conference_id: int) -> HttpResponse:
    """Pick the cases to discuss from the school's open cases."""
    user = signed_in_user(request)
    conference = get_conference_for(user, conference_id)
    form = AddCasesForm(request.POST or None, user=user, conference=conference)
    if request.method == "POST" and form.is_valid():
        try:
            added = actions.add_cases(conference=conference, cases=form.cleaned_data["cases"],
                                      by=user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, ngettext(
                "%(count)d case added to the conference.",
                "%(count)d cases added to the conference.", len(added)) % {"count": len(added)})
            return redirect(f"{actions.conference_url(conference)}#cases")
    candidates = list(cases_to_discuss(user, conference).select_related("school"))
    if candidates:
        log_access(request, action=AccessLogEntry.Action.LIST,
                   pupil_ids=[c.pupil_id for c in candidates])
    ticked = {str(value) for value in (form["cases"].value() or [])}
    return render(request, "conferences/add_cases.html", {
        "conference": conference, "form": form, "candidates": candidates, "ticked": ticked,
    })


def _discussed(request: HttpRequest, conference_id: int, discussed_id: int) -> DiscussedCase:
    conference = get_conference_for(signed_in_user(request), conference_id)
    return get_object_or_404(DiscussedCase.objects.select_related("conference", "case__pupil"),
                             pk=discussed_id, conference=conference)


@access_policy(Policy.CONFERENCE)
@require_POST
def discussion(request: HttpRequest, conference_id: int, discussed_id: int) -> HttpResponse:
    user = signed_in_user(request)
    discussed = _discussed(request, conference_id, discussed_id)
    prefix = f"d{discussed.pk}"
    form = DiscussionForm(request.POST, prefix=prefix)
    anchor = f"{actions.conference_url(discussed.conference)}#case-{discussed.pk}"
    if form.is_valid():
        try:
            actions.update_discussion(discussed=discussed, version=form.cleaned_data["version"],
                                      discussion=form.cleaned_data["discussion"], by=user)
        except PermissionDenied:
            raise Http404 from None
        except actions.ConcurrentEdit as error:
            current = DiscussedCase.objects.get(pk=discussed.pk)
            form = DiscussionForm({f"{prefix}-discussion": form.cleaned_data["discussion"],
                                   f"{prefix}-version": current.version}, prefix=prefix)
            form.is_valid()
            form_errors(form, error)
            return render_detail(request, discussed.conference,
                                 discussion_form=(discussed.pk, form),
                                 saved_discussion=current.discussion, status=409)
        messages.success(request, _("The discussion of %(pupil)s is saved.") % {
            "pupil": discussed.case.pupil.full_name})
        return redirect(anchor)
    return render_detail(request, discussed.conference, discussion_form=(discussed.pk, form))


@access_policy(Policy.CONFERENCE)
@require_POST
def remove_case(request: HttpRequest, conference_id: int, discussed_id: int) -> HttpResponse:
    discussed = _discussed(request, conference_id, discussed_id)
    try:
        actions.remove_case(discussed=discussed, by=signed_in_user(request))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(pupil)s is taken off the conference.") % {
            "pupil": discussed.case.pupil.full_name})
    return redirect(f"{actions.conference_url(discussed.conference)}#cases")


@access_policy(Policy.CONFERENCE)
@require_POST
def add_item(request: HttpRequest, conference_id: int) -> HttpResponse:
    user = signed_in_user(request)
    conference = get_conference_for(user, conference_id)
    form = ActionItemForm(request.POST, conference=conference)
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.add_action_item(conference=conference, description=data["description"],
                                           owner=data["owner"], due_on=data["due_on"],
                                           case=data["case"], by=user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded; %(owner)s finds it in the "
                                        "inbox.") % {"owner": item.owner})
            return redirect(f"{actions.conference_url(conference)}#item-{item.pk}")
    return render_detail(request, conference, item_form=form)


def _item(request: HttpRequest, conference_id: int, item_id: int) -> ActionItem:
    conference = get_conference_for(signed_in_user(request), conference_id)
    return get_object_or_404(ActionItem.objects.select_related("conference"), pk=item_id,
                             conference=conference)


@access_policy(Policy.CONFERENCE)
@require_POST
def item_done(request: HttpRequest, conference_id: int, item_id: int) -> HttpResponse:
    item = _item(request, conference_id, item_id)
    try:
        actions.complete_action_item(item=item, by=signed_in_user(request))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action item is marked done."))
    return redirect(f"{actions.conference_url(item.conference)}#item-{item.pk}")


@access_policy(Policy.CONFERENCE)
@require_POST
def item_reopen(request: HttpRequest, conference_id: int, item_id: int) -> HttpResponse:
    item = _item(request, conference_id, item_id)
    try:
        actions.reopen_action_item(item=item, by=signed_in_user(request))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action item is open again."))
    return redirect(f"{actions.conference_url(item.conference)}#item-{item.pk}")
