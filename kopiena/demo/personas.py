"""Named demo users, one per role that matters in a walk-through. All share one password.

``make demo``, ``manage.py demo_logins`` and the test suite read this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.roles import Role
from kopiena.demo import structure as s

DEMO_DOMAIN = "@demo.kopiena.lv"
DEFAULT_PASSWORD = "kopiena-demo"  # noqa: S105 - documented demo password, debug only


@dataclass(frozen=True)
class Persona:
    email: str
    role: Role
    organisation_code: str
    description: Promise | str
    first_name: str
    last_name: str
    class_label: str = ""  # the one class a class-teacher persona leads
    is_superuser: bool = False


def _email(local: str) -> str:
    return local + DEMO_DOMAIN


PERSONAS: list[Persona] = [
    Persona(_email("admin"), Role.SYSTEM_ADMIN, s.DEMO_MUNICIPALITY_CODE,
            _("System administrator; also a Django superuser."), "Andris", "Liepiņš",
            is_superuser=True),
    Persona(_email("pasvaldiba"), Role.MUNICIPALITY_COORDINATOR, s.DEMO_MUNICIPALITY_CODE,
            _("Municipality programme coordinator; sees pupils whose cases schools share."),
            "Ilze", "Kalniņa"),
    Persona(_email("valsts"), Role.NATIONAL_ANALYST, s.NATIONAL_AGENCY_CODE,
            _("National analyst at IKVD; aggregates only."), "Māris", "Ozoliņš"),
    Persona(_email("direktors.a"), Role.SCHOOL_DIRECTOR, s.SCHOOL_A_CODE,
            _("Director of Demo vidusskola."), "Inese", "Bērziņa"),
    Persona(_email("atbalsts.a"), Role.SUPPORT_COORDINATOR, s.SCHOOL_A_CODE,
            _("Support coordinator of Demo vidusskola."), "Laura", "Zariņa"),
    Persona(_email("audzinatajs.a"), Role.CLASS_TEACHER, s.SCHOOL_A_CODE,
            _("Class teacher of 7.a at Demo vidusskola."), "Kristīne", "Vītola",
            class_label="7.a"),
    Persona(_email("psihologs.a"), Role.PSYCHOLOGIST, s.SCHOOL_A_CODE,
            _("Psychologist of Demo vidusskola."), "Dace", "Eglīte"),
    Persona(_email("atbalsts.b"), Role.SUPPORT_COORDINATOR, s.SCHOOL_B_CODE,
            _("Support coordinator of Demo tehnikums (vocational)."), "Gints", "Pētersons"),
    Persona(_email("audzinatajs.b"), Role.CLASS_TEACHER, s.SCHOOL_B_CODE,
            _("Class teacher of group 2.k (course K2) at Demo tehnikums."), "Edgars", "Krūmiņš",
            class_label="2.k"),
    Persona(_email("socialais"), Role.PARTNER_WORKER, s.SOCIAL_SERVICE_CODE,
            _("Social worker at the municipal social service; sees referred pupils."),
            "Santa", "Jansone"),
    Persona(_email("mobilitate"), Role.MOBILITY_COORDINATOR, s.DEMO_MUNICIPALITY_CODE,
            _("Erasmus+ mobility coordinator of the municipal consortium."), "Agnese", "Balode"),
    Persona(_email("projekts"), Role.PROJECT_MANAGER, s.DEMO_MUNICIPALITY_CODE,
            _("Project manager of the Skola – kopienā programme."),
            "Raimonds", "Kļaviņš"),
]


def persona(email: str) -> Persona:
    """The persona with this e-mail address (KeyError if there is none)."""
    for item in PERSONAS:
        if item.email == email:
            return item
    raise KeyError(email)
