"""Demo families: parents and other guardians of pupils, with Latvian names and contacts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kopiena.demo import names
from kopiena.demo.structure import CARE_INSTITUTION_NAME
from kopiena.pupils.models import Guardian, PupilGuardian, fold

Relation = PupilGuardian.Relation
_MAIL_DOMAINS = ("example.com", "example.org", "example.net")  # reserved, never delivered

# Shares of family situations (cumulative thresholds on one random draw).
_FOSTER_CARE = 0.015
_INSTITUTIONAL_CARE = 0.025
_GRANDPARENT_GUARDIAN = 0.06
_FATHER_ONLY = 0.10
_MOTHER_ONLY = 0.30
_SIBLING_SHARE = 0.12  # a new pupil joins an existing family


@dataclass(frozen=True)
class GuardianLink:
    guardian: Guardian
    relation: Relation
    has_custody: bool
    is_primary_contact: bool


@dataclass
class Family:
    surname: int  # index into names.SURNAMES
    links: list[GuardianLink] = field(default_factory=list)
    shareable: bool = True  # siblings may join (not for children in out-of-family care)


class FamilyFactory:
    """Creates unsaved Guardian objects and remembers families so siblings can share them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.guardians: list[Guardian] = []
        self.families: list[Family] = []
        self._institution: Guardian | None = None

    def family_for_new_pupil(self) -> Family:
        shareable = [f for f in self.families[-50:] if f.shareable]
        if shareable and self.rng.random() < _SIBLING_SHARE:
            return self.rng.choice(shareable)
        family = self._new_family()
        self.families.append(family)
        return family

    def _new_family(self) -> Family:
        rng = self.rng
        family = Family(surname=rng.randrange(len(names.SURNAMES)))
        draw = rng.random()
        if draw < _FOSTER_CARE:
            family.shareable = False
            family.links.append(GuardianLink(self._foster_family(), Relation.FOSTER_FAMILY,
                                             has_custody=False, is_primary_contact=True))
            if rng.random() < 0.5:
                family.links.append(GuardianLink(self._person(True, family.surname),
                                                 Relation.MOTHER, False, False))
        elif draw < _INSTITUTIONAL_CARE:
            family.shareable = False
            family.links.append(GuardianLink(self._care_institution(), Relation.CARE_INSTITUTION,
                                             has_custody=True, is_primary_contact=True))
        elif draw < _GRANDPARENT_GUARDIAN:
            family.links.append(GuardianLink(self._person(True, family.surname),
                                             Relation.GUARDIAN, True, True))
        elif draw < _FATHER_ONLY:
            family.links.append(GuardianLink(self._person(False, family.surname),
                                             Relation.FATHER, True, True))
        elif draw < _MOTHER_ONLY:
            family.links.append(GuardianLink(self._person(True, family.surname),
                                             Relation.MOTHER, True, True))
        else:
            mother_first = rng.random() < 0.7
            family.links.append(GuardianLink(self._person(True, family.surname),
                                             Relation.MOTHER, True, mother_first))
            family.links.append(GuardianLink(self._person(False, family.surname),
                                             Relation.FATHER, True, not mother_first))
        return family

    def _phone(self) -> str:
        return f"+371 2{self.rng.randrange(10**7):07d}"

    def _add(self, guardian: Guardian) -> Guardian:
        self.guardians.append(guardian)
        return guardian

    def _person(self, female: bool, surname: int) -> Guardian:
        rng = self.rng
        pool = names.ADULT_FIRST_NAMES_FEMALE if female else names.ADULT_FIRST_NAMES_MALE
        first = rng.choice(pool)
        last = names.surname_form(surname, female)
        email = ""
        if rng.random() > 0.15:
            email = f"{fold(first)}.{fold(last)}{rng.randrange(10, 100)}@{rng.choice(_MAIL_DOMAINS)}"
        return self._add(Guardian(kind=Guardian.Kind.PERSON, name=f"{first} {last}",
                                  phone=self._phone(), email=email))

    def _foster_family(self) -> Guardian:
        rng = self.rng
        surname = rng.randrange(len(names.SURNAMES))
        mother = f"{rng.choice(names.ADULT_FIRST_NAMES_FEMALE)} {names.surname_form(surname, True)}"
        father = f"{rng.choice(names.ADULT_FIRST_NAMES_MALE)} {names.surname_form(surname, False)}"
        return self._add(Guardian(kind=Guardian.Kind.FOSTER_FAMILY,
                                  name=f"Audžuģimene: {mother} un {father}",
                                  phone=self._phone()))

    def _care_institution(self) -> Guardian:
        if self._institution is None:
            self._institution = self._add(Guardian(
                kind=Guardian.Kind.INSTITUTION, name=CARE_INSTITUTION_NAME,
                phone="+371 63000000", email="saulite@example.org",
            ))
        return self._institution
