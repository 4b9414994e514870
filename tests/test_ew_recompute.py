"""Storing levels: statuses, events only on change, the statutory threshold case, signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from kopiena.accounts.models import Membership
from kopiena.accounts.roles import Role
from kopiena.earlywarning import signals
from kopiena.earlywarning.models import (
    FollowUpTask,
    PupilSupportStatus,
    StatutoryThresholdCase,
    SupportLevelEvent,
    ThresholdNotice,
)
from kopiena.earlywarning.recompute import recompute, recompute_due
from kopiena.pupils.models import ClassStaff, Pupil
from kopiena.schooldata.models import AttendanceDay, ImportRun
from kopiena.schooldata.signals import school_data_changed
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


def _unexcused(pupil: Pupil, lessons: int) -> None:
    """Set the pupil's unexcused lessons this semester to ``lessons`` (all on 2 November)."""
    AttendanceDay.objects.filter(pupil=pupil, date=D(2026, 11, 2)).update(
        absent_unexcused=min(lessons, 6))
    AttendanceDay.objects.filter(pupil=pupil, date=D(2026, 11, 3)).update(
        absent_unexcused=max(lessons - 6, 0) and min(lessons - 6, 6))
    AttendanceDay.objects.filter(pupil=pupil, date=D(2026, 11, 4)).update(
        absent_unexcused=max(lessons - 12, 0) and min(lessons - 12, 6))
    AttendanceDay.objects.filter(pupil=pupil, date=D(2026, 11, 5)).update(
        absent_unexcused=max(lessons - 18, 0))


def _fully_present(pupil: Pupil) -> None:
    attend(pupil, days(SEMESTER_START, D(2026, 12, 18)), scheduled=6)


def _events(pupil: Pupil) -> list[tuple[str, str, str]]:
    return list(SupportLevelEvent.objects.filter(pupil=pupil).order_by("pk").values_list(
        "previous_level", "level", "change"))


def test_the_first_recompute_stores_a_status_and_a_first_event() -> None:
    pupil = demo_pupil()
    _fully_present(pupil)
    _unexcused(pupil, 14)
    summary = recompute(pupils=[pupil.pk], as_of=AS_OF)
    assert (summary.pupils, summary.created, summary.changed) == (1, 1, 0)
    status = PupilSupportStatus.objects.get(pupil=pupil)
    assert (status.level, status.as_of, status.school_id) == ("targeted", AS_OF,
                                                              pupil.school_id)
    assert status.school_class_id == enrolment_of(pupil).school_class_id
    assert status.reasons[0]["indicator"] == "unexcused_lessons_semester"
    assert status.indicators["unexcused_lessons_semester"] == 14
    assert _events(pupil) == [("", "targeted", "first")]


def test_events_are_written_only_when_the_level_changes() -> None:
    pupil = demo_pupil()
    _fully_present(pupil)
    recompute(pupils=[pupil.pk], as_of=AS_OF)
    recompute(pupils=[pupil.pk], as_of=AS_OF)
    assert _events(pupil) == [("", "universal", "first")]
    _unexcused(pupil, 10)
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 23))
    _unexcused(pupil, 12)  # same level, other reason value: no event
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 24))
    _unexcused(pupil, 21)
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 25))
    _unexcused(pupil, 11)  # corrected: absences excused after all
    recompute(pupils=[pupil.pk], as_of=D(2026, 11, 26))
    _unexcused(pupil, 0)
    summary = recompute(pupils=[pupil.pk], as_of=D(2026, 11, 27))
    assert summary.cleared == 1
    assert _events(pupil) == [
        ("", "universal", "first"), ("universal", "targeted", "raised"),
        ("targeted", "intensive", "raised"), ("intensive", "targeted", "lowered"),
        ("targeted", "universal", "cleared"),
    ]
    assert PupilSupportStatus.objects.get(pupil=pupil).reasons == []


def test_a_status_is_not_moved_back_in_time() -> None:
    pupil = demo_pupil()
    recompute(pupils=[pupil.pk], as_of=AS_OF)
    summary = recompute(pupils=[pupil.pk], as_of=D(2026, 11, 2))
    assert (summary.pupils, summary.skipped) == (0, 1)
    assert PupilSupportStatus.objects.get(pupil=pupil).as_of == AS_OF


def test_crossing_the_statutory_threshold_opens_one_case_with_tasks_and_notices() -> None:
    pupil = demo_pupil()
    _fully_present(pupil)
    _unexcused(pupil, 20)
    assert recompute(pupils=[pupil.pk], as_of=AS_OF).threshold_cases == 0  # 20 is the limit
    _unexcused(pupil, 21)
    assert recompute(pupils=[pupil.pk], as_of=D(2026, 11, 23)).threshold_cases == 1
    case = StatutoryThresholdCase.objects.get(pupil=pupil)
    assert (case.unexcused_lessons, case.detected_on, case.semester) == (
        21, D(2026, 11, 23), 1)
    teachers = set(ClassStaff.objects.filter(
        school_class_id=enrolment_of(pupil).school_class_id,
        kind=ClassStaff.Kind.CLASS_TEACHER).values_list("user_id", flat=True))
    coordinators = set(Membership.objects.filter(
        organisation=school(P.SCHOOL_A), role=Role.SUPPORT_COORDINATOR,
    ).values_list("user_id", flat=True))
    assert teachers and P.user(P.SUPPORT_A).pk in coordinators
    tasks = set(FollowUpTask.objects.filter(case=case).values_list("kind", "assignee_id"))
    assert tasks == ({("contact_family", t) for t in teachers}
                     | {("inform_municipality", c) for c in coordinators})
    assert set(ThresholdNotice.objects.filter(case=case).values_list("recipient", flat=True)
               ) == {"parents", "municipality"}
    _unexcused(pupil, 24)
    assert recompute(pupils=[pupil.pk], as_of=D(2026, 11, 24)).threshold_cases == 0
    assert StatutoryThresholdCase.objects.filter(pupil=pupil).count() == 1
    assert FollowUpTask.objects.filter(case__pupil=pupil).count() == len(tasks)


def test_signals_go_out_after_commit(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    pupil = demo_pupil()
    _fully_present(pupil)
    _unexcused(pupil, 22)
    received: dict[str, Any] = {}

    def on_levels(sender: Any, *, events: list[SupportLevelEvent], **kwargs: Any) -> None:
        received["events"] = events

    def on_cases(sender: Any, *, cases: list[StatutoryThresholdCase], **kwargs: Any) -> None:
        received["cases"] = cases

    signals.support_levels_changed.connect(on_levels)
    signals.statutory_threshold_crossed.connect(on_cases)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            recompute(pupils=[pupil.pk], as_of=AS_OF)
            assert received == {}
    finally:
        signals.support_levels_changed.disconnect(on_levels)
        signals.statutory_threshold_crossed.disconnect(on_cases)
    assert [e.level for e in received["events"]] == ["intensive"]
    assert [c.pupil_id for c in received["cases"]] == [pupil.pk]


def test_an_applied_import_recomputes_its_pupils_as_of_today() -> None:
    pupil = demo_pupil()
    before = PupilSupportStatus.objects.count()
    run = ImportRun.objects.create(kind="attendance-days", file_name="x.csv", checksum="0")
    school_data_changed.send(sender=ImportRun, run=run, pupil_ids={pupil.pk},
                             first_date=AS_OF, last_date=AS_OF)
    status = PupilSupportStatus.objects.get(pupil=pupil)
    assert status.as_of == timezone.localdate()
    assert PupilSupportStatus.objects.count() == before + 1


def test_recompute_of_a_whole_school_uses_a_constant_number_of_queries(
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    small, large = school(P.SCHOOL_BASIC), school(P.SCHOOL_A)
    clear_levels(Q(school__in=[small, large]))
    pupils = list(Pupil.objects.filter(school=large).order_by("pk")[:40])
    rows = [AttendanceDay(pupil=p, school=large, date=day, lessons_scheduled=6,
                          absent_unexcused=(p.pk + day.day) % 7 == 0 and 6)
            for p in pupils for day in days(SEMESTER_START, AS_OF)]
    AttendanceDay.objects.filter(pupil__in=pupils).delete()
    AttendanceDay.objects.bulk_create(rows)
    counts = []
    for target in (small, large):
        with django_assert_max_num_queries(25) as captured:
            summary = recompute(school=target, as_of=AS_OF)
        assert summary.pupils > 30
        counts.append(len([q for q in captured.captured_queries
                           if q["sql"].startswith("SELECT")]))
    assert counts[0] == counts[1]


def test_the_nightly_run_waits_for_a_school_day() -> None:
    school_a = school(P.SCHOOL_A)
    clear_levels(Q(school=school_a))
    first = recompute_due(school=school_a, as_of=D(2026, 11, 20))
    assert first.pupils > 0
    weekend = recompute_due(school=school_a, as_of=D(2026, 11, 22))
    assert weekend.pupils == 0
    monday = recompute_due(school=school_a, as_of=D(2026, 11, 23))
    assert monday.pupils == first.pupils
    forced = recompute_due(school=school_a, as_of=D(2026, 11, 23), everything=True)
    assert forced.pupils == first.pupils
