"""The demo's support cases and plans, made through the real actions for pupils who are
actually flagged (targeted or intensive support level, or over the statutory threshold of
unexcused lessons), in the previous school year and the current semester.

Every plan status, every step of the approval chain and every outcome of an evaluation has
at least one case (DOMAIN.md, "The support process"); referrals to the social service are
accepted, pending, declined and revoked; a trained mentor is matched to a pupil aged 13+; the
demo municipality prices its measures. The walk-through personas find their work waiting:
the director of Demo vidusskola and the municipality coordinator a plan to approve, the social
worker an accepted referral, the class teacher of 7.a a flagged pupil without a case to refer.

The pupils of the persona classes (7.a of Demo vidusskola, 2.k of Demo tehnikums) are the
permission matrix's targets: they get no case whose plan reaches the municipality or a
partner agency (at most one 7.a pupil, referred by the teacher and waiting for the director).

Then the support teams meet about their cases (``demo.meetings``): the "Meetings" page has
each school's meetings, and the coordinators their action items, some of them overdue.

Deterministic from the seed; run after the school data (the flags come from it).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.calendars.models import SchoolYear, Semester
from kopiena.calendars.schooldays import current_school_year
from kopiena.cases.mentors import save_mentor_profile
from kopiena.cases.models import CaseOrigin, Referral, SupportCase
from kopiena.demo import case_texts as t
from kopiena.demo import structure as s
from kopiena.demo.case_arcs import STARTS_IN, STORIES, WITHIN_SCHOOL, Arc, Semesters, Twist
from kopiena.demo.case_people import DemoPeople, SchoolTeam, load_people
from kopiena.demo.case_stories import Story, StoryContext
from kopiena.demo.clock import DemoClock
from kopiena.demo.meetings import hold_meetings, remind_overdue
from kopiena.demo.school_profiles import ProfileKind, demo_profiles
from kopiena.earlywarning.models import PupilSupportStatus, StatutoryThresholdCase
from kopiena.inbox.actions import mark_read
from kopiena.inbox.models import Notification
from kopiena.organisations.models import Organisation
from kopiena.plans.catalogue import catalogue_for, save_municipality_measure
from kopiena.plans.models import Delivery, MeasureType, PlanEvaluation, SupportPlan
from kopiena.plans.reports import current_semester
from kopiena.pupils.models import Enrolment, Pupil

CASE_SHARE = 0.35  # of the flagged pupils get a case (at least one per required story)
MAX_CASES = 250
PERSONA_CLASSES = frozenset({(s.SCHOOL_A_CODE, "7.a"), (s.SCHOOL_B_CODE, "2.k")})
READ_AFTER_DAYS = 14  # notifications older than this have been read

# Demo figures, not official rates: what Demo novads pays per hour (per session for a
# mentor) of each consultation. Compensations are planned in euros and have no unit cost.
DEMO_UNIT_COSTS: dict[str, Decimal] = {
    "subject_teacher": Decimal("15.00"), "psychologist": Decimal("25.00"),
    "social_pedagogue": Decimal("20.00"), "special_pedagogue": Decimal("22.00"),
    "speech_therapist": Decimal("22.00"), "teacher_assistant": Decimal("15.00"),
    "sign_language": Decimal("25.00"), "occupational_therapist": Decimal("25.00"),
    "mentor": Decimal("20.00"),
}

# (label, done, total): the same shape as the school data's progress.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Need:
    """What a story asks of its pupil, besides the arc's own needs."""

    school: str = ""  # registration code
    grade: int = 0
    min_age: int = 0  # on the first day of the previous school year
    threshold: bool = False  # over the statutory threshold of unexcused lessons
    demo: bool = True  # in Demo novads (the demo municipality, with the social service)
    persona_class: str = ""  # take a pupil of this persona class when one can be spared
    improving: bool = False  # prefer a pupil whose data improves since support began


# Every story the demo must tell, most particular first.
REQUIRED: tuple[tuple[Arc, Need, Twist], ...] = (
    (Arc.COMPLETED_EDUCATION, Need(school=s.SCHOOL_A_CODE, grade=10), Twist()),
    (Arc.LEFT, Need(school=s.SCHOOL_B_CODE, min_age=16), Twist()),
    (Arc.CONTINUES, Need(school=s.SCHOOL_A_CODE, min_age=13),
     Twist(referral="accepted", mentor=True)),
    (Arc.WAITING_DIRECTOR, Need(school=s.SCHOOL_A_CODE, persona_class="7.a"),
     Twist(origin=CaseOrigin.TEACHER_REFERRAL)),
    (Arc.WAITING_MUNICIPALITY, Need(school=s.SCHOOL_A_CODE), Twist()),
    (Arc.IMPLEMENTATION, Need(threshold=True), Twist(referral="legal_basis")),
    (Arc.IMPLEMENTATION, Need(improving=True), Twist(referral="pending")),
    (Arc.REVISION, Need(), Twist(referral="declined")),
    (Arc.REDUCED_FIRST, Need(), Twist(referral="revoked")),
    (Arc.REDUCED_SECOND, Need(), Twist(origin=CaseOrigin.TEACHER_REFERRAL)),
    (Arc.MOVED, Need(), Twist()),
    (Arc.INACTIVE_FIRST, Need(), Twist(origin=CaseOrigin.PARENT_REQUEST)),
    *((arc, Need(), Twist()) for arc in (
        Arc.STALE_DRAFT, Arc.STALE_IN_APPROVAL, Arc.STALE_APPROVED,
        Arc.STALE_IN_IMPLEMENTATION, Arc.STALE_PAUSED, Arc.STALE_REVISION)),
    (Arc.DRAFT, Need(), Twist(origin=CaseOrigin.TEACHER_REFERRAL)),
    (Arc.RETURNED, Need(), Twist()),
    (Arc.APPROVED, Need(), Twist(origin=CaseOrigin.PARENT_REQUEST)),
    (Arc.PAUSED, Need(), Twist()),
    (Arc.INACTIVE, Need(), Twist()),
    (Arc.RESUBMITTED, Need(), Twist()),
    (Arc.WAITING_DIRECTOR, Need(), Twist()),
    (Arc.WAITING_MUNICIPALITY, Need(), Twist()),
    # The neighbouring municipality has cases too (for the national analyst's comparison).
    (Arc.REDUCED_FIRST, Need(school=s.NEIGHBOUR_SCHOOL_CODE, demo=False), Twist()),
    (Arc.IMPLEMENTATION, Need(school=s.NEIGHBOUR_SCHOOL_CODE, demo=False), Twist()),
)
# The other flagged pupils with a case: mostly plans that ran their course or run now.
EXTRA_WEIGHTS: dict[Arc, int] = {
    Arc.REDUCED_FIRST: 3, Arc.CONTINUES: 3, Arc.REDUCED_SECOND: 3, Arc.IMPLEMENTATION: 6,
    Arc.DRAFT: 2, Arc.WAITING_DIRECTOR: 2, Arc.WAITING_MUNICIPALITY: 2, Arc.APPROVED: 1,
    Arc.PAUSED: 1, Arc.REVISION: 1, Arc.MOVED: 1, Arc.INACTIVE_FIRST: 1,
    Arc.STALE_IN_IMPLEMENTATION: 1,
}
REFERRED_SHARE = 0.08  # of the other stories that can refer, in Demo novads
REFERRAL_ANSWERS = ("accepted", "accepted", "pending", "declined")
MENTEES = 3  # the mentor of Demo vidusskola takes this many pupils at most
_CAN_REFER = frozenset({Arc.REDUCED_FIRST, Arc.CONTINUES, Arc.IMPLEMENTATION, Arc.REVISION})
_CAN_MENTOR = frozenset({Arc.CONTINUES, Arc.IMPLEMENTATION})
_ORIGINS = ((CaseOrigin.FLAG, 6), (CaseOrigin.TEACHER_REFERRAL, 3),
            (CaseOrigin.PARENT_REQUEST, 2))


@dataclass
class Candidate:
    pupil: Pupil
    team: SchoolTeam
    status: PupilSupportStatus | None
    since: dt.date  # the current enrolment began
    improving: bool

    @property
    def school_code(self) -> str:
        return self.team.school.registration_code

    @property
    def class_label(self) -> str:
        return self.pupil.school_class.label if self.pupil.school_class else ""

    @property
    def in_persona_class(self) -> bool:
        return (self.school_code, self.class_label) in PERSONA_CLASSES


@dataclass
class CaseSummary:
    cases: int = 0
    plans: int = 0
    deliveries: int = 0
    evaluations: int = 0
    referrals: int = 0
    meetings: int = 0
    problems: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int | str]]:
        return [(_("Support cases"), self.cases), (_("Support plans"), self.plans),
                (_("Sessions and payments"), self.deliveries),
                (_("Evaluations"), self.evaluations), (_("Referrals"), self.referrals),
                (_("Support-team meetings"), self.meetings)]


def support_cases_exist() -> bool:
    return SupportCase.objects.filter(school__registration_code__in=s.ALL_SCHOOL_CODES).exists()


def seed_support_cases(seed: int, today: dt.date | None = None,
                       progress: Progress | None = None) -> CaseSummary:
    """Create the demo's cases (once: nothing happens when they exist)."""
    summary = CaseSummary()
    today = today or timezone.localdate()
    semesters = _semesters(today)
    if semesters is None or support_cases_exist():
        return summary
    people = load_people(s.demo_schools())
    rng = random.Random(seed)
    plan = _cast(rng, _candidates(seed, today, people), semesters)
    # Historical notifications were e-mailed then; none goes out now.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        with DemoClock(semesters.first.starts_on - dt.timedelta(days=10)) as clock:
            ctx = StoryContext(rng=rng, clock=clock, people=people, today=today,
                               catalogues=_prepare(people, clock),
                               threshold_pupils=_threshold_pupils())
            for done, (candidate, arc, twist) in enumerate(plan, start=1):
                _tell(ctx, candidate, arc, twist, semesters, summary)
                if progress is not None:
                    progress(_("Support cases"), done, len(plan))
            summary.meetings = hold_meetings(ctx, semesters, seed, summary.problems)
        remind_overdue(today)
    _read_old_notifications(today)
    summary.cases = SupportCase.objects.count()
    summary.plans = SupportPlan.objects.count()
    summary.deliveries = Delivery.objects.count()
    summary.evaluations = PlanEvaluation.objects.count()
    summary.referrals = Referral.objects.count()
    return summary


def _tell(ctx: StoryContext, candidate: Candidate, arc: Arc, twist: Twist,
          semesters: Semesters, summary: CaseSummary) -> None:
    """One story in one transaction: a story the rules refuse leaves nothing behind."""
    try:
        with transaction.atomic():
            story = Story(ctx, candidate.pupil, candidate.team, candidate.status)
            STORIES[arc](story, semesters, twist)
    except (ValidationError, PermissionDenied) as error:
        summary.problems.append(f"{arc.value} ({candidate.pupil.pk}): {error}")


def _semesters(today: dt.date) -> Semesters | None:
    year = current_school_year()
    current = current_semester(today)
    if year is None or current is None:
        return None
    previous = SchoolYear.objects.filter(starts_on__lt=year.starts_on).order_by(
        "-starts_on").first()
    found = {s.number: s for s in Semester.objects.filter(school_year=previous)
             .select_related("school_year")}
    if previous is None or set(found) != {1, 2}:
        return None
    return Semesters(first=found[1], second=found[2], current=current)


def _threshold_pupils() -> set[int]:
    return set(StatutoryThresholdCase.objects.values_list("pupil_id", flat=True))


def _candidates(seed: int, today: dt.date, people: DemoPeople) -> list[Candidate]:
    """Pupils of schools with a support team, flagged ones first; in a seeded order."""
    flagged = set(PupilSupportStatus.objects.filter(level__in=("targeted", "intensive"))
                  .values_list("pupil_id", flat=True)) | _threshold_pupils()
    statuses = {st.pupil_id: st for st in PupilSupportStatus.objects.filter(
        school_id__in=list(people.teams))}
    current = {e.pupil_id: e for e in Enrolment.objects.filter(
        enrolled_to__isnull=True, school_id__in=list(people.teams))}
    profiles = demo_profiles(seed, today)
    found = []
    for pupil in (Pupil.objects.filter(school_id__in=list(people.teams))
                  .select_related("school__parent", "school_class").order_by("pk")):
        enrolment = current.get(pupil.pk)
        if enrolment is None or pupil.school_id is None:
            continue
        profile = profiles.get(enrolment.source_id)
        found.append((pupil.pk in flagged, Candidate(
            pupil=pupil, team=people.teams[pupil.school_id], status=statuses.get(pupil.pk),
            since=enrolment.enrolled_from,
            improving=profile is not None and profile.kind == ProfileKind.IMPROVING)))
    rng = random.Random(seed)
    rng.shuffle(found)
    return [c for is_flagged, c in found if is_flagged] + [
        c for is_flagged, c in found if not is_flagged]


def _eligible(c: Candidate, arc: Arc, need: Need, semesters: Semesters,
              threshold: set[int]) -> bool:
    if c.in_persona_class:
        return False
    starts = STARTS_IN.get(arc)
    if starts is not None and c.since > getattr(semesters, starts).starts_on:
        return False
    return ((not need.school or c.school_code == need.school)
            and (not need.grade or (c.pupil.school_class is not None
                                    and c.pupil.school_class.grade == need.grade))
            and c.pupil.age_on(semesters.first.starts_on) >= need.min_age
            and (not need.threshold or c.pupil.pk in threshold)
            and (not need.demo or (c.team.school.parent is not None
                 and c.team.school.parent.registration_code == s.DEMO_MUNICIPALITY_CODE)))


def _cast(rng: random.Random, candidates: list[Candidate],
          semesters: Semesters) -> list[tuple[Candidate, Arc, Twist]]:
    """Who gets which story: every required one (a flagged pupil when one fits), then
    ordinary stories for a share of the other flagged pupils."""
    threshold = _threshold_pupils()
    flagged_ids = set(PupilSupportStatus.objects.filter(level__in=("targeted", "intensive"))
                      .values_list("pupil_id", flat=True)) | threshold
    flagged = [c for c in candidates if c.pupil.pk in flagged_ids]
    taken: set[int] = set()
    cast: list[tuple[Candidate, Arc, Twist]] = []
    for arc, need, twist in REQUIRED:
        chosen = (_persona_class_pupil(flagged, need, taken)
                  if need.persona_class and arc in WITHIN_SCHOOL else None)
        if chosen is None:
            pools = ([c for c in flagged if c.improving], flagged) if need.improving else (
                flagged,)
            chosen = next((c for pool in (*pools, candidates) for c in pool
                           if c.pupil.pk not in taken
                           and _eligible(c, arc, need, semesters, threshold)),
                          None)
        if chosen is not None:
            taken.add(chosen.pupil.pk)
            cast.append((chosen, arc, twist))
    quota = min(MAX_CASES, max(len(cast), round(CASE_SHARE * len(flagged))))
    arcs, weights = list(EXTRA_WEIGHTS), list(EXTRA_WEIGHTS.values())
    for c in flagged:
        if len(cast) >= quota:
            break
        if c.pupil.pk in taken or c.in_persona_class:
            continue
        arc = Arc.IMPLEMENTATION if c.improving else rng.choices(arcs, weights)[0]
        if not _eligible(c, arc, Need(), semesters, threshold):
            arc = Arc.IMPLEMENTATION
        taken.add(c.pupil.pk)
        cast.append((c, arc, _extra_twist(rng, c, arc, semesters, cast)))
    return cast


def _extra_twist(rng: random.Random, c: Candidate, arc: Arc, semesters: Semesters,
                 cast: list[tuple[Candidate, Arc, Twist]]) -> Twist:
    """Where the story came from; now and then a referral or, while the mentor has a free
    place, a mentor."""
    origin = rng.choices([o for o, _w in _ORIGINS], [w for _o, w in _ORIGINS])[0]
    in_demo = _eligible(c, arc, Need(), semesters, set())
    referral = (rng.choice(REFERRAL_ANSWERS) if in_demo and arc in _CAN_REFER
                and rng.random() < REFERRED_SHARE else "")
    mentored = sum(twist.mentor for _c, _a, twist in cast)
    mentor = (arc in _CAN_MENTOR and c.school_code == s.SCHOOL_A_CODE and mentored < MENTEES
              and c.pupil.age_on(semesters.first.starts_on) >= 13 and rng.random() < 0.3)
    return Twist(origin=origin, referral=referral, mentor=mentor)


def _persona_class_pupil(flagged: list[Candidate], need: Need,
                         taken: set[int]) -> Candidate | None:
    """A flagged pupil of the persona class, when another flagged one stays without a case
    (the class teacher's walk-through refers that one)."""
    in_class = [c for c in flagged if c.school_code == (need.school or c.school_code)
                and c.class_label == need.persona_class and c.pupil.pk not in taken]
    return in_class[0] if len(in_class) >= 2 else None


def _prepare(people: DemoPeople, clock: DemoClock) -> dict[int | None, dict[str, MeasureType]]:
    """Before the previous school year: Demo novads prices its measures, the mentor of Demo
    vidusskola completes the training. Returns each municipality's catalogue by code."""
    municipality = Organisation.objects.filter(registration_code=s.DEMO_MUNICIPALITY_CODE).first()
    if municipality is not None and municipality.pk in people.coordinators:
        defaults = {m.code: m for m in MeasureType.objects.filter(municipality=None)}
        for code, cost in DEMO_UNIT_COSTS.items():
            if code in defaults:
                save_municipality_measure(
                    municipality=municipality, code=code, by=people.coordinators[municipality.pk],
                    name_lv=defaults[code].name_lv, name_en=defaults[code].name_en,
                    unit_cost_eur=cost, is_active=True)
    for team in people.teams.values():
        if team.mentor is not None and team.school.registration_code == s.SCHOOL_A_CODE:
            save_mentor_profile(user=team.mentor, organisation=team.school,
                                training=t.MENTOR_TRAINING, completed_on=clock.today
                                - dt.timedelta(days=5), interests=t.MENTOR_INTERESTS,
                                max_pupils=MENTEES, is_active=True)
    ids: set[int | None] = {None, *people.coordinators}
    return {mid: {m.code: m for m in catalogue_for(mid)} for mid in ids}


def _read_old_notifications(today: dt.date) -> None:
    """What arrived more than two weeks ago has been read."""
    before = timezone.make_aware(dt.datetime.combine(
        today - dt.timedelta(days=READ_AFTER_DAYS), dt.time()))
    unread: dict[int, list[int]] = {}
    for user_id, pk in Notification.objects.filter(read_at__isnull=True,
                                                   created_at__lt=before).values_list(
            "user_id", "pk"):
        unread.setdefault(user_id, []).append(pk)
    from kopiena.accounts.models import User

    for user in User.objects.filter(pk__in=list(unread)):
        mark_read(user=user, notification_ids=unread[user.pk])
