"""Build the demo municipality: institutions, classes, pupils, families, staff and grants.

Everything is derived from one ``random.Random(seed)``, so a seed gives the same people every
time (personal-code ciphertexts differ, their plaintexts do not).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.access.models import PupilAccessGrant
from kopiena.accounts.roles import Role
from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import current_school_year
from kopiena.demo import structure as s
from kopiena.demo.cases import CaseSummary, seed_support_cases
from kopiena.demo.personas import DEFAULT_PASSWORD
from kopiena.demo.pupils import ClassesByGrade, Progress, PupilBatch, PupilFactory, SchoolPlan
from kopiena.demo.schooldata import (
    FileProgress,
    SchoolDataError,
    SchoolDataSummary,
    seed_school_data,
)
from kopiena.demo.staff import StaffResult, create_staff
from kopiena.earlywarning.history import rebuild_level_history
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Pupil, SchoolClass

DEFAULT_PUPILS = 2000
_UPPER_SECONDARY_WEIGHT = 0.7  # fewer pupils stay on for grades 10-12


class DemoError(Exception):
    """The demo cannot be built; the message says why."""


@dataclass(frozen=True)
class SeedOptions:
    pupils: int = DEFAULT_PUPILS
    seed: int = 1
    password: str = DEFAULT_PASSWORD
    school_data: bool = True  # attendance, grades and behaviour through the importer


@dataclass(frozen=True)
class SeedSummary:
    school_year: str
    organisations: int
    classes: int
    pupils: int
    enrolments: int
    guardians: int
    users: int
    memberships: int
    class_assignments: int
    grants: int
    school_data: SchoolDataSummary | None = None
    support: CaseSummary | None = None

    def rows(self) -> list[tuple[str, int | str]]:
        """Label and value of each line of the summary (labels translated)."""
        return [
            (_("School year"), self.school_year),
            (_("Organisations"), self.organisations),
            (_("Classes"), self.classes),
            (_("Pupils"), self.pupils),
            (_("Enrolments"), self.enrolments),
            (_("Guardians"), self.guardians),
            (_("Users"), self.users),
            (_("Memberships"), self.memberships),
            (_("Class assignments"), self.class_assignments),
            (_("Access grants"), self.grants),
            *(school_data_rows(self.school_data) if self.school_data else []),
            *(self.support.rows() if self.support else []),
        ]


def school_data_rows(summary: SchoolDataSummary) -> list[tuple[str, int | str]]:
    """Summary lines of the imported school data (labels translated)."""
    return [
        (_("Attendance days"), summary.attendance_days),
        (_("Grades and results"), summary.grades),
        (_("Behaviour incidents"), summary.behaviour_incidents),
        (_("School data imports"), len(summary.imports)),
    ]


def demo_exists() -> bool:
    return Organisation.objects.filter(registration_code=s.DEMO_MUNICIPALITY_CODE).exists()


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def plan_schools(rng: random.Random, organisations: dict[str, Organisation],
                 year: SchoolYear, pupils: int) -> dict[str, SchoolPlan]:
    """Pupils per school and grade, and the classes (a..c parallel classes by size)."""
    shared = [spec for spec in s.SCHOOLS if not spec.fixed_pupils]
    school_totals = dict(zip((spec.code for spec in shared),
                             apportion(pupils, [spec.share for spec in shared]), strict=True))
    plans: dict[str, SchoolPlan] = {}
    new_classes: list[SchoolClass] = []
    for spec in s.SCHOOLS:
        total = spec.fixed_pupils or school_totals[spec.code]
        weights = [rng.uniform(0.85, 1.15)
                   * (_UPPER_SECONDARY_WEIGHT if grade >= 10 and not spec.is_vet else 1.0)
                   for grade in spec.grades]
        per_grade = dict(zip(spec.grades, apportion(total, weights), strict=True))
        classes: ClassesByGrade = {}
        for grade, count in per_grade.items():
            parallel = min(len(spec.letters), max(1, math.ceil(count / spec.pupils_per_class)))
            classes[grade] = [
                SchoolClass(school=organisations[spec.code], school_year=year,
                            label=f"{grade}.{letter}", grade=grade, programme=spec.programme)
                for letter in spec.letters[:parallel]
            ]
            new_classes.extend(classes[grade])
        plans[spec.code] = SchoolPlan(organisations[spec.code], spec, classes, per_grade)
    SchoolClass.objects.bulk_create(new_classes)
    return plans


def create_grants(rng: random.Random, organisations: dict[str, Organisation],
                  pupils: list[Pupil], staff: StaffResult) -> int:
    """Cases shared beyond the school, so granted roles have pupils to see."""
    by_school: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        assert pupil.school is not None  # every demo pupil is placed
        by_school.setdefault(pupil.school.registration_code, []).append(pupil)
    school_a = by_school.get(s.SCHOOL_A_CODE, [])
    school_b = by_school.get(s.SCHOOL_B_CODE, [])
    if len(school_a) < 3 or not school_b:
        return 0
    shared_1, shared_2, referred = rng.sample(school_a, 3)
    municipality = organisations[s.DEMO_MUNICIPALITY_CODE]
    social = organisations[s.SOCIAL_SERVICE_CODE]
    director = staff.persona(Role.SCHOOL_DIRECTOR, s.SCHOOL_A_CODE)
    support_a = staff.persona(Role.SUPPORT_COORDINATOR, s.SCHOOL_A_CODE)
    support_b = staff.persona(Role.SUPPORT_COORDINATOR, s.SCHOOL_B_CODE)
    kind = PupilAccessGrant.Kind
    grants = [
        PupilAccessGrant(pupil=shared_1, kind=kind.SHARED_WITH_MUNICIPALITY,
                         organisation=municipality, granted_by=director,
                         reason="Atbalsta plāns iesniegts saskaņošanai pašvaldībā."),
        PupilAccessGrant(pupil=shared_2, kind=kind.SHARED_WITH_MUNICIPALITY,
                         organisation=municipality, granted_by=director,
                         reason="Kavējumi vairāk nekā 20 stundas semestrī bez attaisnojoša "
                                "iemesla; informēta pašvaldība."),
        PupilAccessGrant(pupil=referred, kind=kind.REFERRAL, organisation=social,
                         granted_by=support_a,
                         reason="Nosūtīts uz sociālo dienestu: ģimenei vajadzīgs atbalsts."),
        PupilAccessGrant(pupil=rng.choice(school_b), kind=kind.REFERRAL, organisation=social,
                         granted_by=support_b, revoked_at=timezone.now() - dt.timedelta(days=5),
                         reason="Nosūtījums atsaukts: jautājums atrisināts skolā."),
    ]
    PupilAccessGrant.objects.bulk_create(grants)
    return len(grants)


def add_school_data(options: SeedOptions, progress: FileProgress | None = None,
                    today: dt.date | None = None) -> SchoolDataSummary:
    """Import the demo pupils' attendance, grades and behaviour (see ``demo.schooldata``).

    Each file is imported atomically; a refused file raises :class:`DemoError` and leaves the
    files before it applied (running seed_demo again imports them all, unchanged, and the rest).
    """
    try:
        summary = seed_school_data(options.seed, today=today, progress=progress)
    except SchoolDataError as error:
        raise DemoError(str(error)) from error
    # Support levels as they were at the end of each of the last weeks, then today.
    rebuild_level_history(schools=s.demo_schools(), as_of=today or timezone.localdate())
    return summary


def add_support_cases(options: SeedOptions, progress: FileProgress | None = None,
                      today: dt.date | None = None) -> CaseSummary:
    """Support cases and plans of the flagged pupils, through the real actions (see
    ``demo.cases``); needs the school data (the flags come from it)."""
    return seed_support_cases(options.seed, today=today, progress=progress)


def build_demo(options: SeedOptions, progress: Progress | None = None,
               today: dt.date | None = None,
               school_progress: FileProgress | None = None) -> SeedSummary:
    """Create the whole demo: the structure in one transaction, then (unless
    ``options.school_data`` is off) the school data through the importer, file by file, and
    the support cases of the flagged pupils. Call only when :func:`demo_exists` is false.

    Without school data nobody is flagged, so a few access grants stand in for shared and
    referred cases (the support cases bring real ones)."""
    year = current_school_year()
    if year is None:
        raise DemoError(_("No school year has started by today; load the calendars first "
                          "(manage.py load_school_calendars)."))
    if options.pupils < 0:
        raise DemoError(_("The number of pupils cannot be negative."))
    rng = random.Random(options.seed)
    with transaction.atomic():
        organisations = s.create_organisations()
        plans = plan_schools(rng, organisations, year, options.pupils)
        factory = PupilFactory(rng, year, today or timezone.localdate(), plans)
        batch: PupilBatch = factory.build(progress)
        batch.save()
        staff = create_staff(rng, organisations, plans, options.password)
        grants = (create_grants(rng, organisations, batch.pupils, staff)
                  if not options.school_data else 0)
    school_data = (add_school_data(options, school_progress, today)
                   if options.school_data else None)
    support = (add_support_cases(options, school_progress, today)
               if options.school_data else None)
    return SeedSummary(
        school_year=year.name, organisations=len(organisations),
        classes=sum(len(c) for p in plans.values() for c in p.classes.values()),
        pupils=len(batch.pupils), enrolments=len(batch.enrolments),
        guardians=len(batch.guardians), users=staff.users, memberships=staff.memberships,
        class_assignments=staff.class_assignments, grants=grants, school_data=school_data,
        support=support,
    )
