"""The test base class: the demo personas by name, as in the README's login table.

The demo municipality is seeded once per test session (tests/conftest.py); each test runs in a
transaction that is rolled back.
"""

from __future__ import annotations

from django.test import Client, TestCase

from kopiena.accounts.models import User
from kopiena.organisations.models import Organisation
from tests import people as P


class BaseTestCase(TestCase):
    admin: User
    municipality_coordinator: User
    national_analyst: User
    director_a: User
    support_a: User
    teacher_a: User
    psychologist_a: User
    support_b: User
    teacher_b: User
    social_worker: User
    mobility_coordinator: User
    project_manager: User
    school_a: Organisation
    school_b: Organisation
    other_municipality_school: Organisation

    PERSONA_ATTRIBUTES = {
        "admin": P.ADMIN,
        "municipality_coordinator": P.MUNICIPALITY,
        "national_analyst": P.NATIONAL,
        "director_a": P.DIRECTOR_A,
        "support_a": P.SUPPORT_A,
        "teacher_a": P.TEACHER_A,
        "psychologist_a": P.PSYCHOLOGIST_A,
        "support_b": P.SUPPORT_B,
        "teacher_b": P.TEACHER_B,
        "social_worker": P.SOCIAL,
        "mobility_coordinator": P.MOBILITY,
        "project_manager": P.PROJECT,
    }

    @classmethod
    def setUpTestData(cls) -> None:
        users = {u.email: u for u in User.objects.filter(email__in=P.ALL_PERSONAS)}
        for attribute, email in cls.PERSONA_ATTRIBUTES.items():
            setattr(cls, attribute, users[email])
        cls.school_a = P.org(P.SCHOOL_A)
        cls.school_b = P.org(P.SCHOOL_B)
        cls.other_municipality_school = P.org(P.SCHOOL_OTHER_MUNICIPALITY)

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def fresh(self, user: User) -> User:
        """The user re-read, so that cached memberships reflect changes made in the test."""
        return User.objects.get(pk=user.pk)
