"""Reading files: encodings, delimiters, quotes, Latvian headers, XLSX, header problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kopiena.pupils.models import Enrolment
from kopiena.schooldata.importing.columns import normalise_header
from kopiena.schooldata.importing.issues import Issues
from kopiena.schooldata.importing.reading import Table, cell_text
from kopiena.schooldata.models import AttendanceDay, Grade, ImportRun
from tests import people as P
from tests.test_import_helpers import (
    DAYS_HEADER,
    GRADES_HEADER,
    error_lines,
    open_enrolments,
    run,
    school_day,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
Status = ImportRun.Status
A = P.SCHOOL_A


@pytest.fixture
def pupil() -> Enrolment:
    return open_enrolments(A, 1)[0]


def _read(path: Path, kind: str) -> tuple[Table, list[tuple[int, tuple[str, ...]]], Issues]:
    issues = Issues()
    with path.open("rb") as stream:
        table = Table(stream, kind, issues)
        rows = list(table.rows())
    return table, rows, issues


def test_header_names_fold_case_diacritics_and_spaces() -> None:
    assert normalise_header("  Dzimšanas datums ") == "dzimsanas_datums"
    assert normalise_header("SKOLĒNA-ID") == "skolena_id"
    assert normalise_header("Vērtējums") == "vertejums"


def test_bom_semicolons_crlf_latvian_headers_and_latvian_dates(tmp_path: Path,
                                                              pupil: Enrolment) -> None:
    day = school_day()
    header = ["Iestādes_kods", "SKOLĒNA_ID", "Datums", "Priekšmets", "Vērtējums", "veids"]
    rows = [[A, pupil.source_id, f"{day.day}.{day.month}.{day.year}", "Matemātika; algebra",
             "7", "term"]]
    path = write_csv(tmp_path / "g.csv", header, rows, delimiter=";", newline="\r\n", bom=True)
    result = run("grades", path)
    assert result.status == Status.APPLIED, result.errors
    grade = Grade.objects.get(pupil_id=pupil.pupil_id, date=day)
    assert (grade.subject, grade.value, grade.kind, grade.points) == (
        "Matemātika; algebra", "7", "term", 7)


def test_aliases_without_diacritics_and_quoted_fields(tmp_path: Path, pupil: Enrolment) -> None:
    day = school_day()
    text = ("iestades_kods,skolena_id,datums,prieksmets,vertejums\r\n"
            f'{A},"{pupil.source_id}",{day:%d.%m.%Y},"Latviešu ""valoda""",  9  \r\n')
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    result = run("grades", path)
    assert result.status == Status.APPLIED, result.errors
    assert Grade.objects.get(pupil_id=pupil.pupil_id, date=day).subject == 'Latviešu "valoda"'


def test_quoted_value_spanning_lines_keeps_line_numbers_as_records(tmp_path: Path,
                                                                  pupil: Enrolment) -> None:
    header = ["school_code", "pupil_id", "date", "category", "severity", "note"]
    rows = [[A, pupil.source_id, school_day(), "disruption", 1, "first line\nsecond line"],
            [A, pupil.source_id, school_day(2), "other", 9, ""]]
    result = run("behaviour", write_csv(tmp_path / "b.csv", header, rows))
    assert error_lines(result) == [(3, "severity")]


def test_xlsx_with_dates_and_float_numbers(tmp_path: Path, pupil: Enrolment) -> None:
    day, other = school_day(), school_day(2)
    rows = [[A, pupil.source_id, dt.datetime.combine(day, dt.time()), 6.0, 1.0, 0, None],
            [A, pupil.source_id, other.isoformat(), 5, 0, 0, 2]]
    path = write_xlsx(tmp_path / "days.xlsx", DAYS_HEADER, rows)
    result = run("attendance-days", path)
    assert result.status == Status.APPLIED, result.errors
    assert result.created == 2
    stored = AttendanceDay.objects.get(pupil_id=pupil.pupil_id, date=day)
    assert (stored.lessons_scheduled, stored.absent_excused, stored.late) == (6, 1, 0)


def test_xlsx_errors_name_the_row_number(tmp_path: Path, pupil: Enrolment) -> None:
    rows: list[list[object]] = [[A, pupil.source_id, school_day(), 6, 0, 0, 0], [None] * 7,
                                 [A, pupil.source_id, "someday", 6, 0, 0, 0]]
    result = run("attendance-days", write_xlsx(tmp_path / "d.xlsx", DAYS_HEADER, rows))
    assert error_lines(result) == [(4, "date")]


def test_cell_text() -> None:
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text(dt.date(2025, 1, 6)) == "2025-01-06"
    assert cell_text(None) == ""


def test_unknown_columns_are_warnings_and_empty_lines_are_skipped(tmp_path: Path,
                                                                 pupil: Enrolment) -> None:
    header = [*GRADES_HEADER, "teacher", "comment"]
    path = tmp_path / "g.csv"
    lines = [",".join(header), "", f"{A},{pupil.source_id},{school_day()},Vēsture,8,,Ozola,x",
             ",,,,,,,", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("grades", path)
    assert result.status == Status.APPLIED, result.errors
    assert [(w["line"], w["column"]) for w in result.warnings] == [(1, "teacher"),
                                                                    (1, "comment")]
    assert result.rows == 1
    assert result.preview[0]["subject"] == "Vēsture"


def test_missing_and_duplicated_columns_are_errors_on_line_one(tmp_path: Path) -> None:
    missing = write_csv(tmp_path / "m.csv", ["school_code", "datums", "subject", "kind"], [])
    result = run("grades", missing)
    assert result.status == Status.REFUSED
    assert sorted(error_lines(result)) == [(1, "grade"), (1, "pupil_id")]
    twice = write_csv(tmp_path / "t.csv", [*GRADES_HEADER, "vērtējums"], [])
    assert error_lines(run("grades", twice)) == [(1, "vērtējums")]


def test_all_errors_are_reported_with_line_column_and_message(tmp_path: Path,
                                                             pupil: Enrolment) -> None:
    rows: list[list[object]] = [[A, pupil.source_id, "2025-13-01", "Vēsture", "11", "weekly"],
                                 [A, "", school_day(), "", "nv", ""],
            [A, pupil.source_id, school_day(), "Fizika", "4", "", "surplus"]]
    result = run("grades", write_csv(tmp_path / "g.csv", GRADES_HEADER, rows))
    assert result.status == Status.REFUSED
    assert sorted(error_lines(result)) == [(2, "date"), (2, "grade"), (2, "kind"),
                                           (3, "pupil_id"), (3, "subject"), (4, "")]
    assert result.error_count == 6
    assert all(e["message"] for e in result.errors)


def test_a_value_that_is_not_utf8_is_an_error_of_its_line(tmp_path: Path,
                                                         pupil: Enrolment) -> None:
    good = f"{A},{pupil.source_id},{school_day()},Vēsture,8,\n".encode()
    bad = f"{A},{pupil.source_id},{school_day(2)},V".encode() + b"\xe8sture,8,\n"
    path = tmp_path / "g.csv"
    path.write_bytes(",".join(GRADES_HEADER).encode() + b"\n" + good + bad)
    result = run("grades", path)
    assert error_lines(result) == [(3, "")]


@pytest.mark.parametrize(("content", "line"), [
    (b"", 0), (b"\n\n  \n", 0), (b"\xd0\xcf\x11\xe0rest of an old xls", 0),
    ("school_code,pupil_id\n".encode("utf-16"), 0), (b"PK\x03\x04not really a zip", 0),
])
def test_unreadable_files_are_refused_cleanly(tmp_path: Path, content: bytes,
                                              line: int) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    result = run("grades", path)
    assert result.status == Status.REFUSED
    assert [e["line"] for e in result.errors] == [line]


def test_table_projects_known_columns_in_spec_order(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Vērtējums;Datums;skolena_id;Iestādes kods;priekšmets;x\n"
                    " 5 ;01.09.2025; E-1 ;123;Fizika;zzz\n", encoding="utf-8")
    table, rows, issues = _read(path, "grades")
    assert table.header is not None and table.header.label("grade") == "Vērtējums"
    assert rows == [(2, ("123", "E-1", "01.09.2025", "Fizika", "5", ""))]
    assert issues.warning_count == 1 and issues.error_count == 0


def test_nul_characters_and_bad_bytes_in_names_are_stored_safely(tmp_path: Path,
                                                                 pupil: Enrolment) -> None:
    header = ",".join(GRADES_HEADER).encode() + b",te\xe8cher\n"
    row = f"{A},{pupil.source_id},{school_day()},Fizi\x00ka,8,,x\n".encode()
    path = tmp_path / "g.csv"
    path.write_bytes(header + row)
    result = run("grades", path)
    assert error_lines(result) == [(2, "")]
    assert result.warnings[0]["column"] == "te\ufffdcher"
    ImportRun.objects.get(pk=result.pk)  # stored as JSON on every database
