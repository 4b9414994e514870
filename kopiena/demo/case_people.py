"""Who does what in the demo's support cases: each school's team, the class and subject
teachers, the municipality coordinators and the partner agencies' workers, read once."""

from __future__ import annotations

from dataclasses import dataclass, field

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.demo import structure as s
from kopiena.demo.personas import PERSONAS
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff

# Subjects in which the demo's pupils get consultations (the most frequent in PuMPuRS).
CONSULTATION_SUBJECTS = ("Matemātika", "Latviešu valoda", "Angļu valoda")


@dataclass
class SchoolTeam:
    school: Organisation
    coordinator: User  # the case manager and author of most plans
    director: User | None
    specialists: dict[Role, User] = field(default_factory=dict)
    mentor: User | None = None
    class_teachers: dict[int, User] = field(default_factory=dict)  # by school class id
    subject_teachers: dict[tuple[int, str], User] = field(default_factory=dict)

    def specialist(self, role: Role) -> User | None:
        return self.specialists.get(role)


@dataclass
class DemoPeople:
    teams: dict[int, SchoolTeam]  # by school id
    coordinators: dict[int, User]  # by municipality id
    social_service: Organisation | None
    social_workers: list[User]  # the persona first
    orphans_court: Organisation | None
    court_workers: list[User]


def _first_by_persona(users: list[User]) -> list[User]:
    personas = {p.email for p in PERSONAS}
    return sorted(users, key=lambda u: (u.email not in personas, u.pk))


def _first(users: list[User] | None) -> User | None:
    return users[0] if users else None


def load_people(schools: list[Organisation]) -> DemoPeople:
    """The demo's staff, in a few queries. Schools without a support coordinator or director
    in Kopiena get no team (no cases are made there)."""
    memberships = list(Membership.objects.filter(is_active=True, user__is_active=True)
                       .select_related("user", "organisation"))
    by_org: dict[int, dict[Role, list[User]]] = {}
    for m in memberships:
        by_org.setdefault(m.organisation_id, {}).setdefault(Role(m.role), []).append(m.user)
    for roles in by_org.values():
        for role, users in roles.items():
            roles[role] = _first_by_persona(users)
    teams: dict[int, SchoolTeam] = {}
    for school in schools:
        roles = by_org.get(school.pk, {})
        managers = roles.get(Role.SUPPORT_COORDINATOR)
        if not managers:
            continue
        teams[school.pk] = SchoolTeam(
            school=school, coordinator=managers[0],
            director=_first(roles.get(Role.SCHOOL_DIRECTOR)),
            specialists={r: roles[r][0] for r in (Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE,
                                                  Role.SPECIAL_PEDAGOGUE, Role.SPEECH_THERAPIST)
                         if roles.get(r)},
            mentor=_first(roles.get(Role.MENTOR)),
        )
    for assignment in ClassStaff.objects.filter(
            school_class__school__in=list(teams)).select_related("user", "school_class"):
        team = teams[assignment.school_class.school_id]
        if assignment.kind == ClassStaff.Kind.CLASS_TEACHER:
            team.class_teachers[assignment.school_class_id] = assignment.user
        elif assignment.subject in CONSULTATION_SUBJECTS:
            team.subject_teachers[(assignment.school_class_id, assignment.subject)] = (
                assignment.user)
    coordinators = {org_id: roles[Role.MUNICIPALITY_COORDINATOR][0]
                    for org_id, roles in by_org.items() if roles.get(Role.MUNICIPALITY_COORDINATOR)}
    agencies = {o.registration_code: o for o in Organisation.objects.filter(
        registration_code__in=[s.SOCIAL_SERVICE_CODE, s.ORPHANS_COURT_CODE])}
    social = agencies.get(s.SOCIAL_SERVICE_CODE)
    court = agencies.get(s.ORPHANS_COURT_CODE)
    return DemoPeople(
        teams=teams, coordinators=coordinators, social_service=social,
        social_workers=by_org.get(social.pk, {}).get(Role.PARTNER_WORKER, []) if social else [],
        orphans_court=court,
        court_workers=by_org.get(court.pk, {}).get(Role.PARTNER_WORKER, []) if court else [],
    )
