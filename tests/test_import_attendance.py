"""Kinds attendance-days and attendance-lessons: values, enrolment, aggregation, duplicates,
idempotency, replacing a day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kopiena.pupils.models import Enrolment
from kopiena.schooldata.models import AttendanceDay, AttendanceMark, ImportRun, MarkAlias
from tests import people as P
from tests.test_import_helpers import (
    DAYS_HEADER,
    LESSONS_HEADER,
    data_counts,
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
def pupils() -> list[Enrolment]:
    return open_enrolments(A, 3)


def _day(enrolment: Enrolment, day: dt.date) -> AttendanceDay:
    return AttendanceDay.objects.get(pupil_id=enrolment.pupil_id, date=day)


class TestAttendanceDays:
    def test_rows_are_created_then_unchanged_then_updated(self, tmp_path: Path,
                                                          pupils: list[Enrolment]) -> None:
        d1, d2 = school_day(3), school_day(2)
        rows = [[A, e.source_id, d, 6, 1, 0, 1] for e in pupils for d in (d1, d2)]
        path = write_csv(tmp_path / "days.csv", DAYS_HEADER, rows)
        first = run("attendance-days", path)
        assert first.status == Status.APPLIED, first.errors
        assert (first.rows, first.created, first.updated, first.unchanged) == (6, 6, 0, 0)
        day = _day(pupils[0], d1)
        assert (day.lessons_scheduled, day.absent_excused, day.absent_unexcused, day.late) == (
            6, 1, 0, 1)
        assert day.school.registration_code == A

        again = run("attendance-days", path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 6)

        rows[0][5] = 2  # corrected export: two unexcused absences
        corrected = run("attendance-days", write_csv(tmp_path / "fixed.csv", DAYS_HEADER, rows))
        assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 5)
        assert _day(pupils[0], d1).absent_unexcused == 2

    def test_late_is_optional_and_defaults_to_zero(self, tmp_path: Path,
                                                   pupils: list[Enrolment]) -> None:
        header = DAYS_HEADER[:-1]
        path = write_csv(tmp_path / "d.csv", header, [[A, pupils[0].source_id, school_day(), 5,
                                                        0, 0]])
        assert run("attendance-days", path).status == Status.APPLIED
        assert _day(pupils[0], school_day()).late == 0

    @pytest.mark.parametrize(("column", "value"), [
        ("lessons_scheduled", "13"), ("lessons_scheduled", "-1"), ("lessons_scheduled", "x"),
        ("lessons_scheduled", "2.5"), ("absent_excused", "-2"), ("absent_unexcused", ""),
        ("late", "one"), ("date", "2024/09/02"), ("date", "31.02.2025"), ("date", ""),
    ])
    def test_bad_values_are_errors(self, tmp_path: Path, pupils: list[Enrolment], column: str,
                                   value: str) -> None:
        row = dict(zip(DAYS_HEADER, [A, pupils[0].source_id, school_day(), 6, 0, 0, 0],
                       strict=True))
        row[column] = value
        path = write_csv(tmp_path / "d.csv", DAYS_HEADER, [list(row.values())])
        result = run("attendance-days", path)
        assert result.status == Status.REFUSED
        assert (2, column) in error_lines(result)

    def test_absences_cannot_exceed_lessons(self, tmp_path: Path,
                                            pupils: list[Enrolment]) -> None:
        path = write_csv(tmp_path / "d.csv", DAYS_HEADER,
                         [[A, pupils[0].source_id, school_day(), 4, 2, 2, 1]])
        result = run("attendance-days", path)
        assert error_lines(result) == [(2, "lessons_scheduled")]

    def test_unknown_pupil_and_date_outside_enrolment(self, tmp_path: Path,
                                                      pupils: list[Enrolment]) -> None:
        before = pupils[0].enrolled_from - dt.timedelta(days=1)
        rows = [[A, "NO-SUCH-PUPIL", school_day(), 6, 0, 0, 0],
                [A, pupils[0].source_id, before, 6, 0, 0, 0]]
        result = run("attendance-days", write_csv(tmp_path / "d.csv", DAYS_HEADER, rows))
        assert error_lines(result) == [(2, "pupil_id"), (3, "date")]

    def test_a_pupil_of_another_school_is_unknown_here(self, tmp_path: Path) -> None:
        other = open_enrolments(P.SCHOOL_BASIC, 1)[0]
        rows = [[A, other.source_id, school_day(), 6, 0, 0, 0]]
        result = run("attendance-days", write_csv(tmp_path / "d.csv", DAYS_HEADER, rows))
        assert error_lines(result) == [(2, "pupil_id")]

    def test_pupil_who_left_has_no_attendance_after_leaving(self, tmp_path: Path) -> None:
        left = Enrolment.objects.filter(school__registration_code=A,
                                        enrolled_to__isnull=False).first()
        assert left is not None and left.enrolled_to is not None
        rows = [[A, left.source_id, left.enrolled_to, 6, 0, 0, 0],
                [A, left.source_id, left.enrolled_to + dt.timedelta(days=1), 6, 0, 0, 0]]
        result = run("attendance-days", write_csv(tmp_path / "d.csv", DAYS_HEADER, rows))
        assert error_lines(result) == [(3, "date")]

    def test_exact_repeat_is_ignored_but_a_conflict_names_both_lines(
            self, tmp_path: Path, pupils: list[Enrolment]) -> None:
        day = school_day()
        row = [A, pupils[0].source_id, day, 6, 0, 0, 0]
        repeated = run("attendance-days", write_csv(tmp_path / "r.csv", DAYS_HEADER,
                                                    [row, row]))
        assert repeated.status == Status.APPLIED
        assert (repeated.created, repeated.unchanged) == (1, 1)

        conflict = [A, pupils[0].source_id, day, 6, 0, 1, 0]
        other = [A, pupils[1].source_id, day, 6, 0, 0, 0]
        before = data_counts()
        result = run("attendance-days", write_csv(tmp_path / "c.csv", DAYS_HEADER,
                                                  [row, other, conflict]))
        assert result.status == Status.REFUSED
        assert error_lines(result) == [(4, "absent_unexcused")]
        assert "2" in result.errors[0]["message"] and "4" in result.errors[0]["message"]
        assert data_counts() == before


class TestAttendanceLessons:
    def test_lessons_are_aggregated_to_a_day(self, tmp_path: Path,
                                             pupils: list[Enrolment]) -> None:
        day = school_day()
        pid = pupils[0].source_id
        rows = [[A, pid, day, 1, "Matemātika", ""], [A, pid, day, 2, "Angļu valoda", "n"],
                [A, pid, day, 3, "Vēsture", "ns"], [A, pid, day, 4, "Sports", "kavējums"],
                [A, pid, day, 5, "Ķīmija", "+"], [A, pid, day, 5, "Ķīmija", "+"],  # repeat
                [A, pid, day, 6, "Fizika", "AU"]]
        result = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, rows))
        assert result.status == Status.APPLIED, result.errors
        assert (result.rows, result.created) == (7, 1)
        stored = _day(pupils[0], day)
        assert (stored.lessons_scheduled, stored.absent_excused, stored.absent_unexcused,
                stored.late) == (6, 1, 2, 1)
        again = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, rows))
        assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    def test_a_day_in_the_file_replaces_the_stored_day(self, tmp_path: Path,
                                                       pupils: list[Enrolment]) -> None:
        day = school_day()
        AttendanceDay.objects.create(pupil_id=pupils[0].pupil_id, school=pupils[0].school,
                                     date=day, lessons_scheduled=8, absent_excused=3,
                                     absent_unexcused=3, late=1)
        rows = [[A, pupils[0].source_id, day, n, "", "ir"] for n in (1, 2, 3)]
        result = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, rows))
        assert (result.created, result.updated) == (0, 1)
        stored = _day(pupils[0], day)
        assert (stored.lessons_scheduled, stored.absent_excused, stored.absent_unexcused,
                stored.late) == (3, 0, 0, 0)

    def test_two_marks_for_one_lesson_name_both_lines(self, tmp_path: Path,
                                                      pupils: list[Enrolment]) -> None:
        day = school_day()
        pid = pupils[0].source_id
        rows = [[A, pid, day, 1, "", "+"], [A, pid, day, 2, "", "+"], [A, pid, day, 1, "", "n"]]
        result = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, rows))
        assert result.status == Status.REFUSED
        assert error_lines(result) == [(4, "mark")]
        assert "2" in result.errors[0]["message"] and "4" in result.errors[0]["message"]

    @pytest.mark.parametrize(("value", "column"), [("0", "lesson_no"), ("13", "lesson_no"),
                                                   ("", "lesson_no"), ("x", "mark")])
    def test_bad_lessons_and_marks(self, tmp_path: Path, pupils: list[Enrolment], value: str,
                                   column: str) -> None:
        row = [A, pupils[0].source_id, school_day(), 1, "", "+"]
        row[3 if column == "lesson_no" else 5] = value
        result = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, [row]))
        assert error_lines(result) == [(2, column)]

    def test_every_spec_mark_and_the_schools_own(self, tmp_path: Path,
                                                 pupils: list[Enrolment]) -> None:
        MarkAlias.objects.create(school=pupils[0].school, alias="slims",
                                 meaning=AttendanceMark.EXCUSED)
        MarkAlias.objects.create(school=pupils[0].school, alias="K",  # overrides late
                                 meaning=AttendanceMark.UNEXCUSED)
        marks = {"present": ["+", "IR", "p", ""], "excused": ["ns", "NC", "a", "AE",
                                                              "attaisnots", "slims"],
                 "unexcused": ["n", "Nav", "au", "neattaisnots", "k"],
                 "late": ["v", "L", "kavējums", "KAVEJUMS"]}
        rows, expected = [], {}
        for index, (meaning, spellings) in enumerate(marks.items()):
            day = school_day(3 + index)
            expected[day] = (meaning, len(spellings))
            rows += [[A, pupils[0].source_id, day, n + 1, "", mark]
                     for n, mark in enumerate(spellings)]
        result = run("attendance-lessons", write_csv(tmp_path / "l.csv", LESSONS_HEADER, rows))
        assert result.status == Status.APPLIED, result.errors
        for day, (meaning, n) in expected.items():
            stored = _day(pupils[0], day)
            assert stored.lessons_scheduled == n
            assert {"excused": stored.absent_excused, "unexcused": stored.absent_unexcused,
                    "late": stored.late}.get(meaning, 0) == (0 if meaning == "present" else n)
