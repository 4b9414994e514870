"""What the screens read: scoped statuses and history, counts, raises, the weekly trend."""

from __future__ import annotations

import pytest
from django.db.models import Q

from kopiena.earlywarning.models import PupilSupportStatus, SupportLevelEvent
from kopiena.earlywarning.recompute import recompute
from kopiena.earlywarning.selectors import (
    class_level_counts,
    level_counts,
    level_history,
    open_tasks,
    raised_since,
    visible_statuses,
    weekly_level_counts,
)
from kopiena.pupils.models import ClassStaff, Enrolment
from kopiena.schooldata.models import AttendanceDay
from tests import people as P
from tests.test_ew_factories import (
    AS_OF,
    SEMESTER_START,
    D,
    attend,
    clear_levels,
    days,
    demo_pupil,
    enrolment_of,
    school,
)

pytestmark = pytest.mark.django_db


def _recompute_school_a() -> None:
    clear_levels(Q(school=school(P.SCHOOL_A)))
    recompute(school=school(P.SCHOOL_A), as_of=AS_OF)


def test_statuses_follow_the_pupil_scope() -> None:
    _recompute_school_a()
    school_a = school(P.SCHOOL_A)
    everyone = PupilSupportStatus.objects.filter(school=school_a)
    assert visible_statuses(P.user(P.SUPPORT_A)).filter(school=school_a).count() == (
        everyone.count())
    assert not visible_statuses(P.user(P.SUPPORT_B)).filter(school=school_a).exists()
    teacher = P.user(P.TEACHER_A)
    own_classes = set(ClassStaff.objects.filter(user=teacher).values_list(
        "school_class_id", flat=True))
    seen = visible_statuses(teacher)
    assert seen.exists()
    assert {s.school_class_id for s in seen} <= own_classes


def test_counts_per_school_and_class_add_up() -> None:
    _recompute_school_a()
    school_a = school(P.SCHOOL_A)
    total = PupilSupportStatus.objects.filter(school=school_a).count()
    assert sum(level_counts(school_ids=[school_a.pk])[school_a.pk].values()) == total
    assert sum(sum(c.values()) for c in class_level_counts(school=school_a).values()) == total


def test_history_raises_weekly_counts_and_tasks() -> None:
    pupil = demo_pupil()
    school_a = school(P.SCHOOL_A)
    clear_levels(Q(school=school_a))
    attend(pupil, days(SEMESTER_START, D(2026, 12, 18)))
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 6))
    AttendanceDay.objects.filter(pupil=pupil, date__in=[D(2026, 11, 9), D(2026, 11, 10)]).update(
        absent_unexcused=6)
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 13))  # 12: targeted
    AttendanceDay.objects.filter(pupil=pupil, date__in=[D(2026, 11, 11), D(2026, 11, 12)]).update(
        absent_unexcused=6)
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 20))  # 24: intensive, threshold case
    coordinator = P.user(P.SUPPORT_A)
    assert [e.level for e in level_history(coordinator, pupil.pk)] == [
        "intensive", "targeted", "universal"]
    assert not level_history(P.user(P.SUPPORT_B), pupil.pk).exists()
    raised = raised_since(coordinator, school=school_a, since=D(2026, 11, 10))
    assert [(e.pupil_id, e.level) for e in raised] == [(pupil.pk, "intensive"),
                                                      (pupil.pk, "targeted")]
    weeks = weekly_level_counts(school=school_a, as_of=AS_OF, weeks=3)
    assert [w.week_end for w in weeks] == [D(2026, 11, 8), D(2026, 11, 15), D(2026, 11, 22)]
    assert [w.counts for w in weeks] == [{"universal": 1}, {"targeted": 1}, {"intensive": 1}]
    assert [t.case.pupil_id for t in open_tasks(coordinator)] == [pupil.pk]


def test_a_pupil_who_left_loses_the_status_but_keeps_the_history() -> None:
    pupil = demo_pupil()
    recompute(pupils=[pupil.pk], as_of=AS_OF)
    Enrolment.objects.filter(pk=enrolment_of(pupil).pk).update(enrolled_to=D(2026, 11, 20))
    summary = recompute(pupils=[pupil.pk], as_of=D(2026, 11, 23))
    assert summary.removed == 1
    assert not PupilSupportStatus.objects.filter(pupil=pupil).exists()
    assert SupportLevelEvent.objects.filter(pupil=pupil).exists()
