"""Demo pupils: names, birth dates that fit the grade, personal codes, enrolment history."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from kopiena.calendars.models import SchoolYear
from kopiena.demo import names
from kopiena.demo.families import FamilyFactory
from kopiena.demo.structure import (
    BASIC_SCHOOL_CODE,
    COMPLETED_BASIC_EDUCATION,
    GENERAL_SCHOOL_CODES,
    LEAVING_REASONS,
    SCHOOL_A_CODE,
    SchoolSpec,
)
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import (
    Enrolment,
    Gender,
    Guardian,
    Pupil,
    PupilGuardian,
    SchoolClass,
)
from kopiena.pupils.personal_code import PersonalCode, make_old_form, parse_personal_code

Progress = Callable[[int, int], None]
ClassesByGrade = dict[int, list[SchoolClass]]

NEW_FORM_CODES_SINCE = dt.date(2017, 7, 1)  # every code issued since then has the new form
_NO_CODE_SHARE = 0.005  # newly arrived pupils without a Latvian personal code yet
_NEW_FORM_BY_CHOICE = 0.015  # people born earlier who asked for a new-form code
_LATE_JOINER_SHARE = 0.12
_MID_YEAR_MOVER_SHARE = 0.02
_CAME_FROM_BASIC_SHARE = 0.35  # grade 10-12 pupils of school A who did grades 1-9 elsewhere
_VET_WITH_HISTORY_SHARE = 0.7


@dataclass(frozen=True)
class SchoolPlan:
    organisation: Organisation
    spec: SchoolSpec
    classes: ClassesByGrade
    pupils_per_grade: dict[int, int]


@dataclass
class PupilBatch:
    pupils: list[Pupil] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    guardians: list[Guardian] = field(default_factory=list)
    links: list[PupilGuardian] = field(default_factory=list)

    def save(self) -> None:
        Pupil.objects.bulk_create(self.pupils, batch_size=500)
        Enrolment.objects.bulk_create(self.enrolments, batch_size=500)
        Guardian.objects.bulk_create(self.guardians, batch_size=500)
        PupilGuardian.objects.bulk_create(self.links, batch_size=500)


def first_school_day(year: int) -> dt.date:
    """1 September, or the Monday after it when it falls on a weekend."""
    day = dt.date(year, 9, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


class PupilFactory:
    def __init__(self, rng: random.Random, year: SchoolYear, today: dt.date,
                 plans: dict[str, SchoolPlan]) -> None:
        self.rng = rng
        self.year = year
        self.today = today
        self.plans = plans
        self.families = FamilyFactory(rng)
        self.batch = PupilBatch()
        self._codes: set[str] = set()
        self._source_ids = 0

    def build(self, progress: Progress | None = None) -> PupilBatch:
        total = sum(sum(p.pupils_per_grade.values()) for p in self.plans.values())
        done = 0
        for plan in self.plans.values():
            for grade, count in plan.pupils_per_grade.items():
                classes = plan.classes[grade]
                for n in range(count):
                    self._pupil(plan, grade, classes[n % len(classes)])
                    done += 1
                    if progress is not None:
                        progress(done, total)
        self.batch.guardians = self.families.guardians
        return self.batch

    # --- one pupil -------------------------------------------------------------------------

    def _pupil(self, plan: SchoolPlan, grade: int, school_class: SchoolClass) -> None:
        rng = self.rng
        female = rng.random() < 0.5
        family = self.families.family_for_new_pupil()
        first = rng.choice(names.CHILD_FIRST_NAMES_FEMALE if female
                           else names.CHILD_FIRST_NAMES_MALE)
        last = names.surname_form(family.surname, female)
        birth, years_behind = self._birth_date(plan.spec, grade)
        pupil = Pupil(
            first_name=first, last_name=last, birth_date=birth,
            gender=Gender.FEMALE if female else Gender.MALE,
            school=plan.organisation, school_class=school_class,
            programme=plan.spec.programme,
            search_name=Pupil.compute_search_name(first, last),
        )
        pupil.set_personal_code(self._personal_code(birth))
        self.batch.pupils.append(pupil)
        self._enrolments(pupil, plan, grade, years_behind, school_class)
        for link in family.links:
            self.batch.links.append(PupilGuardian(
                pupil=pupil, guardian=link.guardian, relation=link.relation,
                has_custody=link.has_custody, is_primary_contact=link.is_primary_contact,
            ))

    def _birth_date(self, spec: SchoolSpec, grade: int) -> tuple[dt.date, int]:
        """A birth date for the grade (children start grade 1 in the year they turn 7)."""
        draw = self.rng.random()
        if spec.is_vet:  # vocational course 1 follows grade 9; many pupils are older
            offset = 3 if draw < 0.02 else 2 if draw < 0.07 else 1 if draw < 0.22 else 0
            school_grade = grade + 9
        else:
            offset = 2 if draw < 0.01 else 1 if draw < 0.06 else -1 if draw > 0.98 else 0
            school_grade = grade
        birth_year = self.year.starts_on.year - 6 - school_grade - offset
        start = dt.date(birth_year, 1, 1)
        days = (dt.date(birth_year + 1, 1, 1) - start).days
        return start + dt.timedelta(days=self.rng.randrange(days)), max(offset, 0)

    def _personal_code(self, birth: dt.date) -> PersonalCode | None:
        draw = self.rng.random()
        if draw < _NO_CODE_SHARE:
            return None
        if birth >= NEW_FORM_CODES_SINCE or draw < _NO_CODE_SHARE + _NEW_FORM_BY_CHOICE:
            return self._unique(lambda: f"32{self.rng.randrange(10**4):04d}-"
                                        f"{self.rng.randrange(10**5):05d}")
        return self._unique(lambda: make_old_form(birth, self.rng.randrange(1000)))

    def _unique(self, make: Callable[[], str]) -> PersonalCode:
        for _attempt in range(5000):
            code = make()
            if code not in self._codes:
                self._codes.add(code)
                return parse_personal_code(code)
        raise RuntimeError("No free personal code left for a demo pupil")

    # --- enrolment history -------------------------------------------------------------------

    def _source_id(self) -> str:
        self._source_ids += 1
        return f"E-{self._source_ids:06d}"

    def _enrol(self, pupil: Pupil, school: Organisation, school_class: SchoolClass | None,
               start: dt.date, end: dt.date | None = None, reason: str = "") -> None:
        self.batch.enrolments.append(Enrolment(
            pupil=pupil, school=school, source_id=self._source_id(), school_class=school_class,
            enrolled_from=start, enrolled_to=end, leaving_reason=reason,
        ))

    def _enrolments(self, pupil: Pupil, plan: SchoolPlan, grade: int, years_behind: int,
                    school_class: SchoolClass) -> None:
        rng = self.rng
        this_year = self.year.starts_on.year
        start_year = this_year - (grade - 1) - years_behind
        start = first_school_day(start_year)
        if plan.spec.is_vet and rng.random() < _VET_WITH_HISTORY_SHARE:
            self._basic_education_elsewhere(pupil, start_year, rng.choice(
                (SCHOOL_A_CODE, BASIC_SCHOOL_CODE)))
        elif (plan.spec.code == SCHOOL_A_CODE and grade >= 10
              and rng.random() < _CAME_FROM_BASIC_SHARE):
            start_year = this_year - (grade - 10)
            start = first_school_day(start_year)
            self._basic_education_elsewhere(pupil, start_year, BASIC_SCHOOL_CODE)
        elif start_year < this_year and rng.random() < _LATE_JOINER_SHARE:
            span = (self.year.starts_on - start).days
            start += dt.timedelta(days=rng.randrange(max(span, 1)))
        start = min(start, self.year.starts_on)
        if plan.spec.code in GENERAL_SCHOOL_CODES and grade <= 9 and (
            rng.random() < _MID_YEAR_MOVER_SHARE
        ):
            start = self._moved_this_year(pupil, plan, grade, start)
        self._enrol(pupil, plan.organisation, school_class, start)

    def _basic_education_elsewhere(self, pupil: Pupil, next_start_year: int,
                                   code: str) -> None:
        """An ended enrolment for grades 1-9 at another demo school."""
        plan = self.plans[code]
        self._enrol(pupil, plan.organisation, None, first_school_day(next_start_year - 9),
                    dt.date(next_start_year, 6, 12), COMPLETED_BASIC_EDUCATION)

    def _moved_this_year(self, pupil: Pupil, plan: SchoolPlan, grade: int,
                         start: dt.date) -> dt.date:
        """Record an enrolment at another school that ended this school year; new start date."""
        earliest = self.year.starts_on + dt.timedelta(days=7)
        latest = min(self.today, self.year.ends_on) - dt.timedelta(days=7)
        others = [self.plans[c] for c in GENERAL_SCHOOL_CODES
                  if c != plan.spec.code and c in self.plans and grade in self.plans[c].classes]
        if latest <= earliest or not others:
            return start
        old = self.rng.choice(others)
        left_on = earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days))
        self._enrol(pupil, old.organisation, old.classes[grade][0], start, left_on,
                    self.rng.choice(LEAVING_REASONS))
        return left_on + dt.timedelta(days=self.rng.randint(1, 4))
