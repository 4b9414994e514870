"""Shared parts of the benchmarks: a scratch database with the demo structure, synthetic
attendance in the school-data format (``shared/specs/school-data-v1.md``), memory figures.

Not a benchmark itself. ``open_workspace`` sets the environment and calls ``django.setup()``;
import Kopiena's modules only after it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
DEFAULT_SCHOOL_YEAR = "2025/26"
ATTENDANCE_HEADER = ("school_code,pupil_id,date,lessons_scheduled,absent_excused,"
                     "absent_unexcused,late\n")
BARE_HEADER = "pupil_id,date,lessons_scheduled,absent_excused,absent_unexcused,late\n"
TABLE_HEADER = ("pupil_id,school_id,date,lessons_scheduled,absent_excused,absent_unexcused,"
                "late\n")
_WRITE_BUFFER = 1 << 20
_STARTED = time.monotonic()


def say(message: str) -> None:
    """A progress line, with the seconds since the benchmark started."""
    print(f"[{time.monotonic() - _STARTED:8.1f} s] {message}", flush=True)


# --- the scratch database ---------------------------------------------------------------------


@dataclass
class Workspace:
    """Where a benchmark keeps its files (and, without DATABASE_URL, its SQLite database)."""

    workdir: Path
    database_url: str | None
    temporary: bool  # the folder was made here and may be removed at the end

    @property
    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def manage(self, *args: str) -> None:
        """Run ``manage.py`` in a child process (its memory counts as the children's)."""
        subprocess.run([sys.executable, str(MANAGE), *args], env=self.env, check=True,
                       cwd=ROOT)

    def remove(self) -> None:
        if self.temporary:
            shutil.rmtree(self.workdir, ignore_errors=True)


def open_workspace(database_url: str | None, var_dir: str | None = None) -> Workspace:
    """Point Kopiena at a scratch database and set Django up.

    ``database_url`` (else the DATABASE_URL variable) names a PostgreSQL database; without one
    the database is a SQLite file in ``var_dir`` (a new temporary folder when not given)."""
    url = database_url or os.environ.get("DATABASE_URL") or None
    temporary = var_dir is None
    workdir = Path(var_dir) if var_dir else Path(tempfile.mkdtemp(prefix="kopiena-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DEBUG", "1")
    os.environ["KOPIENA_VAR_DIR"] = str(workdir)
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopiena.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    return Workspace(workdir=workdir, database_url=url, temporary=temporary)


def vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def database_is_empty() -> bool:
    from django.db import connection

    return "django_migrations" not in connection.introspection.table_names()


def seed_structure(workspace: Workspace, *, pupils: int, seed: int) -> float:
    """Migrate an empty database and seed the demo structure (no school data): seconds."""
    if not database_is_empty():
        raise SystemExit("The database is not empty; give an empty scratch database "
                         "(or --reuse one that a benchmark prepared).")
    started = time.monotonic()
    workspace.manage("migrate", "--verbosity", "0")
    workspace.manage("createcachetable", "--verbosity", "0")
    workspace.manage("seed_demo", "--pupils", str(pupils), "--seed", str(seed),
                     "--no-school-data", "--verbosity", "0")
    return time.monotonic() - started


# --- which pupils get attendance, on which days ------------------------------------------------


@dataclass(frozen=True)
class PupilLine:
    """A pupil as the class register names them: school code and source id, and the grade."""

    pupil_id: int  # Pupil.pk
    school_id: int  # Organisation.pk
    school_code: str
    source_id: str
    grade: int


@dataclass
class AttendancePlan:
    year_name: str
    days: list[dt.date]  # school days with data in the main file
    extra_day: dt.date | None  # the next school day: the incremental file
    pupils: list[PupilLine]
    extended_enrolments: int = 0  # enrolments whose start was moved back (see plan_attendance)
    semester_starts: list[dt.date] = field(default_factory=list)


def plan_attendance(*, year_name: str = DEFAULT_SCHOOL_YEAR, days: int | None = None,
                    extend_enrolments: bool = True) -> AttendancePlan:
    """Every pupil of the database gets a row on each school day of ``year_name`` (the common
    calendar, all grades' days); ``days`` limits the main file to the first that many days.

    The demo is seeded for the current school year, so many pupils' enrolments start after
    ``year_name`` (first graders, pupils who joined later). Each pupil's rows go to the
    enrolment active on the last day used; a pupil without one gets the current enrolment,
    whose start is moved back to the year's first day (``extended_enrolments``): only in the
    benchmark's own database, so that every pupil has a full year of rows."""
    from django.db.models import Q

    from kopiena.calendars.models import SchoolYear, Semester
    from kopiena.calendars.schooldays import school_days
    from kopiena.pupils.models import Enrolment

    year = SchoolYear.objects.get(name=year_name)
    all_days = list(school_days(year))
    if days is not None:
        if not 1 <= days < len(all_days):
            raise SystemExit(f"--days must be between 1 and {len(all_days) - 1}")
        main, extra = all_days[:days], all_days[days]
    else:
        main, extra = all_days[:-1], all_days[-1]
    first, last = all_days[0], extra
    chosen: dict[int, tuple[int, dt.date, int, str, str, int | None]] = {}
    fallback: dict[int, tuple[int, dt.date, int, str, str, int | None]] = {}
    for pk, pupil_id, start, end, school_id, code, source_id, grade in (
            Enrolment.objects.values_list(
                "pk", "pupil_id", "enrolled_from", "enrolled_to", "school_id",
                "school__registration_code", "source_id", "school_class__grade",
            ).order_by("pupil_id", "enrolled_from", "pk")):
        entry: tuple[int, dt.date, int, str, str, int | None] = (
            pk, start, school_id, code, source_id, grade)
        if start <= last and (end is None or end >= last):
            chosen[pupil_id] = entry  # the latest start wins
        elif end is None:
            fallback[pupil_id] = entry
    current_grade = dict(Enrolment.objects.filter(enrolled_to__isnull=True).values_list(
        "pupil_id", "school_class__grade"))
    to_extend: list[int] = []
    pupils: list[PupilLine] = []
    for pupil_id in sorted(chosen.keys() | fallback.keys()):
        entry = chosen.get(pupil_id) or fallback[pupil_id]
        pk, start, school_id, code, source_id, class_grade = entry
        if start > first:
            to_extend.append(pk)
        pupils.append(PupilLine(pupil_id, school_id, code, source_id,
                                class_grade or current_grade.get(pupil_id) or 7))
    extended = 0
    if extend_enrolments:
        for offset in range(0, len(to_extend), 900):
            extended += Enrolment.objects.filter(
                Q(pk__in=to_extend[offset:offset + 900])).update(enrolled_from=first)
    pupils.sort(key=lambda p: (p.school_code, p.source_id))  # an export per school, by pupil
    semesters = list(Semester.objects.filter(school_year=year).order_by("number")
                     .values_list("starts_on", flat=True))
    return AttendancePlan(year_name=year.name, days=main, extra_day=extra, pupils=pupils,
                          extended_enrolments=extended, semester_starts=semesters)


# --- synthetic attendance ---------------------------------------------------------------------


def lessons_for(grade: int, weekday: int) -> int:
    base = 4 if grade <= 2 else 5 if grade <= 4 else 6 if grade <= 6 else 7 if grade <= 9 else 8
    return max(1, min(12, base + (1 if weekday in (1, 3) else -1 if weekday == 4 else 0)))


# (share of pupils, absence probability at the start, at the end of the year,
#  share of absences unexcused, share of absences that last the whole day)
_PROFILES: tuple[tuple[float, float, float, float, float], ...] = (
    (0.75, 0.04, 0.04, 0.10, 0.85),  # fine
    (0.12, 0.03, 0.25, 0.40, 0.60),  # slowly declining
    (0.07, 0.20, 0.20, 0.50, 0.70),  # chronically absent
    (0.04, 0.10, 0.14, 0.90, 0.30),  # skipping lessons, mostly unexcused
    (0.02, 0.30, 0.05, 0.50, 0.70),  # improving after support
)
_LATE = 0.03


def _profile(rng: random.Random) -> tuple[float, float, float, float]:
    draw = rng.random()
    for share, start, end, unexcused, whole in _PROFILES:
        if draw < share:
            return start, end, unexcused, whole
        draw -= share
    return _PROFILES[0][1:]


def write_attendance(*, plan: AttendancePlan, days: Sequence[dt.date], path: Path,
                     bare_path: Path | None = None, table_path: Path | None = None,
                     seed: int = 1) -> int:
    """Write ``days`` of attendance for every pupil of ``plan`` as an ``attendance-days`` file
    (English headers, ``,``, ISO dates), streamed; with ``bare_path`` also the same rows with
    Kopiena's pupil ids (the bulk-load baseline's input), with ``table_path`` with pupil and
    school ids (the columns of the attendance table). Returns the number of rows.

    A pupil's pattern (fine, declining, chronically absent, skipping lessons, improving)
    depends only on ``seed`` and the pupil, so the incremental file continues the main one."""
    year_days = [*plan.days, *([plan.extra_day] if plan.extra_day else [])]
    position = {day: i / max(1, len(year_days) - 1) for i, day in enumerate(year_days)}
    day_text = [(day.isoformat(), day.weekday(), position.get(day, 1.0)) for day in days]
    rows = 0
    with ExitStack() as stack:
        out = stack.enter_context(path.open("w", encoding="utf-8", newline="",
                                            buffering=_WRITE_BUFFER))
        out.write(ATTENDANCE_HEADER)
        bare: IO[str] | None = None
        if bare_path is not None:
            bare = stack.enter_context(bare_path.open("w", encoding="utf-8", newline="",
                                                      buffering=_WRITE_BUFFER))
            bare.write(BARE_HEADER)
        table: IO[str] | None = None
        if table_path is not None:
            table = stack.enter_context(table_path.open("w", encoding="utf-8", newline="",
                                                        buffering=_WRITE_BUFFER))
            table.write(TABLE_HEADER)
        for pupil in plan.pupils:
            rng = random.Random(seed * 1_000_003 + pupil.pupil_id)
            start, end, unexcused_share, whole_share = _profile(rng)
            rng.seed(f"{seed}-{pupil.pupil_id}-{days[0].isoformat()}")
            week = [lessons_for(pupil.grade, weekday) for weekday in range(7)]
            head = f"{pupil.school_code},{pupil.source_id},"
            bare_head = f"{pupil.pupil_id},"
            table_head = f"{pupil.pupil_id},{pupil.school_id},"
            for text, weekday, at in day_text:
                scheduled = week[weekday]
                excused = unexcused = late = 0
                if rng.random() < start + (end - start) * at:
                    missed = scheduled if rng.random() < whole_share or scheduled == 1 else (
                        rng.randint(1, scheduled - 1))
                    if rng.random() < unexcused_share:
                        unexcused = missed
                    else:
                        excused = missed
                if excused + unexcused < scheduled and rng.random() < _LATE:
                    late = 1
                tail = f"{text},{scheduled},{excused},{unexcused},{late}\n"
                out.write(head + tail)
                if bare is not None:
                    bare.write(bare_head + tail)
                if table is not None:
                    table.write(table_head + tail)
                rows += 1
    return rows


# --- importing and recomputing ----------------------------------------------------------------


def _printer(label: str) -> Callable[[int, int | None], None]:
    """Progress of an import: one line per million rows and pass."""
    shown: dict[str, int] = {}

    def progress(done: int, total: int | None) -> None:
        stage = "checking" if total is None else "applying"
        step = done // 1_000_000
        if shown.get(stage, -1) < step or (total is not None and done >= total
                                           and shown.get(stage + "-end") is None):
            shown[stage] = step
            if total is not None and done >= total:
                shown[stage + "-end"] = 1
            of = f"/{total}" if total is not None else ""
            say(f"  {label}: {stage} {done}{of}")

    return progress


def import_attendance(path: Path, label: str = "import") -> dict[str, Any]:
    """Import an attendance file without the early-warning receiver (no recompute after it)."""
    from kopiena.earlywarning import receivers
    from kopiena.schooldata.signals import school_data_changed

    uid = "earlywarning.recompute"
    school_data_changed.disconnect(dispatch_uid=uid)
    try:
        return run_import(path, label)
    finally:
        school_data_changed.connect(receivers.on_school_data_changed, dispatch_uid=uid)


def run_import(path: Path, label: str) -> dict[str, Any]:
    """``import_file`` of an attendance-days file; its counts. Exits when it is not applied."""
    from kopiena.schooldata.importing.api import import_file, summary

    run = import_file(kind="attendance-days", path=path, user=None, dry_run=False,
                      progress=_printer(label))
    result = summary(run)
    short = {k: result[k] for k in ("rows", "created", "updated", "unchanged")}
    if run.status != "applied":
        raise SystemExit(f"{label} not applied ({run.status}): "
                         f"{json.dumps(result, ensure_ascii=False)[:2000]}")
    return short


def schools_on(as_of: dt.date) -> list[Any]:
    """The schools with pupils enrolled on ``as_of`` (as ``recompute_indicators`` finds them)."""
    from kopiena.earlywarning.queries import active_on
    from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation
    from kopiena.pupils.models import Enrolment

    return list(Organisation.objects.filter(
        kind__in=EDUCATION_INSTITUTION_KINDS, is_active=True,
        enrolments__in=Enrolment.objects.filter(active_on(as_of)),
    ).distinct().select_related("parent"))


def recompute_all(as_of: dt.date) -> int:
    """Every enrolled pupil of every school, as ``recompute_indicators --all`` does."""
    from kopiena.earlywarning.recompute import recompute

    pupils = 0
    for school in schools_on(as_of):
        summary = recompute(school=school, as_of=as_of)
        say(f"  recompute {school.registration_code}: {summary.pupils} pupils "
            f"{summary.seconds:.1f} s")
        pupils += summary.pupils
    return pupils


# --- memory -----------------------------------------------------------------------------------


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def high_water_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return peak_rss_mb()[0]
