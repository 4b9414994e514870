"""Demo staff: the named personas, generated school and agency staff, class assignments."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.demo import names
from kopiena.demo import structure as s
from kopiena.demo.personas import DEMO_DOMAIN, PERSONAS
from kopiena.demo.pupils import SchoolPlan
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, SchoolClass, fold

_SCHOOL_TEAM = (Role.SCHOOL_DIRECTOR, Role.SUPPORT_COORDINATOR, Role.PSYCHOLOGIST,
                Role.SOCIAL_PEDAGOGUE)
# Who works where besides class and subject teachers. Where a persona holds one of these
# roles in that organisation, the persona takes the first place.
TEAMS: dict[str, tuple[Role, ...]] = {
    s.SCHOOL_A_CODE: (*_SCHOOL_TEAM, Role.SPECIAL_PEDAGOGUE, Role.SPEECH_THERAPIST,
                      Role.MENTOR),
    s.BASIC_SCHOOL_CODE: _SCHOOL_TEAM,
    s.SCHOOL_B_CODE: _SCHOOL_TEAM,
    s.MUSIC_SCHOOL_CODE: (Role.SCHOOL_DIRECTOR,),
    s.NEIGHBOUR_SCHOOL_CODE: (Role.SCHOOL_DIRECTOR, Role.SUPPORT_COORDINATOR),
    s.SOCIAL_SERVICE_CODE: (Role.PARTNER_WORKER, Role.PARTNER_WORKER),
    s.ORPHANS_COURT_CODE: (Role.PARTNER_WORKER,),
    s.NEIGHBOUR_MUNICIPALITY_CODE: (Role.MUNICIPALITY_COORDINATOR,),
}
_CLASSES_PER_SUBJECT_TEACHER = 10


@dataclass
class StaffResult:
    personas: dict[str, User] = field(default_factory=dict)
    users: int = 0
    memberships: int = 0
    class_assignments: int = 0

    def persona(self, role: Role, organisation_code: str) -> User:
        """The persona user holding ``role`` in the organisation with this code."""
        for item in PERSONAS:
            if item.role == role and item.organisation_code == organisation_code:
                return self.personas[item.email]
        raise KeyError((role, organisation_code))


class StaffFactory:
    def __init__(self, rng: random.Random, organisations: dict[str, Organisation]) -> None:
        self.rng = rng
        self.organisations = organisations
        self.users: list[User] = []
        self.memberships: list[Membership] = []
        self.assignments: list[ClassStaff] = []
        self._unusable = make_password(None)

    def build(self, plans: dict[str, SchoolPlan], password: str) -> StaffResult:
        result = StaffResult(personas=self._personas(password))
        covered = {(p.organisation_code, p.role) for p in PERSONAS if not p.class_label}
        for code, roles in TEAMS.items():
            for role in roles:
                if (code, role) in covered:
                    covered.discard((code, role))  # the persona is the first holder
                    continue
                self._person(role, self.organisations[code])
        persona_classes = {(p.organisation_code, p.class_label): result.personas[p.email]
                           for p in PERSONAS if p.class_label}
        for plan in plans.values():
            self._class_teachers(plan, persona_classes)
            self._subject_teachers(plan)
        User.objects.bulk_create(self.users, batch_size=500)
        Membership.objects.bulk_create(self.memberships, batch_size=500, ignore_conflicts=True)
        ClassStaff.objects.bulk_create(self.assignments, batch_size=500)
        result.users = len(self.users) + len(result.personas)
        result.memberships = len(self.memberships)
        result.class_assignments = len(self.assignments)
        return result

    def _personas(self, password: str) -> dict[str, User]:
        """Create or update the personas; one password hash shared by all (hashing is slow)."""
        encoded = make_password(password)
        users: dict[str, User] = {}
        for persona in PERSONAS:
            user, _created = User.objects.update_or_create(
                email=persona.email,
                defaults={"first_name": persona.first_name, "last_name": persona.last_name,
                          "password": encoded, "is_active": True,
                          "is_staff": persona.is_superuser,
                          "is_superuser": persona.is_superuser},
            )
            users[persona.email] = user
            self._membership(user, persona.role, self.organisations[persona.organisation_code])
        return users

    def _membership(self, user: User, role: Role, organisation: Organisation) -> None:
        self.memberships.append(Membership(user=user, organisation=organisation, role=role))

    def _person(self, role: Role, organisation: Organisation) -> User:
        rng = self.rng
        female = rng.random() < 0.75  # most Latvian teachers are women
        first = rng.choice(names.ADULT_FIRST_NAMES_FEMALE if female
                           else names.ADULT_FIRST_NAMES_MALE)
        last = names.surname_form(rng.randrange(len(names.SURNAMES)), female)
        number = len(self.users) + 1
        user = User(email=f"{fold(first)}.{fold(last)}.{number}{DEMO_DOMAIN}",
                    first_name=first, last_name=last, password=self._unusable)
        self.users.append(user)
        self._membership(user, role, organisation)
        return user

    def _class_teachers(self, plan: SchoolPlan,
                        persona_classes: dict[tuple[str, str], User]) -> None:
        for school_class in _classes(plan):
            teacher = persona_classes.get((plan.spec.code, school_class.label))
            if teacher is None:
                teacher = self._person(Role.CLASS_TEACHER, plan.organisation)
            self.assignments.append(ClassStaff(school_class=school_class, user=teacher,
                                               kind=ClassStaff.Kind.CLASS_TEACHER))

    def _subject_teachers(self, plan: SchoolPlan) -> None:
        classes = list(_classes(plan))
        for subject in plan.spec.subjects:
            teachers = max(1, math.ceil(len(classes) / _CLASSES_PER_SUBJECT_TEACHER))
            per_teacher = math.ceil(len(classes) / teachers)
            for first in range(0, len(classes), per_teacher):
                teacher = self._person(Role.SUBJECT_TEACHER, plan.organisation)
                self.assignments.extend(
                    ClassStaff(school_class=c, user=teacher, subject=subject,
                               kind=ClassStaff.Kind.SUBJECT_TEACHER)
                    for c in classes[first:first + per_teacher]
                )


def _classes(plan: SchoolPlan) -> Iterable[SchoolClass]:
    for grade in sorted(plan.classes):
        yield from plan.classes[grade]


def create_staff(rng: random.Random, organisations: dict[str, Organisation],
                 plans: dict[str, SchoolPlan], password: str) -> StaffResult:
    return StaffFactory(rng, organisations).build(plans, password)
