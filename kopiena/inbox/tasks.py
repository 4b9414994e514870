"""The daily reminders and digest as django-tasks, for a scheduler that enqueues work for the
worker (``manage.py db_worker``) instead of running the commands itself."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from kopiena.inbox.digest import send_digest
from kopiena.inbox.reminders import send_reminders


def _day(date: str) -> dt.date | None:
    return dt.date.fromisoformat(date) if date else None


@task()
def send_reminders_task(date: str = "") -> dict[str, int]:
    """``date``: YYYY-MM-DD, today when empty."""
    return send_reminders(_day(date)).as_dict()


@task()
def send_digest_task(date: str = "") -> dict[str, int]:
    """``date``: YYYY-MM-DD, today when empty."""
    return send_digest(_day(date)).as_dict()
