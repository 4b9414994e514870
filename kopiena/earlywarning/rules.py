"""Which rules apply to a school, and what they make of a pupil's indicators.

Resolution, per (indicator, level): the default rule; replaced by the municipality's rule of
the same indicator and level; replaced by the school's rule only if that tightens it (a
school rule that no longer tightens, because the municipality tightened further, is
ignored). A pupil's level is the highest level of the matched rules, universal when none
matches; each indicator gives one reason, from its highest matched rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from kopiena.earlywarning.catalogue import LEVEL_RANK, Indicator, SupportLevel, tightens
from kopiena.earlywarning.indicators import PupilIndicators, compute_indicators
from kopiena.earlywarning.models import SupportRule
from kopiena.earlywarning.reasons import Assessment, Reason, order_reasons
from kopiena.organisations.models import Organisation

RuleKey = tuple[str, str]


def rules_for(school: Organisation) -> list[SupportRule]:
    """The rules in force for ``school``: defaults → municipality → school tightenings."""
    return rules_by_school([school.pk])[school.pk]


def rules_by_school(school_ids: Collection[int]) -> dict[int, list[SupportRule]]:
    """``rules_for`` of several schools with two queries."""
    schools = Organisation.objects.filter(pk__in=school_ids).select_related("parent")
    municipality_of = {s.pk: s.municipality_id for s in schools}
    owners = set(school_ids) | {m for m in municipality_of.values() if m is not None}
    rules = SupportRule.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id__in=owners), is_active=True
    )
    defaults: dict[RuleKey, SupportRule] = {}
    by_owner: dict[int, dict[RuleKey, SupportRule]] = defaultdict(dict)
    for rule in rules:
        if rule.organisation_id is None:
            defaults[rule.key] = rule
        else:
            by_owner[rule.organisation_id][rule.key] = rule
    resolved: dict[int, list[SupportRule]] = {}
    for school_id in school_ids:
        in_force = dict(defaults)
        municipality_id = municipality_of.get(school_id)
        if municipality_id is not None:
            in_force |= by_owner.get(municipality_id, {})
        for key, rule in by_owner.get(school_id, {}).items():
            inherited = in_force.get(key)
            if inherited is None or tightens(
                comparison=rule.comparison, threshold=rule.threshold,
                inherited_comparison=inherited.comparison,
                inherited_threshold=inherited.threshold,
            ):
                in_force[key] = rule
        resolved[school_id] = sorted(
            in_force.values(), key=lambda r: (r.indicator, LEVEL_RANK[r.level]))
    return resolved


def assess(indicators: PupilIndicators, rules: Iterable[SupportRule]) -> Assessment:
    strongest: dict[str, SupportRule] = {}
    for rule in rules:
        if not rule.matches(indicators.value(rule.indicator)):
            continue
        current = strongest.get(rule.indicator)
        if current is None or LEVEL_RANK[rule.level] > LEVEL_RANK[current.level]:
            strongest[rule.indicator] = rule
    reasons = []
    for indicator, rule in strongest.items():
        value = indicators.value(indicator)
        assert value is not None  # a rule matched it
        reasons.append(Reason(
            indicator=indicator,
            value=int(value) if value == value.to_integral_value() else float(value),
            comparison=rule.comparison, threshold=str(rule.threshold), level=rule.level,
            rule_id=rule.pk, template=rule.reason_template,
            subjects=indicators.blocking_subjects
            if indicator == Indicator.BLOCKING_SUBJECTS else (),
        ))
    ordered = order_reasons(reasons)
    level = ordered[0].level if ordered else SupportLevel.UNIVERSAL
    return Assessment(level=level, reasons=ordered)


def evaluate(*, as_of: dt.date, school: Organisation | None = None,
             pupil_ids: Iterable[int] | None = None) -> list[PupilIndicators]:
    """Indicators with their assessment under the rules of each pupil's school."""
    computed = compute_indicators(as_of=as_of, school=school, pupil_ids=pupil_ids)
    rules = rules_by_school({i.school_id for i in computed})
    return [dataclasses.replace(i, assessment=assess(i, rules[i.school_id])) for i in computed]


def save_support_rule(*, rule: SupportRule, user: AbstractBaseUser | None) -> SupportRule:
    """Validate and save a rule (a new one or a change), recording who changed it. The
    change history is kept by django-auditlog."""
    rule.full_clean()
    rule.changed_by_id = user.pk if user is not None else None
    with transaction.atomic():
        rule.save()
    return rule
