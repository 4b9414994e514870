"""The sample files of tests/fixtures/school_data, one per kind, imported in order (pupils
first), then again: the second round changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kopiena.pupils.models import Enrolment
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade, ImportRun
from tests.test_import_helpers import run

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "fixtures" / "school_data"
ORDER = [  # kind, rows, records created
    ("pupils", 5, 5), ("attendance-days", 16, 16), ("attendance-lessons", 18, 3),
    ("grades", 7, 7), ("behaviour", 3, 3),
]


def test_samples_import_and_reimport_unchanged() -> None:
    for kind, rows, created in ORDER:
        result = run(kind, SAMPLES / f"{kind}.csv")
        assert result.status == ImportRun.Status.APPLIED, (kind, result.errors)
        assert (result.rows, result.created, result.updated) == (rows, created, 0), kind
    left = Enrolment.objects.get(source_id="P-1004")
    assert left.pupil.school_class is None and left.leaving_reason == "Mainīja dzīvesvietu"
    truant = AttendanceDay.objects.get(pupil__enrolments__source_id="P-1003",
                                       date="2025-01-13")
    assert (truant.lessons_scheduled, truant.absent_unexcused) == (6, 6)
    assert Grade.objects.get(pupil__enrolments__source_id="P-1002", subject="Matemātika"
                             ).is_insufficient
    assert BehaviourIncident.objects.filter(pupil__enrolments__source_id="P-1002").count() == 2
    for kind, _rows, created in ORDER:
        again = run(kind, SAMPLES / f"{kind}.csv")
        assert (again.created, again.updated, again.unchanged) == (0, 0, created), kind
