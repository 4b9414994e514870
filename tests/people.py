"""The demo personas by name, as the test suite refers to them (healthchecks' alice/bob style)."""

from __future__ import annotations

from kopiena.accounts.models import User
from kopiena.organisations.models import Organisation

DOMAIN = "@demo.kopiena.lv"

ADMIN = "admin" + DOMAIN
MUNICIPALITY = "pasvaldiba" + DOMAIN
NATIONAL = "valsts" + DOMAIN
DIRECTOR_A = "direktors.a" + DOMAIN
SUPPORT_A = "atbalsts.a" + DOMAIN
TEACHER_A = "audzinatajs.a" + DOMAIN
PSYCHOLOGIST_A = "psihologs.a" + DOMAIN
SUPPORT_B = "atbalsts.b" + DOMAIN
TEACHER_B = "audzinatajs.b" + DOMAIN
SOCIAL = "socialais" + DOMAIN
MOBILITY = "mobilitate" + DOMAIN
PROJECT = "projekts" + DOMAIN

ALL_PERSONAS = [
    ADMIN, MUNICIPALITY, NATIONAL, DIRECTOR_A, SUPPORT_A, TEACHER_A, PSYCHOLOGIST_A,
    SUPPORT_B, TEACHER_B, SOCIAL, MOBILITY, PROJECT,
]

SCHOOL_A = "4311900001"
SCHOOL_BASIC = "4311900002"
SCHOOL_B = "4311900003"
SCHOOL_MUSIC = "4311900004"
SCHOOL_OTHER_MUNICIPALITY = "4311900011"


def user(email: str) -> User:
    return User.objects.get(email=email)


def org(code: str) -> Organisation:
    return Organisation.objects.get(registration_code=code)
