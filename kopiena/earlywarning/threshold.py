"""The statutory threshold of Cabinet Regulation No. 89: more than 20 lessons missed without a
justified reason in a semester. Crossing it opens one case per pupil and semester, with tasks
for the class teacher(s) and the school's support coordinator(s), and notices to the parents
and the municipality (HTML from ``earlywarning/notice.html``, PDF through WeasyPrint)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.earlywarning.catalogue import STATUTORY_UNEXCUSED_LIMIT
from kopiena.earlywarning.indicators import CHUNK_SIZE, PupilIndicators, chunked
from kopiena.earlywarning.models import FollowUpTask, StatutoryThresholdCase, ThresholdNotice
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, PupilGuardian

NOTICE_LANGUAGE = "lv"


CaseKey = tuple[int, int, int]  # pupil, school year, semester number


def case_key(indicators: PupilIndicators) -> CaseKey | None:
    """The case a pupil over the statutory limit belongs to; None when not over it."""
    if (indicators.school_year_id is None or indicators.semester is None
            or indicators.unexcused_lessons_semester <= STATUTORY_UNEXCUSED_LIMIT):
        return None
    return (indicators.pupil_id, indicators.school_year_id, indicators.semester)


def open_threshold_cases(indicators: Iterable[PupilIndicators], *,
                         as_of: dt.date) -> list[StatutoryThresholdCase]:
    """Open a case, its tasks and its notices for each pupil who is over the limit in the
    semester and has no case for it yet. Runs inside the caller's transaction."""
    over: dict[CaseKey, PupilIndicators] = {}
    for i in indicators:
        if (key := case_key(i)) is not None:
            over[key] = i
    if not over:
        return []
    existing: set[CaseKey] = set()
    years = {year for _pupil, year, _semester in over}
    for chunk in chunked(sorted(pupil for pupil, _year, _semester in over), CHUNK_SIZE):
        existing |= set(StatutoryThresholdCase.objects.filter(
            pupil_id__in=chunk, school_year_id__in=years,
        ).values_list("pupil_id", "school_year_id", "semester"))
    cases = StatutoryThresholdCase.objects.bulk_create([
        StatutoryThresholdCase(
            pupil_id=pupil_id, school_id=i.school_id, school_class_id=i.class_id,
            school_year_id=year_id, semester=semester, detected_on=as_of,
            unexcused_lessons=i.unexcused_lessons_semester,
        )
        for (pupil_id, year_id, semester), i in over.items()
        if (pupil_id, year_id, semester) not in existing
    ], batch_size=500)
    if cases:
        _create_tasks(cases, as_of=as_of)
        ThresholdNotice.objects.bulk_create(
            [ThresholdNotice(case=case, recipient=recipient) for case in cases
             for recipient in ThresholdNotice.Recipient.values], batch_size=500)
    return cases


def _create_tasks(cases: list[StatutoryThresholdCase], *, as_of: dt.date) -> None:
    teachers: dict[int, list[int]] = defaultdict(list)
    for class_id, user_id in ClassStaff.objects.filter(
        kind=ClassStaff.Kind.CLASS_TEACHER, user__is_active=True,
        school_class_id__in={c.school_class_id for c in cases if c.school_class_id},
    ).values_list("school_class_id", "user_id"):
        teachers[class_id].append(user_id)
    coordinators: dict[int, list[int]] = defaultdict(list)
    for school_id, user_id in Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=as_of),
        role=Role.SUPPORT_COORDINATOR, is_active=True, user__is_active=True,
        organisation_id__in={c.school_id for c in cases},
    ).values_list("organisation_id", "user_id"):
        coordinators[school_id].append(user_id)
    tasks = []
    for case in cases:
        tasks += [FollowUpTask(case=case, kind=FollowUpTask.Kind.CONTACT_FAMILY, assignee_id=u)
                  for u in teachers.get(case.school_class_id or 0, [])]
        tasks += [FollowUpTask(case=case, kind=FollowUpTask.Kind.INFORM_MUNICIPALITY,
                               assignee_id=u) for u in coordinators.get(case.school_id, [])]
    FollowUpTask.objects.bulk_create(tasks, batch_size=500)


def render_notice_html(case: StatutoryThresholdCase, recipient: str, *,
                       language: str = NOTICE_LANGUAGE) -> str:
    """The notice of ``case`` to ``recipient`` (``ThresholdNotice.Recipient``), as HTML."""
    school: Organisation = case.school
    municipality = school.parent if school.parent and school.parent.is_municipality else None
    class_teachers = [s.user for s in ClassStaff.objects.filter(
        school_class_id=case.school_class_id, kind=ClassStaff.Kind.CLASS_TEACHER,
    ).select_related("user")] if case.school_class_id else []
    coordinators = [m.user for m in Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=case.detected_on),
        organisation=school, role=Role.SUPPORT_COORDINATOR, is_active=True,
    ).select_related("user")]
    guardians = [link.guardian for link in PupilGuardian.objects.filter(
        pupil_id=case.pupil_id, has_custody=True).select_related("guardian")]
    with translation.override(language):
        return render_to_string("earlywarning/notice.html", {
            "case": case, "pupil": case.pupil, "school": school, "municipality": municipality,
            "class_label": case.school_class.label if case.school_class else "",
            "semester": case.semester, "school_year": case.school_year,
            "limit": STATUTORY_UNEXCUSED_LIMIT, "recipient": recipient,
            "for_parents": recipient == ThresholdNotice.Recipient.PARENTS,
            "guardians": guardians, "class_teachers": class_teachers,
            "coordinators": coordinators, "language": language,
            "issued_on": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
        })


def render_notice_pdf(case: StatutoryThresholdCase, recipient: str, *,
                      language: str = NOTICE_LANGUAGE) -> bytes:
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=render_notice_html(
        case, recipient, language=language)).write_pdf()
    return pdf


def _require_pupil_access(user: User, pupil_id: int) -> None:
    if not visible_pupils(user).filter(pk=pupil_id).exists():
        raise PermissionDenied


def mark_notice_sent(*, notice: ThresholdNotice, user: User) -> ThresholdNotice:
    """Record that ``user`` sent the notice now. A notice is recorded as sent only once."""
    _require_pupil_access(user, notice.case.pupil_id)
    with transaction.atomic():
        locked = ThresholdNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.sent_at is not None:
            raise ValidationError(_("This notice was already recorded as sent on %(date)s.") % {
                "date": formats.date_format(timezone.localtime(locked.sent_at),
                                            "DATE_FORMAT")})
        locked.sent_at = timezone.now()
        locked.sent_by = user
        locked.save(update_fields=["sent_at", "sent_by"])
    return locked


def complete_task(*, task: FollowUpTask, user: User) -> FollowUpTask:
    """Mark a follow-up task done by ``user`` (again: no change)."""
    _require_pupil_access(user, task.case.pupil_id)
    with transaction.atomic():
        locked = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        if locked.done_at is None:
            locked.done_at = timezone.now()
            locked.done_by = user
            locked.save(update_fields=["done_at", "done_by"])
    return locked
