"""Test set-up: one demo municipality per test session, the personas by name.

The database is seeded once (committed), then each test runs in a transaction that is rolled
back. Browser tests use a live server thread against the same seeded database.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

DEMO_PUPILS = 160
DEMO_SEED = 7


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[None]:
    """Create the test database and seed it once. Unlike pytest-django's own fixture this
    always sets up `default`, also for a run of browser tests alone (which use no `db`)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        # django-stubs types `aliases` as a mapping; Django only tests membership in it.
        config = setup_databases(verbosity=0, interactive=False, aliases={"default": {}})
        call_command("seed_demo", pupils=DEMO_PUPILS, seed=DEMO_SEED, force=True, verbosity=0)
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def _english_free_environment(settings: Any) -> None:
    # Tests speak the default language unless they ask otherwise.
    settings.LANGUAGE_CODE = "lv"


def pytest_configure(config: Any) -> None:
    """Files the tests store (imported files) go to a temporary folder, not var/media."""
    from django.conf import settings

    media = tempfile.mkdtemp(prefix="kopiena-test-media-")
    storages: dict[str, Any] = settings.STORAGES
    storages["default"]["OPTIONS"]["location"] = media
    atexit.register(shutil.rmtree, media, ignore_errors=True)


def pytest_report_header(config: Any) -> str:
    db = os.environ.get("DATABASE_URL", "sqlite (default)")
    return f"kopiena: database {db.split('@')[-1]}"
