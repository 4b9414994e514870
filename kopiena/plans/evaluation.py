"""Reviews during the semester and the end-of-semester evaluation, with the pupil's
indicators before and after the plan side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.accounts.models import User
from kopiena.cases.actions import record_event
from kopiena.cases.models import EventKind
from kopiena.earlywarning.rules import evaluate
from kopiena.plans.actions import change_status, create_plan
from kopiena.plans.models import Outcome, PlanEvaluation, PlanReview, SupportPlan
from kopiena.plans.workflow import PlanAction

# The figures compared before and after, with their labels and which direction is better.
COMPARED: tuple[tuple[str, Any, bool], ...] = (
    ("attendance_rate_30d", gettext_lazy("Attendance, last 30 school days"), True),
    ("attendance_rate_semester", gettext_lazy("Attendance, semester"), True),
    ("unexcused_lessons_semester", gettext_lazy("Unexcused lessons, semester"), False),
    ("insufficient_results_30d", gettext_lazy("Insufficient results, last 30 days"), False),
    ("behaviour_incident_day_share_30d",
     gettext_lazy("Days with a behaviour incident, last 30 school days"), False),
    ("support_level", gettext_lazy("Support level"), False),
)


def indicator_snapshot(pupil_id: int, as_of: dt.date) -> dict[str, Any]:
    """The compared figures of one pupil as of a date ({} when not enrolled then)."""
    found = evaluate(as_of=as_of, pupil_ids=[pupil_id])
    if not found:
        return {}
    figures = found[0].as_dict()
    return {
        "as_of": as_of.isoformat(),
        "attendance_rate_30d": figures["attendance_rate_30d"],
        "attendance_rate_semester": figures["attendance_rate_semester"],
        "unexcused_lessons_semester": figures["unexcused_lessons_semester"],
        "insufficient_results_30d": figures["insufficient_results_30d"],
        "behaviour_incident_day_share_30d": figures["behaviour_incident_day_share_30d"],
        "support_level": found[0].assessment.level if found[0].assessment else None,
    }


@dataclass(frozen=True)
class ComparedFigure:
    key: str
    label: str
    before: Any
    after: Any
    better: bool | None  # None when the figures cannot be compared


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[ComparedFigure]:
    from kopiena.earlywarning.catalogue import LEVEL_RANK

    rows = []
    for key, label, higher_is_better in COMPARED:
        b, a = before.get(key), after.get(key)
        if b is None or a is None:
            better = None
        elif key == "support_level":
            better = None if LEVEL_RANK[a] == LEVEL_RANK[b] else LEVEL_RANK[a] < LEVEL_RANK[b]
        elif a == b:
            better = None
        else:
            better = (a > b) == higher_is_better
        rows.append(ComparedFigure(key, str(label), b, a, better))
    return rows


@transaction.atomic
def add_review(*, plan: SupportPlan, by: User, reviewed_on: dt.date, progress: str,
               next_steps: str = "", next_review_on: dt.date | None = None) -> PlanReview:
    if not progress.strip():
        raise ValidationError({"progress": _("Write how the support is going.")})
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The date cannot be in the future.")})
    review = PlanReview.objects.create(plan=plan, reviewed_on=reviewed_on, reviewed_by=by,
                                       progress=progress.strip(), next_steps=next_steps.strip())
    SupportPlan.objects.filter(pk=plan.pk).update(next_review_on=next_review_on)
    record_event(plan.case, kind=EventKind.PLAN, actor=by,
                 summary=_("Plan %(code)s reviewed") % {"code": plan.code})
    return review


@transaction.atomic
def evaluate_plan(*, plan: SupportPlan, by: User, outcome: str, summary: str,
                  evaluated_on: dt.date | None = None) -> PlanEvaluation:
    """Complete the plan with its outcome. The indicators of the day before the plan started
    and of the evaluation day are frozen on the evaluation."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the plan.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write what the support achieved.")})
    day = evaluated_on or timezone.localdate()
    if day < plan.starts_on:
        raise ValidationError({"evaluated_on": _("The evaluation cannot precede the plan.")})
    plan = change_status(plan=plan, action=PlanAction.COMPLETE, by=by, comment=summary,
                         _from_evaluation=True)
    evaluation = PlanEvaluation.objects.create(
        plan=plan, evaluated_on=day, evaluated_by=by, outcome=outcome, summary=summary.strip(),
        indicators_before=indicator_snapshot(plan.pupil_id, plan.starts_on - dt.timedelta(days=1)),
        indicators_after=indicator_snapshot(plan.pupil_id, min(day, plan.ends_on)),
    )
    record_event(plan.case, kind=EventKind.PLAN, actor=by,
                 summary=_("Plan %(code)s evaluated: %(outcome)s") % {
                     "code": plan.code, "outcome": Outcome(outcome).label})
    return evaluation


def continue_support(*, plan: SupportPlan, by: User) -> SupportPlan | None:
    """The next semester's draft, prefilled from ``plan`` (outcome "support continues")."""
    from kopiena.calendars.models import Semester

    following = (Semester.objects.filter(starts_on__gt=plan.ends_on).order_by("starts_on")
                 .select_related("school_year").first())
    if following is None:
        return None
    return create_plan(case=plan.case, author=by, goals=plan.goals, semester=following,
                       pupil_commitment=plan.pupil_commitment, previous=plan)
