"""Benchmark: pupil list, pupil page and overview with a large municipality.

Builds a fresh SQLite database (or uses DATABASE_URL) in a temporary folder, seeds a demo
municipality with --pupils pupils, then times the pages for several personas through the
Django test client and prints the figures (median and worst of --repeat runs, and queries).

    DEBUG=1 .venv/bin/python benchmarks/pupil_list.py --pupils 20000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kopiena-bench-")
    os.environ.setdefault("DEBUG", "1")
    os.environ["KOPIENA_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopiena.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from kopiena.accounts.models import User

    setup_test_environment()
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", pupils=args.pupils, seed=1, verbosity=0)
    print(f"seed_demo --pupils {args.pupils}: {time.perf_counter() - start:.1f} s "
          f"(database {connection.vendor}, {workdir})")

    cases = [
        ("direktors.a@demo.kopiena.lv", "/pupils/"),
        ("direktors.a@demo.kopiena.lv", "/pupils/?q=berz"),
        ("direktors.a@demo.kopiena.lv", "/pupils/?grade=7&page=2"),
        ("audzinatajs.a@demo.kopiena.lv", "/pupils/"),
        ("pasvaldiba@demo.kopiena.lv", "/"),
        ("valsts@demo.kopiena.lv", "/"),
        ("direktors.a@demo.kopiena.lv", "/"),
    ]
    print(f"{'persona':32} {'page':28} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for email, url in cases:
        client = Client()
        client.force_login(User.objects.get(email=email))
        client.get(url)
        timings = []
        for _ in range(args.repeat):
            reset_queries()
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (email, url, response.status_code)
        print(f"{email.split('@')[0]:32} {url:28} {statistics.median(timings):10.1f} "
              f"{max(timings):8.1f} {len(queries):8d}")
    pupil_id = User.objects.get(email="direktors.a@demo.kopiena.lv")
    client = Client()
    client.force_login(pupil_id)
    from kopiena.access.scoping import visible_pupils

    first = visible_pupils(pupil_id).first()
    assert first is not None
    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        client.get(f"/pupils/{first.pk}/")
        timings.append((time.perf_counter() - t0) * 1000)
    print(f"{'direktors.a':32} {'/pupils/<id>/':28} {statistics.median(timings):10.1f} "
          f"{max(timings):8.1f}")


if __name__ == "__main__":
    main()
