"""Kinds grades and behaviour: values, derived fields, keys, duplicates, idempotency."""

from __future__ import annotations

from pathlib import Path

import pytest

from kopiena.pupils.models import Enrolment
from kopiena.schooldata.models import BehaviourIncident, Grade, ImportRun
from tests import people as P
from tests.test_import_helpers import (
    BEHAVIOUR_HEADER,
    GRADES_HEADER,
    error_lines,
    open_enrolments,
    run,
    school_day,
    write_csv,
)

pytestmark = pytest.mark.django_db
Status = ImportRun.Status
A = P.SCHOOL_A


@pytest.fixture
def pupil() -> Enrolment:
    return open_enrolments(A, 1)[0]


GRADE_CASES = [  # value, kind, stored value, points, insufficient
    ("10", "", "10", 10, False), ("4", "term", "4", 4, False), ("3", "", "3", 3, True),
    ("1.0", "exam", "1", 1, True), ("NV", "", "nv", None, True), ("s", "annual", "S", None, True),
    ("S", "term", "S", None, False), ("t", "", "T", None, False), ("A", "annual", "A", None, False),
    ("p", "", "P", None, False), ("I", "annual", "i", None, False), ("NI", "", "ni", None, True),
]


def test_grade_values_points_and_insufficiency(tmp_path: Path, pupil: Enrolment) -> None:
    rows = [[A, pupil.source_id, school_day(n + 1), "Matemātika", value, kind]
            for n, (value, kind, *_rest) in enumerate(GRADE_CASES)]
    result = run("grades", write_csv(tmp_path / "g.csv", GRADES_HEADER, rows))
    assert result.status == Status.APPLIED, result.errors
    for n, (_value, kind, stored, points, insufficient) in enumerate(GRADE_CASES):
        grade = Grade.objects.get(pupil_id=pupil.pupil_id, date=school_day(n + 1))
        assert (grade.value, grade.kind, grade.points, grade.is_insufficient) == (
            stored, kind or "ongoing", points, insufficient)


@pytest.mark.parametrize(("value", "kind", "column"), [
    ("0", "", "grade"), ("11", "", "grade"), ("5+", "", "grade"), ("B", "", "grade"),
    ("", "", "grade"), ("7", "semester", "kind"),
])
def test_bad_grades(tmp_path: Path, pupil: Enrolment, value: str, kind: str,
                    column: str) -> None:
    rows = [[A, pupil.source_id, school_day(), "Fizika", value, kind]]
    result = run("grades", write_csv(tmp_path / "g.csv", GRADES_HEADER, rows))
    assert error_lines(result) == [(2, column)]


def test_grade_key_includes_subject_and_kind(tmp_path: Path, pupil: Enrolment) -> None:
    day = school_day()
    rows = [[A, pupil.source_id, day, "Fizika", "6", "term"],
            [A, pupil.source_id, day, "Fizika", "7", "annual"],
            [A, pupil.source_id, day, "Ķīmija", "8", "term"],
            [A, pupil.source_id, day, "Fizika", "6", "term"]]  # exact repeat
    path = write_csv(tmp_path / "g.csv", GRADES_HEADER, rows)
    result = run("grades", path)
    assert (result.created, result.unchanged) == (3, 1), result.errors
    assert (run("grades", path).unchanged) == 4
    rows[0][4] = "5"
    rows.pop()
    fixed = run("grades", write_csv(tmp_path / "f.csv", GRADES_HEADER, rows))
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 2)
    assert Grade.objects.get(pupil_id=pupil.pupil_id, date=day, subject="Fizika",
                             kind="term").value == "5"


def test_conflicting_grades_name_both_lines(tmp_path: Path, pupil: Enrolment) -> None:
    day = school_day()
    rows = [[A, pupil.source_id, day, "Fizika", "6", "term"],
            [A, pupil.source_id, day, "Fizika", "8", "term"]]
    result = run("grades", write_csv(tmp_path / "g.csv", GRADES_HEADER, rows))
    assert error_lines(result) == [(3, "grade")]
    assert Grade.objects.filter(pupil_id=pupil.pupil_id).count() == 0


def test_behaviour_incidents(tmp_path: Path, pupil: Enrolment) -> None:
    day = school_day()
    rows = [[A, pupil.source_id, day, "disruption", "1", "Traucēja stundu"],
            [A, pupil.source_id, day, "bullying", "3", ""]]
    path = write_csv(tmp_path / "b.csv", BEHAVIOUR_HEADER, rows)
    result = run("behaviour", path)
    assert (result.status, result.created) == (Status.APPLIED, 2), result.errors
    incident = BehaviourIncident.objects.get(pupil_id=pupil.pupil_id, category="disruption")
    assert (incident.severity, incident.note, incident.date) == (1, "Traucēja stundu", day)
    assert run("behaviour", path).unchanged == 2
    rows[1][5] = "Grūstīja klasesbiedru"
    fixed = run("behaviour", write_csv(tmp_path / "f.csv", BEHAVIOUR_HEADER, rows))
    assert (fixed.updated, fixed.unchanged) == (1, 1)


@pytest.mark.parametrize(("severity", "category", "column"), [
    ("0", "other", "severity"), ("4", "other", "severity"), ("", "other", "severity"),
    ("2", "", "category"), ("2", "x" * 41, "category"),
])
def test_bad_behaviour_rows(tmp_path: Path, pupil: Enrolment, severity: str, category: str,
                            column: str) -> None:
    rows = [[A, pupil.source_id, school_day(), category, severity, ""]]
    result = run("behaviour", write_csv(tmp_path / "b.csv", BEHAVIOUR_HEADER, rows))
    assert error_lines(result) == [(2, column)]


def test_conflicting_incidents_name_both_lines(tmp_path: Path, pupil: Enrolment) -> None:
    day = school_day()
    rows = [[A, pupil.source_id, day, "truancy", "2", "a"],
            [A, pupil.source_id, school_day(2), "truancy", "2", "a"],
            [A, pupil.source_id, day, "truancy", "2", "b"]]
    result = run("behaviour", write_csv(tmp_path / "b.csv", BEHAVIOUR_HEADER, rows))
    assert error_lines(result) == [(4, "note")]
