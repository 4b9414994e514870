"""The daily reminders (``manage.py send_reminders``, or the ``send_reminders_task``).

Each reminder is an inbox task with a key, so a second run on the same day, or the next
day, adds nothing new for the same thing. A reminder whose cause has gone (the review was
held, the item is done, the session confirmed, the plan approved) is marked read.

- a plan review is due: to the case manager and the plan's author;
- a plan has waited for the same approval step longer than ``APPROVAL_REMINDER_DAYS``: to
  whoever holds that step;
- an action item of a case conference is overdue: to its owner;
- a remote session was not confirmed by the pupil within one day: to the staff member who
  gave it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kopiena.cases.models import CaseStatus
from kopiena.conferences.actions import action_item_url, item_keys, item_subject
from kopiena.conferences.models import ActionItem
from kopiena.inbox.actions import notify
from kopiena.inbox.models import Notification, NotificationKind
from kopiena.plans.access import approvers, step_due
from kopiena.plans.actions import plan_url
from kopiena.plans.delivery import REMOTE_CONFIRMATION_DAYS, confirmation_overdue
from kopiena.plans.models import Delivery, DeliveryMode, PlanStatus, SupportPlan
from kopiena.plans.workflow import ACTIVE

APPROVAL_REMINDER_DAYS = 3

REVIEW_PREFIX = "review:"
APPROVAL_PREFIX = "approval-reminder:"
OVERDUE_PREFIX = "action-item-overdue:"
CONFIRMATION_PREFIX = "confirmation:"


@dataclass
class ReminderSummary:
    reviews: int = 0
    approvals: int = 0
    action_items: int = 0
    confirmations: int = 0
    settled: int = 0

    @property
    def sent(self) -> int:
        return self.reviews + self.approvals + self.action_items + self.confirmations

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def remind_reviews_due(day: dt.date, still_due: set[str]) -> int:
    sent = 0
    plans = (SupportPlan.objects.filter(status__in=ACTIVE, next_review_on__lte=day)
             .select_related("pupil", "case__case_manager", "author"))
    for plan in plans:
        assert plan.next_review_on is not None
        key = f"{REVIEW_PREFIX}{plan.pk}:{plan.next_review_on.isoformat()}"
        still_due.add(key)
        title = _("Review of support plan %(code)s of %(pupil)s is due (%(date)s)") % {
            "code": plan.code, "pupil": plan.pupil.full_name,
            "date": _date(plan.next_review_on)}
        sent += len(notify([plan.case.case_manager, plan.author], kind=NotificationKind.REVIEW_DUE,
                           url=plan_url(plan), is_task=True, dedupe_key=key, title=title))
    return sent


def _waiting_since(plan: SupportPlan) -> dt.date:
    last: dt.datetime | None = getattr(plan, "last_change", None)
    return timezone.localtime(last if last is not None else plan.updated_at).date()


def remind_approvals_waiting(day: dt.date, still_due: set[str]) -> int:
    sent = 0
    plans = (SupportPlan.objects.filter(status=PlanStatus.IN_APPROVAL)
             .select_related("pupil", "school__parent")
             .annotate(last_change=Max("transitions__happened_at")))
    for plan in plans:
        role = step_due(plan)
        if role is None:
            continue
        key = f"{APPROVAL_PREFIX}{plan.pk}:{plan.approval_round}:{plan.approvals_done}"
        since = _waiting_since(plan)
        if (day - since).days <= APPROVAL_REMINDER_DAYS:
            continue
        still_due.add(key)
        title = _("Support plan %(code)s of %(pupil)s has waited for your approval since "
                  "%(date)s") % {"code": plan.code, "pupil": plan.pupil.full_name,
                                 "date": _date(since)}
        sent += len(notify(approvers(plan, role), kind=NotificationKind.APPROVAL_WAITING,
                           url=plan_url(plan), is_task=True, dedupe_key=key, title=title))
    return sent


def remind_overdue_action_items(day: dt.date, still_due: set[str]) -> int:
    sent = 0
    items = (ActionItem.objects.filter(done_on__isnull=True, due_on__lt=day)
             .exclude(case__status=CaseStatus.CLOSED)
             .select_related("owner", "conference__school", "case__pupil"))
    for item in items:
        key = item_keys(item)[1]
        still_due.add(key)
        title = _("Action item overdue since %(date)s: %(task)s") % {
            "date": _date(item.due_on), "task": item_subject(item, item.owner)}
        sent += len(notify([item.owner], kind=NotificationKind.ACTION_ITEM_OVERDUE,
                           url=action_item_url(item, item.owner), is_task=True,
                           dedupe_key=key, title=title))
    return sent


def remind_unconfirmed_sessions(day: dt.date, still_due: set[str]) -> int:
    sent = 0
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    deliveries = (Delivery.objects.filter(
        mode=DeliveryMode.REMOTE, pupil_confirmed_at__isnull=True, staff__isnull=False,
        plan__status__in=ACTIVE,
        delivered_on__lte=day - dt.timedelta(days=REMOTE_CONFIRMATION_DAYS + 1),
    ).select_related("staff", "plan__pupil", "measure__measure_type"))
    for delivery in deliveries:
        if not confirmation_overdue(delivery, now=noon):
            continue
        key = f"{CONFIRMATION_PREFIX}{delivery.pk}"
        still_due.add(key)
        title = _("The remote session of %(date)s with %(pupil)s (%(measure)s) is not "
                  "confirmed by the pupil") % {
            "date": _date(delivery.delivered_on), "pupil": delivery.plan.pupil.full_name,
            "measure": delivery.measure.measure_type.name}
        sent += len(notify([delivery.staff], kind=NotificationKind.CONFIRMATION_OVERDUE,
                           url=plan_url(delivery.plan), is_task=True, dedupe_key=key,
                           title=title))
    return sent


def settle_resolved(still_due: set[str]) -> int:
    """Mark read the unread reminders whose cause has gone."""
    ours = Q()
    for prefix in (REVIEW_PREFIX, APPROVAL_PREFIX, OVERDUE_PREFIX, CONFIRMATION_PREFIX):
        ours |= Q(dedupe_key__startswith=prefix)
    stale = Notification.objects.filter(ours, read_at__isnull=True)
    keys = {key for key in stale.values_list("dedupe_key", flat=True) if key not in still_due}
    if not keys:
        return 0
    return stale.filter(dedupe_key__in=keys).update(read_at=timezone.now())


def send_reminders(on: dt.date | None = None) -> ReminderSummary:
    """Add the reminders due on ``on`` (today by default). Titles are in the interface's
    default language, like every notification."""
    today = timezone.localdate()
    day = on or today
    still_due: set[str] = set()
    with translation.override(settings.LANGUAGE_CODE):
        summary = ReminderSummary(
            reviews=remind_reviews_due(day, still_due),
            approvals=remind_approvals_waiting(day, still_due),
            action_items=remind_overdue_action_items(day, still_due),
            confirmations=remind_unconfirmed_sessions(day, still_due),
        )
    if day >= today:  # a run for a past date must not settle what is due today
        summary.settled = settle_resolved(still_due)
    return summary
