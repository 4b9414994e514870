"""The statutory threshold case: notices in Latvian (HTML and PDF), sent once, tasks done."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kopiena.earlywarning.models import FollowUpTask, StatutoryThresholdCase, ThresholdNotice
from kopiena.earlywarning.recompute import recompute
from kopiena.earlywarning.threshold import (
    complete_task,
    mark_notice_sent,
    render_notice_html,
    render_notice_pdf,
)
from kopiena.pupils.models import Pupil, PupilGuardian
from tests import people as P
from tests.pdf import requires_pdf_engine
from tests.test_ew_factories import AS_OF, SEMESTER_START, D, attend, days, demo_pupil

pytestmark = pytest.mark.django_db


def _case() -> tuple[Pupil, StatutoryThresholdCase]:
    pupil = demo_pupil()
    attend(pupil, days(SEMESTER_START, AS_OF), absences={
        D(2026, 11, 2): (0, 6, 0), D(2026, 11, 3): (0, 6, 0), D(2026, 11, 4): (0, 6, 0),
        D(2026, 11, 5): (0, 5, 0)})
    recompute(pupils=[pupil.pk], as_of=AS_OF)
    return pupil, StatutoryThresholdCase.objects.get(pupil=pupil)


def test_the_notices_name_the_pupil_the_count_and_the_regulation() -> None:
    pupil, case = _case()
    parents = render_notice_html(case, ThresholdNotice.Recipient.PARENTS)
    assert '<html lang="lv">' in parents
    assert pupil.full_name in parents
    assert "23" in parents
    assert "No. 89" in parents or "Nr. 89" in parents
    for link in PupilGuardian.objects.filter(pupil=pupil, has_custody=True):
        assert link.guardian.name in parents
    municipality = render_notice_html(case, ThresholdNotice.Recipient.MUNICIPALITY)
    assert pupil.school.parent.name in municipality  # type: ignore[union-attr]
    assert "2026/27" in municipality


@requires_pdf_engine
def test_the_notice_is_a_pdf() -> None:
    _pupil, case = _case()
    pdf = render_notice_pdf(case, ThresholdNotice.Recipient.PARENTS)
    assert pdf.startswith(b"%PDF")


def test_a_notice_is_recorded_as_sent_once_by_someone_who_sees_the_pupil() -> None:
    _pupil, case = _case()
    notice = case.notices.get(recipient=ThresholdNotice.Recipient.MUNICIPALITY)
    with pytest.raises(PermissionDenied):
        mark_notice_sent(notice=notice, user=P.user(P.SUPPORT_B))
    coordinator = P.user(P.SUPPORT_A)
    sent = mark_notice_sent(notice=notice, user=coordinator)
    assert sent.sent_by == coordinator
    assert sent.sent_at is not None
    with pytest.raises(ValidationError):
        mark_notice_sent(notice=notice, user=coordinator)


def test_a_task_is_completed() -> None:
    _pupil, case = _case()
    task = case.tasks.get(kind=FollowUpTask.Kind.INFORM_MUNICIPALITY)
    done = complete_task(task=task, user=P.user(P.SUPPORT_A))
    assert done.done_by == P.user(P.SUPPORT_A)
    assert done.done_at is not None
