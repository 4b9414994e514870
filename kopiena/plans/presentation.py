"""What the plan pages and documents show, in plain words: what happens next, the approval
chain step by step, the status history, the measures with the risks they address and what
was delivered, the delivery log with its flags, the risks found with the notes the reader may
see, and the before/after table of the evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.accounts.roles import Role
from kopiena.cases.access import CaseAccess
from kopiena.cases.models import AssessedRisk, SharedPart, SupportCase
from kopiena.cases.risk_factors import SENSITIVE_GROUPS, RiskGroup
from kopiena.earlywarning.catalogue import LEVEL_RANK
from kopiena.earlywarning.reasons import level_label
from kopiena.plans.access import PlanAccess, approval_chain, step_due
from kopiena.plans.delivery import MeasureProgress, confirmation_overdue, progress
from kopiena.plans.evaluation import ComparedFigure
from kopiena.plans.models import (
    Delivery,
    MeasureKind,
    PlanMeasure,
    PlanStatus,
    PlanTransition,
    SupportPlan,
)
from kopiena.plans.workflow import EDITABLE, TRANSITIONS, PlanAction, allowed_from

S = PlanStatus


def semester_label(plan: SupportPlan) -> str:
    return _("%(year)s, semester %(number)d") % {"year": plan.school_year.name,
                                                 "number": plan.semester}


def status_explanation(plan: SupportPlan) -> str:
    """What the status means and what happens next, in one or two sentences."""
    reason = plan.status_reason or "–"
    if plan.status == S.DRAFT:
        return _("The plan is being written. Add the measures, check that the parent's consent "
                 "is recorded, then send the plan for approval.")
    if plan.status == S.IN_APPROVAL:
        due = step_due(plan)
        return _("The plan waits for the approval of: %(role)s. Once every step of the chain "
                 "has approved it, support can start.") % {
            "role": due.label if due is not None else "–"}
    if plan.status == S.APPROVED:
        return _("The plan is approved. Implementation starts with the first session or payment "
                 "logged, or with “Start implementation”.")
    if plan.status == S.IN_IMPLEMENTATION:
        return _("Support is being delivered. Log every session and payment, review the plan "
                 "during the semester and evaluate it at the end.")
    if plan.status == S.PAUSED:
        return _("Support is paused. Reason: %(reason)s. Resume it when support can continue, "
                 "or revise the plan.") % {"reason": reason}
    if plan.status == S.UNDER_REVISION:
        return _("The plan is being revised. Reason: %(reason)s. Change it, then send it for "
                 "approval again: every step of the chain approves it again.") % {
            "reason": reason}
    if plan.status == S.INACTIVE:
        return _("The plan is not carried out. Reason: %(reason)s. Within the semester it can be "
                 "restarted as a draft.") % {"reason": reason}
    return _("The plan is evaluated and completed.")


# --- approval chain and history --------------------------------------------------------------

@dataclass(frozen=True)
class ChainStep:
    label: str
    state: str  # done, waiting, returned, writing, upcoming
    state_label: str
    who: str = ""
    when: dt.datetime | None = None
    comment: str = ""


STATE_LABELS = {
    "done": gettext_lazy("Approved"), "waiting": gettext_lazy("Waiting"),
    "returned": gettext_lazy("Returned for changes"), "writing": gettext_lazy("Being written"),
    "upcoming": gettext_lazy("Not yet"), "submitted": gettext_lazy("Sent for approval"),
}


def _state(state: str) -> str:
    return str(STATE_LABELS[state])


def chain_steps(plan: SupportPlan, transitions: list[PlanTransition]) -> list[ChainStep]:
    """The author and each approval step of the current round, with its state."""
    chain = approval_chain(plan.school)
    submits = [i for i, t in enumerate(transitions) if t.action == PlanAction.SUBMIT]
    if plan.status in EDITABLE or not submits:
        returned = [t for t in transitions if t.action == PlanAction.RETURN]
        last_return = returned[-1] if returned and plan.status in EDITABLE and (
            not submits or transitions.index(returned[-1]) > submits[-1]) else None
        steps = [ChainStep(_("Author"), "writing", _state("writing"), who=plan.author.full_name)]
        for role in chain:
            if last_return is not None and last_return.acting_role == role:
                steps.append(ChainStep(str(role.label), "returned", _state("returned"),
                                       who=last_return.actor.full_name,
                                       when=last_return.happened_at,
                                       comment=last_return.comment))
            else:
                steps.append(ChainStep(str(role.label), "upcoming", _state("upcoming")))
        return steps
    current = transitions[submits[-1]:]
    submit = current[0]
    approvals = [t for t in current if t.action == PlanAction.APPROVE]
    steps = [ChainStep(_("Author"), "submitted", _state("submitted"), who=submit.actor.full_name,
                       when=submit.happened_at, comment=submit.comment)]
    due = step_due(plan)
    for index, role in enumerate(chain):
        if index < len(approvals):
            t = approvals[index]
            steps.append(ChainStep(str(role.label), "done", _state("done"), who=t.actor.full_name,
                                   when=t.happened_at, comment=t.comment))
        elif due is role and index == plan.approvals_done:
            steps.append(ChainStep(str(role.label), "waiting", _state("waiting")))
        else:
            steps.append(ChainStep(str(role.label), "upcoming", _state("upcoming")))
    return steps


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    role: str
    action: str
    from_status: str
    to_status: str
    comment: str


def _action_label(action: str) -> str:
    if action == "create":
        return _("Drafted")
    if action in PlanAction.__members__.values():
        return str(TRANSITIONS[PlanAction(action)].label)
    return action


def history_rows(transitions: list[PlanTransition]) -> list[HistoryRow]:
    return [HistoryRow(
        when=t.happened_at, who=t.actor.full_name,
        role=str(Role(t.acting_role).label) if t.acting_role in Role.values else "",
        action=_action_label(t.action),
        from_status=str(PlanStatus(t.from_status).label) if t.from_status else "",
        to_status=str(PlanStatus(t.to_status).label), comment=t.comment,
    ) for t in transitions]


@dataclass(frozen=True)
class ActionButton:
    action: str
    label: str
    comment_required: bool
    comment_label: str
    error: str = ""
    typed: str = ""
    secondary: bool = False


def action_buttons(plan: SupportPlan, access: PlanAccess, *, errors: dict[str, str] | None = None,
                   typed: dict[str, str] | None = None) -> list[ActionButton]:
    """The steps the user may take now. Completing goes through the evaluation page."""
    errors, typed = errors or {}, typed or {}
    quiet = {PlanAction.DEACTIVATE, PlanAction.PAUSE, PlanAction.RETURN, PlanAction.REVISE}
    return [ActionButton(
        action=t.action.value, label=str(t.label), comment_required=t.comment_required,
        comment_label=str(t.comment_label or ""), error=errors.get(t.action.value, ""),
        typed=typed.get(t.action.value, ""), secondary=t.action in quiet,
    ) for t in allowed_from(plan.status)
        if t.action is not PlanAction.COMPLETE and access.may(t.action, plan.status)]


# --- risks and measures ----------------------------------------------------------------------

def note_visible(risk: AssessedRisk, case_access: CaseAccess) -> bool:
    """A risk's note is part of the risk assessment; family and health notes are sensitive."""
    if not case_access.sees(SharedPart.RISKS):
        return False
    return risk.group not in SENSITIVE_GROUPS or case_access.view_sensitive


@dataclass
class RiskGroupRows:
    group: str
    label: str
    risks: list[tuple[AssessedRisk, str]] = field(default_factory=list)  # risk, shown note


def risks_by_group(risks: list[AssessedRisk], case_access: CaseAccess) -> list[RiskGroupRows]:
    groups = {value: RiskGroupRows(value, str(label)) for value, label in RiskGroup.choices}
    for risk in risks:
        groups[risk.group].risks.append(
            (risk, risk.note if note_visible(risk, case_access) else ""))
    return [g for g in groups.values() if g.risks]


def plan_risks(case: SupportCase, plan: SupportPlan) -> list[AssessedRisk]:
    """The risks of the case's latest assessment and any others the plan's measures address."""
    latest = case.assessments.order_by("-assessed_on", "-pk").first()
    ids = set(AssessedRisk.objects.filter(measures__plan=plan).values_list("pk", flat=True))
    if latest is not None:
        ids |= set(latest.risks.values_list("pk", flat=True))
    return list(AssessedRisk.objects.filter(pk__in=ids).order_by("group", "pk"))


@dataclass(frozen=True)
class MeasureRow:
    progress: MeasureProgress
    risks: list[AssessedRisk]

    @property
    def measure(self) -> PlanMeasure:
        return self.progress.measure

    @property
    def percent(self) -> int:
        return round(self.progress.share * 100)

    @property
    def is_compensation(self) -> bool:
        return self.measure.measure_type.kind == MeasureKind.COMPENSATION


def measure_rows(plan: SupportPlan) -> list[MeasureRow]:
    return [MeasureRow(progress=p, risks=sorted(p.measure.risks.all(),
                                                key=lambda r: (r.group, r.pk)))
            for p in progress(plan)]


def planned_total_eur(rows: list[MeasureRow]) -> Decimal:
    return sum((r.measure.planned_eur for r in rows), Decimal(0))


@dataclass(frozen=True)
class DeliveryRow:
    delivery: Delivery
    overdue: bool
    may_confirm: bool


def delivery_rows(plan: SupportPlan, access: PlanAccess) -> list[DeliveryRow]:
    deliveries = plan.deliveries.select_related("measure__measure_type", "staff")
    return [DeliveryRow(
        delivery=d, overdue=confirmation_overdue(d),
        may_confirm=bool(d.mode) and d.pupil_confirmed_at is None and access.may_confirm(d),
    ) for d in deliveries]


# --- evaluation ------------------------------------------------------------------------------

PERCENT_KEYS = frozenset({"attendance_rate_30d", "attendance_rate_semester",
                          "behaviour_incident_day_share_30d"})


def shown_figure(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key == "support_level":
        return level_label(str(value))
    if key in PERCENT_KEYS:
        return f"{float(value) * 100:.0f} %"
    return str(value)


def as_of(indicators: dict[str, Any]) -> dt.date | None:
    """The day a frozen set of figures describes."""
    value = indicators.get("as_of")
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ComparedRow:
    label: str
    before: str
    after: str
    change: str  # better, worse, same, unknown
    change_label: str
    arrow: str  # which way the figure moved: ↑ ↓ =


def _direction(f: ComparedFigure) -> str:
    if f.key == "support_level":
        before, after = LEVEL_RANK.get(str(f.before), 0), LEVEL_RANK.get(str(f.after), 0)
    else:
        before, after = f.before, f.after
    if after == before:
        return "="
    return "↑" if after > before else "↓"


def compared_rows(figures: list[ComparedFigure]) -> list[ComparedRow]:
    """The figures before and after with the direction as an arrow and in words (better or
    worse), so that the meaning never rests on colour."""
    rows = []
    for f in figures:
        if f.before is None or f.after is None:
            change, label, arrow = "unknown", _("cannot be compared"), "–"
        else:
            arrow = _direction(f)
            if f.better is None:
                change, label = "same", _("no change")
            elif f.better:
                change, label = "better", _("better")
            else:
                change, label = "worse", _("worse")
        rows.append(ComparedRow(label=f.label, before=shown_figure(f.key, f.before),
                                after=shown_figure(f.key, f.after), change=change,
                                change_label=str(label), arrow=arrow))
    return rows
