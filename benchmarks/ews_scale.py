"""Benchmark: a school year of attendance through the importer, and the early-warning recompute.

Builds a fresh database (a SQLite file in a temporary folder, or the empty PostgreSQL database
named by --database-url / DATABASE_URL), seeds the demo structure with --pupils pupils
(``seed_demo --no-school-data``), writes synthetic ``attendance-days`` files in the spec's
format for every pupil and every school day of the 2025/26 calendar, then measures:

- ``import_s``: the year's file (all days but the last) through ``import_file``, the real
  import path (validation pass, apply pass, one transaction). The early-warning receiver is
  disconnected for this step: the recompute is measured on its own below.
- ``baseline_bulk_s``: the same rows, with Kopiena's pupil ids, written by the database's
  fastest bulk path into a bare table without indexes (COPY ... FROM STDIN on PostgreSQL, one
  ``executemany`` transaction on SQLite).
- ``table_bulk_s`` (extra): the same rows by the same bulk path into the empty attendance
  table itself, with its indexes and constraints (on PostgreSQL the foreign keys are checked
  at once, ``SET CONSTRAINTS ALL IMMEDIATE``; SQLite's deferred foreign keys are not checked),
  committed, then emptied again (TRUNCATE; on SQLite DELETE and VACUUM) before the import:
  what any importer must at least spend.
- ``recompute_s``: every indicator and support level of every enrolled pupil as of the last
  day of the file (``recompute(school=...)`` for each school, as ``recompute_indicators --all``).
- ``baseline_sql_s``: one hand-written GROUP BY giving the same attendance figures (semester
  sums of scheduled, excused, unexcused, late; 30-school-day rate), checked against the
  stored indicators.
- ``evaluate_s`` (extra): the indicators and levels of every pupil (``rules.evaluate`` per
  school) without storing anything: the recompute's computing part.
- ``incremental_s``: the next school day's file (one row per pupil) through ``import_file``,
  with the receiver connected: it recomputes the changed pupils after the commit, end to end.
  "Today" is pinned to that school day for the step (the receiver recomputes as of today).
- ``peak_rss_mb``: peak resident memory of this process or of its children (migrate and
  seed_demo run as children), whichever is larger.

Prints progress lines and, last, one line ``RESULT {json}``.

    DEBUG=1 .venv/bin/python benchmarks/ews_scale.py --pupils 10000
    DEBUG=1 .venv/bin/python benchmarks/ews_scale.py --pupils 50000 \\
        --database-url postgres://postgres@127.0.0.1:5432/kopiena_bench

Options: --days D (only the first D school days, for quick runs), --seed, --keep (keep the
temporary folder and its SQLite database), --profile PHASE (run import, recompute or
incremental under cProfile and print its top functions; that phase's time is then inflated;
may be repeated).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import json
import pstats
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_SCHOOL_YEAR,
    AttendancePlan,
    Workspace,
    high_water_mb,
    import_attendance,
    open_workspace,
    peak_rss_mb,
    plan_attendance,
    recompute_all,
    run_import,
    say,
    schools_on,
    seed_structure,
    vendor,
    write_attendance,
)

T = TypeVar("T")
BARE_TABLE = "bench_bare_attendance"
PHASES = ("import", "recompute", "incremental")
RATE_TOLERANCE = 0.00005  # stored rates are rounded to 4 decimals


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pupils", type=int, default=10000)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL of an empty scratch database (default: "
                             "DATABASE_URL, else SQLite in a temporary folder)")
    parser.add_argument("--days", type=int, default=None,
                        help="only the first D school days of the year (default: all)")
    parser.add_argument("--school-year", default=DEFAULT_SCHOOL_YEAR)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--var-dir", default=None,
                        help="folder for the files and the SQLite database (kept)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (and its SQLite database)")
    parser.add_argument("--profile", choices=PHASES, action="append", default=[],
                        help="profile this phase (may be given more than once)")
    args = parser.parse_args()

    workspace = open_workspace(args.database_url, args.var_dir)
    say(f"database {vendor()}, folder {workspace.workdir}")
    files = workspace.workdir / "bench-files"
    try:
        result = run(workspace, files, args)
    finally:
        shutil.rmtree(files, ignore_errors=True)
        if not args.keep:
            workspace.remove()
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def run(workspace: Workspace, files: Path, args: argparse.Namespace) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    high_water: dict[str, float] = {}

    seconds = seed_structure(workspace, pupils=args.pupils, seed=args.seed)
    extra["seed_s"] = round(seconds, 1)
    say(f"migrate + seed_demo --pupils {args.pupils} --no-school-data: {seconds:.1f} s")

    plan = plan_attendance(year_name=args.school_year, days=args.days)
    assert plan.extra_day is not None
    extra_day = plan.extra_day
    say(f"{len(plan.pupils)} pupils, {len(plan.days)} school days "
        f"{plan.days[0]}…{plan.days[-1]} + {plan.extra_day}; "
        f"{plan.extended_enrolments} enrolment starts moved back to {plan.days[0]}")

    files.mkdir(parents=True, exist_ok=True)
    year_file, bare_file = files / "attendance-year.csv", files / "attendance-year-bare.csv"
    table_file = files / "attendance-year-table.csv"
    day_file = files / f"attendance-{plan.extra_day.isoformat()}.csv"
    started = time.monotonic()
    rows = write_attendance(plan=plan, days=plan.days, path=year_file, bare_path=bare_file,
                            table_path=table_file, seed=args.seed)
    day_rows = write_attendance(plan=plan, days=[plan.extra_day], path=day_file,
                                seed=args.seed)
    extra["generate_s"] = round(time.monotonic() - started, 1)
    say(f"wrote {rows} rows ({year_file.stat().st_size / 1e6:.0f} MB) and {day_rows} rows "
        f"in {extra['generate_s']} s")
    high_water["generate"] = high_water_mb()

    # -- the attendance table's own bulk load (then emptied) --------------------------------
    extra["table_bulk_s"] = round(table_bulk(table_file, rows), 2)
    table_file.unlink()
    say(f"bulk load into the attendance table itself: {extra['table_bulk_s']} s")

    # -- import ------------------------------------------------------------------------------
    import_s, run_summary = measure("import", args.profile, files,
                                    lambda: import_attendance(year_file))
    extra["import_rows_per_s"] = round(rows / import_s)
    say(f"import: {import_s:.1f} s ({extra['import_rows_per_s']} rows/s) {run_summary}")
    high_water["import"] = high_water_mb()

    # -- bulk baseline -----------------------------------------------------------------------
    baseline_bulk_s = bulk_baseline(bare_file, rows)
    say(f"bulk baseline: {baseline_bulk_s:.1f} s")
    high_water["baseline_bulk"] = high_water_mb()

    # -- full recompute ----------------------------------------------------------------------
    as_of = plan.days[-1]
    recompute_s, recomputed = measure("recompute", args.profile, files,
                                      lambda: recompute_all(as_of))
    extra["recompute_pupils"] = recomputed
    say(f"recompute of {recomputed} pupils as of {as_of}: {recompute_s:.1f} s")
    high_water["recompute"] = high_water_mb()

    # -- SQL baseline ------------------------------------------------------------------------
    baseline_sql_s, figures = sql_baseline(plan, as_of)
    extra["baseline_sql_pupils"] = len(figures)
    extra["baseline_sql_mismatches"] = compare_with_statuses(figures)
    say(f"SQL baseline: {baseline_sql_s:.2f} s, {len(figures)} pupils, "
        f"{extra['baseline_sql_mismatches']} differing from the stored indicators")
    high_water["baseline_sql"] = high_water_mb()

    # -- computing without storing -----------------------------------------------------------
    started = time.monotonic()
    evaluated = evaluate_all(as_of)
    extra["evaluate_s"] = round(time.monotonic() - started, 2)
    say(f"evaluate (indicators and levels, nothing stored) of {evaluated} pupils: "
        f"{extra['evaluate_s']} s")

    # -- one more school day -----------------------------------------------------------------
    incremental_s, (day_summary, signal_runs) = measure(
        "incremental", args.profile, files, lambda: import_day(day_file, extra_day))
    signal_seconds = sum(s for s, _pupils in signal_runs)
    extra["incremental_recompute_s"] = round(signal_seconds, 3)
    extra["incremental_recompute_pupils"] = sum(p for _s, p in signal_runs)
    extra["incremental_import_s"] = round(incremental_s - signal_seconds, 3)
    say(f"incremental day {plan.extra_day}: {incremental_s:.1f} s (recompute of "
        f"{extra['incremental_recompute_pupils']} pupils {signal_seconds:.1f} s) {day_summary}")
    high_water["incremental"] = high_water_mb()

    own, children = peak_rss_mb()
    return {
        "pupils": len(plan.pupils),
        "day_rows": rows,
        "import_s": round(import_s, 2),
        "baseline_bulk_s": round(baseline_bulk_s, 2),
        "recompute_s": round(recompute_s, 2),
        "baseline_sql_s": round(baseline_sql_s, 2),
        "incremental_s": round(incremental_s, 2),
        "peak_rss_mb": max(own, children),
        "database": vendor(),
        "requested_pupils": args.pupils,
        "school_days": len(plan.days),
        "as_of": as_of.isoformat(),
        "incremental_day": plan.extra_day.isoformat(),
        "incremental_rows": day_rows,
        "import_vs_bulk": round(import_s / baseline_bulk_s, 2),
        "recompute_vs_sql": round(recompute_s / baseline_sql_s, 2),
        "peak_rss_self_mb": own,
        "peak_rss_children_mb": children,
        "high_water_mb_after": high_water,
        "extended_enrolments": plan.extended_enrolments,
        **extra,
    }


def measure(phase: str, profile: list[str], files: Path,
            work: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``work`` takes, and its result; under cProfile when ``phase`` is profiled."""
    profiler = cProfile.Profile() if phase in profile else None
    started = time.monotonic()
    result = profiler.runcall(work) if profiler is not None else work()
    seconds = time.monotonic() - started
    if profiler is not None:
        out = files.parent / f"profile-{phase}.pstats"
        profiler.dump_stats(str(out))
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        print(f"--- cProfile of {phase} (saved to {out}); time inflated by profiling ---")
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    return seconds, result


# --- the phases -------------------------------------------------------------------------------


def import_day(path: Path, day: dt.date) -> tuple[dict[str, Any], list[tuple[float, int]]]:
    """Import the day's file with the receiver connected; "today" is ``day``. Returns the
    summary and (seconds, pupils) of each recompute the receiver ran."""
    from django.utils import timezone

    from kopiena.earlywarning.recompute import RecomputeSummary
    from kopiena.earlywarning.recompute import recompute as original

    runs: list[tuple[float, int]] = []
    real_localdate = timezone.localdate

    def timed(**kwargs: Any) -> RecomputeSummary:
        started = time.monotonic()
        outcome = original(**kwargs)
        runs.append((time.monotonic() - started, outcome.pupils))
        return outcome

    def pinned(value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return day if value is None else real_localdate(value, timezone)

    with mock.patch("kopiena.earlywarning.receivers.recompute", side_effect=timed), \
            mock.patch("django.utils.timezone.localdate", side_effect=pinned):
        return run_import(path, "incremental"), runs


def bulk_baseline(bare_file: Path, rows: int) -> float:
    """Seconds to write the bare file into a table without indexes, by the fastest path."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(BARE_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} (pupil_id integer, date date, lessons_scheduled smallint, "
            "absent_excused smallint, absent_unexcused smallint, late smallint)")
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor, \
                bare_file.open("rb") as data, \
                cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while chunk := data.read(1 << 20):
                copy.write(chunk)
    else:
        connection.ensure_connection()
        raw = connection.connection
        with bare_file.open(newline="", encoding="utf-8") as data:
            reader = csv.reader(data)
            next(reader)
            raw.execute("BEGIN")
            raw.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", reader)  # noqa: S608
            raw.execute("COMMIT")
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        stored = cursor.fetchone()
        cursor.execute(f"DROP TABLE {table}")
    if stored is None or stored[0] != rows:
        raise SystemExit(f"bulk baseline stored {stored} rows, expected {rows}")
    return seconds


def table_bulk(table_file: Path, rows: int) -> float:
    """Seconds to bulk-load the rows into the empty attendance table, constraints checked and
    committed; the table is emptied again afterwards."""
    from django.db import connection, transaction

    from kopiena.schooldata.models import AttendanceDay

    table = connection.ops.quote_name(AttendanceDay._meta.db_table)
    columns = ("pupil_id, school_id, date, lessons_scheduled, absent_excused, absent_unexcused, "
               "late")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        found = cursor.fetchone()
    if found is None or found[0]:
        raise SystemExit("the attendance table is not empty")
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor, \
                table_file.open("rb") as data:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, HEADER true)"
                             ) as copy:
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
    else:
        connection.ensure_connection()
        raw = connection.connection
        with table_file.open(newline="", encoding="utf-8") as data:
            reader = csv.reader(data)
            next(reader)
            raw.execute("BEGIN")
            raw.executemany(f"INSERT INTO {table} ({columns}) "  # noqa: S608
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", reader)
            raw.execute("COMMIT")
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        stored = cursor.fetchone()
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:  # and give the pages back, so that the import grows the file as it would
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute("VACUUM")
    if stored is None or stored[0] != rows:
        raise SystemExit(f"the table load stored {stored} rows, expected {rows}")
    return seconds


def evaluate_all(as_of: dt.date) -> int:
    """Indicators and levels of every enrolled pupil, per school, nothing stored."""
    from kopiena.earlywarning.rules import evaluate

    return sum(len(evaluate(as_of=as_of, school=school)) for school in schools_on(as_of))


Figures = dict[int, tuple[int, int, int, int, float | None, float | None]]

_SQL = """
SELECT pupil_id,
       SUM(CASE WHEN date >= %(semester)s THEN lessons_scheduled ELSE 0 END),
       SUM(CASE WHEN date >= %(semester)s THEN absent_excused ELSE 0 END),
       SUM(CASE WHEN date >= %(semester)s THEN absent_unexcused ELSE 0 END),
       SUM(CASE WHEN date >= %(semester)s THEN late ELSE 0 END),
       SUM(CASE WHEN date >= %(window)s THEN lessons_scheduled END),
       SUM(CASE WHEN date >= %(window)s
                THEN lessons_scheduled - absent_excused - absent_unexcused END)
  FROM {table}
 WHERE date >= %(first)s AND date <= %(as_of)s
 GROUP BY pupil_id
"""


def sql_baseline(plan: AttendancePlan, as_of: dt.date) -> tuple[float, Figures]:
    """One GROUP BY over the real table: per pupil the semester's sums, the semester rate
    and the rate of the last 30 school days up to ``as_of``. Seconds and figures."""
    from django.db import connection

    from kopiena.schooldata.models import AttendanceDay

    days = [d for d in plan.days if d <= as_of]
    window = days[-30] if len(days) >= 30 else days[0]
    semester = max(s for s in plan.semester_starts if s <= as_of)
    params = {"semester": semester, "window": window, "first": min(semester, window),
              "as_of": as_of}
    sql = _SQL.format(table=connection.ops.quote_name(AttendanceDay._meta.db_table))
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    figures: Figures = {}
    for pupil_id, scheduled, excused, unexcused, late, w_scheduled, w_attended in fetched:
        figures[pupil_id] = (
            int(excused), int(unexcused), int(late), int(scheduled),
            (int(scheduled) - int(excused) - int(unexcused)) / int(scheduled)
            if scheduled else None,
            int(w_attended) / int(w_scheduled) if w_scheduled else None,
        )
    return time.monotonic() - started, figures


def compare_with_statuses(figures: Figures) -> int:
    """Pupils whose stored indicators differ from the SQL baseline's figures."""
    from kopiena.earlywarning.models import PupilSupportStatus

    differing = 0
    stored = dict(PupilSupportStatus.objects.values_list("pupil_id", "indicators"))
    for pupil_id, (excused, unexcused, late, _scheduled, rate_sem, rate_30d) in figures.items():
        found = stored.get(pupil_id)
        if found is None:
            differing += 1
            continue
        if (found["excused_lessons_semester"], found["unexcused_lessons_semester"],
                found["late_semester"]) != (excused, unexcused, late) or not (
                _close(found["attendance_rate_semester"], rate_sem)
                and _close(found["attendance_rate_30d"], rate_30d)):
            differing += 1
            if differing <= 3:
                say(f"  differs: pupil {pupil_id} stored {found} / SQL "
                    f"{(excused, unexcused, late, rate_sem, rate_30d)}")
    return differing


def _close(stored: float | None, computed: float | None) -> bool:
    if stored is None or computed is None:
        return stored is None and computed is None
    return abs(stored - computed) <= RATE_TOLERANCE


if __name__ == "__main__":
    main()
