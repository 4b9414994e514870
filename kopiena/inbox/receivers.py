"""New support flags in the inbox: after a recompute raised pupils' support levels, the
school's support coordinators and the pupils' class teachers hear about it once per school
(a whole school's import can raise dozens of pupils: one line, not dozens)."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.earlywarning.models import LevelChange, SupportLevelEvent
from kopiena.inbox.actions import notify
from kopiena.inbox.models import Notification, NotificationKind
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, Pupil

logger = logging.getLogger(__name__)


def on_support_levels_changed(sender: object, events: Sequence[SupportLevelEvent],
                              **kwargs: Any) -> None:
    """Receiver of ``kopiena.earlywarning.signals.support_levels_changed``. A failure here
    must not undo or break the recompute that already committed."""
    try:
        notify_levels_raised(events)
    except Exception:
        logger.exception("notifying raised support levels failed")


def _batch_key(school_id: int, events: list[SupportLevelEvent]) -> str:
    """The same recompute delivered twice gives the same key (and no second notification)."""
    marks = sorted(f"{e.pupil_id}:{e.date.isoformat()}:{e.level}" for e in events)
    digest = hashlib.sha256("|".join(marks).encode()).hexdigest()[:20]
    return f"levels-raised:{school_id}:{digest}"


def notify_levels_raised(events: Sequence[SupportLevelEvent]) -> list[Notification]:
    raised: dict[int, list[SupportLevelEvent]] = defaultdict(list)
    for event in events:
        if event.change == LevelChange.RAISED:
            raised[event.school_id].append(event)
    created: list[Notification] = []
    if not raised:
        return created
    schools = Organisation.objects.in_bulk(list(raised))
    with translation.override(settings.LANGUAGE_CODE):
        for school_id, school_events in raised.items():
            school = schools.get(school_id)
            if school is not None:
                created += _notify_school(school, school_events)
    return created


def _notify_school(school: Organisation, events: list[SupportLevelEvent]) -> list[Notification]:
    key = _batch_key(school.pk, events)
    pupil_ids = {e.pupil_id for e in events}
    count = len(pupil_ids)
    coordinators = [m.user for m in Membership.objects.filter(
        organisation=school, role=Role.SUPPORT_COORDINATOR, is_active=True,
        user__is_active=True).select_related("user")]
    created = notify(coordinators, kind=NotificationKind.NEW_FLAG, dedupe_key=key,
                     url=reverse("earlywarning:school", args=[school.pk]),
                     title=ngettext("%(school)s: the support level of %(count)d pupil was "
                                    "raised. Look at the reasons on the school overview.",
                                    "%(school)s: the support level of %(count)d pupils was "
                                    "raised. Look at the reasons on the school overview.",
                                    count) % {"school": school.name, "count": count})
    already = {c.pk for c in coordinators}
    class_of = dict(Pupil.objects.filter(pk__in=pupil_ids, school_class__isnull=False)
                    .values_list("pk", "school_class_id"))
    pupils_per_class: dict[int, int] = defaultdict(int)
    for class_id in class_of.values():
        pupils_per_class[class_id] += 1
    classes_of: dict[User, list[int]] = defaultdict(list)
    for staff in ClassStaff.objects.filter(
            school_class_id__in=list(pupils_per_class), kind=ClassStaff.Kind.CLASS_TEACHER,
            user__is_active=True).select_related("user"):
        if staff.user.pk not in already:
            classes_of[staff.user].append(staff.school_class_id)
    for teacher, class_ids in classes_of.items():
        own = sum(pupils_per_class[c] for c in set(class_ids))
        url = (reverse("earlywarning:class", args=[class_ids[0]]) if len(set(class_ids)) == 1
               else reverse("earlywarning:home"))
        created += notify([teacher], kind=NotificationKind.NEW_FLAG, dedupe_key=key, url=url,
                          title=ngettext("%(school)s: the support level of %(count)d pupil of "
                                         "your class was raised.",
                                         "%(school)s: the support level of %(count)d pupils of "
                                         "your class was raised.",
                                         own) % {"school": school.name, "count": own})
    return created
