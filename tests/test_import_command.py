"""``manage.py import_school_data``: exit status, the JSON summary as the last line, progress."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kopiena.schooldata.models import AttendanceDay
from tests import people as P
from tests.test_import_helpers import (
    DAYS_HEADER,
    data_counts,
    open_enrolments,
    school_day,
    write_csv,
)

pytestmark = pytest.mark.django_db
A = P.SCHOOL_A


@pytest.fixture
def days_file(tmp_path: Path) -> Path:
    pupil = open_enrolments(A, 1)[0]
    rows = [[A, pupil.source_id, school_day(n + 1), 6, 1, 0, 0] for n in range(3)]
    return write_csv(tmp_path / "days.csv", DAYS_HEADER, rows)


def _call(*args: str) -> tuple[dict[str, Any], str, int]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_school_data", *args, stdout=out, stderr=err)
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    last = out.getvalue().strip().splitlines()[-1]
    return json.loads(last), err.getvalue(), code


def test_applied_file_exits_0_with_summary_last(days_file: Path) -> None:
    result, err, code = _call("attendance-days", str(days_file))
    assert code == 0
    assert result == {"kind": "attendance-days", "rows": 3, "created": 3, "updated": 0,
                      "unchanged": 0, "warnings": [], "errors": []}
    assert "100%" in err
    again, _err, code = _call("attendance-days", str(days_file))
    assert (code, again["unchanged"]) == (0, 3)


def test_dry_run_exits_0_and_writes_nothing(days_file: Path) -> None:
    before = data_counts()
    result, _err, code = _call("attendance-days", str(days_file), "--dry-run")
    assert (code, result["created"]) == (0, 3)
    assert data_counts() == before


def test_refused_file_exits_1_with_every_error(tmp_path: Path) -> None:
    pupil = open_enrolments(A, 1)[0]
    rows = [[A, pupil.source_id, "32.13.2025", 6, 0, 0, 0], [A, "ghost", school_day(), 6, 0, 0, 0]]
    before = AttendanceDay.objects.count()
    result, err, code = _call("attendance-days", str(write_csv(tmp_path / "d.csv", DAYS_HEADER,
                                                               rows)))
    assert code == 1
    assert [(e["line"], e["column"]) for e in result["errors"]] == [(2, "date"), (3, "pupil_id")]
    assert "date" in err and "pupil_id" in err
    assert AttendanceDay.objects.count() == before


def test_dry_run_of_a_bad_file_exits_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", ["school_code"], [[A]])
    _result, _err, code = _call("attendance-days", str(path), "--dry-run")
    assert code == 1


def test_user_option(days_file: Path) -> None:
    _result, _err, code = _call("attendance-days", str(days_file), "--user", P.TEACHER_A)
    assert code == 1
    result, _err, code = _call("attendance-days", str(days_file), "--user",
                               P.DIRECTOR_A.upper())
    assert (code, result["created"]) == (0, 3)


@pytest.mark.parametrize("args", [
    ["marks", "x.csv"], ["attendance-days", "/no/such/file.csv"],
    ["attendance-days", "FILE", "--user", "nobody@example.com"],
])
def test_usage_errors_exit_2(days_file: Path, args: list[str]) -> None:
    args = [str(days_file) if a == "FILE" else a for a in args]
    with pytest.raises(CommandError) as raised:
        call_command("import_school_data", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 2


def test_help_and_exit_status_from_the_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_school_data", "unknown-kind", "x.csv"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, env={"DEBUG": "1",
                                                                      "PATH": "/usr/bin"},
        check=False)
    assert completed.returncode == 2
    helped = subprocess.run([sys.executable, "manage.py", "help", "import_school_data"],
                            cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={"DEBUG": "1", "PATH": "/usr/bin"}, check=False)
    assert "--dry-run" in helped.stdout and "attendance-lessons" in helped.stdout
