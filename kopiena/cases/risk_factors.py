"""The four risk groups of the PuMPuRS / "Skola – kopienā" support process and the factors a
support team checks in each (DOMAIN.md, "The support process"). Stored by key, shown in the
language active at display time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class RiskGroup(models.TextChoices):
    LEARNING = "learning", _("Learning and school risks")
    ECONOMIC = "economic", _("Economic risks")
    FAMILY = "family", _("Family risks")
    SOCIAL_HEALTH = "social_health", _("Social environment and health risks")


# Groups whose notes are sensitive (family situation, health): only roles with
# Capability.VIEW_SENSITIVE read their notes.
SENSITIVE_GROUPS = frozenset({RiskGroup.FAMILY, RiskGroup.SOCIAL_HEALTH})


@dataclass(frozen=True)
class RiskFactor:
    key: str
    group: RiskGroup
    label: Promise


RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor("content_difficulties", RiskGroup.LEARNING,
               _("Difficulties with learning content")),
    RiskFactor("low_achievement", RiskGroup.LEARNING, _("Low achievement, insufficient results")),
    RiskFactor("absences", RiskGroup.LEARNING, _("Absences from lessons")),
    RiskFactor("behaviour", RiskGroup.LEARNING, _("Behaviour problems")),
    RiskFactor("language_barrier", RiskGroup.LEARNING, _("Language barrier")),
    RiskFactor("low_motivation", RiskGroup.LEARNING, _("Low motivation to learn")),
    RiskFactor("special_needs", RiskGroup.LEARNING, _("Special educational needs")),
    RiskFactor("low_income", RiskGroup.ECONOMIC, _("Low family income")),
    RiskFactor("transport_costs", RiskGroup.ECONOMIC, _("Cannot afford travel to school")),
    RiskFactor("learning_items", RiskGroup.ECONOMIC, _("Lacks learning items")),
    RiskFactor("works_for_money", RiskGroup.ECONOMIC, _("Works to earn money")),
    RiskFactor("family_conflict", RiskGroup.FAMILY, _("Conflicts or violence in the family")),
    RiskFactor("parents_abroad", RiskGroup.FAMILY, _("Parents work abroad")),
    RiskFactor("out_of_family_care", RiskGroup.FAMILY, _("In out-of-family care")),
    RiskFactor("low_parental_involvement", RiskGroup.FAMILY,
               _("Parents take little part in schooling")),
    RiskFactor("caring_duties", RiskGroup.FAMILY, _("Cares for family members")),
    RiskFactor("peer_influence", RiskGroup.SOCIAL_HEALTH, _("Negative peer influence")),
    RiskFactor("bullying", RiskGroup.SOCIAL_HEALTH, _("Bullying")),
    RiskFactor("addiction", RiskGroup.SOCIAL_HEALTH, _("Addictive substances or gambling")),
    RiskFactor("health_problems", RiskGroup.SOCIAL_HEALTH, _("Health problems")),
    RiskFactor("emotional_wellbeing", RiskGroup.SOCIAL_HEALTH,
               _("Emotional or mental-health difficulties")),
    RiskFactor("offending", RiskGroup.SOCIAL_HEALTH, _("Offending behaviour")),
)

FACTORS_BY_KEY: dict[str, RiskFactor] = {f.key: f for f in RISK_FACTORS}
FACTOR_CHOICES: list[tuple[str, Promise]] = [(f.key, f.label) for f in RISK_FACTORS]


def factors_of(group: str) -> list[RiskFactor]:
    return [f for f in RISK_FACTORS if f.group == group]
