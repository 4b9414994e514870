"""Helpers of the school-data import tests (no tests here): files written in tmp_path, an
import in one call, enrolled demo pupils, counts of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.pupils.models import Enrolment, Pupil
from kopiena.schooldata.importing.api import import_file
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade, ImportRun
from tests import people as P

DAYS_HEADER = ["school_code", "pupil_id", "date", "lessons_scheduled", "absent_excused",
               "absent_unexcused", "late"]
LESSONS_HEADER = ["school_code", "pupil_id", "date", "lesson_no", "subject", "mark"]
GRADES_HEADER = ["school_code", "pupil_id", "date", "subject", "grade", "kind"]
BEHAVIOUR_HEADER = ["school_code", "pupil_id", "date", "category", "severity", "note"]
PUPILS_HEADER = ["school_code", "pupil_id", "first_name", "last_name", "personal_code",
                 "birth_date", "gender", "class_label", "grade_level", "programme",
                 "enrolled_from", "enrolled_to", "leaving_reason"]


def quoted(value: object) -> str:
    text = str(value)
    if any(c in text for c in ',;"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *,
             delimiter: str = ",", newline: str = "\n") -> str:
    lines = [delimiter.join(quoted(v) for v in row) for row in [header, *rows]]
    return newline.join(lines) + newline


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              delimiter: str = ",", newline: str = "\n", bom: bool = False) -> Path:
    data = csv_text(header, rows, delimiter=delimiter, newline=newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def run(kind: str, path: Path, *, user: User | None = None,
        dry_run: bool = False) -> ImportRun:
    return import_file(kind=kind, path=path, user=user, dry_run=dry_run)


def open_enrolments(code: str = P.SCHOOL_A, count: int = 3) -> list[Enrolment]:
    """Enrolments of demo pupils still at the school, enrolled for 60 days at least; the school
    data the demo may have seeded for them is removed (inside the test's transaction)."""
    today = timezone.localdate()
    found = list(
        Enrolment.objects.filter(school__registration_code=code, enrolled_to__isnull=True,
                                 enrolled_from__lte=today - dt.timedelta(days=60))
        .order_by("pk")[:count]
    )
    assert len(found) == count
    pupil_ids = [e.pupil_id for e in found]
    for model in (AttendanceDay, Grade, BehaviourIncident):
        model.objects.filter(pupil_id__in=pupil_ids).delete()
    return found


def school_day(back: int = 10) -> dt.date:
    """A weekday ``back`` weekdays before today (inside every open enrolment above)."""
    day = timezone.localdate()
    while back:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            back -= 1
    return day


def data_counts() -> tuple[int, int, int, int, int]:
    """Rows of everything an import may write."""
    return (AttendanceDay.objects.count(), Grade.objects.count(),
            BehaviourIncident.objects.count(), Pupil.objects.count(), Enrolment.objects.count())


def error_lines(import_run: ImportRun) -> list[tuple[int, str]]:
    return [(e["line"], e["column"]) for e in import_run.errors]

