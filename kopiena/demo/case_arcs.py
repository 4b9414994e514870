"""The demo's support stories, one function per arc: how a case ran from its opening to where
it stands today. The previous school year's arcs end with every outcome of an evaluation and
leave a few loose ends (a plan in every status, as real data has); the current semester's arcs
stand in every status of a plan, at every step of the approval chain.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from kopiena.accounts.roles import Role
from kopiena.calendars.models import Semester
from kopiena.cases.models import CaseOrigin, LegalBasis
from kopiena.demo import case_texts as t
from kopiena.demo.case_stories import Story
from kopiena.plans.models import Outcome, SupportPlan
from kopiena.plans.workflow import PlanAction


@dataclass(frozen=True)
class Semesters:
    first: Semester  # the previous school year's first semester
    second: Semester  # the previous school year's second semester
    current: Semester  # the semester of today


class Arc(enum.StrEnum):
    # The previous school year, evaluated.
    REDUCED_FIRST = "reduced_first"
    CONTINUES = "continues"  # semester 1 → 2 → the current one
    REDUCED_SECOND = "reduced_second"
    MOVED = "moved"
    LEFT = "left"
    COMPLETED_EDUCATION = "completed_education"
    INACTIVE_FIRST = "inactive_first"
    # The previous school year, left as it stood at the end of semester 2.
    STALE_DRAFT = "stale_draft"
    STALE_IN_APPROVAL = "stale_in_approval"
    STALE_APPROVED = "stale_approved"
    STALE_IN_IMPLEMENTATION = "stale_in_implementation"
    STALE_PAUSED = "stale_paused"
    STALE_REVISION = "stale_revision"
    # The current semester.
    DRAFT = "draft"
    RETURNED = "returned"
    WAITING_DIRECTOR = "waiting_director"
    WAITING_MUNICIPALITY = "waiting_municipality"
    APPROVED = "approved"
    IMPLEMENTATION = "implementation"
    PAUSED = "paused"
    REVISION = "revision"
    INACTIVE = "inactive"
    RESUBMITTED = "resubmitted"


# Arcs whose plan never reaches the municipality (no access grant outside the school).
WITHIN_SCHOOL = frozenset({Arc.DRAFT, Arc.RETURNED, Arc.WAITING_DIRECTOR, Arc.STALE_DRAFT,
                           Arc.STALE_IN_APPROVAL})
# The semester whose start the pupil must have been enrolled by.
STARTS_IN = {
    **dict.fromkeys((Arc.REDUCED_FIRST, Arc.CONTINUES, Arc.INACTIVE_FIRST), "first"),
    **dict.fromkeys((Arc.REDUCED_SECOND, Arc.MOVED, Arc.LEFT, Arc.COMPLETED_EDUCATION, Arc.STALE_DRAFT, Arc.STALE_IN_APPROVAL, Arc.STALE_APPROVED, Arc.STALE_IN_IMPLEMENTATION, Arc.STALE_PAUSED, Arc.STALE_REVISION), "second"),
}


@dataclass(frozen=True)
class Twist:
    """What else happens in a story."""

    origin: str = CaseOrigin.FLAG
    referral: str = ""  # accepted, pending, declined, revoked, legal_basis
    mentor: bool = False


def _begin(s: Story, sem: Semester, day: int, twist: Twist, *, groups: frozenset[str] = frozenset(),
           recent: bool = False) -> None:
    """Open, consent, assess, talk to the family (``day``: school day of the semester, or
    calendar days before today when ``recent``)."""
    def d(n: int) -> dt.date:
        return s.recent_day(sem, day - n) if recent else s.school_day(sem, day + n)

    s.open(d(0), twist.origin)
    s.consent(d(2))
    s.assess(d(2), groups | (frozenset({"family", "economic"}) if twist.referral else frozenset()))
    s.family_contact(d(3))
    if twist.mentor:
        s.match_mentor(d(3))


def _approved(s: Story, sem: Semester, start: int) -> SupportPlan:
    plan = s.plan(s.school_day(sem, start), sem)
    d = s.school_day
    return s.approve(plan, d(sem, start + 1), d(sem, start + 3), d(sem, start + 6))


def _elapsed(s: Story, plan: SupportPlan) -> float:
    span = max((plan.ends_on - plan.starts_on).days, 1)
    return max(0.05, min(1.0, (s.ctx.today - plan.starts_on).days / span)) * (
        s.rng.uniform(0.75, 1.0))


def _referral(s: Story, twist: Twist, first: dt.date, answered: dt.date,
              revoked: dt.date | None = None) -> None:
    people = s.ctx.people
    agency = people.social_service
    if not twist.referral or agency is None or not people.social_workers:
        return
    if s.team.school.municipality_id != agency.municipality_id:
        return
    worker = people.social_workers[0]
    if twist.referral == "legal_basis":
        referral = s.refer(first, agency, legal_basis=LegalBasis.REGULATION_89,
                           basis_note=t.REG_89_BASIS)
    else:
        referral = s.refer(first, agency)
    if twist.referral in ("accepted", "revoked", "legal_basis"):
        s.answer(referral, answered, worker, accept=True)
    elif twist.referral == "declined":
        s.answer(referral, answered, worker, accept=False)
    if twist.referral == "revoked" and revoked is not None:
        s.revoke(referral, revoked)


# --- the previous school year ----------------------------------------------------------------

def reduced_first(s: Story, sem: Semesters, twist: Twist) -> None:
    first = sem.first
    _begin(s, first, 8, twist)
    plan = _approved(s, first, 12)
    _referral(s, twist, s.school_day(first, 20), s.school_day(first, 23),
              revoked=s.school_day(first, -10))
    s.deliver(plan, first, s.school_day(first, 19), s.school_day(first, -6), 0.9)
    s.review(plan, s.school_day(first, 40))
    s.evaluate(plan, s.school_day(first, -3), Outcome.RISK_REDUCED)
    s.close(s.school_day(sem.second, 3), t.CLOSING_REASONS[Outcome.RISK_REDUCED])


def continues(s: Story, sem: Semesters, twist: Twist) -> None:
    """Support continues twice: semester 1 → 2 → the current semester, in implementation."""
    first, second, current = sem.first, sem.second, sem.current
    _begin(s, first, 6, twist)
    plan = _approved(s, first, 10)
    s.deliver(plan, first, s.school_day(first, 17), s.school_day(first, -6), 0.85)
    s.review(plan, s.school_day(first, 38))
    s.evaluate(plan, s.school_day(first, -2), Outcome.SUPPORT_CONTINUES)
    plan = s.continue_plan(plan, s.school_day(first, -2))
    s.assess(s.school_day(second, 1))
    plan = s.approve(plan, s.school_day(second, 2), s.school_day(second, 4),
                     s.school_day(second, 7))
    _referral(s, twist, s.school_day(second, 15), s.school_day(second, 18))
    s.deliver(plan, second, s.school_day(second, 8), s.school_day(second, -8), 0.85)
    s.review(plan, s.school_day(second, 35))
    s.evaluate(plan, s.school_day(second, -4), Outcome.SUPPORT_CONTINUES)
    plan = s.continue_plan(plan, s.school_day(second, -4))
    if plan.school_year_id != current.school_year_id or plan.semester != current.number:
        return  # a summer in between without the current semester: nothing more to tell
    plan = s.approve(plan, s.school_day(current, 2), s.school_day(current, 4),
                     s.school_day(current, 7))
    s.deliver(plan, current, s.school_day(current, 8), s.recent_day(current, 2),
              _elapsed(s, plan))
    s.review(plan, s.recent_day(current, 10))
    s.family_contact(s.recent_day(current, 6))


def _evaluated_second(s: Story, sem: Semesters, twist: Twist, *, opened: int, evaluated: int,
                      outcome: str, share: float, paused: int | None = None) -> None:
    second = sem.second
    _begin(s, second, opened, twist)
    plan = _approved(s, second, opened + 4)
    last = paused if paused is not None else evaluated - 3
    s.deliver(plan, second, s.school_day(second, opened + 10), s.school_day(second, last), share)
    if paused is not None:
        plan = s.step(plan, PlanAction.PAUSE, s.school_day(second, paused + 1),
                      comment=t.LEFT_PAUSE)
    else:
        s.review(plan, s.school_day(second, opened + 30))
    s.evaluate(plan, s.school_day(second, evaluated), outcome)
    s.close(s.school_day(second, evaluated + 1 if evaluated != -1 else -1),
            t.CLOSING_REASONS[outcome])


def reduced_second(s: Story, sem: Semesters, twist: Twist) -> None:
    _evaluated_second(s, sem, twist, opened=10, evaluated=-5, outcome=Outcome.RISK_REDUCED,
                      share=0.95)


def moved(s: Story, sem: Semesters, twist: Twist) -> None:
    _evaluated_second(s, sem, twist, opened=5, evaluated=47, outcome=Outcome.MOVED_SCHOOL,
                      share=0.5)


def left(s: Story, sem: Semesters, twist: Twist) -> None:
    _evaluated_second(s, sem, twist, opened=4, evaluated=60, outcome=Outcome.LEFT_EDUCATION,
                      share=0.45, paused=40)


def completed_education(s: Story, sem: Semesters, twist: Twist) -> None:
    _evaluated_second(s, sem, twist, opened=6, evaluated=-2,
                      outcome=Outcome.COMPLETED_EDUCATION, share=0.9)


def inactive_first(s: Story, sem: Semesters, twist: Twist) -> None:
    first = sem.first
    _begin(s, first, 20, twist)
    plan = _approved(s, first, 24)
    s.step(plan, PlanAction.DEACTIVATE, s.school_day(first, 33),
           comment=t.DEACTIVATION_REASONS[1])
    s.close(s.school_day(first, 35), t.CLOSING_REASONS["inactive"])


def stale_draft(s: Story, sem: Semesters, twist: Twist) -> None:
    """A parent's request; the consent was withdrawn before the plan was sent."""
    second = sem.second
    s.open(s.school_day(second, -30), CaseOrigin.PARENT_REQUEST)
    consent = s.consent(s.school_day(second, -28))
    s.assess(s.school_day(second, -27))
    s.plan(s.school_day(second, -25), second)
    s.withdraw(consent, s.school_day(second, -20))


def _stale(s: Story, sem: Semesters, twist: Twist, *, submitted: int,
           approvals: int) -> SupportPlan:
    second = sem.second
    _begin(s, second, submitted - 8, twist)
    plan = s.plan(s.school_day(second, submitted - 4), second)
    days = [s.school_day(second, submitted + 3 * i) for i in range(approvals + 1)]
    return s.approve(plan, *days)


def stale_in_approval(s: Story, sem: Semesters, twist: Twist) -> None:
    _stale(s, sem, twist, submitted=-12, approvals=0)


def stale_approved(s: Story, sem: Semesters, twist: Twist) -> None:
    _stale(s, sem, twist, submitted=-15, approvals=2)


def _stale_running(s: Story, sem: Semesters, twist: Twist, last: int) -> SupportPlan:
    plan = _stale(s, sem, twist, submitted=20, approvals=2)
    s.deliver(plan, sem.second, s.school_day(sem.second, 28), s.school_day(sem.second, last),
              0.8)
    return plan


def stale_in_implementation(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _stale_running(s, sem, twist, -2)
    s.review(plan, s.school_day(sem.second, 60))


def stale_paused(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _stale_running(s, sem, twist, -25)
    s.step(plan, PlanAction.PAUSE, s.school_day(sem.second, -22), comment=t.PAUSE_REASONS[0])


def stale_revision(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _stale_running(s, sem, twist, -14)
    s.step(plan, PlanAction.REVISE, s.school_day(sem.second, -12),
           comment=t.REVISION_REASONS[0])


# --- the current semester --------------------------------------------------------------------

def _recent_plan(s: Story, sem: Semesters, twist: Twist, opened: int) -> SupportPlan:
    """Opened about ``opened`` days ago; the plan written four days later."""
    current = sem.current
    _begin(s, current, opened, twist, recent=True)
    return s.plan(s.recent_day(current, opened - 4), current)


def draft(s: Story, sem: Semesters, twist: Twist) -> None:
    _recent_plan(s, sem, twist, 10)


def returned(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _recent_plan(s, sem, twist, 30)
    plan = s.approve(plan, s.recent_day(sem.current, 20))
    s.step(plan, PlanAction.RETURN, s.recent_day(sem.current, 17),
           by=s.approver(Role.SCHOOL_DIRECTOR), comment=s.rng.choice(t.RETURN_COMMENTS))


def waiting_director(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _recent_plan(s, sem, twist, 15)
    s.approve(plan, s.recent_day(sem.current, 4))


def waiting_municipality(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _recent_plan(s, sem, twist, 22)
    s.approve(plan, s.recent_day(sem.current, 12), s.recent_day(sem.current, 9))


def approved(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _recent_plan(s, sem, twist, 22)
    s.approve(plan, s.recent_day(sem.current, 12), s.recent_day(sem.current, 9),
              s.recent_day(sem.current, 6))


def _running(s: Story, sem: Semesters, twist: Twist, *, starts: int, until_days_ago: int,
             ) -> SupportPlan:
    """A plan approved early in the semester, delivered from its ``starts``-th school day."""
    current = sem.current
    _begin(s, current, max(starts - 16, 2), twist)
    d = s.school_day
    plan = s.plan(d(current, starts - 10), current, starts_on=d(current, starts))
    plan = s.approve(plan, d(current, starts - 9), d(current, starts - 7),
                     d(current, starts - 4))
    s.deliver(plan, current, d(current, starts), s.recent_day(current, until_days_ago),
              _elapsed(s, plan))
    return plan


def implementation(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _running(s, sem, twist, starts=s.rng.choice((12, 22)), until_days_ago=1)
    s.review(plan, s.recent_day(sem.current, 14))
    if twist.referral == "pending":
        _referral(s, twist, s.recent_day(sem.current, 3), s.recent_day(sem.current, 1))
    else:
        _referral(s, twist, s.recent_day(sem.current, 20), s.recent_day(sem.current, 17))
    s.family_contact(s.recent_day(sem.current, 5))


def paused(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _running(s, sem, twist, starts=12, until_days_ago=16)
    s.step(plan, PlanAction.PAUSE, s.recent_day(sem.current, 14),
           comment=s.rng.choice(t.PAUSE_REASONS))


def revision(s: Story, sem: Semesters, twist: Twist) -> None:
    plan = _running(s, sem, twist, starts=10, until_days_ago=12)
    _referral(s, twist, s.school_day(sem.current, 15), s.school_day(sem.current, 18))
    s.review(plan, s.recent_day(sem.current, 11))
    s.step(plan, PlanAction.REVISE, s.recent_day(sem.current, 10),
           comment=s.rng.choice(t.REVISION_REASONS))


def inactive(s: Story, sem: Semesters, twist: Twist) -> None:
    """The parents withdrew their consent while the plan waited for the municipality."""
    current = sem.current
    s.open(s.recent_day(current, 34), twist.origin)
    consent = s.consent(s.recent_day(current, 32))
    s.assess(s.recent_day(current, 31))
    plan = s.plan(s.recent_day(current, 30), current)
    plan = s.approve(plan, s.recent_day(current, 25), s.recent_day(current, 22))
    s.withdraw(consent, s.recent_day(current, 20))
    s.step(plan, PlanAction.DEACTIVATE, s.recent_day(current, 19),
           comment=t.DEACTIVATION_REASONS[0])


def resubmitted(s: Story, sem: Semesters, twist: Twist) -> None:
    """Revised after a month, sent again: re-approval at every level, waiting for the
    director."""
    plan = _running(s, sem, twist, starts=8, until_days_ago=22)
    plan = s.step(plan, PlanAction.REVISE, s.recent_day(sem.current, 20),
                  comment=t.REVISION_REASONS[1])
    s.approve(plan, s.recent_day(sem.current, 8))


STORIES: dict[Arc, Callable[[Story, Semesters, Twist], None]] = {
    Arc.REDUCED_FIRST: reduced_first, Arc.CONTINUES: continues,
    Arc.REDUCED_SECOND: reduced_second, Arc.MOVED: moved, Arc.LEFT: left,
    Arc.COMPLETED_EDUCATION: completed_education, Arc.INACTIVE_FIRST: inactive_first,
    Arc.STALE_DRAFT: stale_draft, Arc.STALE_IN_APPROVAL: stale_in_approval,
    Arc.STALE_APPROVED: stale_approved, Arc.STALE_IN_IMPLEMENTATION: stale_in_implementation,
    Arc.STALE_PAUSED: stale_paused, Arc.STALE_REVISION: stale_revision,
    Arc.DRAFT: draft, Arc.RETURNED: returned, Arc.WAITING_DIRECTOR: waiting_director,
    Arc.WAITING_MUNICIPALITY: waiting_municipality, Arc.APPROVED: approved,
    Arc.IMPLEMENTATION: implementation, Arc.PAUSED: paused, Arc.REVISION: revision,
    Arc.INACTIVE: inactive, Arc.RESUBMITTED: resubmitted,
}
