"""The support report screen and its XLSX and CSV exports (Policy.SUPPORT_REPORT).

Who sees which figures: the support team and the director of a school see their school in
full; the municipality coordinator and the project manager (at a municipality) and the
national analyst see a municipality, school by school, with figures about fewer than 5 pupils
hidden; everyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.access.scoping import aggregate_municipality_ids, whole_school_ids
from kopiena.accounts.models import User
from kopiena.calendars.models import Semester
from kopiena.cases.access import support_team_school_ids
from kopiena.core.charts import paired_legend
from kopiena.organisations.models import (
    EDUCATION_INSTITUTION_KINDS,
    Organisation,
    OrganisationKind,
)
from kopiena.plans.reports import (
    Period,
    PeriodError,
    SupportReport,
    checked_period,
    current_semester,
    semester_period,
    support_report,
)
from kopiena.plans.reports_tables import (
    Suppression,
    display,
    measures_chart,
    report_csv,
    report_tables,
    report_xlsx,
)


@dataclass(frozen=True)
class ReportScope:
    """What the user may report on: whole schools (their own, unsuppressed) and
    municipalities (aggregates, school by school)."""

    team_schools: list[Organisation]
    municipalities: list[Organisation]
    municipal_schools: list[Organisation]  # the schools of those municipalities
    full_access: frozenset[int]  # schools whose pupils the user sees by name

    def __bool__(self) -> bool:
        return bool(self.team_schools or self.municipalities)

    def choices(self) -> list[tuple[str, Any]]:
        own = [(f"s{s.pk}", s.name) for s in self.team_schools]
        groups: list[tuple[str, Any]] = []
        if own:
            groups.append((_("My schools"), own))
        for municipality in self.municipalities:
            schools = [(f"s{s.pk}", s.name) for s in self.municipal_schools
                       if s.parent_id == municipality.pk and f"s{s.pk}" not in dict(own)]
            groups.append((municipality.name, [
                (f"m{municipality.pk}", _("%(name)s: all schools") % {"name": municipality.name}),
                *schools]))
        return groups

    def default(self) -> str:
        if self.team_schools:
            return f"s{self.team_schools[0].pk}"
        return f"m{self.municipalities[0].pk}"

    def resolve(self, value: str) -> tuple[Organisation | None, Organisation | None]:
        """(school, municipality) for a choice; Http404 for anything outside the scope."""
        kind, number = value[:1], value[1:]
        if not number.isdigit():
            raise Http404
        pk = int(number)
        if kind == "s":
            for school in [*self.team_schools, *self.municipal_schools]:
                if school.pk == pk:
                    return school, None
        if kind == "m":
            for municipality in self.municipalities:
                if municipality.pk == pk:
                    return None, municipality
        raise Http404

    def suppression(self, school: Organisation | None) -> Suppression:
        full = self.full_access
        if school is not None:
            return Suppression(whole=school.pk not in full, school=lambda pk: pk not in full)
        return Suppression(whole=True, school=lambda pk: pk not in full)


def has_support_reports(user: User) -> bool:
    """Whether the user has a support report (for the navigation)."""
    return bool(support_team_school_ids(user)) or aggregate_municipality_ids(user) != set()


def report_scope(user: User) -> ReportScope:
    team = (Organisation.objects.filter(pk__in=support_team_school_ids(user))
            .order_by("name"))
    municipality_ids = aggregate_municipality_ids(user)
    municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
    municipal_list = list(municipalities.order_by("name"))
    schools = (Organisation.objects.filter(
        Q(parent__in=[m.pk for m in municipal_list]), kind__in=EDUCATION_INSTITUTION_KINDS)
        .order_by("name") if municipal_list else Organisation.objects.none())
    return ReportScope(team_schools=list(team), municipalities=municipal_list,
                       municipal_schools=list(schools),
                       full_access=frozenset(whole_school_ids(user)))


class ReportForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Report for"))
    semester = forms.ChoiceField(label=gettext_lazy("Semester"), required=False)
    starts_on = forms.DateField(label=gettext_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=gettext_lazy("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, scope: ReportScope, semesters: list[Semester],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope.choices()  # type: ignore[attr-defined]
        self.fields["semester"].choices = [  # type: ignore[attr-defined]
            *((str(s.pk), f"{s.school_year.name}, {s.number}. " + _("semester")
               + f" ({s.starts_on:%d.%m.%Y}–{s.ends_on:%d.%m.%Y})") for s in semesters),
            ("", _("Other period: give the dates")),
        ]
        self.semesters = {str(s.pk): s for s in semesters}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if (starts_on is None) != (ends_on is None):
            self.add_error("ends_on" if ends_on is None else "starts_on",
                           _("Give both the first and the last day, or neither."))
        elif starts_on is not None and ends_on is not None:
            try:
                data["period"] = checked_period(starts_on, ends_on)
            except PeriodError as error:
                self.add_error("ends_on", str(error))
        elif data.get("semester"):
            data["period"] = semester_period(self.semesters[data["semester"]])
        else:
            self.add_error("semester", _("Choose a semester, or give the first and the last "
                                         "day of the period."))
        return data


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@dataclass
class ReportRequest:
    form: ReportForm
    scope: ReportScope
    school: Organisation | None = None
    municipality: Organisation | None = None
    period: Period | None = None

    def report(self) -> SupportReport | None:
        if self.period is None:
            return None
        return support_report(period=self.period, school=self.school,
                              municipality=self.municipality)


def _read(request: HttpRequest) -> ReportRequest:
    """The user's scope and the chosen report; Http404 when the user has no report or asks
    for a school or municipality outside their scope."""
    scope = report_scope(_user(request))
    if not scope:
        raise Http404
    today = timezone.localdate()
    semesters = list(Semester.objects.filter(starts_on__lte=today).select_related("school_year")
                     .order_by("-starts_on"))
    current = current_semester(today)
    initial = {"scope": scope.default(), "semester": str(current.pk) if current else ""}
    data = request.GET.copy() if request.GET else None
    if data is not None:
        for key, value in initial.items():
            data.setdefault(key, value)
        if data.get("starts_on") or data.get("ends_on"):
            data["semester"] = ""  # the dates win; the form shows "other period"
        scope.resolve(str(data["scope"]))  # another's school or municipality: 404
    form = ReportForm(data, initial=initial, scope=scope, semesters=semesters)
    chosen = ReportRequest(form=form, scope=scope)
    if data is None:
        chosen.school, chosen.municipality = scope.resolve(initial["scope"])
        chosen.period = semester_period(current) if current else None
    elif form.is_valid():
        chosen.school, chosen.municipality = scope.resolve(form.cleaned_data["scope"])
        chosen.period = form.cleaned_data.get("period")
    return chosen


@access_policy(Policy.SUPPORT_REPORT)
@never_cache
def report(request: HttpRequest) -> HttpResponse:
    chosen = _read(request)
    figures = chosen.report()
    context: dict[str, Any] = {"form": chosen.form, "report": figures}
    if figures is not None:
        hide = chosen.scope.suppression(chosen.school)
        context.update({
            "tables": [(t, [[display(c) for c in row] for row in t.rows],
                        [display(c) for c in t.foot] if t.foot else None)
                       for t in report_tables(figures, hide)],
            "hidden": hide.whole or any(hide.school(s.school.pk) for s in figures.schools),
            "chart": measures_chart(figures, hide),
            "chart_legend": paired_legend((_("planned"), _("delivered"))),
            "query": request.GET.urlencode() or _default_query(chosen),
        })
    return render(request, "plans/report.html", context)


def _default_query(chosen: ReportRequest) -> str:
    params = {"scope": chosen.form.initial["scope"], "semester": chosen.form.initial["semester"]}
    return "&".join(f"{k}={v}" for k, v in params.items())


def _export(request: HttpRequest, extension: str) -> tuple[SupportReport, list[Any], str]:
    chosen = _read(request)
    figures = chosen.report()
    if figures is None:
        raise Http404
    hide = chosen.scope.suppression(chosen.school)
    log_access(request, action=AccessLogEntry.Action.EXPORT, pupil_ids=[],
               query=f"{figures.title} {figures.period.key}")
    name = slugify(figures.title) or "report"
    filename = f"atbalsta-parskats-{name}-{figures.period.starts_on:%Y%m%d}-" \
               f"{figures.period.ends_on:%Y%m%d}.{extension}"
    return figures, report_tables(figures, hide), filename


@access_policy(Policy.SUPPORT_REPORT)
@never_cache
def report_xlsx_export(request: HttpRequest) -> HttpResponse:
    figures, tables, filename = _export(request, "xlsx")
    response = HttpResponse(
        report_xlsx(figures, tables),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access_policy(Policy.SUPPORT_REPORT)
@never_cache
def report_csv_export(request: HttpRequest) -> HttpResponse:
    figures, tables, filename = _export(request, "csv")
    response = HttpResponse(report_csv(figures, tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
