"""The inbox: one user's notifications and tasks, their action items, and how they want
e-mail. Every query starts from the signed-in user: someone else's notification is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.cases.access import visible_cases
from kopiena.conferences.access import conference_school_ids, own_open_items
from kopiena.conferences.actions import complete_action_item
from kopiena.conferences.models import ActionItem
from kopiena.inbox.actions import email_mode, mark_all_read, mark_read, set_email_mode
from kopiena.inbox.forms import PreferenceForm
from kopiena.inbox.models import Notification

PAGE_SIZE = 30
SHOW = {"all", "tasks", "unread"}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show") or request.POST.get("show") or "all"
    return show if show in SHOW else "all"


def _back(request: HttpRequest) -> HttpResponse:
    show = _show(request)
    url = reverse("inbox:index")
    return redirect(url if show == "all" else f"{url}?show={show}")


@access_policy(Policy.AUTHENTICATED)
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    show = _show(request)
    notifications = Notification.objects.filter(user=user)
    if show == "tasks":
        notifications = notifications.filter(is_task=True)
    elif show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    notifications = notifications.annotate(
        unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()),
    ).order_by("-is_task", "-unread", "-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(own_open_items(user))
    seen_cases = set(visible_cases(user).filter(
        pk__in=[i.case_id for i in items if i.case_id is not None]).values_list("pk", flat=True))
    rows = [(item, item.case_id in seen_cases) for item in items]
    shown_pupils = [item.case.pupil_id for item, seen in rows if seen and item.case is not None]
    if shown_pupils:
        log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=shown_pupils)
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return render(request, "inbox/inbox.html", {
        "page": page, "show": show, "action_items": rows, "today": timezone.localdate(),
        "unread_count": unread.count(), "unread_tasks": unread.filter(is_task=True).count(),
        "on_support_team": bool(conference_school_ids(user)),
        "email_mode": email_mode(user),
    })


@access_policy(Policy.AUTHENTICATED)
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=notification_id, user=_user(request))
    mark_read(user=_user(request), notification_ids=[notification.pk])
    return _back(request)


@access_policy(Policy.AUTHENTICATED)
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    tasks_only = _show(request) == "tasks"
    count = mark_all_read(user=_user(request), tasks_only=tasks_only)
    if count:
        messages.success(request, _("Marked as read: %(count)d.") % {"count": count})
    return _back(request)


@access_policy(Policy.AUTHENTICATED)
@never_cache
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    user = _user(request)
    notification = get_object_or_404(Notification, pk=notification_id, user=user)
    mark_read(user=user, notification_ids=[notification.pk])
    target = notification.url
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("inbox:index")


@access_policy(Policy.AUTHENTICATED)
@require_POST
def action_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    """The owner marks their own action item done (the support team does it on the
    conference page)."""
    user = _user(request)
    item = get_object_or_404(ActionItem.objects.select_related("conference"), pk=item_id,
                             owner=user)
    try:
        complete_action_item(item=item, by=user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action item is marked done."))
    return redirect(reverse("inbox:index") + "#action-items")


@access_policy(Policy.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
@never_cache
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferenceForm(request.POST or None, initial={"email_mode": email_mode(user)})
    if request.method == "POST" and form.is_valid():
        set_email_mode(user=user, email_mode=form.cleaned_data["email_mode"])
        messages.success(request, _("Your e-mail preference is saved."))
        return redirect("inbox:index")
    return render(request, "inbox/preferences.html", {"form": form})
