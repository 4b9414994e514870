"""Benchmark: the support screens under load, through gunicorn, with concurrent logged-in users.

Prepares a database like ``ews_scale.py`` (a SQLite file in a temporary folder, or the empty
PostgreSQL database named by --database-url / DATABASE_URL): the demo structure with --pupils
pupils, synthetic attendance for --days school days of 2025/26 imported through the importer,
and every pupil's support level computed as of the last of those days. With --reuse it takes a
database that a benchmark has already filled (``ews_scale.py`` on PostgreSQL, or its kept
--var-dir on SQLite) and computes the levels only when none are stored.

Then it starts ``gunicorn kopiena.wsgi:application --workers 2 --threads 4`` on 127.0.0.1
(DEBUG=1, the demo personas are exempt from MFA), logs --users clients in through the login
form (alternately direktors.a and atbalsts.a of Demo vidusskola, 4311900001), and for
--seconds (at most --max-requests requests) each client requests the --urls in turn without
pause: by default the school overview of Demo vidusskola and the class view of its classes
(one class after another). ``{school}`` and ``{class}`` in a URL stand for the school's and
a class's id. Prints the latency per URL (p50, p95, max, ms, measured by the client from
sending the request to the last byte) and requests per second, then one line ``RESULT {json}``.

    DEBUG=1 .venv/bin/python benchmarks/web_load.py --pupils 10000 --days 30
    DEBUG=1 .venv/bin/python benchmarks/web_load.py --reuse \\
        --database-url postgres://postgres@127.0.0.1:5432/kopiena_bench
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ROOT,
    Workspace,
    database_is_empty,
    import_attendance,
    open_workspace,
    plan_attendance,
    recompute_all,
    say,
    seed_structure,
    vendor,
    write_attendance,
)

SCHOOL_CODE = "4311900001"  # Demo vidusskola
PERSONAS = ("direktors.a@demo.kopiena.lv", "atbalsts.a@demo.kopiena.lv")
DEFAULT_URLS = "/support/schools/{school}/,/support/classes/{class}/"
TARGET_P95_MS = 300.0
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pupils", type=int, default=10000)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL of an empty scratch database, or of a prepared "
                             "one with --reuse (default: DATABASE_URL, else SQLite)")
    parser.add_argument("--days", type=int, default=None,
                        help="school days of attendance to import (default: the whole year "
                             "but its last day, as ews_scale.py)")
    parser.add_argument("--reuse", action="store_true",
                        help="the database is already prepared; do not seed or import")
    parser.add_argument("--var-dir", default=None,
                        help="folder of the SQLite database (kept); needed with --reuse on "
                             "SQLite")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (its SQLite database, gunicorn.log)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--urls", default=DEFAULT_URLS,
                        help="comma-separated paths; {school} and {class} are replaced "
                             "(default %(default)s)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm", action="store_true",
                        help="before the load, open the overview and every class view once "
                             "(fills the screens' caches, as the first visits after a "
                             "recompute do) and report those times as 'warmup'")
    args = parser.parse_args()

    workspace = open_workspace(args.database_url, args.var_dir)
    say(f"database {vendor()}, folder {workspace.workdir}")
    try:
        prepare(workspace, args)
        result = load(workspace, args)
    finally:
        if not args.keep:
            workspace.remove()  # only a temporary folder; never --var-dir
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# --- the database -----------------------------------------------------------------------------


def prepare(workspace: Workspace, args: argparse.Namespace) -> None:
    from kopiena.earlywarning.models import PupilSupportStatus

    if args.reuse:
        if database_is_empty():
            raise SystemExit("--reuse: the database is empty")
        workspace.manage("migrate", "--verbosity", "0")  # this revision's indexes
        if not PupilSupportStatus.objects.exists():
            as_of = plan_attendance(extend_enrolments=False).days[-1]
            say(f"no support levels stored: recomputing as of {as_of}")
            recompute_all(as_of)
        analyze()
        return
    seconds = seed_structure(workspace, pupils=args.pupils, seed=args.seed)
    say(f"migrate + seed_demo --pupils {args.pupils} --no-school-data: {seconds:.1f} s")
    plan = plan_attendance(days=args.days)
    path = workspace.workdir / "attendance.csv"
    try:
        rows = write_attendance(plan=plan, days=plan.days, path=path, seed=args.seed)
        say(f"{len(plan.pupils)} pupils, {rows} attendance rows over {len(plan.days)} days")
        started = time.monotonic()
        import_attendance(path)
        say(f"imported in {time.monotonic() - started:.1f} s")
    finally:
        path.unlink(missing_ok=True)
    started = time.monotonic()
    pupils = recompute_all(plan.days[-1])
    say(f"recomputed {pupils} pupils as of {plan.days[-1]} in "
        f"{time.monotonic() - started:.1f} s")
    analyze()


def analyze() -> None:
    """Planner statistics and visibility map after the bulk load, as autovacuum would give
    them a while later (without them PostgreSQL misjudges every school-sized query)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(f"VACUUM ANALYZE: {time.monotonic() - started:.1f} s")


@dataclass
class Targets:
    school_id: int
    class_ids: list[int]
    school_pupils: int
    largest_class_pupils: int


def targets() -> Targets:
    from django.db.models import Count

    from kopiena.calendars.schooldays import current_school_year
    from kopiena.earlywarning.models import PupilSupportStatus
    from kopiena.organisations.models import Organisation
    from kopiena.pupils.models import SchoolClass

    school = Organisation.objects.get(registration_code=SCHOOL_CODE)
    classes = SchoolClass.objects.filter(school=school)
    year = current_school_year()
    if year is not None and classes.filter(school_year=year).exists():
        classes = classes.filter(school_year=year)
    sizes = dict(classes.annotate(n=Count("pupils")).values_list("pk", "n"))
    class_ids = sorted(pk for pk, n in sizes.items() if n)
    if not class_ids:
        raise SystemExit(f"school {SCHOOL_CODE} has no class with pupils")
    return Targets(
        school_id=school.pk, class_ids=class_ids,
        school_pupils=PupilSupportStatus.objects.filter(school=school).count(),
        largest_class_pupils=max(sizes.values()),
    )


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(workspace: Workspace, args: argparse.Namespace,
                 port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = dict(os.environ, DEBUG="1", KOPIENA_VAR_DIR=str(workspace.workdir))
    if workspace.database_url:
        env["DATABASE_URL"] = workspace.database_url
    log = (workspace.workdir / "gunicorn.log").open("ab")
    server = subprocess.Popen(
        [str(gunicorn), "kopiena.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see "
                             f"{workspace.workdir / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                        timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the clients ------------------------------------------------------------------------------


class Client:
    """One user: a cookie jar and an opener (urllib; one connection per request)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: bytes | None = None) -> tuple[int, bytes]:
        """Status and body; a request redirected elsewhere (e.g. to the login page) counts
        as status 302."""
        headers = {"Referer": self.base + path} if data is not None else {}
        req = urllib.request.Request(self.base + path, data=data,  # noqa: S310 - http only
                                     headers=headers)
        try:
            with self.opener.open(req, timeout=120) as response:
                body = response.read()
                if data is None and response.geturl() != self.base + path:
                    return 302, body
                return int(response.status), body
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()
        except OSError:  # refused, reset, timed out
            return 0, b""

    def login(self, email: str, password: str) -> None:
        status, page = self.request("/accounts/login/")
        found = _CSRF.search(page)
        if status != 200 or found is None:
            raise SystemExit(f"login page: status {status}, no CSRF token")
        form = urllib.parse.urlencode({
            "csrfmiddlewaretoken": found.group(1).decode(), "login": email,
            "password": password,
        }).encode()
        status, page = self.request("/accounts/login/", data=form)
        if status != 200 or b'name="password"' in page:
            raise SystemExit(f"login of {email} failed (status {status})")


@dataclass
class Sample:
    url: str
    ms: float
    status: int


@dataclass
class Shared:
    deadline: float = 0.0
    max_requests: int = 0
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.issued >= self.max_requests or time.monotonic() >= self.deadline:
                return False
            self.issued += 1
            return True


def hammer(client: Client, number: int, urls: list[str], target: Targets, shared: Shared,
           start: threading.Barrier, samples: list[Sample]) -> None:
    start.wait()
    turn = number
    while shared.take():
        template = urls[turn % len(urls)]
        class_id = target.class_ids[(turn // len(urls)) % len(target.class_ids)]
        path = template.format(school=target.school_id, **{"class": class_id})
        began = time.perf_counter()
        status, _body = client.request(path)
        samples.append(Sample(template, (time.perf_counter() - began) * 1000, status))
        turn += 1


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def load(workspace: Workspace, args: argparse.Namespace) -> dict[str, Any]:
    from kopiena.demo.personas import DEFAULT_PASSWORD
    from kopiena.pupils.models import Pupil

    target = targets()
    urls = [u.strip() for u in args.urls.split(",") if u.strip()]
    port = free_port()
    server = start_server(workspace, args, port)
    base = f"http://127.0.0.1:{port}"
    say(f"gunicorn on {base} ({args.workers} workers x {args.threads} threads); school "
        f"{target.school_id} with {target.school_pupils} assessed pupils, "
        f"{len(target.class_ids)} classes")
    try:
        clients = [Client(base) for _ in range(args.users)]
        logins = [threading.Thread(target=c.login, args=(PERSONAS[i % len(PERSONAS)],
                                                         DEFAULT_PASSWORD))
                  for i, c in enumerate(clients)]
        for thread in logins:
            thread.start()
        for thread in logins:
            thread.join()
        for template in urls:  # every persona can open every URL; warms the caches
            for i in range(min(len(PERSONAS), len(clients))):
                path = template.format(school=target.school_id,
                                       **{"class": target.class_ids[0]})
                status, _body = clients[i].request(path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status} for {PERSONAS[i]}; "
                                     "give other paths with --urls")
        warmup = warm_up(clients[0], urls, target) if args.warm else None
        say(f"{len(clients)} users logged in; {args.seconds:.0f} s of load on {urls}")
        shared = Shared(max_requests=args.max_requests)
        samples: list[Sample] = []
        barrier = threading.Barrier(len(clients) + 1)
        workers = [threading.Thread(target=hammer, args=(c, i, urls, target, shared, barrier,
                                                         samples))
                   for i, c in enumerate(clients)]
        for thread in workers:
            thread.start()
        shared.deadline = time.monotonic() + args.seconds
        barrier.wait()
        began = time.monotonic()
        for thread in workers:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        stop_server(server)
    per_url: dict[str, Any] = {}
    for template in urls:
        ok = sorted(s.ms for s in samples if s.url == template and s.status == 200)
        errors = sum(1 for s in samples if s.url == template and s.status != 200)
        per_url[template] = {
            "requests": len(ok) + errors, "errors": errors,
            "p50_ms": round(percentile(ok, 0.50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
            "max_ms": round(ok[-1], 1) if ok else None,
            "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
        }
        say(f"{template:40} {per_url[template]}")
    p95s = [u["p95_ms"] for u in per_url.values() if u["p95_ms"] is not None]
    return {
        "pupils": Pupil.objects.count(),
        "database": vendor(),
        "users": args.users,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / elapsed, 1),
        "errors": sum(1 for s in samples if s.status != 200),
        "error_statuses": dict(Counter(str(s.status) for s in samples if s.status != 200)),
        "urls": per_url,
        "p95_target_ms": TARGET_P95_MS,
        "p95_target_met": bool(p95s) and max(p95s) < TARGET_P95_MS,
        "school_assessed_pupils": target.school_pupils,
        "classes": len(target.class_ids),
        "largest_class_pupils": target.largest_class_pupils,
        "workers": args.workers,
        "threads": args.threads,
        "warmup": warmup,
    }


def warm_up(client: Client, urls: list[str], target: Targets) -> dict[str, Any]:
    """Each URL once per class (one client, one after another): the first visits after a
    recompute, which fill the caches. Returns the slowest and the total per URL."""
    result: dict[str, Any] = {}
    for template in urls:
        paths = sorted({template.format(school=target.school_id, **{"class": c})
                        for c in target.class_ids})
        times = []
        for path in paths:
            began = time.perf_counter()
            client.request(path)
            times.append((time.perf_counter() - began) * 1000)
        result[template] = {"requests": len(times), "max_ms": round(max(times), 1),
                            "total_s": round(sum(times) / 1000, 1)}
        say(f"warm-up {template:32} {result[template]}")
    return result


if __name__ == "__main__":
    main()
