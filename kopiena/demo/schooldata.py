"""The demo's school data, written as spec-format files and imported through the real importer.

For every current demo pupil: attendance of the previous school year and of the current one up
to yesterday, ongoing grades, semester-1 (term) and annual results, behaviour incidents; see
``school_profiles`` for the patterns and how to find the pupils of each. Files follow
``shared/specs/school-data-v1.md``, one per kind and school year, in the variants real exports
come in (English or Latvian headers, ``,`` or ``;``, ISO or ``DD.MM.YYYY`` dates, with or without
a byte-order mark). The current year of Kaimiņu pamatskola comes as ``attendance-lessons``, one
row per lesson, so that the importer's aggregation runs too. Imports run without a user (full
rights), as ``manage.py import_school_data`` does without ``--user``.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.demo.school_profiles import assign_profiles, load_demo_pupils, timeline_for
from kopiena.demo.school_rows import DayRecord, PupilRows, RowMaker, Stint, YearPlan
from kopiena.demo.structure import NEIGHBOUR_SCHOOL_CODE, SCHOOLS
from kopiena.schooldata.models import (
    AttendanceDay,
    BehaviourIncident,
    Grade,
    ImportKind,
    ImportRun,
)

# label of the step, rows (or pupils) done, total if known
FileProgress = Callable[[str, int, int | None], None]

LESSONS_SCHOOL_CODE = NEIGHBOUR_SCHOOL_CODE  # its register exports lessons (current year)
_MARKS = {"present": "", "excused": "ns", "unexcused": "n", "late": "k"}


class SchoolDataError(Exception):
    """An import of the demo's school data was refused; the message lists the first errors."""


@dataclass(frozen=True)
class FileFormat:
    headers: tuple[str, ...]
    delimiter: str = ","
    latvian_dates: bool = False
    bom: bool = False


_DAYS_EN = FileFormat(("school_code", "pupil_id", "date", "lessons_scheduled",
                       "absent_excused", "absent_unexcused", "late"))
_DAYS_LV = FileFormat(("iestades_kods", "skolena_id", "datums", "stundas", "attaisnoti",
                       "neattaisnoti", "kavejumi"), ";", latvian_dates=True, bom=True)
_LESSONS_LV = FileFormat(("Iestades_kods", "Skolena_ID", "Datums", "Stunda", "Prieksmets",
                          "Atzime"), ";", latvian_dates=True, bom=True)
_GRADES_MIXED = FileFormat(("school_code", "skolena_id", "Datums", "subject", "vertejums",
                            "Veids"), ";", bom=True)
_GRADES_EN = FileFormat(("school_code", "pupil_id", "date", "subject", "grade", "kind"),
                        latvian_dates=True)
_BEHAVIOUR_EN = FileFormat(("school_code", "pupil_id", "date", "category", "severity",
                            "note"))


@dataclass
class DemoFile:
    kind: str
    year: str
    path: Path
    fmt: FileFormat
    rows: int = 0

    @property
    def label(self) -> str:
        return f"{ImportKind(self.kind).label} {self.year}"


@dataclass(frozen=True)
class ImportedFile:
    label: str
    file_name: str
    rows: int
    seconds: float


@dataclass(frozen=True)
class SchoolDataSummary:
    attendance_days: int = 0
    grades: int = 0
    behaviour_incidents: int = 0
    imports: list[ImportedFile] = field(default_factory=list)
    seconds: float = 0.0


class _Files:
    """One CSV writer per kind and school year, opened on first use."""

    def __init__(self, directory: Path, stack: ExitStack) -> None:
        self.directory = directory
        self.stack = stack
        self.files: dict[tuple[str, str], DemoFile] = {}
        self._writers: dict[tuple[str, str], Any] = {}

    def write(self, kind: str, year: YearPlan, values: list[object]) -> None:
        key = (kind, year.name)
        if key not in self._writers:
            fmt = _format(kind, year)
            path = self.directory / f"{kind}-{year.name.replace('/', '-')}.csv"
            handle: IO[str] = self.stack.enter_context(path.open(
                "w", encoding="utf-8-sig" if fmt.bom else "utf-8", newline=""))
            writer = csv.writer(handle, delimiter=fmt.delimiter, lineterminator="\r\n")
            writer.writerow(fmt.headers)
            self._writers[key] = writer
            self.files[key] = DemoFile(kind, year.name, path, fmt)
        demo_file = self.files[key]
        if demo_file.fmt.latvian_dates:
            values = [v.strftime("%d.%m.%Y") if isinstance(v, dt.date) else v for v in values]
        self._writers[key].writerow(values)
        demo_file.rows += 1


def _format(kind: str, year: YearPlan) -> FileFormat:
    current = year.offset == 0
    if kind == ImportKind.ATTENDANCE_DAYS:
        return _DAYS_LV if current else _DAYS_EN
    if kind == ImportKind.ATTENDANCE_LESSONS:
        return _LESSONS_LV
    if kind == ImportKind.GRADES:
        return _GRADES_EN if current else _GRADES_MIXED
    return _BEHAVIOUR_EN


def _lesson_rows(stint: Stint, record: DayRecord) -> Iterator[tuple[int, str, str]]:
    """The register's lessons of one day: excused ones first (a doctor's visit in the
    morning), unexcused ones last (leaving early), a late arrival at the first lesson attended."""
    subjects = stint.subjects
    for number in range(1, record.lessons + 1):
        if number <= record.excused:
            mark = "excused"
        elif number > record.lessons - record.unexcused:
            mark = "unexcused"
        elif number <= record.excused + record.late:
            mark = "late"
        else:
            mark = "present"
        subject = subjects[(record.day.weekday() * 3 + number) % len(subjects)]
        yield number, subject, _MARKS[mark]


def _write_pupil(files: _Files, rows: PupilRows) -> None:
    """Each row names the school and source id of its own enrolment."""
    for stint, record in rows.days:
        code, pupil_id = stint.enrolment.school_code, stint.enrolment.source_id
        if code == LESSONS_SCHOOL_CODE and stint.year.offset == 0:
            for number, subject, mark in _lesson_rows(stint, record):
                files.write(ImportKind.ATTENDANCE_LESSONS, stint.year,
                            [code, pupil_id, record.day, number, subject, mark])
        else:
            files.write(ImportKind.ATTENDANCE_DAYS, stint.year,
                        [code, pupil_id, record.day, record.lessons, record.excused,
                         record.unexcused, record.late])
    for stint, day, subject, value, kind in rows.grades:
        shown_kind = "" if kind == "ongoing" and stint.year.offset != 0 else kind
        files.write(ImportKind.GRADES, stint.year,
                    [stint.enrolment.school_code, stint.enrolment.source_id, day, subject,
                     value, shown_kind])
    for stint, day, category, severity, note in rows.incidents:
        files.write(ImportKind.BEHAVIOUR, stint.year,
                    [stint.enrolment.school_code, stint.enrolment.source_id, day, category,
                     severity, note])


_ORDER = (ImportKind.ATTENDANCE_DAYS, ImportKind.ATTENDANCE_LESSONS, ImportKind.GRADES,
          ImportKind.BEHAVIOUR)


def write_school_data_files(seed: int, directory: Path, today: dt.date | None = None,
                            progress: FileProgress | None = None) -> list[DemoFile]:
    """Write the demo's school data files into ``directory``, in the order to import them."""
    found = timeline_for(today or timezone.localdate())
    if found is None:
        return []
    timeline, current, previous = found
    years = [YearPlan(current, 0, timeline.last_day)]
    if previous is not None:
        years.insert(0, YearPlan(previous, -1, timeline.last_day))
    pupils = load_demo_pupils()
    profiles = assign_profiles(seed, pupils, timeline)
    maker = RowMaker(seed, timeline, years)
    label = _("Writing the school data files")
    directory.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        files = _Files(directory, stack)
        for done, pupil in enumerate(pupils, start=1):
            _write_pupil(files, maker.rows(pupil, profiles[pupil.key]))
            if progress is not None:
                progress(label, done, len(pupils))
    return sorted(files.files.values(),
                  key=lambda f: (_ORDER.index(ImportKind(f.kind)), f.year))


def import_demo_file(demo_file: DemoFile, progress: FileProgress | None = None) -> ImportRun:
    """Import one file through the importer's API; raise when it was not applied."""
    from kopiena.schooldata.importing.api import import_file

    def report(done: int, total: int | None) -> None:
        # The importer reads a file twice: checking (total not known yet), then applying.
        if progress is not None:
            step = "1/2" if total is None else "2/2"
            progress(f"{demo_file.label} ({step})", done,
                     total if total is not None else demo_file.rows)

    run = import_file(kind=demo_file.kind, path=demo_file.path, user=None, dry_run=False,
                      progress=report)
    if run.status != ImportRun.Status.APPLIED:
        errors = "; ".join(
            f"{e.get('line')}/{e.get('column')}: {e.get('message')}" for e in run.errors[:5])
        raise SchoolDataError(
            _("The demo's school data could not be imported (%(file)s, %(status)s): "
              "%(errors)s") % {"file": demo_file.path.name, "status": run.status,
                               "errors": errors})
    return run


def seed_school_data(seed: int, today: dt.date | None = None,
                     progress: FileProgress | None = None) -> SchoolDataSummary:
    """Write every file into a temporary directory and import them one after the other."""
    started = time.monotonic()
    imported = []
    with tempfile.TemporaryDirectory(prefix="kopiena-demo-") as directory:
        for demo_file in write_school_data_files(seed, Path(directory), today, progress):
            file_started = time.monotonic()
            import_demo_file(demo_file, progress)
            imported.append(ImportedFile(demo_file.label, demo_file.path.name, demo_file.rows,
                                         time.monotonic() - file_started))
    codes = [spec.code for spec in SCHOOLS]
    return SchoolDataSummary(
        attendance_days=AttendanceDay.objects.filter(school__registration_code__in=codes).count(),
        grades=Grade.objects.filter(school__registration_code__in=codes).count(),
        behaviour_incidents=BehaviourIncident.objects.filter(
            school__registration_code__in=codes).count(),
        imports=imported, seconds=time.monotonic() - started,
    )


def school_data_exists() -> bool:
    """True once demo schools have attendance and grades (the files imported first and
    second; when one was refused, seed_demo imports all again: the applied ones unchanged)."""
    codes = [spec.code for spec in SCHOOLS]
    return (AttendanceDay.objects.filter(school__registration_code__in=codes).exists()
            and Grade.objects.filter(school__registration_code__in=codes).exists())
