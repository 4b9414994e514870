"""Writing and approving individual support plans. Each function is one transaction; status
changes go through :func:`change_status` and the table in ``kopiena.plans.workflow``.

Delivery and evaluation live in ``kopiena.plans.delivery`` and ``kopiena.plans.evaluation``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.calendars.models import Semester
from kopiena.cases.actions import active_consent, record_event, share_with_municipality
from kopiena.cases.models import AssessedRisk, CaseStatus, ConsentScope, EventKind, SupportCase
from kopiena.inbox.actions import notify
from kopiena.inbox.models import NotificationKind
from kopiena.organisations.models import Organisation
from kopiena.plans.access import approval_chain, approvers, plan_access, step_due
from kopiena.plans.models import (
    FundingSource,
    MeasureKind,
    MeasureType,
    PlanMeasure,
    PlanStatus,
    PlanTransition,
    SupportPlan,
)
from kopiena.plans.workflow import EDITABLE, TRANSITIONS, PlanAction


class ConcurrentEdit(ValidationError):
    """Someone else saved the plan since the form was opened."""


def plan_url(plan: SupportPlan) -> str:
    return reverse("plans:detail", args=[plan.pk])


def semester_of(day: dt.date) -> Semester | None:
    """The semester ``day`` falls in, or the next one when it falls in a break."""
    current = Semester.objects.filter(starts_on__lte=day, ends_on__gte=day).first()
    return current or Semester.objects.filter(starts_on__gt=day).order_by("starts_on").first()


def next_plan_code(school: Organisation, semester: Semester) -> str:
    """IAP-<school registration code>-<years>-<semester>-<sequence>, e.g.
    IAP-4311900001-2526-1-0007: unique and readable on paper."""
    years = semester.school_year.name.replace("/", "")[-4:]
    prefix = f"IAP-{school.registration_code}-{years}-{semester.number}-"
    taken = SupportPlan.objects.filter(code__startswith=prefix).count()
    while True:
        taken += 1
        code = f"{prefix}{taken:04d}"
        if not SupportPlan.objects.filter(code=code).exists():
            return code


@transaction.atomic
def create_plan(*, case: SupportCase, author: User, goals: str, semester: Semester,
                pupil_commitment: str = "", previous: SupportPlan | None = None,
                starts_on: dt.date | None = None) -> SupportPlan:
    """A new draft plan for the semester, from ``starts_on`` (default: today, or the
    semester's first day for a continued plan). With ``previous``, the measures are copied
    from it (support continues) and linked to the same risks."""
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is closed."))
    if not goals.strip():
        raise ValidationError({"goals": _("Write the goals of the plan.")})
    if starts_on is not None and not semester.starts_on <= starts_on <= semester.ends_on:
        raise ValidationError({"starts_on": _("The plan must start within the semester.")})
    if SupportPlan.objects.filter(pupil=case.pupil, school_year=semester.school_year,
                                  semester=semester.number).exists():
        raise ValidationError(_("The pupil already has a support plan for this semester."))
    if previous is None and not case.assessments.exists():
        raise ValidationError(_("Assess the pupil's risks first: every measure of the plan is "
                                "linked to the risks it addresses."))
    plan = SupportPlan.objects.create(
        case=case, pupil=case.pupil, school=case.school, school_year=semester.school_year,
        semester=semester.number, code=next_plan_code(case.school, semester), author=author,
        goals=goals.strip(), pupil_commitment=pupil_commitment.strip(),
        starts_on=starts_on or (max(semester.starts_on, timezone.localdate())
                                if previous is None else semester.starts_on),
        ends_on=semester.ends_on, previous_plan=previous,
    )
    if previous is not None:
        for old in previous.measures.prefetch_related("risks"):
            risks = list(old.risks.all())
            old.pk = None
            old.plan = plan
            # The prefetched risks belong to the old row: without this, set() would take them
            # for the new row's and add nothing.
            old._prefetched_objects_cache = {}  # type: ignore[attr-defined]
            old.save()
            old.risks.set(risks)
    PlanTransition.objects.create(plan=plan, from_status="", to_status=PlanStatus.DRAFT,
                                  action="create", actor=author)
    record_event(case, kind=EventKind.PLAN, actor=author,
                 summary=_("Support plan %(code)s drafted") % {"code": plan.code})
    return plan


def _check_version(plan: SupportPlan, version: int) -> None:
    if plan.version != version:
        raise ConcurrentEdit(_("Someone else changed this plan while you were editing it. "
                               "Your text is kept below; compare it with the saved plan and "
                               "save again."))


@transaction.atomic
def update_plan(*, plan: SupportPlan, by: User, version: int, goals: str,
                pupil_commitment: str, pupil_agreed: bool,
                next_review_on: dt.date | None) -> SupportPlan:
    """Change the plan's text. ``version`` is the one the form was opened with."""
    locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    _check_version(locked, version)
    if locked.status not in EDITABLE and (goals.strip() != locked.goals):
        raise ValidationError(_("An approved plan is changed through a revision."))
    if not goals.strip():
        raise ValidationError({"goals": _("Write the goals of the plan.")})
    if next_review_on is not None and not (locked.starts_on <= next_review_on <= locked.ends_on):
        raise ValidationError({"next_review_on": _("The review must fall within the plan's "
                                                   "semester.")})
    SupportPlan.objects.filter(pk=plan.pk).update(
        goals=goals.strip(), pupil_commitment=pupil_commitment.strip(), pupil_agreed=pupil_agreed,
        next_review_on=next_review_on, version=F("version") + 1, updated_at=timezone.now())
    plan.refresh_from_db()
    return plan


def _require_editable(plan: SupportPlan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(_("Measures can be changed while the plan is a draft or under "
                                "revision."))


@transaction.atomic
def add_measure(*, plan: SupportPlan, by: User, measure_type: MeasureType,
                risk_ids: Iterable[int], justification: str, planned_amount: Decimal,
                provider_user: User | None = None,
                provider_organisation: Organisation | None = None, schedule: str = "",
                subject: str = "", funding_source: str = FundingSource.ESF_SKOLA_KOPIENA,
                ) -> PlanMeasure:
    _require_editable(plan)
    risks = list(AssessedRisk.objects.filter(pk__in=list(risk_ids),
                                             assessment__case_id=plan.case_id))
    errors: dict[str, str] = {}
    if not risks:
        errors["risks"] = _("Link the measure to at least one of the assessed risks.")
    if not justification.strip():
        errors["justification"] = _("Write why this measure addresses these risks.")
    if planned_amount is None or planned_amount <= 0:
        errors["planned_amount"] = _("Plan an amount greater than zero.")
    if measure_type.kind != MeasureKind.COMPENSATION and provider_user is None and (
            provider_organisation is None):
        errors["provider_user"] = _("Choose who provides the measure.")
    if measure_type.min_pupil_age and plan.pupil.age_on(plan.starts_on) < (
            measure_type.min_pupil_age):
        errors["measure_type"] = _("This measure is for pupils aged %(age)d and over.") % {
            "age": measure_type.min_pupil_age}
    if funding_source not in FundingSource.values:
        errors["funding_source"] = _("Choose where the money comes from.")
    if errors:
        raise ValidationError(errors)
    measure = PlanMeasure.objects.create(
        plan=plan, measure_type=measure_type, justification=justification.strip(),
        planned_amount=planned_amount, unit=measure_type.unit,
        unit_cost_eur=measure_type.unit_cost_eur, provider_user=provider_user,
        provider_organisation=provider_organisation, schedule=schedule.strip(),
        subject=subject.strip(), funding_source=funding_source)
    measure.risks.set(risks)
    SupportPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
    return measure


@transaction.atomic
def remove_measure(*, measure: PlanMeasure, by: User) -> None:
    _require_editable(measure.plan)
    if measure.deliveries.exists():
        raise ValidationError(_("Support was already delivered under this measure; it stays "
                                "in the plan."))
    measure.delete()
    SupportPlan.objects.filter(pk=measure.plan_id).update(version=F("version") + 1)


def nothing_spent(plan: SupportPlan) -> bool:
    return not plan.deliveries.exists()


def _acting_role(user: User, plan: SupportPlan) -> str:
    due = step_due(plan)
    if due is not None:
        return due.value
    for m in user.active_memberships():
        if m.organisation_id == plan.school_id:
            return str(m.role)
    return ""


def _check_rules(plan: SupportPlan, action: PlanAction, comment: str) -> None:
    transition = TRANSITIONS[action]
    if plan.status not in transition.sources:
        raise ValidationError(
            _("A plan that is “%(status)s” cannot be changed with “%(action)s”.") % {
                "status": PlanStatus(plan.status).label, "action": transition.label})
    if transition.comment_required and not comment.strip():
        raise ValidationError({"comment": str(transition.comment_label)})
    if action is PlanAction.SUBMIT:
        if not plan.measures.exists():
            raise ValidationError(_("Add at least one measure before sending the plan for "
                                    "approval."))
        if active_consent(plan.case, ConsentScope.SUPPORT_PLAN) is None:
            raise ValidationError(_("The parent's (or adult pupil's) consent to the support "
                                    "plan is not recorded. Record it before sending the plan "
                                    "for approval."))
    if action is PlanAction.APPROVE and active_consent(plan.case, ConsentScope.SUPPORT_PLAN) is None:
        raise ValidationError(_("The consent was withdrawn: the plan cannot be approved."))
    if action is PlanAction.DEACTIVATE and not nothing_spent(plan):
        raise ValidationError(_("Support was already delivered under this plan, so it cannot "
                                "become inactive. Pause it, or evaluate and complete it."))
    if action is PlanAction.REOPEN and timezone.localdate() > plan.ends_on:
        raise ValidationError(_("The semester of this plan is over; write a new plan."))
    if action is PlanAction.COMPLETE:
        raise ValidationError(_("A plan is completed by its evaluation."))


@transaction.atomic
def change_status(*, plan: SupportPlan, action: PlanAction, by: User, comment: str = "",
                  at: dt.datetime | None = None, _from_evaluation: bool = False,
                  _from_delivery: bool = False) -> SupportPlan:
    """Take one step of the plan's life. Refuses, with a message in the user's language, an
    action that the table does not allow from the plan's status, or that ``by`` may not take.
    The first session logged by a measure's provider starts implementation (``_from_delivery``)
    even when the provider may not take the other steps."""
    plan = SupportPlan.objects.select_for_update(of=("self",)).select_related(
        "case__pupil", "school__parent").get(pk=plan.pk)
    access = plan_access(by, plan)
    started_by_provider = _from_delivery and action is PlanAction.START and access.log_delivery
    if not access.may(action, plan.status) and not started_by_provider:
        if plan.status not in TRANSITIONS[action].sources:
            _check_rules(plan, action, comment)  # raises the message about the status
        raise PermissionDenied(_("You may not do this with this plan."))
    if not (_from_evaluation and action is PlanAction.COMPLETE):
        _check_rules(plan, action, comment)
    source = plan.status
    role = _acting_role(by, plan)
    target = TRANSITIONS[action].target
    if action is PlanAction.SUBMIT:
        plan.approval_round += 1
        plan.approvals_done = 0
        if not approval_chain(plan.school):
            target = PlanStatus.APPROVED
    elif action is PlanAction.APPROVE:
        plan.approvals_done += 1
        if plan.approvals_done < len(approval_chain(plan.school)):
            target = PlanStatus.IN_APPROVAL
    elif action is PlanAction.RETURN:
        target = PlanStatus.UNDER_REVISION if plan.approval_round > 1 else PlanStatus.DRAFT
        plan.approvals_done = 0
    if action in (PlanAction.PAUSE, PlanAction.REVISE, PlanAction.DEACTIVATE):
        plan.status_reason = comment.strip()
    elif action in (PlanAction.RESUME, PlanAction.REOPEN):
        plan.status_reason = ""
    plan.status = target
    plan.version += 1
    plan.save(update_fields=["status", "approval_round", "approvals_done", "status_reason",
                             "version", "updated_at"])
    PlanTransition.objects.create(plan=plan, from_status=source, to_status=target,
                                  action=action.value, actor=by, acting_role=role,
                                  comment=comment.strip(), happened_at=at or timezone.now())
    summary = _("Plan %(code)s: %(action)s") % {"code": plan.code,
                                                "action": TRANSITIONS[action].label}
    record_event(plan.case, kind=EventKind.PLAN, actor=by,
                 summary=f"{summary}. {comment.strip()}" if comment.strip() else summary)
    _after_transition(plan, action, by)
    return plan


def _after_transition(plan: SupportPlan, action: PlanAction, by: User) -> None:
    due = step_due(plan)
    if due is Role.MUNICIPALITY_COORDINATOR:
        share_with_municipality(case=plan.case, by=by)
    if due is not None:
        notify(approvers(plan, due), kind=NotificationKind.APPROVAL_WAITING, url=plan_url(plan),
               is_task=True, dedupe_key=f"approve:{plan.pk}:{plan.approval_round}:"
                                        f"{plan.approvals_done}",
               title=_("Support plan %(code)s of %(pupil)s waits for your approval") % {
                   "code": plan.code, "pupil": plan.pupil.full_name})
    if action in (PlanAction.RETURN, PlanAction.APPROVE) and plan.status != PlanStatus.IN_APPROVAL:
        decided = (_("Support plan %(code)s was approved") if plan.status == PlanStatus.APPROVED
                   else _("Support plan %(code)s was returned for changes"))
        notify([plan.author, plan.case.case_manager], kind=NotificationKind.PLAN_DECIDED,
               url=plan_url(plan), title=decided % {"code": plan.code})
