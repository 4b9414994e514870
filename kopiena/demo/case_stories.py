"""One pupil's support story, told through the real actions on the days it happened.

A :class:`Story` opens the case, records consent and risks, writes plans with measures linked
to the risks, takes them through the approval chain, logs sessions and payments, reviews,
evaluates, refers and closes, each step with the demo clock set to its day. The sequences of
steps (which story each pupil gets) are in ``demo.case_arcs``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.calendars.models import Semester
from kopiena.calendars.schooldays import school_days
from kopiena.cases import actions as cases
from kopiena.cases.models import (
    AssessedRisk,
    CaseOrigin,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    ContactKind,
    LegalBasis,
    Referral,
    RiskAssessment,
    SharedPart,
    SupportCase,
    TeamRole,
)
from kopiena.cases.risk_factors import RiskGroup
from kopiena.demo import case_texts as t
from kopiena.demo.case_people import CONSULTATION_SUBJECTS, DemoPeople, SchoolTeam
from kopiena.demo.clock import DemoClock
from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.organisations.models import Organisation
from kopiena.plans import actions as plans
from kopiena.plans.delivery import confirm_delivery, log_delivery
from kopiena.plans.evaluation import add_review, continue_support, evaluate_plan
from kopiena.plans.models import (
    DeliveryMode,
    FundingSource,
    MeasureKind,
    MeasureType,
    MeasureUnit,
    PlanMeasure,
    SupportPlan,
)
from kopiena.plans.workflow import PlanAction
from kopiena.pupils.models import Pupil, PupilGuardian

ALL_SCOPES = list(ConsentScope.values)
# A scanned signed application (a one-page PDF placeholder: the demo has no real scans).
_SCAN = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
         b"/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\n"
         b"trailer<</Root 1 0 R>>\n%%EOF\n")
_GIVER: dict[str, str] = {PupilGuardian.Relation.MOTHER: ConsentGiver.PARENT,
          PupilGuardian.Relation.FATHER: ConsentGiver.PARENT,
          PupilGuardian.Relation.CARE_INSTITUTION: ConsentGiver.INSTITUTION}

# Planned amount (low, high, step) per measure code, in the measure's unit, per semester.
_AMOUNTS: dict[str, tuple[int, int, int]] = {
    "subject_teacher": (8, 16, 2), "psychologist": (6, 10, 2), "social_pedagogue": (4, 8, 2),
    "special_pedagogue": (8, 12, 2), "speech_therapist": (8, 12, 2), "mentor": (8, 12, 2),
    "transport": (120, 200, 10), "meals": (150, 250, 10), "learning_items": (40, 90, 5),
    "dormitory": (200, 300, 20),
}
_MINUTES = {"subject_teacher": (40, 60), "psychologist": (45, 60), "social_pedagogue": (40,),
            "special_pedagogue": (40,), "speech_therapist": (40,), "mentor": (60,)}
_PROVIDER = {"psychologist": Role.PSYCHOLOGIST, "social_pedagogue": Role.SOCIAL_PEDAGOGUE,
             "special_pedagogue": Role.SPECIAL_PEDAGOGUE,
             "speech_therapist": Role.SPEECH_THERAPIST}


@dataclass
class StoryContext:
    """What every story shares: randomness, the clock, the people, the semesters."""

    rng: random.Random
    clock: DemoClock
    people: DemoPeople
    today: dt.date  # the real today: nothing happens on or after it
    catalogues: dict[int | None, dict[str, MeasureType]]  # by municipality id
    threshold_pupils: set[int]
    documents: int = 0  # payment documents issued so far
    _days: dict[int, list[dt.date]] = field(default_factory=dict)

    def days(self, semester: Semester) -> list[dt.date]:
        if semester.pk not in self._days:
            self._days[semester.pk] = list(school_days(semester.school_year,
                                                       semester.starts_on, semester.ends_on))
        return self._days[semester.pk]

    def next_document(self, day: dt.date) -> str:
        self.documents += 1
        return f"MU-{day.year}/{self.documents:04d}"


class Story:
    """One pupil's case. Each method is one step on one day (the clock moves to it)."""

    def __init__(self, ctx: StoryContext, pupil: Pupil, team: SchoolTeam,
                 status: PupilSupportStatus | None) -> None:
        self.ctx, self.pupil, self.team, self.status = ctx, pupil, team, status
        self.rng = ctx.rng
        self.manager = team.coordinator
        self.case: SupportCase | None = None
        self.assessment: RiskAssessment | None = None
        self._day: dt.date | None = None
        self._minute = 0
        self.mentor: User | None = None

    # --- time ------------------------------------------------------------------------------

    def at(self, day: dt.date, hour: int = 9) -> dt.date:
        """Set the clock to ``day``; steps on one day follow each other by minutes."""
        day = min(day, self.ctx.today - dt.timedelta(days=1))
        if day != self._day:
            self._day, self._minute = day, 0
        self._minute += 7
        self.ctx.clock.set(day, hour + self._minute // 60, self._minute % 60)
        return day

    def school_day(self, semester: Semester, offset: int) -> dt.date:
        """The ``offset``-th school day of the semester (negative: from its end), never
        today or later."""
        days = [d for d in self.ctx.days(semester) if d < self.ctx.today] or [semester.starts_on]
        return days[max(-len(days), min(offset, len(days) - 1))]

    def recent_day(self, semester: Semester, days_ago: int) -> dt.date:
        """A school day about ``days_ago`` calendar days before today, within the semester."""
        target = self.ctx.today - dt.timedelta(days=days_ago)
        days = [d for d in self.ctx.days(semester) if d <= target and d < self.ctx.today]
        return days[-1] if days else self.school_day(semester, 0)

    @property
    def open_case(self) -> SupportCase:
        assert self.case is not None, "open the case first"
        return self.case

    # --- the case --------------------------------------------------------------------------

    def open(self, day: dt.date, origin: str = CaseOrigin.FLAG) -> SupportCase:
        opened_by = self.manager
        if origin == CaseOrigin.TEACHER_REFERRAL:
            opened_by = self.team.class_teachers.get(self.pupil.school_class_id or 0,
                                                     self.manager)
        day = self.at(day)
        self.case = cases.open_case(pupil=self.pupil, origin=origin, opened_by=opened_by,
                                    reason=self.rng.choice(t.REASONS[origin]), opened_on=day)
        psychologist = self.team.specialist(Role.PSYCHOLOGIST)
        if psychologist is not None and self.rng.random() < 0.4:
            self.at(day)
            cases.add_team_member(case=self.case, user=psychologist, role=TeamRole.SPECIALIST,
                                  by=self.manager)
        return self.case

    def consent(self, day: dt.date, scopes: list[str] | None = None) -> Consent:
        day = self.at(day)
        link = self.pupil.guardian_links.select_related("guardian").first()
        giver: str
        if self.pupil.age_on(day) >= 18 or link is None:
            giver, signer, guardian_id = ConsentGiver.ADULT_PUPIL, self.pupil.full_name, None
        else:
            giver = _GIVER.get(link.relation, ConsentGiver.GUARDIAN)
            signer, guardian_id = link.guardian.name, link.guardian_id
        scanned = self.rng.random() < 0.25
        return cases.record_consent(
            case=self.open_case, given_by=giver, signer_name=signer,
            scope=scopes or ALL_SCOPES, given_on=day, recorded_by=self.manager,
            method=ConsentMethod.SCANNED_PAPER if scanned else ConsentMethod.SIGNED_IN_PERSON,
            guardian_id=guardian_id,
            scan=ContentFile(_SCAN, name=f"piekrisana-{self.open_case.pk}.pdf") if scanned
            else None)

    def withdraw(self, consent: Consent, day: dt.date) -> None:
        day = self.at(day)
        cases.withdraw_consent(consent=consent, withdrawn_on=day,
                               note=self.rng.choice(t.WITHDRAWAL_NOTES), by=self.manager)

    def assess(self, day: dt.date, groups: frozenset[str] = frozenset()) -> RiskAssessment:
        """Risks found: learning risks from the pupil's flag, others by chance or as
        ``groups`` asks."""
        factors = self._learning_factors()
        age = self.pupil.age_on(day)
        others = {
            RiskGroup.ECONOMIC: ["low_income", "transport_costs", "learning_items",
                                 *(["works_for_money"] if age >= 16 else [])],
            RiskGroup.FAMILY: ["family_conflict", "parents_abroad", "low_parental_involvement",
                               "caring_duties"],
            RiskGroup.SOCIAL_HEALTH: ["emotional_wellbeing", "bullying", "health_problems",
                                      "peer_influence", *(["addiction"] if age >= 14 else [])],
        }
        chance = {RiskGroup.ECONOMIC: 0.3, RiskGroup.FAMILY: 0.3, RiskGroup.SOCIAL_HEALTH: 0.25}
        for group, keys in others.items():
            if group in groups or self.rng.random() < chance[group]:
                factors.append(self.rng.choice(keys))
        day = self.at(day)
        self.assessment = cases.record_risk_assessment(
            case=self.open_case, assessed_on=day, by=self.manager,
            summary=self.rng.choice(t.ASSESSMENT_SUMMARIES),
            factors={key: self.rng.choice(t.RISK_NOTES[key]) for key in dict.fromkeys(factors)})
        return self.assessment

    def _learning_factors(self) -> list[str]:
        found = self.status.indicators if self.status is not None else {}
        factors = []
        if (found.get("attendance_rate_semester") or 1) < 0.9 or (
                found.get("unexcused_lessons_semester") or 0) >= 10 or (
                self.pupil.pk in self.ctx.threshold_pupils):
            factors.append("absences")
        if (found.get("insufficient_results_semester") or 0) > 0:
            factors.append("low_achievement")
        if (found.get("behaviour_incident_day_share_30d") or 0) >= 0.1:
            factors.append("behaviour")
        if not factors or self.rng.random() < 0.3:
            factors.append(self.rng.choice(["content_difficulties", "low_motivation",
                                            "content_difficulties", "language_barrier"]))
        return factors

    def family_contact(self, day: dt.date) -> None:
        kind = self.rng.choice([ContactKind.CALL, ContactKind.CALL, ContactKind.MEETING,
                                ContactKind.EMAIL, ContactKind.LETTER, ContactKind.HOME_VISIT])
        link = self.pupil.guardian_links.first()
        day = self.at(day, 13)
        cases.record_family_contact(case=self.open_case, contacted_on=day, kind=kind,
                                    summary=self.rng.choice(t.FAMILY_CONTACTS[kind]),
                                    by=self.manager,
                                    guardian_id=link.guardian_id if link is not None else None)

    def match_mentor(self, day: dt.date) -> bool:
        """A trained mentor for a pupil aged 13+, when the school has one."""
        mentor = self.team.mentor
        if mentor is None or self.pupil.age_on(day) < 13:
            return False
        self.at(day)
        cases.add_team_member(case=self.open_case, user=mentor, role=TeamRole.MENTOR,
                              by=self.manager)
        self.mentor = mentor
        return True

    def close(self, day: dt.date, reason: str) -> None:
        day = self.at(day, 15)
        cases.close_case(case=self.open_case, by=self.manager, reason=reason, closed_on=day)

    # --- referrals -------------------------------------------------------------------------

    def refer(self, day: dt.date, agency: Organisation, *, legal_basis: str = LegalBasis.CONSENT,
              basis_note: str = "") -> Referral:
        self.at(day, 11)
        return cases.refer_case(
            case=self.open_case, agency=agency, legal_basis=legal_basis,
            request=self.rng.choice(t.REFERRAL_REQUESTS), basis_note=basis_note,
            shared_parts=[SharedPart.SUMMARY, SharedPart.INDICATORS, SharedPart.RISKS,
                          SharedPart.FAMILY_CONTACTS], by=self.manager)

    def answer(self, referral: Referral, day: dt.date, worker: User, *, accept: bool) -> None:
        self.at(day, 14)
        cases.answer_referral(referral=referral, accept=accept, by=worker,
                              answer=t.REFERRAL_ACCEPTED if accept else t.REFERRAL_DECLINED)

    def revoke(self, referral: Referral, day: dt.date) -> None:
        self.at(day, 10)
        cases.revoke_referral(referral=referral, by=self.manager, reason=t.REFERRAL_REVOKED)

    # --- plans -----------------------------------------------------------------------------

    def plan(self, day: dt.date, semester: Semester, starts_on: dt.date | None = None,
             ) -> SupportPlan:
        """A draft with measures linked to the risks; the pupil has agreed to it."""
        day = self.at(day)
        plan = plans.create_plan(case=self.open_case, author=self.manager,
                                 goals=self.rng.choice(t.GOALS), semester=semester,
                                 pupil_commitment=self.rng.choice(t.COMMITMENTS),
                                 starts_on=max(starts_on or day, semester.starts_on))
        self._add_measures(plan)
        plan.refresh_from_db()
        return self._agree(plan, day)

    def continue_plan(self, previous: SupportPlan, day: dt.date) -> SupportPlan:
        """The next semester's plan, prefilled from ``previous`` (after its evaluation)."""
        self.at(day, 16)
        plan = continue_support(plan=previous, by=self.manager)
        assert plan is not None
        return plan

    def _agree(self, plan: SupportPlan, day: dt.date) -> SupportPlan:
        review = min(plan.starts_on + dt.timedelta(days=42), plan.ends_on)
        return plans.update_plan(plan=plan, by=self.manager, version=plan.version,
                                 goals=plan.goals, pupil_commitment=plan.pupil_commitment,
                                 pupil_agreed=True, next_review_on=review)

    def _catalogue(self) -> dict[str, MeasureType]:
        return self.ctx.catalogues.get(self.pupil.school.municipality_id if self.pupil.school
                                       else None) or self.ctx.catalogues[None]

    def _add_measures(self, plan: SupportPlan) -> None:
        """About four in five measures address learning and school risks (DOMAIN.md)."""
        assert self.assessment is not None
        risks = list(self.assessment.risks.all())
        by_group: dict[str, list[AssessedRisk]] = {}
        for risk in risks:
            by_group.setdefault(risk.group, []).append(risk)
        learning = by_group.get(RiskGroup.LEARNING, [])
        chosen: list[tuple[str, list[AssessedRisk], str]] = []
        taught = [subject for subject in CONSULTATION_SUBJECTS
                  if (self.pupil.school_class_id or 0, subject) in self.team.subject_teachers]
        subjects = self.rng.sample(taught, min(len(taught), self.rng.choice((1, 1, 2))))
        chosen += [("subject_teacher", learning, subject) for subject in subjects]
        conduct = [r for r in learning if r.factor in ("absences", "behaviour", "low_motivation")]
        if conduct and self.rng.random() < 0.6:
            chosen.append((self.rng.choice(["psychologist", "social_pedagogue"]), conduct, ""))
        if self.team.specialist(Role.SPEECH_THERAPIST) and self.pupil.age_on(plan.starts_on) <= 10:
            chosen.append(("speech_therapist", learning, ""))
        if self.mentor is not None:
            chosen.append(("mentor", learning, ""))
        economic = by_group.get(RiskGroup.ECONOMIC, [])
        if economic and self.rng.random() < 0.6:
            factor = economic[0].factor
            code = {"transport_costs": "transport", "learning_items": "learning_items"}.get(
                factor, "meals")
            chosen.append((code, economic, ""))
        personal = by_group.get(RiskGroup.FAMILY, []) + by_group.get(RiskGroup.SOCIAL_HEALTH, [])
        taken = {code for code, _r, _s in chosen}
        if personal and self.rng.random() < 0.5:
            code = "psychologist" if "psychologist" not in taken else "social_pedagogue"
            if code not in taken:
                chosen.append((code, personal, ""))
        added = [self._add_measure(plan, code, linked, subject)
                 for code, linked, subject in chosen]
        if not any(added):  # no subject teacher for the class in Kopiena: a specialist
            for code in ("psychologist", "social_pedagogue"):
                if self._add_measure(plan, code, learning or risks, ""):
                    break

    def _add_measure(self, plan: SupportPlan, code: str, risks: list[AssessedRisk],
                     subject: str) -> bool:
        measure_type = self._catalogue().get(code)
        provider = self._provider(code, subject)
        if measure_type is None or not risks or (
                measure_type.kind != MeasureKind.COMPENSATION and provider is None):
            return False
        low, high, step = _AMOUNTS[code]
        source = self.rng.choices(
            [FundingSource.ESF_SKOLA_KOPIENA, FundingSource.MUNICIPALITY, FundingSource.STATE],
            weights=(5, 4, 1) if measure_type.kind == MeasureKind.COMPENSATION else (7, 2, 1))[0]
        plans.add_measure(
            plan=plan, by=self.manager, measure_type=measure_type,
            risk_ids=[r.pk for r in risks], justification=t.JUSTIFICATIONS[code],
            planned_amount=Decimal(self.rng.randrange(low, high + 1, step)),
            provider_user=provider, subject=subject, funding_source=source,
            schedule=t.SCHEDULES[measure_type.unit])
        return True

    def _provider(self, code: str, subject: str) -> User | None:
        if code == "subject_teacher":
            return self.team.subject_teachers.get((self.pupil.school_class_id or 0, subject))
        if code == "mentor":
            return self.mentor
        role = _PROVIDER.get(code)
        return self.team.specialist(role) if role is not None else None

    def step(self, plan: SupportPlan, action: PlanAction, day: dt.date, by: User | None = None,
             comment: str = "") -> SupportPlan:
        self.at(day, 10)
        return plans.change_status(plan=plan, action=action, by=by or self.manager,
                                   comment=comment)

    def approver(self, role: Role) -> User:
        if role is Role.SCHOOL_DIRECTOR and self.team.director is not None:
            return self.team.director
        municipality_id = self.team.school.municipality_id
        coordinator = self.ctx.people.coordinators.get(municipality_id or 0)
        assert coordinator is not None, "the school's municipality has no coordinator"
        return coordinator

    def approve(self, plan: SupportPlan, *days: dt.date) -> SupportPlan:
        """Submit on the first day, then one approval per following day."""
        plan = self.step(plan, PlanAction.SUBMIT, days[0])
        for day, role in zip(days[1:], (Role.SCHOOL_DIRECTOR, Role.MUNICIPALITY_COORDINATOR),
                             strict=False):
            plan = self.step(plan, PlanAction.APPROVE, day, by=self.approver(role))
        return plan

    def review(self, plan: SupportPlan, day: dt.date) -> None:
        progress, next_steps = self.rng.choice(t.REVIEWS)
        day = self.at(day, 14)
        add_review(plan=plan, by=self.manager, reviewed_on=day, progress=progress,
                   next_steps=next_steps,
                   next_review_on=min(day + dt.timedelta(days=35), plan.ends_on))

    def evaluate(self, plan: SupportPlan, day: dt.date, outcome: str) -> None:
        day = self.at(day, 15)
        evaluate_plan(plan=plan, by=self.manager, outcome=outcome, evaluated_on=day,
                      summary=t.EVALUATIONS[outcome])

    # --- delivery --------------------------------------------------------------------------

    def deliver(self, plan: SupportPlan, semester: Semester, first: dt.date, last: dt.date,
                share: float) -> None:
        """Sessions and payments between ``first`` and ``last`` adding up to about ``share``
        of each measure's planned amount."""
        days = [d for d in self.ctx.days(semester)
                if first <= d <= last and plan.starts_on <= d < self.ctx.today]
        if not days:
            return
        measures = list(plan.measures.select_related("measure_type", "provider_user"))
        for measure in measures:
            if measure.measure_type.kind == MeasureKind.COMPENSATION:
                self._payments(measure, days, share)
            else:
                self._sessions(measure, days, share)

    def _sessions(self, measure: PlanMeasure, days: list[dt.date], share: float) -> None:
        minutes = self.rng.choice(_MINUTES.get(measure.measure_type.code, (45,)))
        per_session = (Decimal(minutes) / 60 if measure.unit == MeasureUnit.HOURS
                       else Decimal(1))
        count = max(1, round(float(measure.planned_amount) * share / float(per_session)))
        count = min(count, len(days))
        chosen = [days[round(i * (len(days) - 1) / max(count - 1, 1))] for i in range(count)]
        for day in dict.fromkeys(chosen):
            remote = self.rng.random() < 0.15
            confirmed = self.rng.random() < (0.6 if remote else 0.97)
            self.at(day, 14)
            delivery = log_delivery(
                measure=measure, by=self.manager, delivered_on=day, duration_minutes=minutes,
                mode=DeliveryMode.REMOTE if remote else DeliveryMode.IN_PERSON,
                staff=measure.provider_user, pupil_confirmed=confirmed)
            late = day + dt.timedelta(days=self.rng.choice((1, 3)))
            if remote and not confirmed and self.rng.random() < 0.5 and late < self.ctx.today:
                self.at(late, 8)
                confirm_delivery(delivery=delivery, by=self.manager)

    def _payments(self, measure: PlanMeasure, days: list[dt.date], share: float) -> None:
        """One payment a month (the last school day up to the 20th), with a document number."""
        months: dict[tuple[int, int], dt.date] = {}
        for day in days:
            if day.day <= 20 or (day.year, day.month) not in months:
                months[(day.year, day.month)] = day
        total = (measure.planned_amount * Decimal(str(share))).quantize(Decimal("0.01"))
        if measure.measure_type.code == "learning_items":
            paid_on = [days[min(5, len(days) - 1)]]  # bought once, at the start
        else:
            paid_on = list(months.values())
        each = (total / len(paid_on)).quantize(Decimal("0.01"))
        for day in paid_on:
            if each <= 0:
                break
            day = self.at(day, 12)
            log_delivery(measure=measure, by=self.manager, delivered_on=day, amount_eur=each,
                         document_number=self.ctx.next_document(day))
