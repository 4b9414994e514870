"""The API of the web flow: record, check, apply; permissions; atomicity; cancellation;
failure; the data-changed signal."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File

from kopiena.pupils.models import Enrolment
from kopiena.schooldata.importing import apply as apply_module
from kopiena.schooldata.importing.api import (
    ImportCancelled,
    apply_run,
    check_run,
    import_file,
    record_upload,
    summary,
)
from kopiena.schooldata.importing.issues import MAX_STORED
from kopiena.schooldata.importing.kind_attendance import AttendanceDays
from kopiena.schooldata.models import ImportRun
from kopiena.schooldata.signals import school_data_changed
from tests import people as P
from tests.test_import_helpers import (
    DAYS_HEADER,
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
def days_file(tmp_path: Path) -> Path:
    """Ten attendance days of two pupils of school A."""
    pupils = open_enrolments(A, 2)
    rows = [[A, e.source_id, school_day(n + 1), 6, 0, n % 2, 0]
            for e in pupils for n in range(5)]
    return write_csv(tmp_path / "days.csv", DAYS_HEADER, rows)


def _upload(path: Path, user: Any = None) -> ImportRun:
    with path.open("rb") as handle:
        return record_upload(kind="attendance-days", uploaded_file=File(handle, name=path.name),
                             file_name=f"C:\\exports\\{path.name}", user=user)


def test_record_check_apply(days_file: Path) -> None:
    uploaded = _upload(days_file)
    assert uploaded.status == Status.UPLOADED and uploaded.file_name.endswith("days.csv")
    assert uploaded.checksum == hashlib.sha256(days_file.read_bytes()).hexdigest()
    with uploaded.file.open("rb") as stored:
        assert stored.read() == days_file.read_bytes()

    before = data_counts()
    checked = check_run(uploaded)
    assert (checked.status, checked.rows, checked.total_rows, checked.created) == (
        Status.CHECKED, 10, 10, 10)
    assert data_counts() == before
    assert [s.registration_code for s in checked.schools.all()] == [A]
    assert len(checked.preview) == 10 and checked.preview[0]["school_code"] == A
    assert checked.finished_at is None

    applied = apply_run(checked)
    assert (applied.status, applied.created, applied.progress_rows) == (Status.APPLIED, 10, 10)
    assert applied.finished_at is not None
    assert summary(applied) == {"kind": "attendance-days", "rows": 10, "created": 10,
                                "updated": 0, "unchanged": 0, "warnings": [], "errors": []}
    with pytest.raises(ValueError, match="not waiting"):
        apply_run(applied)


def test_dry_runs_are_never_applied(days_file: Path) -> None:
    dry = import_file(kind="attendance-days", path=days_file, user=None, dry_run=True)
    assert (dry.status, dry.created, dry.finished_at is not None) == (Status.CHECKED, 10, True)
    with pytest.raises(ValueError, match="dry run"):
        apply_run(dry)


def test_apply_validates_again(days_file: Path) -> None:
    checked = check_run(_upload(days_file))
    Enrolment.objects.filter(school__registration_code=A,
                             source_id=open_enrolments(A, 1)[0].source_id).delete()
    refused = apply_run(checked)
    assert refused.status == Status.REFUSED and refused.error_count == 5
    assert refused.finished_at is not None


@pytest.mark.parametrize("persona", [P.TEACHER_A, P.SUPPORT_B, P.MUNICIPALITY])
def test_users_without_the_right_to_import_for_the_school_are_refused(
        days_file: Path, persona: str) -> None:
    before = data_counts()
    result = run("attendance-days", days_file, user=P.user(persona))
    assert result.status == Status.REFUSED
    assert error_lines(result) == [(2, "school_code")]  # once per school, not per row
    assert data_counts() == before


def test_a_file_with_one_forbidden_school_is_refused_whole(tmp_path: Path) -> None:
    a, basic = open_enrolments(A, 1)[0], open_enrolments(P.SCHOOL_BASIC, 1)[0]
    rows = [[A, a.source_id, school_day(), 6, 0, 0, 0],
            [P.SCHOOL_BASIC, basic.source_id, school_day(), 6, 0, 0, 0],
            [P.SCHOOL_BASIC, basic.source_id, school_day(2), 6, 0, 0, 0],
            ["0000000000", "x", school_day(), 6, 0, 0, 0]]
    path = write_csv(tmp_path / "d.csv", DAYS_HEADER, rows)
    before = data_counts()
    result = run("attendance-days", path, user=P.user(P.DIRECTOR_A))
    assert error_lines(result) == [(3, "school_code"), (5, "school_code")]
    assert data_counts() == before
    allowed = run("attendance-days", write_csv(tmp_path / "a.csv", DAYS_HEADER, rows[:1]),
                  user=P.user(P.DIRECTOR_A))
    assert allowed.status == Status.APPLIED, allowed.errors


def test_one_bad_row_writes_nothing(tmp_path: Path) -> None:
    pupils = open_enrolments(A, 2)
    rows = [[A, e.source_id, school_day(n + 1), 6, 0, 0, 0] for e in pupils for n in range(4)]
    rows[-1][3] = 99
    before = data_counts()
    result = run("attendance-days", write_csv(tmp_path / "d.csv", DAYS_HEADER, rows))
    assert (result.status, result.created) == (Status.REFUSED, 0)
    assert data_counts() == before


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    original: Callable[..., Any] = AttendanceDays.write
    calls = {"n": 0}

    def write(self: AttendanceDays, records: list[Any], *, write: bool) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("disk full")
        return original(self, records, write=write)

    monkeypatch.setattr(AttendanceDays, "write", write)


def test_a_crash_in_the_second_chunk_writes_nothing(
        days_file: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(apply_module, "CHUNK_SIZE", 3)
    _fail_on_call(monkeypatch, 2)
    before = data_counts()
    with caplog.at_level(logging.ERROR):
        result = run("attendance-days", days_file)
    assert (result.status, result.error_count, result.created) == (Status.FAILED, 1, 0)
    assert result.errors[0]["line"] == 0 and "disk full" not in result.errors[0]["message"]
    assert data_counts() == before
    assert "disk full" in caplog.text
    assert ImportRun.objects.get(pk=result.pk).status == Status.FAILED


def test_cancellation_between_chunks_writes_nothing(days_file: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply_module, "CHUNK_SIZE", 2)
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None) -> None:
        seen.append((done, total))
        if total is not None and done >= 4:
            ImportRun.objects.update(cancel_requested=True)

    before = data_counts()
    result = import_file(kind="attendance-days", path=days_file, user=None, dry_run=False,
                         progress=progress)
    assert result.status == Status.CANCELLED and result.finished_at is not None
    assert data_counts() == before
    assert seen[:3] == [(2, None), (4, None), (6, None)]
    assert (2, 10) in seen and (4, 10) in seen and (10, 10) not in seen


def test_a_cancel_requested_before_applying_stops_at_once(days_file: Path) -> None:
    checked = check_run(_upload(days_file))
    ImportRun.objects.filter(pk=checked.pk).update(cancel_requested=True)
    before = data_counts()
    assert apply_run(checked).status == Status.CANCELLED
    assert data_counts() == before
    assert issubclass(ImportCancelled, Exception)


def test_school_data_changed_is_sent_after_commit(
        days_file: Path, django_capture_on_commit_callbacks: Any) -> None:
    received: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        received.append(kwargs)

    school_data_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = run("attendance-days", days_file)
        with django_capture_on_commit_callbacks(execute=True):
            run("attendance-days", days_file)  # unchanged: nothing new, still sent
    finally:
        school_data_changed.disconnect(receiver)
    pupils = {e.pupil_id for e in open_enrolments(A, 2)}
    assert received[0]["run"].pk == result.pk and received[0]["run"].status == Status.APPLIED
    assert received[0]["pupil_ids"] == pupils
    assert (received[0]["first_date"], received[0]["last_date"]) == (school_day(5),
                                                                      school_day(1))
    assert received[1]["pupil_ids"] == set() and received[1]["first_date"] is None


def test_errors_are_capped_but_counted(tmp_path: Path) -> None:
    rows = [[A, "nobody", school_day(), 6, 0, 0, 0]] * (MAX_STORED + 200)
    result = run("attendance-days", write_csv(tmp_path / "d.csv", DAYS_HEADER, rows))
    assert (len(result.errors), result.error_count) == (MAX_STORED, MAX_STORED + 200)
