"""Roles, what each role may do, and where each role may be held.

This is the one table that says what a role means. The scoping function in
``kopiena.access.scoping`` reads ``PUPIL_SCOPE`` to decide which pupils a role sees.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.organisations.models import (
    EDUCATION_INSTITUTION_KINDS,
    PARTNER_AGENCY_KINDS,
    OrganisationKind,
)


class Role(models.TextChoices):
    NATIONAL_ANALYST = "national_analyst", _("National analyst")
    MUNICIPALITY_COORDINATOR = "municipality_coordinator", _("Municipality coordinator")
    SCHOOL_DIRECTOR = "school_director", _("School director")
    SUPPORT_COORDINATOR = "support_coordinator", _("School support coordinator")
    CLASS_TEACHER = "class_teacher", _("Class teacher")
    SUBJECT_TEACHER = "subject_teacher", _("Subject teacher")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_PEDAGOGUE = "social_pedagogue", _("Social pedagogue")
    SPECIAL_PEDAGOGUE = "special_pedagogue", _("Special pedagogue")
    SPEECH_THERAPIST = "speech_therapist", _("Speech therapist")
    MENTOR = "mentor", _("Mentor")
    PARTNER_WORKER = "partner_worker", _("Partner-agency worker")
    MOBILITY_COORDINATOR = "mobility_coordinator", _("Mobility coordinator")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class PupilScope(enum.Enum):
    """How far a role's view of named pupils reaches."""

    WHOLE_SCHOOL = "whole_school"  # every pupil of the membership's school
    OWN_CLASSES = "own_classes"  # pupils of classes the user teaches or leads
    GRANTED = "granted"  # only pupils whose case is shared with / referred to them
    NONE = "none"  # no named pupils (aggregates at most)


class Capability(enum.Enum):
    VIEW_PERSONAL_CODE = "view_personal_code"
    VIEW_SENSITIVE = "view_sensitive"  # health, family, behaviour notes (later issues)
    VIEW_AGGREGATES = "view_aggregates"
    MANAGE_ORGANISATION = "manage_organisation"
    IMPORT_SCHOOL_DATA = "import_school_data"  # upload class-register exports for the school
    ADMINISTER_SYSTEM = "administer_system"


SUPPORT_SPECIALISTS = frozenset(
    {Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SPECIAL_PEDAGOGUE, Role.SPEECH_THERAPIST}
)

PUPIL_SCOPE: dict[Role, PupilScope] = {
    Role.NATIONAL_ANALYST: PupilScope.NONE,
    Role.MUNICIPALITY_COORDINATOR: PupilScope.GRANTED,
    Role.SCHOOL_DIRECTOR: PupilScope.WHOLE_SCHOOL,
    Role.SUPPORT_COORDINATOR: PupilScope.WHOLE_SCHOOL,
    Role.CLASS_TEACHER: PupilScope.OWN_CLASSES,
    Role.SUBJECT_TEACHER: PupilScope.OWN_CLASSES,
    Role.PSYCHOLOGIST: PupilScope.WHOLE_SCHOOL,
    Role.SOCIAL_PEDAGOGUE: PupilScope.WHOLE_SCHOOL,
    Role.SPECIAL_PEDAGOGUE: PupilScope.WHOLE_SCHOOL,
    Role.SPEECH_THERAPIST: PupilScope.WHOLE_SCHOOL,
    Role.MENTOR: PupilScope.GRANTED,
    Role.PARTNER_WORKER: PupilScope.GRANTED,
    Role.MOBILITY_COORDINATOR: PupilScope.NONE,
    Role.PROJECT_MANAGER: PupilScope.NONE,
    Role.SYSTEM_ADMIN: PupilScope.NONE,
}

CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.NATIONAL_ANALYST: frozenset({Capability.VIEW_AGGREGATES}),
    Role.MUNICIPALITY_COORDINATOR: frozenset(
        {Capability.VIEW_AGGREGATES, Capability.MANAGE_ORGANISATION}
    ),
    Role.SCHOOL_DIRECTOR: frozenset(
        {Capability.VIEW_AGGREGATES, Capability.VIEW_PERSONAL_CODE, Capability.VIEW_SENSITIVE,
         Capability.MANAGE_ORGANISATION, Capability.IMPORT_SCHOOL_DATA}
    ),
    Role.SUPPORT_COORDINATOR: frozenset(
        {Capability.VIEW_AGGREGATES, Capability.VIEW_PERSONAL_CODE, Capability.VIEW_SENSITIVE,
         Capability.IMPORT_SCHOOL_DATA}
    ),
    Role.CLASS_TEACHER: frozenset(),
    Role.SUBJECT_TEACHER: frozenset(),
    Role.PSYCHOLOGIST: frozenset({Capability.VIEW_SENSITIVE}),
    Role.SOCIAL_PEDAGOGUE: frozenset({Capability.VIEW_SENSITIVE}),
    Role.SPECIAL_PEDAGOGUE: frozenset({Capability.VIEW_SENSITIVE}),
    Role.SPEECH_THERAPIST: frozenset({Capability.VIEW_SENSITIVE}),
    Role.MENTOR: frozenset(),
    Role.PARTNER_WORKER: frozenset({Capability.VIEW_SENSITIVE}),
    Role.MOBILITY_COORDINATOR: frozenset(),
    Role.PROJECT_MANAGER: frozenset({Capability.VIEW_AGGREGATES}),
    Role.SYSTEM_ADMIN: frozenset({Capability.ADMINISTER_SYSTEM}),
}

SCHOOL_KINDS = frozenset(EDUCATION_INSTITUTION_KINDS)
ALLOWED_ORGANISATION_KINDS: dict[Role, frozenset[str]] = {
    Role.NATIONAL_ANALYST: frozenset({OrganisationKind.NATIONAL_AGENCY}),
    Role.MUNICIPALITY_COORDINATOR: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.SCHOOL_DIRECTOR: SCHOOL_KINDS,
    Role.SUPPORT_COORDINATOR: SCHOOL_KINDS,
    Role.CLASS_TEACHER: SCHOOL_KINDS,
    Role.SUBJECT_TEACHER: SCHOOL_KINDS,
    Role.PSYCHOLOGIST: SCHOOL_KINDS | PARTNER_AGENCY_KINDS,
    Role.SOCIAL_PEDAGOGUE: SCHOOL_KINDS,
    Role.SPECIAL_PEDAGOGUE: SCHOOL_KINDS,
    Role.SPEECH_THERAPIST: SCHOOL_KINDS,
    Role.MENTOR: SCHOOL_KINDS | PARTNER_AGENCY_KINDS | {OrganisationKind.MUNICIPALITY},
    Role.PARTNER_WORKER: frozenset(PARTNER_AGENCY_KINDS),
    Role.MOBILITY_COORDINATOR: SCHOOL_KINDS | {OrganisationKind.MUNICIPALITY},
    Role.PROJECT_MANAGER: SCHOOL_KINDS | {OrganisationKind.MUNICIPALITY},
    Role.SYSTEM_ADMIN: frozenset(OrganisationKind.values),
}


def sees_named_pupils(role: Role) -> bool:
    return PUPIL_SCOPE[role] is not PupilScope.NONE
