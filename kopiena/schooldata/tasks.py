"""Background work of the school data page: checking large files and applying imports.

Tasks run in the django-tasks worker (`manage.py db_worker`, database backend). The web
request only records the run and enqueues the task once its transaction has committed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from kopiena.schooldata.importing.api import ImportCancelled, apply_run, check_run, summary
from kopiena.schooldata.models import ImportRun

logger = logging.getLogger(__name__)

Status = ImportRun.Status
IN_PROGRESS = frozenset({Status.UPLOADED, Status.QUEUED, Status.APPLYING})
FINISHED = frozenset(
    {Status.REFUSED, Status.APPLIED, Status.CANCELLED, Status.FAILED}
)


def _json_summary(run: ImportRun) -> dict[str, Any]:
    try:
        return dict(summary(run))
    except Exception:  # a summary is a nicety; the run itself holds the outcome
        logger.exception("summary of import run %s failed", run.pk)
        return {"run": run.pk, "status": run.status}


def _mark_failed(run_id: int, from_statuses: frozenset[str]) -> None:
    ImportRun.objects.filter(pk=run_id, status__in=from_statuses).update(
        status=Status.FAILED, finished_at=timezone.now()
    )


def check_keeping_schools(run: ImportRun) -> ImportRun:
    """``check_run``, keeping the school the user chose when the file names none the user may
    import for (a header error, an unknown code): so the school sees the refused run too."""
    chosen = list(run.schools.values_list("pk", flat=True))
    try:
        run = check_run(run)
    finally:
        if chosen and not run.schools.exists():
            run.schools.set(chosen)
    return run


@task()
def check_import_task(run_id: int, language: str = "") -> dict[str, Any]:
    """Validate an uploaded file too large to check within the web request. Error messages
    are written in ``language``, the uploader's language at the time of the upload."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _check(run_id)


def _check(run_id: int) -> dict[str, Any]:
    run = ImportRun.objects.get(pk=run_id)
    if run.status != Status.UPLOADED:
        return _json_summary(run)
    try:
        run = check_keeping_schools(run)
    except Exception:
        _mark_failed(run_id, frozenset({Status.UPLOADED}))
        raise
    return _json_summary(run)


@task()
def apply_import_task(run_id: int, language: str = "") -> dict[str, Any]:
    """Apply a checked and confirmed import (all rows or none); honours cancel requests.

    ``apply_run`` claims the run (QUEUED -> APPLYING) with one conditional UPDATE, and the
    cancel view ends a run that has not started yet (QUEUED -> CANCELLED) the same way, so
    exactly one of them wins."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _apply(run_id)


def _apply(run_id: int) -> dict[str, Any]:
    run = ImportRun.objects.get(pk=run_id)
    if run.status != Status.QUEUED:
        return _json_summary(run)  # already applied, cancelled or failed
    try:
        run = apply_run(run)
    except ImportCancelled:
        run.refresh_from_db()
    except ValueError:
        run.refresh_from_db()
        if run.status == Status.QUEUED:  # not a lost race with a cancel: something is wrong
            _mark_failed(run_id, frozenset({Status.QUEUED}))
            raise
    except Exception:
        _mark_failed(run_id, frozenset({Status.QUEUED, Status.APPLYING}))
        raise
    return _json_summary(run)


def _enqueue(task_to_run: Task[[int, str], dict[str, Any]], run_id: int, waiting: str) -> None:
    """Enqueue once the current transaction has committed, and keep the task's id on the run.
    A run whose task could not be enqueued is marked failed (else it would wait forever)."""

    language = translation.get_language() or settings.LANGUAGE_CODE

    def enqueue() -> None:
        try:
            result = task_to_run.enqueue(run_id, language)
        except Exception:
            logger.exception("could not enqueue %s for import run %s", task_to_run.name, run_id)
            _mark_failed(run_id, frozenset({waiting}))
            return
        ImportRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)


def enqueue_check(run: ImportRun) -> None:
    """Check ``run`` (UPLOADED) in the worker, once the current transaction has committed."""
    _enqueue(check_import_task, run.pk, Status.UPLOADED)


def enqueue_apply(run: ImportRun) -> None:
    """Apply ``run`` (QUEUED) in the worker, once the current transaction has committed."""
    _enqueue(apply_import_task, run.pk, Status.QUEUED)


def reconcile(run: ImportRun) -> ImportRun:
    """A run still marked in progress whose task has failed (a crash the task could not record,
    e.g. the database connection was lost) is marked failed: the import's transaction rolled
    back, nothing was written."""
    if run.status not in IN_PROGRESS or not run.task_id:
        return run
    task_for = apply_import_task if run.status != Status.UPLOADED else check_import_task
    try:
        result = task_for.get_result(run.task_id)
    except (NotImplementedError, TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        return run  # no result to read (e.g. the task was just switched from check to apply)
    except Exception:  # a mismatch or a backend hiccup: keep showing what the run says
        logger.exception("could not read task %s of import run %s", run.task_id, run.pk)
        return run
    if result.status == TaskResultStatus.FAILED:
        _mark_failed(run.pk, IN_PROGRESS)
        run.refresh_from_db()
    return run
