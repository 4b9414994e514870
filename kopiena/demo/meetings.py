"""The demo's support-team meetings, held through the real actions
(``kopiena.conferences.actions``) on the days they happened.

Each school with support cases meets on a fixed weekday: every other month in the previous
school year, every month in the current one, up to today. A meeting discusses two to five of
the school's open cases (fewer while the school has fewer; those not discussed yet first,
then those discussed longest ago), with a short note on each; its decisions are action items with an owner from the school's
support team (or the pupil's class teacher) and a due date. Most decisions due before today
are done, a few are overdue; the last meeting of each school leaves its coordinator work that
is not due yet. Today's overdue reminders are in the owners' inboxes.

Only cases open today can be discussed (the action refuses a closed case), so the meetings of
the previous school year discuss the cases that are still open. Deterministic from the seed;
run inside the demo clock, after the support cases' stories.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from enum import Enum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.calendars.models import Semester
from kopiena.cases.access import visible_cases
from kopiena.cases.models import CaseOrigin, CaseStatus, SupportCase
from kopiena.conferences import actions
from kopiena.conferences.models import ActionItem, CaseConference
from kopiena.demo.case_arcs import Semesters
from kopiena.demo.case_people import SchoolTeam
from kopiena.demo.case_stories import StoryContext
from kopiena.demo.personas import PERSONAS
from kopiena.inbox.reminders import remind_overdue_action_items
from kopiena.plans.models import PlanStatus

MEETING_HOUR = 14
MEETING_WEEKDAYS = (1, 2, 3)  # Tuesday to Thursday
WEEK_OF_MONTH = 2  # the third such weekday of the month (0-based), or the last one
MIN_DISCUSSED, MAX_DISCUSSED = 2, 5
DUE_AFTER_DAYS = (7, 14, 14, 21, 28)
DONE_SHARE = 0.85  # of the decisions due before today
EARLY_SHARE = 0.2  # of the decisions due later, done already
GENERAL_SHARE = 0.3  # meetings with a decision about no single case
OVERDUE_AT_MOST_DAYS = 60  # decisions due longer ago are done (but the coordinator's one)

_NOT_APPROVED = frozenset({PlanStatus.DRAFT, PlanStatus.IN_APPROVAL})
# The walk-through's class teachers find only their own work in the inbox.
_PERSONA_EMAILS = frozenset(p.email for p in PERSONAS if p.role is Role.CLASS_TEACHER)

MONTHS = ("janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs",
          "augusts", "septembris", "oktobris", "novembris", "decembris")


class Owner(Enum):
    COORDINATOR = "coordinator"
    DIRECTOR = "director"
    PSYCHOLOGIST = "psychologist"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    SPECIAL_PEDAGOGUE = "special_pedagogue"
    CLASS_TEACHER = "class_teacher"


_SPECIALIST_ROLE = {Owner.PSYCHOLOGIST: Role.PSYCHOLOGIST,
                    Owner.SOCIAL_PEDAGOGUE: Role.SOCIAL_PEDAGOGUE,
                    Owner.SPECIAL_PEDAGOGUE: Role.SPECIAL_PEDAGOGUE}

AGENDA = ("1. Jaunās atbalsta lietas\n2. Atbalsta plānu īstenošana\n"
          "3. Iepriekšējās sanāksmes uzdevumu izpilde\n4. Dažādi")
AGENDA_BY_MONTH = {
    9: "1. Mācību gada sākums: atbalsta lietu pārskats\n2. Jaunās atbalsta lietas\n"
       "3. Atbalsta pasākumu grafiks semestrim\n4. Dažādi",
    1: "1. Semestra vērtējumi un kavējumi\n2. Atbalsta plāni otrajam semestrim\n"
       "3. Iepriekšējās sanāksmes uzdevumu izpilde\n4. Dažādi",
    5: "1. Mācību gada noslēgums: atbalsta plānu izvērtēšana\n2. Atbalsts vasarā un "
       "nākamajā mācību gadā\n3. Iepriekšējās sanāksmes uzdevumu izpilde",
}
OTHER_PARTICIPANTS = ("Sociālā dienesta darbiniece (pēc uzaicinājuma)", "Skolas medmāsa",
                      "Jaunatnes darbinieks")

# What the team said the first time, by where the case came from.
FIRST_DISCUSSIONS: dict[str, tuple[str, ...]] = {
    CaseOrigin.FLAG: (
        "Jauna lieta pēc sistēmas brīdinājuma. Kavējumi pieauguši kopš semestra sākuma; klases "
        "audzinātājs sazinājies ar ģimeni. Vienojās izvērtēt riskus kopā ar vecākiem un "
        "sagatavot atbalsta plānu.",
        "Jauna lieta pēc sistēmas brīdinājuma. Nepietiekami vērtējumi matemātikā un latviešu "
        "valodā; skolēns pats atzīst, ka vielu nesaprot. Vajadzīgas priekšmeta konsultācijas.",
    ),
    CaseOrigin.TEACHER_REFERRAL: (
        "Klases audzinātāja nosūtījums. Bieži kavē pirmās stundas, iemesli vēl nav skaidri. "
        "Sociālais pedagogs runās ar skolēnu un ģimeni.",
        "Klases audzinātāja nosūtījums: konflikti ar klasesbiedriem, nepilda mājas darbus. "
        "Psihologs tiksies ar skolēnu, koordinators – ar vecākiem.",
    ),
    CaseOrigin.PARENT_REQUEST: (
        "Jauna lieta pēc vecāku lūguma. Skolēns noslēdzies, izvairās no darba grupās. Skolas "
        "psihologs sāks ar sarunu, pēc tam lems par konsultācijām.",
        "Vecāki lūdz atbalstu mācībās, mājās palīdzēt nevar. Vienojās par priekšmeta "
        "konsultācijām un sarunu ar ģimeni par plānu.",
    ),
}
# Later, while no plan runs yet, and while one runs.
BEFORE_PLAN_DISCUSSIONS = (
    "Risku izvērtējums pabeigts kopā ar ģimeni; atbalsta plāna projekts top, pasākumi "
    "jāsaskaņo ar māti.",
    "Ģimene nav atbildējusi uz uzaicinājumiem. Ja kontakts netiks atjaunots līdz nākamajai "
    "sanāksmei, iesaistīt sociālo dienestu.",
    "Atbalsta plāns gaida apstiprināšanu; pasākumi saskaņoti ar vecākiem. Līdz "
    "apstiprināšanai turpināt sarunas skolā.",
)
PLAN_DISCUSSIONS = (
    "Plāns tiek īstenots. Kavējumu mazāk nekā iepriekšējā mēnesī, konsultācijas apmeklē "
    "regulāri. Turpināt esošos pasākumus.",
    "Konsultācijas apmeklētas neregulāri; vērtējumi nav uzlabojušies. Jāpārrunā ar ģimeni un "
    "jāpārskata pasākumi.",
    "Skolotāji ziņo, ka stundās strādā labāk un pilda mājas darbus. Atbalsts turpinās; "
    "nākamajā sanāksmē izvērtēt, vai to var samazināt.",
    "Vērtējumi matemātikā uzlabojušies, latviešu valodā joprojām grūtības. Plāna pārskatā "
    "paredzēt papildu konsultācijas.",
)
FIRST_DECISIONS: tuple[tuple[Owner, str], ...] = (
    (Owner.COORDINATOR, "Uzaicināt vecākus uz sarunu un izvērtēt riskus kopā ar ģimeni."),
    (Owner.COORDINATOR, "Sagatavot atbalsta plāna projektu un saskaņot to ar ģimeni."),
    (Owner.PSYCHOLOGIST, "Tikties ar skolēnu un sniegt ieteikumus skolotājiem."),
    (Owner.SOCIAL_PEDAGOGUE, "Noskaidrot neattaisnoto kavējumu iemeslus un informēt komandu."),
    (Owner.SPECIAL_PEDAGOGUE, "Izvērtēt mācīšanās grūtības latviešu valodā un matemātikā."),
    (Owner.CLASS_TEACHER, "Vienoties ar priekšmetu skolotājiem par nokavēto pārbaudes darbu "
                          "kārtošanu."),
)
FOLLOW_UP_DECISIONS: tuple[tuple[Owner, str], ...] = (
    (Owner.COORDINATOR, "Pārskatīt atbalsta plāna pasākumus un iesniegt apstiprināšanai."),
    (Owner.COORDINATOR, "Sarunāt tikšanos ar vecākiem par plāna izpildi."),
    (Owner.PSYCHOLOGIST, "Turpināt individuālās konsultācijas un ziņot par izmaiņām."),
    (Owner.SOCIAL_PEDAGOGUE, "Sazināties ar sociālo dienestu par ģimenes atbalstu."),
    (Owner.CLASS_TEACHER, "Katru nedēļu pārbaudīt apmeklējumu un ziņot atbalsta komandai par "
                          "kavējumiem."),
    (Owner.DIRECTOR, "Rakstīt vecākiem par obligātās izglītības prasībām un kavējumiem."),
)
GENERAL_DECISIONS: tuple[tuple[Owner, str], ...] = (
    (Owner.COORDINATOR, "Atjaunot atbalsta pasākumu grafiku un informēt klašu audzinātājus."),
    (Owner.PSYCHOLOGIST, "Sagatavot klašu audzinātājiem atgādni par agrīnajām pazīmēm."),
    (Owner.DIRECTOR, "Saskaņot ar pašvaldību kompensāciju izmaksas kārtību."),
)
LAST_DECISION = (Owner.COORDINATOR, "Sagatavot direktorei pārskatu par atbalsta plānu "
                                    "īstenošanu semestrī.")
MINUTES_CLOSINGS = ("Nākamā sanāksme – nākamajā mēnesī.",
                    "Lēmumus klašu audzinātājiem nosūta e-klasē.",
                    "Iepriekšējās sanāksmes uzdevumi pārrunāti; neizpildītie pārcelti.")


@dataclass
class _Decision:
    item: ActionItem
    held_on: dt.date
    keep_open: bool = False


@dataclass
class _School:
    """One school's meetings as they are held: who was discussed when."""

    team: SchoolTeam
    cases: list[SupportCase]
    last_discussed: dict[int, dt.date] = field(default_factory=dict)
    last_note: dict[int, str] = field(default_factory=dict)  # by case
    decided: dict[int, set[str]] = field(default_factory=dict)  # decisions taken, by case
    decisions: list[_Decision] = field(default_factory=list)


def hold_meetings(ctx: StoryContext, semesters: Semesters, seed: int,
                  problems: list[str]) -> int:
    """Hold every school's meetings; returns how many were held. A meeting the rules refuse
    is left out and named in ``problems``."""
    rng = random.Random(f"meetings:{seed}")
    held = 0
    for team in sorted(ctx.people.teams.values(), key=lambda t: t.school.pk):
        cases = list(visible_cases(team.coordinator).filter(
            school=team.school, status=CaseStatus.OPEN).select_related(
            "pupil__school_class").prefetch_related("plans").order_by("opened_on", "pk"))
        if not cases:
            continue
        school = _School(team=team, cases=cases)
        days = meeting_days(ctx, semesters, rng.choice(MEETING_WEEKDAYS))
        for number, day in enumerate(days):
            decided = len(school.decisions)
            try:
                with transaction.atomic():
                    held += _meeting(ctx, rng, school, day, last=number == len(days) - 1)
            except (ValidationError, PermissionDenied) as error:
                del school.decisions[decided:]  # rolled back with the meeting
                problems.append(f"{team.school.name} {day}: {error}")
        _complete(ctx, rng, school, problems)
    return held


def meeting_days(ctx: StoryContext, semesters: Semesters, weekday: int) -> list[dt.date]:
    """The school days the support team meets, before today: every other month of the
    previous school year, every month of the current one."""
    previous, current = semesters.first.school_year, semesters.current.school_year
    days: list[dt.date] = []
    for semester in Semester.objects.filter(
            school_year__in=[previous, current], starts_on__lt=ctx.today).order_by("starts_on"):
        step = 2 if semester.school_year_id == previous.pk else 1
        school_days = [d for d in ctx.days(semester) if d < ctx.today]
        months = sorted({(d.year, d.month) for d in school_days})
        for year, month in months[::step]:
            candidates = [d for d in school_days
                          if (d.year, d.month) == (year, month) and d.weekday() == weekday]
            if candidates:
                days.append(candidates[min(WEEK_OF_MONTH, len(candidates) - 1)])
    return days


def _meeting(ctx: StoryContext, rng: random.Random, school: _School, day: dt.date, *,
             last: bool) -> int:
    team = school.team
    chosen = _cases_to_discuss(rng, school, day)
    if not chosen:
        return 0
    ctx.clock.set(day, MEETING_HOUR)
    conference = actions.create_conference(
        school=team.school, held_on=day, by=team.coordinator,
        title=f"Atbalsta komandas sanāksme, {day.year}. gada {MONTHS[day.month - 1]}",
        agenda=AGENDA_BY_MONTH.get(day.month, AGENDA),
        participants=_participants(rng, team, chosen),
        other_participants=rng.choice(OTHER_PARTICIPANTS) if rng.random() < 0.25 else "")
    minute = 0
    for case in chosen:
        minute += 10
        ctx.clock.set(day, MEETING_HOUR, minute)
        first = case.pk not in school.last_discussed
        actions.add_case(conference=conference, case=case, by=team.coordinator,
                         discussion=_discussion(rng, school, case, day, first=first))
        school.last_discussed[case.pk] = day
        pool = [(owner, text) for owner, text in (FIRST_DECISIONS if first
                                                  else FOLLOW_UP_DECISIONS)
                if text not in school.decided.get(case.pk, set())]
        count = min(len(pool), rng.choices((0, 1, 2), (2, 6, 2))[0])
        for owner, text in rng.sample(pool, count):
            _decide(rng, school, conference, text, owner, case)
    general = [LAST_DECISION] if last else (
        [rng.choice(GENERAL_DECISIONS)] if rng.random() < GENERAL_SHARE else [])
    if not any(d.item.conference_id == conference.pk for d in school.decisions):
        general = general or [rng.choice(GENERAL_DECISIONS)]
    for owner, text in general:
        # The last meeting's report is due at the semester's end: work the coordinator has
        # ahead.
        due = (max(day + dt.timedelta(days=21), ctx.today + dt.timedelta(days=10)) if last
               else None)
        _decide(rng, school, conference, text, owner, None, due_on=due).keep_open = last
    ctx.clock.set(day, MEETING_HOUR + 1, 30)
    actions.save_minutes(conference=conference, version=conference.version, by=team.coordinator,
                         minutes=_minutes(rng, team, len(chosen)))
    return 1


def _cases_to_discuss(rng: random.Random, school: _School, day: dt.date) -> list[SupportCase]:
    """Cases open before the meeting: those not discussed yet first, then those discussed
    longest ago."""
    open_then = [c for c in school.cases if c.opened_on < day]
    rng.shuffle(open_then)
    open_then.sort(key=lambda c: school.last_discussed.get(c.pk, dt.date.min))
    wanted = rng.randint(MIN_DISCUSSED, MAX_DISCUSSED)
    return sorted(open_then[:wanted], key=lambda c: (c.pupil.last_name, c.pupil.first_name))


def _plan_runs(case: SupportCase, day: dt.date) -> bool:
    """Whether an approved plan of the case covered ``day``."""
    return any(plan.starts_on <= day <= plan.ends_on and plan.status not in _NOT_APPROVED
               for plan in case.plans.all())


def _discussion(rng: random.Random, school: _School, case: SupportCase, day: dt.date, *,
                first: bool) -> str:
    """A note on the case, never the same as the last one about it."""
    if first:
        pool = FIRST_DISCUSSIONS.get(case.origin, FIRST_DISCUSSIONS[CaseOrigin.FLAG])
    else:
        pool = PLAN_DISCUSSIONS if _plan_runs(case, day) else BEFORE_PLAN_DISCUSSIONS
    text = rng.choice([t for t in pool if t != school.last_note.get(case.pk)] or list(pool))
    school.last_note[case.pk] = text
    return text


def _participants(rng: random.Random, team: SchoolTeam,
                  cases: list[SupportCase]) -> list[User]:
    people = [team.coordinator]
    if team.director is not None and rng.random() < 0.8:
        people.append(team.director)
    for role, share in ((Role.PSYCHOLOGIST, 0.9), (Role.SOCIAL_PEDAGOGUE, 0.7),
                        (Role.SPECIAL_PEDAGOGUE, 0.5)):
        specialist = team.specialist(role)
        if specialist is not None and rng.random() < share:
            people.append(specialist)
    for case in cases:
        teacher = team.class_teachers.get(case.pupil.school_class_id or 0)
        if teacher is not None and teacher not in people:
            people.append(teacher)
    return people


def _owner(team: SchoolTeam, owner: Owner, case: SupportCase | None) -> User:
    person: User | None = None
    if owner is Owner.DIRECTOR:
        person = team.director
    elif owner is Owner.CLASS_TEACHER and case is not None:
        person = team.class_teachers.get(case.pupil.school_class_id or 0)
        if person is not None and person.email in _PERSONA_EMAILS:
            person = None
    elif owner in _SPECIALIST_ROLE:
        person = team.specialist(_SPECIALIST_ROLE[owner])
    return person or team.coordinator


def _decide(rng: random.Random, school: _School, conference: CaseConference, text: str,
            owner: Owner, case: SupportCase | None, *,
            due_on: dt.date | None = None) -> _Decision:
    item = actions.add_action_item(
        conference=conference, description=text, owner=_owner(school.team, owner, case),
        due_on=due_on or conference.held_on + dt.timedelta(days=rng.choice(DUE_AFTER_DAYS)),
        case=case, by=school.team.coordinator)
    if case is not None:
        school.decided.setdefault(case.pk, set()).add(text)
    decision = _Decision(item=item, held_on=conference.held_on)
    school.decisions.append(decision)
    return decision


def _minutes(rng: random.Random, team: SchoolTeam, discussed: int) -> str:
    lines = [f"Sanāksmi vadīja {team.coordinator.full_name}.",
             f"Pārrunāto atbalsta lietu skaits: {discussed}. Pie katras lietas ierakstīts, kas "
             "pārrunāts; lēmumi ar atbildīgajiem un termiņiem – sadaļā par lēmumiem.",
             rng.choice(MINUTES_CLOSINGS)]
    return "\n".join(lines)


def _complete(ctx: StoryContext, rng: random.Random, school: _School,
              problems: list[str]) -> None:
    """Decisions due long ago are done, most of the recent ones too, some of those due
    later already; the coordinator has at least one overdue."""
    yesterday = ctx.today - dt.timedelta(days=1)
    recent = ctx.today - dt.timedelta(days=OVERDUE_AT_MOST_DAYS)
    for decision in school.decisions:
        due = decision.item.due_on
        if due < recent:
            continue
        if due < ctx.today:
            decision.keep_open = decision.keep_open or rng.random() > DONE_SHARE
        else:
            decision.keep_open = decision.keep_open or rng.random() > EARLY_SHARE
    own_overdue = [d for d in school.decisions if d.item.due_on < ctx.today
                   and d.item.owner_id == school.team.coordinator.pk]
    if own_overdue and not any(d.keep_open for d in own_overdue):
        max(own_overdue, key=lambda d: (d.item.due_on, d.item.pk)).keep_open = True
    for decision in school.decisions:
        first = decision.held_on + dt.timedelta(days=1)
        if decision.keep_open or first > yesterday:
            continue
        latest = min(decision.item.due_on + dt.timedelta(days=3), yesterday)
        spread = max(0, (latest - first).days)
        day = _working_day(first + dt.timedelta(days=rng.randint(0, spread)), first)
        ctx.clock.set(day, 15, rng.randrange(60))
        try:
            with transaction.atomic():
                actions.complete_action_item(item=decision.item, by=decision.item.owner,
                                             done_on=day)
        except (ValidationError, PermissionDenied) as error:
            problems.append(f"{school.team.school.name} {decision.item}: {error}")


def _working_day(day: dt.date, earliest: dt.date) -> dt.date:
    """The Friday before a weekend day (unless that precedes ``earliest``)."""
    friday = day - dt.timedelta(days=max(0, day.weekday() - 4))
    return friday if friday >= earliest else day


def remind_overdue(today: dt.date) -> int:
    """Today's run of the daily reminder of overdue action items (outside the demo clock)."""
    with translation.override(settings.LANGUAGE_CODE):
        return remind_overdue_action_items(today, set())
