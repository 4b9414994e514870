"""A municipality's support settings: the measure catalogue (the defaults and the
municipality's own rows side by side) and the approval chain of its schools' plans.

Who reads: the municipality's coordinators and the support staff of its schools (the roles
of ``kopiena.cases.access.SUPPORT_TEAM_ROLES``). Who changes: its coordinators. Everyone else
gets 404. Every change is kept by django-auditlog and shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kopiena.access.policies import Policy, access_policy
from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.cases.access import support_team_school_ids
from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.plans.access import DEFAULT_CHAIN
from kopiena.plans.catalogue import (
    add_municipality_measure,
    save_municipality_measure,
    set_approval_chain,
)
from kopiena.plans.catalogue_forms import (
    ApprovalChainForm,
    MeasureAddForm,
    MeasureChangeForm,
    measure_version,
)
from kopiena.plans.forms import show_errors
from kopiena.plans.models import ApprovalStep, MeasureKind, MeasureType, MeasureUnit
from kopiena.plans.views.common import user_of

HISTORY_LENGTH = 50


@dataclass(frozen=True)
class SettingsAccess:
    municipality: Organisation
    can_edit: bool


def settings_municipality_ids(user: User) -> tuple[set[int], set[int]]:
    """The municipalities whose settings ``user`` reads, and those they change."""
    edits = {m.organisation_id for m in user.active_memberships()
             if m.role == Role.MUNICIPALITY_COORDINATOR}
    support_schools = support_team_school_ids(user)
    reads = edits | {m.organisation.municipality_id for m in user.active_memberships()
                     if m.organisation_id in support_schools
                     and m.organisation.municipality_id is not None}
    return reads, edits


def settings_access(user: User, organisation_id: int) -> SettingsAccess:
    reads, edits = settings_municipality_ids(user)
    if organisation_id not in reads:
        raise Http404
    municipality = Organisation.objects.filter(
        pk=organisation_id, kind=OrganisationKind.MUNICIPALITY, is_active=True).first()
    if municipality is None:
        raise Http404
    return SettingsAccess(municipality=municipality, can_edit=organisation_id in edits)


def _editor(request: HttpRequest, organisation_id: int) -> SettingsAccess:
    access = settings_access(user_of(request), organisation_id)
    if not access.can_edit:
        raise Http404
    return access


# --- the page --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueRow:
    code: str
    default: MeasureType | None
    own: MeasureType | None

    @property
    def in_force(self) -> MeasureType:
        found = self.own or self.default
        assert found is not None
        return found


def catalogue_rows(municipality: Organisation) -> list[CatalogueRow]:
    defaults = {m.code: m for m in MeasureType.objects.filter(municipality=None)}
    own = {m.code: m for m in MeasureType.objects.filter(municipality=municipality)}
    rows = [CatalogueRow(code, defaults.get(code), own.get(code))
            for code in defaults.keys() | own.keys()]
    return sorted(rows, key=lambda r: (r.in_force.kind != MeasureKind.CONSULTATION,
                                       r.in_force.position, r.code))


def chain_of(municipality: Organisation) -> tuple[list[Role], bool]:
    """The municipality's approval chain and whether it is the default one."""
    configured = [Role(r) for r in ApprovalStep.objects.filter(municipality=municipality)
                  .order_by("position").values_list("role", flat=True)]
    return (configured, False) if configured else (list(DEFAULT_CHAIN), True)


@dataclass(frozen=True)
class HistoryRow:
    entry: Any  # auditlog LogEntry
    who: str
    what: str
    changes: list[tuple[str, str | None, str]]  # field, before (None: added), after


def _shown(model: type[Any], name: str, value: object) -> str:
    text = "" if value in (None, "None") else str(value)
    if name == "is_active":
        return _("in use") if text == "True" else _("not in use")
    if name == "role" and text in Role.values:
        return str(Role(text).label)
    if name == "kind" and text in MeasureKind.values:
        return str(MeasureKind(text).label)
    if name == "unit" and text in MeasureUnit.values:
        return str(MeasureUnit(text).label)
    return text or "–"


def settings_history(municipality: Organisation, limit: int = HISTORY_LENGTH) -> list[HistoryRow]:
    types = {ContentType.objects.get_for_model(m): m for m in (MeasureType, ApprovalStep)}
    entries = (LogEntry.objects.filter(content_type__in=list(types),
                                       additional_data__municipality_id=municipality.pk)
               .select_related("actor", "content_type").order_by("-timestamp", "-pk")[:limit])
    rows = []
    hidden = {"id", "municipality", "position", "changed_by", "changed_at"}
    for entry in entries:
        model = types[entry.content_type]
        labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
        created = entry.action == LogEntry.Action.CREATE
        changes = [(labels.get(name, name).capitalize(),
                    None if created else _shown(model, name, before), _shown(model, name, after))
                   for name, (before, after) in (entry.changes_dict or {}).items()
                   if name not in hidden or (model is ApprovalStep and name == "position")]
        verb = {LogEntry.Action.CREATE: _("Added"), LogEntry.Action.DELETE: _("Removed")}.get(
            entry.action, _("Changed"))
        kind = _("Approval step") if model is ApprovalStep else _("Measure")
        actor = entry.actor
        rows.append(HistoryRow(
            entry=entry, who=str(actor) if actor is not None else _("Kopiena (no user)"),
            what=f"{verb}: {kind} {entry.object_repr}", changes=changes))
    return rows


@access_policy(Policy.MUNICIPALITY_SETTINGS)
@never_cache
def catalogue_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    access = settings_access(user_of(request), organisation_id)
    chain, is_default = chain_of(access.municipality)
    return render(request, "plans/catalogue.html", {
        "municipality": access.municipality, "can_edit": access.can_edit,
        "rows": catalogue_rows(access.municipality), "chain": chain,
        "chain_is_default": is_default, "history": settings_history(access.municipality),
        "history_length": HISTORY_LENGTH,
    })


# --- changes ---------------------------------------------------------------------------------

@access_policy(Policy.MUNICIPALITY_SETTINGS)
@require_http_methods(["GET", "POST"])
@never_cache
def measure_change(request: HttpRequest, organisation_id: int, code: str) -> HttpResponse:
    access = _editor(request, organisation_id)
    municipality = access.municipality
    own = MeasureType.objects.filter(municipality=municipality, code=code).first()
    default = MeasureType.objects.filter(municipality=None, code=code).first()
    measure = own or default
    if measure is None:
        raise Http404
    conflict = ""
    if request.method != "POST":
        form = MeasureChangeForm(measure=measure, own=own)
    else:
        form = MeasureChangeForm(data=request.POST, measure=measure, own=own)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                current = MeasureType.objects.select_for_update().filter(
                    municipality=municipality, code=code).first()
                if measure_version(current) != (data.get("version") or ""):
                    conflict = _("Someone else changed this measure after you opened it. "
                                 "Nothing was saved; your input is kept below. Check it "
                                 "against the measure as it is now and save again.")
                    # Saving again is a decision made knowing the measure as it is now.
                    kept = request.POST.copy()
                    kept["version"] = measure_version(current)
                    own = measure = current or measure
                    form = MeasureChangeForm(data=kept, measure=measure, own=own)
                    form.is_valid()
                else:
                    try:
                        save_municipality_measure(
                            municipality=municipality, code=code, by=user_of(request),
                            name_lv=data["name_lv"], name_en=data["name_en"],
                            unit_cost_eur=data["unit_cost_eur"], is_active=data["is_active"])
                    except ValidationError as error:
                        show_errors(form, error)
                    else:
                        messages.success(request, _("The measure “%(name)s” is saved for "
                                                    "%(municipality)s.") % {
                            "name": data["name_lv"], "municipality": municipality.name})
                        return redirect("plans:catalogue", municipality.pk)
    return render(request, "plans/catalogue_measure.html", {
        "municipality": municipality, "form": form, "measure": measure, "default": default,
        "own": own, "conflict": conflict,
    }, status=409 if conflict else 200)


@access_policy(Policy.MUNICIPALITY_SETTINGS)
@require_http_methods(["GET", "POST"])
@never_cache
def measure_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    access = _editor(request, organisation_id)
    form = MeasureAddForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measure = add_municipality_measure(
                municipality=access.municipality, by=user_of(request), code=data["code"],
                name_lv=data["name_lv"], name_en=data["name_en"], kind=data["kind"],
                unit=data["unit"], unit_cost_eur=data["unit_cost_eur"],
                min_pupil_age=data["min_pupil_age"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The measure “%(name)s” is added to the catalogue of "
                                        "%(municipality)s.") % {
                "name": measure.name_lv, "municipality": access.municipality.name})
            return redirect("plans:catalogue", access.municipality.pk)
    return render(request, "plans/catalogue_measure.html", {
        "municipality": access.municipality, "form": form, "adding": True,
    })


@access_policy(Policy.MUNICIPALITY_SETTINGS)
@require_http_methods(["GET", "POST"])
@never_cache
def approval_chain_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    access = _editor(request, organisation_id)
    chain, is_default = chain_of(access.municipality)
    form = ApprovalChainForm(data=request.POST if request.method == "POST" else None,
                             roles=[r.value for r in chain])
    if request.method == "POST" and form.is_valid():
        if form.skipped_step():
            form.add_error(None, _("Fill in the steps one after another: a step after an "
                                   "empty one would be ignored."))
        else:
            try:
                set_approval_chain(municipality=access.municipality, roles=form.roles(),
                                   by=user_of(request))
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("The approval chain is saved."))
                return redirect("plans:catalogue", access.municipality.pk)
    return render(request, "plans/approval_chain.html", {
        "municipality": access.municipality, "form": form, "chain": chain,
        "chain_is_default": is_default,
    })
