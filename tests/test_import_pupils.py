"""Kind pupils: pupils, enrolments and classes created and updated; every rule of the spec."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from kopiena.calendars.schooldays import current_school_year, school_year_on
from kopiena.pupils import crypto
from kopiena.pupils.models import Enrolment, Programme, Pupil, SchoolClass
from kopiena.pupils.personal_code import make_old_form
from kopiena.schooldata.models import ImportRun
from tests import people as P
from tests.test_import_helpers import (
    PUPILS_HEADER,
    data_counts,
    error_lines,
    open_enrolments,
    run,
    write_csv,
)

pytestmark = pytest.mark.django_db
Status = ImportRun.Status
A, B = P.SCHOOL_A, P.SCHOOL_B
BIRTH = dt.date(2012, 3, 14)
CODE = make_old_form(BIRTH, 123)


def _row(**changes: object) -> list[object]:
    row: dict[str, object] = {
        "school_code": A, "pupil_id": "T-1", "first_name": "Anna", "last_name": "Bērziņa",
        "personal_code": CODE, "birth_date": BIRTH.isoformat(), "gender": "S",
        "class_label": "8.B", "grade_level": "8", "programme": "vispārējā",
        "enrolled_from": "2020-09-01", "enrolled_to": "", "leaving_reason": "",
    }
    row.update(changes)
    return [row[column] for column in PUPILS_HEADER]


def _import(tmp_path: Path, *rows: list[object], dry_run: bool = False) -> ImportRun:
    return run("pupils", write_csv(tmp_path / "pupils.csv", PUPILS_HEADER, rows),
               dry_run=dry_run)


def _enrolment(source_id: str = "T-1", code: str = A) -> Enrolment:
    return Enrolment.objects.select_related("pupil", "school_class").get(
        school__registration_code=code, source_id=source_id)


def test_new_pupils_with_enrolment_and_class(tmp_path: Path) -> None:
    result = _import(tmp_path, _row(),
                     _row(pupil_id="T-2", first_name="Jānis", last_name="Ozols",
                          personal_code="32345612345", birth_date="1.2.2011", gender="v",
                          class_label="9.a", grade_level="9"),
                     _row(school_code=B, pupil_id="V-1", personal_code="", gender="",
                          class_label="2.k", grade_level="K2", programme="profesionālā"))
    assert result.status == Status.APPLIED, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    anna = _enrolment()
    pupil = anna.pupil
    assert (pupil.first_name, pupil.last_name, pupil.birth_date, pupil.gender) == (
        "Anna", "Bērziņa", BIRTH, "F")
    assert pupil.search_name == Pupil.compute_search_name("Anna", "Bērziņa")
    assert pupil.personal_code_digest == crypto.digest(CODE.replace("-", ""))
    assert anna.school_class is not None and pupil.school_class == anna.school_class
    assert (anna.school_class.label, anna.school_class.grade, anna.school_class.programme,
            anna.school_class.school_year) == ("8.b", 8, Programme.GENERAL,
                                               current_school_year())
    assert pupil.school == anna.school and anna.enrolled_from == dt.date(2020, 9, 1)
    assert _enrolment("T-2").pupil.gender == "M"
    vet = _enrolment("V-1", B)
    assert vet.school_class is not None
    assert (vet.school_class.grade, vet.school_class.programme) == (2, Programme.VET)
    assert vet.school_class.grade_display == "K2"
    assert (vet.pupil.gender, vet.pupil.has_personal_code, vet.pupil.programme) == (
        "X", False, Programme.VET)


def test_reimport_is_unchanged_and_a_corrected_row_updates(tmp_path: Path) -> None:
    assert _import(tmp_path, _row(), _row(pupil_id="T-2", personal_code="")).created == 2
    pupils = Pupil.objects.count()
    again = _import(tmp_path, _row(), _row(pupil_id="T-2", personal_code=""))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    fixed = _import(tmp_path, _row(last_name="Bērziņa-Ozola"),
                    _row(pupil_id="T-2", personal_code=""))
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 1)
    assert _enrolment().pupil.last_name == "Bērziņa-Ozola"
    assert Pupil.objects.count() == pupils


def test_a_pupil_who_left_keeps_the_school_but_has_no_class(tmp_path: Path) -> None:
    _import(tmp_path, _row())
    left_on = timezone.localdate() - dt.timedelta(days=400)
    result = _import(tmp_path, _row(enrolled_to=left_on.isoformat(),
                                    leaving_reason="Mainīja dzīvesvietu"))
    assert result.updated == 1, result.errors
    enrolment = _enrolment()
    assert (enrolment.enrolled_to, enrolment.leaving_reason) == (left_on,
                                                                 "Mainīja dzīvesvietu")
    assert enrolment.school_class is not None
    assert enrolment.school_class.school_year == school_year_on(left_on)
    assert enrolment.pupil.school == enrolment.school and enrolment.pupil.school_class is None


def test_updating_a_demo_enrolment_moves_the_pupil_to_the_new_class(tmp_path: Path) -> None:
    existing = open_enrolments(A, 1)[0]
    pupil = existing.pupil
    result = _import(tmp_path, _row(
        pupil_id=existing.source_id, first_name=pupil.first_name, last_name=pupil.last_name,
        personal_code="", birth_date=pupil.birth_date.isoformat(), gender=pupil.gender,
        class_label="12.x", grade_level="12", enrolled_from=existing.enrolled_from.isoformat()))
    assert (result.created, result.updated) == (0, 1), result.errors
    pupil.refresh_from_db()
    assert pupil.school_class is not None and pupil.school_class.label == "12.x"
    assert pupil.has_personal_code  # an empty personal code never erases one


def test_leaving_reason_without_leaving_date_is_a_warning(tmp_path: Path) -> None:
    result = _import(tmp_path, _row(leaving_reason="Pārcēlās"))
    assert result.status == Status.APPLIED
    assert [(w["line"], w["column"]) for w in result.warnings] == [(2, "leaving_reason")]
    assert _enrolment().leaving_reason == ""


@pytest.mark.parametrize(("changes", "column"), [
    ({"personal_code": CODE[:-1] + str((int(CODE[-1]) + 1) % 10)}, "personal_code"),
    ({"personal_code": "1234"}, "personal_code"),
    ({"birth_date": "2012-03-15"}, "birth_date"),
    ({"gender": "Q"}, "gender"),
    ({"programme": "art"}, "programme"),
    ({"grade_level": "13"}, "grade_level"),
    ({"grade_level": "K2"}, "grade_level"),  # a course in a general programme
    ({"grade_level": "7", "programme": "vet"}, "grade_level"),
    ({"class_label": "8-b"}, "class_label"),
    ({"enrolled_from": "2020-09-01", "enrolled_to": "2020-08-31"}, "enrolled_to"),
    ({"first_name": ""}, "first_name"),
    ({"first_name": "A" * 101}, "first_name"),
    ({"enrolled_from": ""}, "enrolled_from"),
    ({"school_code": "9999999999"}, "school_code"),
    ({"school_code": P.SCHOOL_A.replace("4311900001", "90000000001")}, "school_code"),
])
def test_rule_violations_are_errors(tmp_path: Path, changes: dict[str, str],
                                    column: str) -> None:
    before = data_counts()
    result = _import(tmp_path, _row(**changes))
    assert result.status == Status.REFUSED
    assert error_lines(result) == [(2, column)]
    assert data_counts() == before


def test_personal_codes_are_never_quoted_back_nor_stored_in_the_preview(tmp_path: Path) -> None:
    bad = CODE[:-1] + str((int(CODE[-1]) + 1) % 10)
    result = _import(tmp_path, _row(personal_code=bad))
    assert bad not in str(result.errors) and bad[:6] not in str(result.errors)
    assert result.preview[0]["personal_code"] == "*" * len(bad)


def test_conflicting_rows_name_both_lines(tmp_path: Path) -> None:
    result = _import(tmp_path, _row(), _row(pupil_id="T-2"), _row(first_name="Annija"),
                     _row(pupil_id="T-3", personal_code="", class_label="8.b",
                          grade_level="9"))
    assert result.status == Status.REFUSED
    assert error_lines(result) == [(3, "personal_code"), (4, "pupil_id"), (5, "grade_level")]
    messages = [e["message"] for e in result.errors]
    assert "2" in messages[0] and "3" in messages[0]
    assert "2" in messages[1] and "4" in messages[1]


def test_exact_repeat_is_ignored(tmp_path: Path) -> None:
    result = _import(tmp_path, _row(), _row())
    assert (result.status, result.created, result.unchanged) == (Status.APPLIED, 1, 1)


def test_dry_run_counts_and_writes_nothing(tmp_path: Path) -> None:
    before = data_counts()
    classes = SchoolClass.objects.count()
    result = _import(tmp_path, _row(), _row(pupil_id="T-2", personal_code=""), dry_run=True)
    assert (result.status, result.created, result.dry_run) == (Status.CHECKED, 2, True)
    assert data_counts() == before and SchoolClass.objects.count() == classes
