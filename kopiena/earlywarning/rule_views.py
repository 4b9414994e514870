"""Support rules of a municipality or a school: the rules in force, changes, the history.

Who reads: for a municipality, its coordinators (who also change its rules), national
analysts and its project managers; for a school, the roles that see the whole school
(director, support coordinator, support specialists) and the coordinators of its
municipality. Who changes a school's rules: its director and support coordinator, and only to
tighten the rule in force. Everyone else gets 404. Every change goes through
``save_support_rule``; django-auditlog keeps the history shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kopiena.access.policies import Policy, access_policy
from kopiena.access.scoping import aggregate_municipality_ids, whole_school_ids
from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.earlywarning.catalogue import (
    LEVEL_RANK,
    STATUTORY_UNEXCUSED_LIMIT,
    Comparison,
    Indicator,
    SupportLevel,
)
from kopiena.earlywarning.models import SupportRule
from kopiena.earlywarning.reasons import format_value, level_label
from kopiena.earlywarning.rule_forms import RuleForm, shown_threshold, version_of
from kopiena.earlywarning.rules import rules_for, save_support_rule
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation, OrganisationKind

SCHOOL_EDITORS = frozenset({Role.SCHOOL_DIRECTOR, Role.SUPPORT_COORDINATOR})
HISTORY_LENGTH = 50
HISTORY_FIELDS = ("indicator", "level", "comparison", "threshold", "reason_template", "source",
                  "is_active")


# --- who may do what -------------------------------------------------------------------------

@dataclass(frozen=True)
class RulesAccess:
    organisation: Organisation
    can_edit: bool


def rules_access(user: User, organisation_id: int) -> RulesAccess:
    """What ``user`` may do with the rules of the organisation; Http404 when nothing."""
    organisation = Organisation.objects.select_related("parent").filter(
        pk=organisation_id, is_active=True).first()
    if organisation is None or not (organisation.is_school or organisation.is_municipality):
        raise Http404
    memberships = user.active_memberships()
    roles_at = {Role(m.role) for m in memberships if m.organisation_id == organisation.pk}
    if organisation.is_municipality:
        national = any(
            m.role == Role.NATIONAL_ANALYST
            and m.organisation.kind == OrganisationKind.NATIONAL_AGENCY for m in memberships)
        can_edit = Role.MUNICIPALITY_COORDINATOR in roles_at
        can_read = can_edit or national or Role.PROJECT_MANAGER in roles_at
    else:
        municipality_id = organisation.municipality_id
        coordinator = municipality_id is not None and any(
            m.role == Role.MUNICIPALITY_COORDINATOR and m.organisation_id == municipality_id
            for m in memberships)
        can_edit = bool(roles_at & SCHOOL_EDITORS)
        can_read = coordinator or organisation.pk in whole_school_ids(user)
    if not can_read:
        raise Http404
    return RulesAccess(organisation=organisation, can_edit=can_edit)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _editor_access(request: HttpRequest, organisation_id: int) -> RulesAccess:
    access = rules_access(_user(request), organisation_id)
    if not access.can_edit:
        raise Http404
    return access


# --- the rules in plain words ----------------------------------------------------------------

def condition_text(indicator: str, comparison: str, threshold: Decimal) -> str:
    """``below 90%``: the comparison and the threshold in plain words."""
    params = {"threshold": format_value(indicator, threshold)}
    if comparison == Comparison.LT:
        return _("below %(threshold)s") % params
    if comparison == Comparison.LE:
        return _("%(threshold)s or below") % params
    if comparison == Comparison.GT:
        return _("above %(threshold)s") % params
    return _("%(threshold)s or above") % params


def rule_sentence(rule: SupportRule) -> str:
    """``Attendance rate, last 30 school days below 90% → Targeted support``."""
    return _("%(indicator)s %(condition)s → %(level)s") % {
        "indicator": rule.get_indicator_display(),
        "condition": condition_text(rule.indicator, rule.comparison, rule.threshold),
        "level": level_label(rule.level),
    }


def _origin(rule: SupportRule, organisation: Organisation) -> tuple[str, str]:
    """(kind, label) of where a rule comes from, seen from ``organisation``'s page."""
    if rule.organisation_id is None:
        return "default", _("Default")
    if rule.organisation_id == organisation.pk:
        if organisation.is_school:
            return "own", _("This school")
        return "own", _("This municipality")
    owner = rule.organisation.name if rule.organisation is not None else ""
    return "municipality", _("Municipality: %(name)s") % {"name": owner}


@dataclass
class RuleRow:
    rule: SupportRule
    condition: str
    level_label: str
    origin: str  # default, municipality, own
    origin_label: str
    replaces: str = ""  # the inherited rule it replaces, in plain words
    version: str = ""


@dataclass
class IndicatorGroup:
    indicator: str
    label: str
    rows: list[RuleRow] = field(default_factory=list)


def _row(rule: SupportRule, organisation: Organisation,
         inherited: SupportRule | None) -> RuleRow:
    origin, origin_label = _origin(rule, organisation)
    replaces = ""
    if inherited is not None and inherited.pk != rule.pk:
        _kind, owner = _origin(inherited, organisation)
        replaces = _("%(condition)s (%(owner)s)") % {
            "condition": condition_text(inherited.indicator, inherited.comparison,
                                        inherited.threshold),
            "owner": owner,
        }
    return RuleRow(rule=rule, level_label=level_label(rule.level), origin=origin,
                   origin_label=origin_label, replaces=replaces, version=version_of(rule),
                   condition=condition_text(rule.indicator, rule.comparison, rule.threshold))


def inherited_rules(organisation: Organisation) -> dict[tuple[str, str], SupportRule]:
    """The rules an organisation's own rules replace: defaults, then (for a school) the
    rules of its municipality."""
    rules = SupportRule.objects.filter(is_active=True).select_related("organisation")
    found = {rule.key: rule for rule in rules.filter(organisation__isnull=True)}
    if organisation.is_school and organisation.municipality_id is not None:
        found |= {rule.key: rule
                  for rule in rules.filter(organisation_id=organisation.municipality_id)}
    return found


def rules_in_force(organisation: Organisation) -> list[SupportRule]:
    if organisation.is_school:
        return rules_for(organisation)
    in_force = inherited_rules(organisation)
    for rule in SupportRule.objects.filter(organisation=organisation, is_active=True):
        in_force[rule.key] = rule
    return sorted(in_force.values(), key=lambda r: (r.indicator, LEVEL_RANK[r.level]))


def _replaced(rule: SupportRule, organisation: Organisation,
              inherited: dict[tuple[str, str], SupportRule]) -> SupportRule | None:
    """The rule ``rule`` replaces: for the page's own rules, what the organisation inherits;
    for the municipality's rules on a school's page, the default."""
    if rule.organisation_id is None:
        return None
    if rule.organisation_id == organisation.pk:
        return inherited.get(rule.key)
    return SupportRule.objects.filter(
        organisation__isnull=True, is_active=True, indicator=rule.indicator, level=rule.level,
    ).first()


def _groups(organisation: Organisation, in_force: list[SupportRule],
            inherited: dict[tuple[str, str], SupportRule]) -> list[IndicatorGroup]:
    owners = {o.pk: o for o in Organisation.objects.filter(
        pk__in={r.organisation_id for r in in_force if r.organisation_id is not None})}
    by_indicator: dict[str, IndicatorGroup] = {}
    for rule in in_force:
        if rule.organisation_id is not None:
            rule.organisation = owners[rule.organisation_id]
        group = by_indicator.setdefault(rule.indicator, IndicatorGroup(
            indicator=rule.indicator, label=rule.get_indicator_display()))
        group.rows.append(_row(rule, organisation, _replaced(rule, organisation, inherited)))
    order = {value: i for i, value in enumerate(Indicator.values)}
    for group in by_indicator.values():
        group.rows.sort(key=lambda r: LEVEL_RANK[r.rule.level])
    return sorted(by_indicator.values(), key=lambda g: order.get(g.indicator, len(order)))


def _not_in_force(organisation: Organisation, in_force: list[SupportRule],
                  inherited: dict[tuple[str, str], SupportRule]) -> list[RuleRow]:
    """A school's own active rules that no longer tighten the rule they inherit."""
    if not organisation.is_school:
        return []
    used = {r.pk for r in in_force}
    return [_row(rule, organisation, inherited.get(rule.key))
            for rule in SupportRule.objects.filter(organisation=organisation, is_active=True)
            if rule.pk not in used]


@dataclass(frozen=True)
class SchoolRules:
    school: Organisation
    own_rules: int
    readable: bool


def _school_rules(user: User, municipality: Organisation) -> list[SchoolRules]:
    schools = Organisation.objects.filter(
        parent=municipality, kind__in=EDUCATION_INSTITUTION_KINDS, is_active=True,
    ).order_by("name")
    counts: dict[int, int] = {}
    for school_id in SupportRule.objects.filter(
            organisation__in=schools, is_active=True).values_list("organisation_id", flat=True):
        assert school_id is not None
        counts[school_id] = counts.get(school_id, 0) + 1
    readable = {m.organisation_id for m in user.active_memberships()
                if m.role == Role.MUNICIPALITY_COORDINATOR} | whole_school_ids(user)
    return [SchoolRules(school=s, own_rules=counts.get(s.pk, 0),
                        readable=s.pk in readable or municipality.pk in readable)
            for s in schools if counts.get(s.pk)]


# --- the change history ----------------------------------------------------------------------

@dataclass
class HistoryRow:
    entry: Any  # auditlog.models.LogEntry
    who: str
    action: str
    rule: str
    changes: list[tuple[str, str | None, str]]  # field label, before (None: added), after


def _decimal(text: object) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _shown(field_name: str, value: object, indicator: str) -> str:
    text = "" if value is None or value == "None" else str(value)
    if field_name == "threshold":
        number = _decimal(text) if text else None
        return format_value(indicator, number) if number is not None else text
    if field_name == "comparison" and text in Comparison.values:
        return str(Comparison(text).label)
    if field_name == "level" and text in SupportLevel.values:
        return level_label(text)
    if field_name == "indicator" and text in Indicator.values:
        return str(Indicator(text).label)
    if field_name == "is_active" and text in ("True", "False"):
        return _("active") if text == "True" else _("not active")
    return text


def _history_row(entry: Any, rule: SupportRule) -> HistoryRow:
    changes: dict[str, list[Any]] = entry.changes_dict or {}
    labels = {f.name: str(f.verbose_name) for f in SupportRule._meta.concrete_fields
              if f.name in HISTORY_FIELDS}
    created = entry.action == LogEntry.Action.CREATE
    shown: list[tuple[str, str | None, str]] = [
        (labels[name].capitalize(),
         None if created else _shown(name, changes[name][0], rule.indicator),
         _shown(name, changes[name][1], rule.indicator))
        for name in HISTORY_FIELDS if name in changes]
    if created:
        action = _("Added")
        # The rule column names the indicator and the level; "active" goes without saying.
        hidden = {labels[name].capitalize() for name in ("indicator", "level", "is_active")}
        shown = [(label, before, after) for label, before, after in shown
                 if after and label not in hidden]
    elif entry.action == LogEntry.Action.DELETE:
        action = _("Deleted")
    elif changes.get("is_active", [None, None])[1] == "False":
        action = _("Deactivated")
    else:
        action = _("Changed")
    actor = entry.actor
    who = str(actor) if actor is not None else (entry.actor_email or _("Kopiena (no user)"))
    return HistoryRow(entry=entry, who=who, action=action, changes=shown,
                      rule=_("%(indicator)s · %(level)s") % {
                          "indicator": rule.get_indicator_display(),
                          "level": level_label(rule.level)})


def rule_history(organisation: Organisation, limit: int = HISTORY_LENGTH) -> list[HistoryRow]:
    """The auditlog entries of the organisation's own rules, newest first."""
    rules = {str(r.pk): r for r in SupportRule.objects.filter(organisation=organisation)}
    if not rules:
        return []
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SupportRule), object_pk__in=list(rules),
    ).select_related("actor").order_by("-timestamp", "-pk")[:limit]
    return [_history_row(entry, rules[entry.object_pk]) for entry in entries]


# --- pages -----------------------------------------------------------------------------------

def _overview_url(user: User, organisation: Organisation) -> str | None:
    if organisation.is_school:
        if organisation.pk in whole_school_ids(user):
            return reverse("earlywarning:school", args=[organisation.pk])
        return None
    allowed = aggregate_municipality_ids(user)
    if allowed is None or organisation.pk in allowed:
        return reverse("earlywarning:municipality", args=[organisation.pk])
    return None


@access_policy(Policy.RULES)
@never_cache
def rules_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    access = rules_access(user, organisation_id)
    organisation = access.organisation
    in_force = rules_in_force(organisation)
    inherited = inherited_rules(organisation)
    return render(request, "earlywarning/rules.html", {
        "organisation": organisation, "can_edit": access.can_edit,
        "is_school": organisation.is_school,
        "overview_url": _overview_url(user, organisation),
        "groups": _groups(organisation, in_force, inherited),
        "not_in_force": _not_in_force(organisation, in_force, inherited),
        "school_rules": [] if organisation.is_school else _school_rules(user, organisation),
        "history": rule_history(organisation),
        "history_length": HISTORY_LENGTH,
        "statutory_limit": STATUTORY_UNEXCUSED_LIMIT,
    })


def _form_page(request: HttpRequest, access: RulesAccess, form: RuleForm, *,
               rule: SupportRule | None = None, conflict: str = "",
               current: SupportRule | None = None, status: int = 200) -> HttpResponse:
    organisation = access.organisation
    inherited = None
    indicator, level = form.chosen_indicator, form.chosen_level
    if indicator and level:
        inherited = inherited_rules(organisation).get((indicator, level))
    inherited_text = ""
    if inherited is not None:
        _kind, owner = _origin(inherited, organisation)
        inherited_text = _("%(sentence)s (%(owner)s)") % {
            "sentence": rule_sentence(inherited), "owner": owner}
    return render(request, "earlywarning/rules_form.html", {
        "organisation": organisation, "form": form, "rule": rule,
        "is_school": organisation.is_school, "inherited_text": inherited_text,
        "conflict": conflict, "current_text": rule_sentence(current) if current else "",
        "changed_by": current.changed_by if current is not None else None,
        "changed_at": current.changed_at if current is not None else None,
    }, status=status)


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    """Prefill from a row of the rules page: ?indicator=…&level=… (the rule it replaces)."""
    indicator = request.GET.get("indicator", "")
    level = request.GET.get("level", "")
    if indicator not in Indicator.values or level not in SupportLevel.values:
        return {}
    return {"indicator": indicator, "level": level}


@access_policy(Policy.RULES)
@require_http_methods(["GET", "POST"])
@never_cache
def rule_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    access = _editor_access(request, organisation_id)
    organisation = access.organisation
    if request.method != "POST":
        initial = _initial_from_query(request)
        own = SupportRule.objects.filter(organisation=organisation, is_active=True,
                                         **initial).first() if initial else None
        if own is not None:  # a rule of this key exists already (not in force): change it
            return redirect("earlywarning:rule_change", organisation.pk, own.pk)
        inherited = inherited_rules(organisation).get(
            (initial["indicator"], initial["level"])) if initial else None
        if inherited is not None:
            initial |= {"comparison": inherited.comparison,
                        "threshold": shown_threshold(inherited.indicator,
                                                     inherited.threshold)}
        form = RuleForm(organisation=organisation, initial=initial)
        return _form_page(request, access, form)
    form = RuleForm(data=request.POST, organisation=organisation)
    if form.is_valid():
        rule = SupportRule(organisation=organisation)
        form.apply_to(rule)
        try:
            save_support_rule(rule=rule, user=_user(request))
        except ValidationError as error:
            form.add_rule_errors(error)
        except IntegrityError:
            # Someone added the same rule between the check and the save.
            form.add_error("level", _(
                "Someone else has just added a rule for this indicator and support level. "
                "Change that rule instead."))
        else:
            messages.success(request, _("The rule is saved: %(rule)s.") % {
                "rule": rule_sentence(rule)})
            return redirect("earlywarning:rules", organisation.pk)
    return _form_page(request, access, form)


def _own_rule(organisation: Organisation, rule_id: int) -> SupportRule:
    rule = SupportRule.objects.select_related("changed_by").filter(
        pk=rule_id, organisation=organisation).first()
    if rule is None:
        raise Http404
    return rule


@access_policy(Policy.RULES)
@require_http_methods(["GET", "POST"])
@never_cache
def rule_change(request: HttpRequest, organisation_id: int, rule_id: int) -> HttpResponse:
    access = _editor_access(request, organisation_id)
    organisation = access.organisation
    rule = _own_rule(organisation, rule_id)
    if request.method != "POST":
        if not rule.is_active:
            messages.error(request, _("This rule is no longer active. Add a new rule if it "
                                      "is needed again."))
            return redirect("earlywarning:rules", organisation.pk)
        return _form_page(request, access, RuleForm(organisation=organisation, rule=rule),
                          rule=rule)
    with transaction.atomic():
        current = SupportRule.objects.select_for_update(of=("self",)).select_related("changed_by").get(
            pk=rule.pk)
        if request.POST.get("version", "") != version_of(current) or not current.is_active:
            return _conflict(request, access, current)
        form = RuleForm(data=request.POST, organisation=organisation, rule=current)
        if form.is_valid():
            if not form.apply_to(current):
                messages.info(request, _("Nothing was changed."))
                return redirect("earlywarning:rules", organisation.pk)
            try:
                save_support_rule(rule=current, user=_user(request))
            except ValidationError as error:
                form.add_rule_errors(error)
            else:
                messages.success(request, _("The rule is saved: %(rule)s.") % {
                    "rule": rule_sentence(current)})
                return redirect("earlywarning:rules", organisation.pk)
    return _form_page(request, access, form, rule=rule)


def _conflict(request: HttpRequest, access: RulesAccess, current: SupportRule) -> HttpResponse:
    """The rule changed since the form was opened: nothing is saved, the input is kept."""
    who = str(current.changed_by) if current.changed_by else _("someone else")
    when = formats.date_format(timezone.localtime(current.changed_at), "d.m.Y H:i")
    data = request.POST.copy()
    if not current.is_active:
        conflict = _("%(who)s deactivated this rule on %(when)s, after you opened it. Nothing "
                     "was saved. Your input is kept below: add it as a new rule if it is "
                     "still needed.") % {"who": who, "when": when}
        data["indicator"], data["level"] = current.indicator, current.level
        form = RuleForm(data=data, organisation=access.organisation)
        return _form_page(request, access, form, conflict=conflict, current=current,
                          status=409)
    conflict = _("%(who)s changed this rule on %(when)s, after you opened it. Nothing was "
                 "saved. Your input is kept below; check it against the rule as it is now "
                 "and save again.") % {"who": who, "when": when}
    # Saving again is a decision made knowing the rule as it is now.
    data["version"] = version_of(current)
    form = RuleForm(data=data, organisation=access.organisation, rule=current)
    return _form_page(request, access, form, rule=current, conflict=conflict,
                      current=current, status=409)


@require_POST
@access_policy(Policy.RULES)
def rule_deactivate(request: HttpRequest, organisation_id: int, rule_id: int) -> HttpResponse:
    """A municipality's rule stops; the default applies again. Schools tighten and change
    their rules, they do not deactivate them."""
    access = _editor_access(request, organisation_id)
    organisation = access.organisation
    if not organisation.is_municipality:
        raise Http404
    with transaction.atomic():
        rule = _own_rule(organisation, rule_id)
        rule = SupportRule.objects.select_for_update().get(pk=rule.pk)
        if not rule.is_active or request.POST.get("version", "") != version_of(rule):
            messages.error(request, _(
                "This rule was changed by someone else after you opened the page, so it was "
                "not deactivated. Check it below and try again."))
            return redirect("earlywarning:rules", organisation.pk)
        rule.is_active = False
        save_support_rule(rule=rule, user=_user(request))
    messages.success(request, _("The rule is no longer in force: %(rule)s.") % {
        "rule": rule_sentence(rule)})
    return redirect("earlywarning:rules", organisation.pk)

