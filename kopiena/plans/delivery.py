"""The delivery log: consultations and sessions given, compensations paid, and the pupil's
confirmation (remote sessions must be confirmed within one day, or they are flagged)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.cases.actions import record_event
from kopiena.cases.models import EventKind
from kopiena.plans.models import (
    Delivery,
    DeliveryMode,
    MeasureKind,
    MeasureUnit,
    PlanMeasure,
    PlanStatus,
    SupportPlan,
)
from kopiena.plans.workflow import PlanAction

REMOTE_CONFIRMATION_DAYS = 1


def confirmation_overdue(delivery: Delivery, *, now: dt.datetime | None = None) -> bool:
    """A remote session not confirmed by the pupil by the end of the next day."""
    if delivery.mode != DeliveryMode.REMOTE:
        return False
    deadline = delivery.delivered_on + dt.timedelta(days=REMOTE_CONFIRMATION_DAYS + 1)
    if delivery.pupil_confirmed_at is not None:
        return timezone.localtime(delivery.pupil_confirmed_at).date() >= deadline
    return timezone.localdate(now) >= deadline


@transaction.atomic
def log_delivery(*, measure: PlanMeasure, by: User, delivered_on: dt.date,
                 amount: Decimal | None = None, duration_minutes: int | None = None,
                 mode: str = "", staff: User | None = None, pupil_confirmed: bool = False,
                 amount_eur: Decimal | None = None, document_number: str = "",
                 notes: str = "") -> Delivery:
    """Record one session or payment. An approved plan starts implementation with its first
    delivery; a plan in any other status takes no deliveries."""
    plan = SupportPlan.objects.select_for_update().get(pk=measure.plan_id)
    if plan.status == PlanStatus.APPROVED:
        from kopiena.plans.actions import change_status

        plan = change_status(plan=plan, action=PlanAction.START, by=by, _from_delivery=True)
    if plan.status != PlanStatus.IN_IMPLEMENTATION:
        raise ValidationError(_("Support is logged while the plan is in implementation."))
    errors: dict[str, str] = {}
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The date cannot be in the future.")
    elif not plan.starts_on <= delivered_on <= plan.ends_on:
        errors["delivered_on"] = _("The date must fall within the plan's period, "
                                   "%(start)s–%(end)s.") % {
            "start": plan.starts_on.strftime("%d.%m.%Y"), "end": plan.ends_on.strftime("%d.%m.%Y")}
    kind = measure.measure_type.kind
    if kind == MeasureKind.COMPENSATION:
        if amount_eur is None or amount_eur <= 0:
            errors["amount_eur"] = _("Enter the amount paid in euros.")
        if not document_number.strip():
            errors["document_number"] = _("Enter the number of the payment document.")
        amount = amount_eur
    else:
        if mode not in DeliveryMode.values:
            errors["mode"] = _("Choose whether the session was in person or remote.")
        if duration_minutes is None or duration_minutes <= 0:
            errors["duration_minutes"] = _("Enter how long the session lasted.")
        elif amount is None:
            amount = (Decimal(duration_minutes) / 60 if measure.unit == MeasureUnit.HOURS
                      else Decimal(1))
        if staff is None:
            errors["staff"] = _("Choose who gave the session.")
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    if amount_eur is None:
        amount_eur = (amount * measure.unit_cost_eur).quantize(Decimal("0.01")) if (
            measure.unit_cost_eur) else Decimal(0)
    delivery = Delivery.objects.create(
        measure=measure, plan=plan, delivered_on=delivered_on, duration_minutes=duration_minutes,
        amount=amount.quantize(Decimal("0.01")), amount_eur=amount_eur, mode=mode, staff=staff,
        document_number=document_number.strip(), notes=notes.strip(), recorded_by=by,
        pupil_confirmed_at=timezone.now() if pupil_confirmed else None)
    record_event(plan.case, kind=EventKind.DELIVERY, actor=by,
                 summary=f"{measure.measure_type.name}: {delivered_on.strftime('%d.%m.%Y')}")
    return delivery


@transaction.atomic
def confirm_delivery(*, delivery: Delivery, by: User) -> Delivery:
    """The pupil confirmed the session (recorded by the staff member who saw it)."""
    if delivery.pupil_confirmed_at is not None:
        raise ValidationError(_("This session is already confirmed."))
    delivery.pupil_confirmed_at = timezone.now()
    delivery.save(update_fields=["pupil_confirmed_at"])
    return delivery


@dataclass(frozen=True)
class MeasureProgress:
    measure: PlanMeasure
    planned: Decimal
    delivered: Decimal
    spent_eur: Decimal
    sessions: int

    @property
    def share(self) -> float:
        return float(self.delivered / self.planned) if self.planned else 0.0


def progress(plan: SupportPlan) -> list[MeasureProgress]:
    """Planned against delivered, per measure, in one query for the sums."""
    totals = {row["measure_id"]: row for row in Delivery.objects.filter(plan=plan)
              .values("measure_id").annotate(amount=Sum("amount"), eur=Sum("amount_eur"))}
    counts: dict[int, int] = {}
    for measure_id in Delivery.objects.filter(plan=plan).values_list("measure_id", flat=True):
        counts[measure_id] = counts.get(measure_id, 0) + 1
    result = []
    for m in plan.measures.select_related("measure_type", "provider_user",
                                          "provider_organisation").prefetch_related("risks"):
        row = totals.get(m.pk, {})
        result.append(MeasureProgress(
            measure=m, planned=m.planned_amount, delivered=row.get("amount") or Decimal(0),
            spent_eur=row.get("eur") or Decimal(0), sessions=counts.get(m.pk, 0)))
    return result


def spent_eur(plan: SupportPlan) -> Decimal:
    total = Delivery.objects.filter(plan=plan).aggregate(total=Sum("amount_eur"))["total"]
    return total or Decimal(0)
