"""The statuses of an individual support plan and the transitions between them, as one table
(DOMAIN.md, "Approval chain"): draft → in approval → approved → in implementation; paused
(reason required) and back; under revision, then re-approved at every level; inactive only
when nothing was spent, and a restart within the semester; completed by the evaluation.

Who may take each action is decided in ``kopiena.plans.access``; the change itself is made by
``kopiena.plans.actions.change_status``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kopiena.plans.models import PlanStatus

S = PlanStatus


class PlanAction(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    REVISE = "revise"
    DEACTIVATE = "deactivate"
    REOPEN = "reopen"
    COMPLETE = "complete"


class Actor(enum.Enum):
    EDITOR = "editor"  # the plan's author, the case manager, the school's support team
    APPROVER = "approver"  # the holder of the role of the approval step that is due


@dataclass(frozen=True)
class Transition:
    action: PlanAction
    sources: frozenset[str]
    target: str  # APPROVE may stay IN_APPROVAL until the last step; RETURN may go to revision
    actor: Actor
    label: Promise
    comment_required: bool = False
    comment_label: Promise | None = None


TRANSITIONS: dict[PlanAction, Transition] = {t.action: t for t in (
    Transition(PlanAction.SUBMIT, frozenset({S.DRAFT, S.UNDER_REVISION}), S.IN_APPROVAL,
               Actor.EDITOR, _("Send for approval")),
    Transition(PlanAction.APPROVE, frozenset({S.IN_APPROVAL}), S.APPROVED, Actor.APPROVER,
               _("Approve")),
    Transition(PlanAction.RETURN, frozenset({S.IN_APPROVAL}), S.DRAFT, Actor.APPROVER,
               _("Return for changes"), comment_required=True,
               comment_label=_("What should be changed")),
    Transition(PlanAction.START, frozenset({S.APPROVED}), S.IN_IMPLEMENTATION, Actor.EDITOR,
               _("Start implementation")),
    Transition(PlanAction.PAUSE, frozenset({S.IN_IMPLEMENTATION}), S.PAUSED, Actor.EDITOR,
               _("Pause"), comment_required=True, comment_label=_("Reason for the pause")),
    Transition(PlanAction.RESUME, frozenset({S.PAUSED}), S.IN_IMPLEMENTATION, Actor.EDITOR,
               _("Resume")),
    Transition(PlanAction.REVISE, frozenset({S.APPROVED, S.IN_IMPLEMENTATION, S.PAUSED}),
               S.UNDER_REVISION, Actor.EDITOR, _("Revise the plan"), comment_required=True,
               comment_label=_("What has to change and why")),
    Transition(PlanAction.DEACTIVATE,
               frozenset({S.DRAFT, S.IN_APPROVAL, S.APPROVED, S.PAUSED, S.UNDER_REVISION}),
               S.INACTIVE, Actor.EDITOR, _("Make inactive"), comment_required=True,
               comment_label=_("Why the plan is not carried out")),
    Transition(PlanAction.REOPEN, frozenset({S.INACTIVE}), S.DRAFT, Actor.EDITOR,
               _("Restart as a draft")),
    Transition(PlanAction.COMPLETE, frozenset({S.IN_IMPLEMENTATION, S.PAUSED}), S.COMPLETED,
               Actor.EDITOR, _("Evaluate and complete")),
)}

# Statuses in which the plan's content (goals, measures) may be edited.
EDITABLE = frozenset({S.DRAFT, S.UNDER_REVISION})
# Statuses in which support is delivered and logged.
DELIVERING = frozenset({S.IN_IMPLEMENTATION})
# Statuses that count as "a plan is running" for reviews due and reports.
ACTIVE = frozenset({S.APPROVED, S.IN_IMPLEMENTATION, S.PAUSED, S.UNDER_REVISION})


def allowed_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
