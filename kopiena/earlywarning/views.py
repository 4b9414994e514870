"""Support screens: school overview, class view, municipality overview, follow-up tasks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.access.scoping import (
    aggregate_municipality_ids,
    visible_classes,
    visible_pupils,
    whole_school_ids,
)
from kopiena.accounts.models import User
from kopiena.cases.templatetags.case_tags import case_opening_label, pupils_with_open_case
from kopiena.core.charts import legend
from kopiena.earlywarning import class_rows, screens
from kopiena.earlywarning.models import FollowUpTask, ThresholdNotice
from kopiena.earlywarning.reasons import level_label
from kopiena.earlywarning.selectors import (
    cached_for_school,
    level_counts,
    level_rank,
    open_tasks,
    raised_since,
    school_figures,
    school_stamp,
    visible_statuses,
)
from kopiena.earlywarning.threshold import complete_task, mark_notice_sent, render_notice_pdf
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@access_policy(Policy.SCHOOL)
@never_cache
def school_overview(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    if organisation_id not in whole_school_ids(user):
        raise Http404
    school = Organisation.objects.get(pk=organisation_id)
    today = timezone.localdate()
    # Highest level first, cut in the database: a large school has thousands flagged.
    flagged = (visible_statuses(user).filter(school=school).exclude(level="universal")
               .annotate(level_rank=level_rank())
               .order_by("-level_rank", "pupil__last_name", "pupil__first_name", "pk"))
    # Ordering thousands of flagged pupils is per recompute, not per request: the first
    # LIST_LENGTH of them and their number are cached; the rows are read in the user's scope.
    stamp = school_stamp(school=school, as_of=today)
    first_ids, flagged_total = cached_for_school(stamp, "flagged", lambda: (
        list(flagged.values_list("pupil_id", flat=True)[:screens.LIST_LENGTH]),
        flagged.count()))
    shown = {s.pupil_id: s for s in visible_statuses(user).filter(pupil_id__in=first_ids)}
    needing = [screens.pupil_row(shown[i], with_values=False) for i in first_ids if i in shown]
    raised_qs = raised_since(user, school=school, since=screens.last_week(today))
    raised = [screens.event_row(e) for e in
              raised_qs.select_related("pupil__school_class")[:screens.LIST_LENGTH]]
    figures = school_figures(school=school, as_of=today, stamp=stamp)
    classes = [
        (c, screens.LevelFigures(figures.per_class.get(c.pk, {}), suppress_small=False))
        for c in visible_classes(user).filter(school=school).order_by("grade", "label")
    ]
    shown_ids = {r.status.pupil_id for r in needing} | {r.event.pupil_id for r in raised}
    if shown_ids:
        log_access(request, action=AccessLogEntry.Action.LIST, pupil_ids=shown_ids)
    return render(request, "earlywarning/school_overview.html", {
        "school": school, "today": today,
        "totals": screens.LevelFigures(figures.totals, suppress_small=False),
        "levels": [(level, level_label(level)) for level in screens.LEVELS],
        "trend": screens.trend_chart(figures.weeks, title=_("Support levels, last 8 weeks")),
        "trend_legend": legend(screens.level_legend()),
        "raised": raised, "raised_more": _more(raised_qs, len(raised)),
        "needing": needing, "needing_more": max(flagged_total - len(needing), 0),
        "classes": classes,
    })


def _more(queryset: QuerySet[Any], shown: int) -> int:
    """How many rows the list left out (no count query when it was not cut)."""
    return queryset.count() - shown if shown == screens.LIST_LENGTH else 0


@access_policy(Policy.SCHOOL_CLASS)
@never_cache
def class_view(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    school_class = get_object_or_404(visible_classes(user).select_related("school"), pk=class_id)
    statuses = list(visible_statuses(user).filter(pupil__school_class=school_class)
                    .select_related(None).select_related("pupil").only(*class_rows.FIELDS))
    open_label = case_opening_label(Context({"request": request}), school_class.school_id,
                                    school_class.pk)
    with_case = (pupils_with_open_case([SimpleNamespace(status=s) for s in statuses])
                 if open_label else set())
    rows = class_rows.class_rows(school_class.pk, statuses, open_label=open_label,
                                 with_case=with_case)
    sort = request.GET.get("sort", "level")
    descending = request.GET.get("dir", "desc" if sort == "level" else "asc") == "desc"
    rows = screens.sort_rows(rows, sort, descending)
    if rows:
        log_access(request, action=AccessLogEntry.Action.LIST,
                   pupil_ids=[r.status.pupil_id for r in rows])
    return render(request, "earlywarning/class_view.html", {
        "school_class": school_class, "rows": rows, "sort": sort, "descending": descending,
        "columns": screens.column_headings(),
    })


@access_policy(Policy.MUNICIPALITY_AGGREGATES)
def municipality_overview(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    allowed = aggregate_municipality_ids(user)
    if allowed is not None and organisation_id not in allowed:
        raise Http404
    municipality = get_object_or_404(Organisation, pk=organisation_id, kind="municipality")
    schools = list(Organisation.objects.filter(
        parent=municipality, kind__in=EDUCATION_INSTITUTION_KINDS).order_by("name"))
    counts = level_counts(school_ids=[s.pk for s in schools])
    full_access = whole_school_ids(user)
    rows = [(s, screens.LevelFigures(counts.get(s.pk, {}),
                                     suppress_small=s.pk not in full_access)) for s in schools]
    total: dict[str, int] = {}
    for per_school in counts.values():
        for level, n in per_school.items():
            total[level] = total.get(level, 0) + n
    return render(request, "earlywarning/municipality_overview.html", {
        "municipality": municipality, "rows": rows,
        "total": screens.LevelFigures(total, suppress_small=True),
        "levels": [(level, level_label(level)) for level in screens.LEVELS],
    })


@access_policy(Policy.AUTHENTICATED)
@never_cache
def support_home(request: HttpRequest) -> HttpResponse:
    """Send each user to the support screen they have (or list them when several)."""
    user = _user(request)
    schools = Organisation.objects.filter(pk__in=whole_school_ids(user)).order_by("name")
    classes = visible_classes(user).exclude(school_id__in=whole_school_ids(user)).select_related(
        "school").order_by("grade", "label")
    municipality_ids = aggregate_municipality_ids(user)
    municipalities = (Organisation.objects.filter(kind="municipality") if municipality_ids is None
                      else Organisation.objects.filter(pk__in=municipality_ids)).order_by("name")
    links = ([("school", s) for s in schools] + [("class", c) for c in classes]
             + [("municipality", m) for m in municipalities])
    if len(links) == 1:
        kind, target = links[0]
        return redirect(f"earlywarning:{kind}", target.pk)
    return render(request, "earlywarning/home.html", {
        "schools": schools, "classes": classes, "municipalities": municipalities,
        "tasks": list(open_tasks(user)),
    })


@access_policy(Policy.AUTHENTICATED)
@never_cache
def task_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tasks = list(open_tasks(user).prefetch_related("case__notices"))
    if tasks:
        log_access(request, action=AccessLogEntry.Action.LIST,
                   pupil_ids=[t.case.pupil_id for t in tasks])
    return render(request, "earlywarning/tasks.html", {"tasks": tasks})


@require_POST
@access_policy(Policy.AUTHENTICATED)
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task_for(_user(request), task_id)
    complete_task(task=task, user=_user(request))
    messages.success(request, _("The task is marked done."))
    return redirect("earlywarning:tasks")


def _task_for(user: User, task_id: int) -> FollowUpTask:
    return get_object_or_404(FollowUpTask.objects.select_related("case"), pk=task_id,
                             assignee=user, case__pupil__in=visible_pupils(user))


def _notice_for(user: User, notice_id: int) -> ThresholdNotice:
    return get_object_or_404(ThresholdNotice.objects.select_related(
            "case", "case__pupil", "case__school", "case__school__parent",
            "case__school_class", "case__school_year",
    ), pk=notice_id, case__pupil__in=visible_pupils(user))


@access_policy(Policy.NOTICE)
@never_cache
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice_for(_user(request), notice_id)
    log_access(request, action=AccessLogEntry.Action.EXPORT, pupil_ids=[notice.case.pupil_id])
    pdf = render_notice_pdf(notice.case, notice.recipient)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="pazinojums-{notice.case_id}-{notice.recipient}.pdf"'
    )
    return response


@require_POST
@access_policy(Policy.NOTICE)
def notice_sent(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice_for(_user(request), notice_id)
    try:
        mark_notice_sent(notice=notice, user=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Recorded as sent today."))
    return redirect("earlywarning:tasks")
