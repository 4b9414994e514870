"""Case conferences: holding one, minuting it, the cases discussed and the decisions taken.

Each function is one transaction. They check that the user is on the support team of the
conference's school (``PermissionDenied`` otherwise: views answer 404) and that the change
follows the rules (``ValidationError`` with a message for the form). Concurrent edits of the
conference and of each discussion note are refused through their ``version``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.cases.access import visible_cases
from kopiena.cases.actions import record_event
from kopiena.cases.models import CaseStatus, EventKind, SupportCase
from kopiena.conferences.access import (
    conference_school_ids,
    may_complete,
    possible_owners,
    school_staff,
)
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.inbox.actions import notify, settle
from kopiena.inbox.models import NotificationKind
from kopiena.organisations.models import Organisation

# A conference is planned or minuted at most this far from today.
MAX_DAYS_AHEAD = 366


class ConcurrentEdit(ValidationError):
    """Someone else saved the same text since the form was opened."""


def conference_url(conference: CaseConference) -> str:
    return reverse("conferences:detail", args=[conference.pk])


def _check_team(user: User, school_id: int) -> None:
    if school_id not in conference_school_ids(user):
        raise PermissionDenied(_("Only the school's support team holds its case conferences."))


def _checked_details(*, school: Organisation, held_on: dt.date, title: str,
                     participants: Iterable[User]) -> list[User]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the conference a title, for example \"Support team, "
                            "October\".")
    if abs((held_on - timezone.localdate()).days) > MAX_DAYS_AHEAD:
        errors["held_on"] = _("Check the date: it is more than a year away from today.")
    chosen = list(participants)
    staff_ids = set(school_staff(school.pk).values_list("pk", flat=True))
    if any(user.pk not in staff_ids for user in chosen):
        errors["participants"] = _("Choose participants from the school's staff; write "
                                   "anyone else under other participants.")
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic
def create_conference(*, school: Organisation, held_on: dt.date, title: str, by: User,
                      agenda: str = "", participants: Iterable[User] = (),
                      other_participants: str = "") -> CaseConference:
    _check_team(by, school.pk)
    chosen = _checked_details(school=school, held_on=held_on, title=title,
                              participants=participants)
    conference = CaseConference.objects.create(
        school=school, held_on=held_on, title=title.strip(), agenda=agenda.strip(),
        other_participants=other_participants.strip(), created_by=by)
    conference.participants.set(chosen)
    return conference


def _locked(conference: CaseConference, version: int) -> CaseConference:
    current = CaseConference.objects.select_for_update().get(pk=conference.pk)
    if current.version != version:
        raise ConcurrentEdit(_("Someone else saved this conference while you were editing "
                               "it. Your text is kept below; compare it with the saved text "
                               "and save again."))
    return current


@transaction.atomic
def update_conference(*, conference: CaseConference, version: int, held_on: dt.date,
                      title: str, agenda: str, participants: Iterable[User],
                      other_participants: str, by: User) -> CaseConference:
    _check_team(by, conference.school_id)
    current = _locked(conference, version)
    chosen = _checked_details(school=current.school, held_on=held_on, title=title,
                              participants=participants)
    current.held_on, current.title, current.agenda = held_on, title.strip(), agenda.strip()
    current.other_participants = other_participants.strip()
    current.version += 1
    current.save(update_fields=["held_on", "title", "agenda", "other_participants", "version"])
    current.participants.set(chosen)
    return current


@transaction.atomic
def save_minutes(*, conference: CaseConference, version: int, minutes: str,
                 by: User) -> CaseConference:
    """Replace the minutes. ``version`` is the one the form was opened with."""
    _check_team(by, conference.school_id)
    current = _locked(conference, version)
    current.minutes = minutes.strip()
    current.version += 1
    current.save(update_fields=["minutes", "version"])
    return current


def _conference_label(conference: CaseConference) -> str:
    return _("the case conference \"%(title)s\" on %(date)s") % {
        "title": conference.title, "date": conference.held_on.strftime("%d.%m.%Y")}


@transaction.atomic
def add_case(*, conference: CaseConference, case: SupportCase, by: User,
             discussion: str = "") -> DiscussedCase:
    """Put one of the school's open cases on the conference, and on the case's timeline."""
    _check_team(by, conference.school_id)
    if case.school_id != conference.school_id or not visible_cases(by).filter(
            pk=case.pk).exists():
        raise PermissionDenied(_("Choose a case of the conference's school."))
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case of %(pupil)s is closed.") % {
            "pupil": case.pupil.full_name})
    if DiscussedCase.objects.filter(conference=conference, case=case).exists():
        raise ValidationError(_("The case of %(pupil)s is already on this conference.") % {
            "pupil": case.pupil.full_name})
    try:
        with transaction.atomic():
            discussed = DiscussedCase.objects.create(conference=conference, case=case,
                                                     added_by=by, discussion=discussion.strip())
    except IntegrityError:  # the same case added at the same moment from another window
        raise ValidationError(_("The case of %(pupil)s is already on this conference.") % {
            "pupil": case.pupil.full_name}) from None
    record_event(case, kind=EventKind.CONFERENCE, actor=by,
                 summary=_("Discussed at %(conference)s") % {
                     "conference": _conference_label(conference)})
    return discussed


@transaction.atomic
def add_cases(*, conference: CaseConference, cases: Iterable[SupportCase],
              by: User) -> list[DiscussedCase]:
    chosen = list(cases)
    if not chosen:
        raise ValidationError({"cases": _("Tick at least one case.")})
    return [add_case(conference=conference, case=case, by=by) for case in chosen]


@transaction.atomic
def update_discussion(*, discussed: DiscussedCase, version: int, discussion: str,
                      by: User) -> DiscussedCase:
    _check_team(by, discussed.conference.school_id)
    current = DiscussedCase.objects.select_for_update().get(pk=discussed.pk)
    if current.version != version:
        raise ConcurrentEdit(_("Someone else saved the discussion of this case while you were "
                               "writing. Your text is kept below; compare it with the saved "
                               "text and save again."))
    current.discussion = discussion.strip()
    current.version += 1
    current.save(update_fields=["discussion", "version"])
    return current


@transaction.atomic
def remove_case(*, discussed: DiscussedCase, by: User) -> None:
    """Take a case added by mistake off the conference (only while it has no decisions)."""
    conference = discussed.conference
    _check_team(by, conference.school_id)
    if ActionItem.objects.filter(conference=conference, case_id=discussed.case_id).exists():
        raise ValidationError(_("Decisions were recorded for this case; it stays on the "
                                "conference."))
    discussed.delete()
    record_event(discussed.case, kind=EventKind.CONFERENCE, actor=by,
                 summary=_("Taken off %(conference)s") % {
                     "conference": _conference_label(conference)})


def action_item_url(item: ActionItem, user: User) -> str:
    """Where ``user`` follows the item up: the conference for the support team, else the
    case when they see it, else their inbox (which lists their action items)."""
    if item.conference.school_id in conference_school_ids(user):
        return conference_url(item.conference) + f"#item-{item.pk}"
    if item.case_id is not None and visible_cases(user).filter(pk=item.case_id).exists():
        return reverse("cases:detail", args=[item.case_id])
    return reverse("inbox:index") + "#action-items"


def item_subject(item: ActionItem, user: User) -> str:
    """The decision as ``user`` may read it: with the pupil's name only when they see the
    case."""
    if item.case_id is not None and item.case is not None and visible_cases(user).filter(
            pk=item.case_id).exists():
        return f"{item.case.pupil.full_name}: {item.description}"
    return item.description


def item_keys(item: ActionItem) -> list[str]:
    """The keys of the inbox tasks an action item creates (assigned, overdue)."""
    return [f"action-item:{item.pk}", f"action-item-overdue:{item.pk}"]


@transaction.atomic
def add_action_item(*, conference: CaseConference, description: str, owner: User | None,
                    due_on: dt.date | None, by: User,
                    case: SupportCase | None = None) -> ActionItem:
    """Record a decision with its owner and due date; the owner finds it in their inbox."""
    _check_team(by, conference.school_id)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = _("Write what was decided.")
    if case is not None and not DiscussedCase.objects.filter(conference=conference,
                                                             case=case).exists():
        errors["case"] = _("Choose one of the cases discussed at this conference.")
    if owner is None:
        errors["owner"] = _("Choose who carries out the decision.")
    elif not possible_owners(conference, case).filter(pk=owner.pk).exists():
        errors["owner"] = _("Choose someone of the school's staff or of the case's team.")
    if due_on is None:
        errors["due_on"] = _("Enter by when it is to be done.")
    elif due_on < conference.held_on:
        errors["due_on"] = _("The due date cannot precede the conference.")
    if errors or owner is None or due_on is None:
        raise ValidationError(errors)
    item = ActionItem.objects.create(conference=conference, case=case,
                                     description=description.strip(), owner=owner,
                                     due_on=due_on, created_by=by)
    if owner.pk != by.pk:
        with translation.override(settings.LANGUAGE_CODE):
            notify([owner], kind=NotificationKind.ACTION_ITEM, is_task=True,
                   url=action_item_url(item, owner), dedupe_key=item_keys(item)[0],
                   title=_("Action item from %(conference)s, due %(date)s: %(task)s") % {
                       "conference": _conference_label(conference),
                       "date": due_on.strftime("%d.%m.%Y"),
                       "task": item_subject(item, owner)})
    return item


@transaction.atomic
def complete_action_item(*, item: ActionItem, by: User,
                         done_on: dt.date | None = None) -> ActionItem:
    if not may_complete(by, item):
        raise PermissionDenied(_("Only the owner or the support team marks this done."))
    day = done_on or timezone.localdate()
    updated = ActionItem.objects.filter(pk=item.pk, done_on__isnull=True).update(
        done_on=day, done_by=by)
    if not updated:
        raise ValidationError(_("This action item is already done."))
    item.done_on, item.done_by = day, by
    settle(dedupe_keys=item_keys(item))
    return item


@transaction.atomic
def reopen_action_item(*, item: ActionItem, by: User) -> ActionItem:
    """Undo "done" (marked by mistake, or the matter came back)."""
    if not may_complete(by, item):
        raise PermissionDenied(_("Only the owner or the support team changes this item."))
    updated = ActionItem.objects.filter(pk=item.pk, done_on__isnull=False).update(
        done_on=None, done_by=None)
    if not updated:
        raise ValidationError(_("This action item is still open."))
    item.done_on, item.done_by = None, None
    return item
