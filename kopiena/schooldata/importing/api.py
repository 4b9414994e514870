"""The import API that the command line, the web upload flow and background tasks call.

A run goes UPLOADED -> (check_run) CHECKED or REFUSED -> (apply_run) APPLYING -> APPLIED,
CANCELLED or FAILED. Nothing of a file is written unless every row is.

Progress: ``progress_rows`` counts the rows of the current pass (checking while UPLOADED,
applying while APPLYING). While a file is applied the run's row is not touched inside the
transaction (the final status is written last, in it), so that another connection can set
``cancel_requested`` without waiting. On PostgreSQL progress is written through a second,
autocommitting connection and is visible at once; on SQLite, whose single writer is the import,
it is written in the import's transaction and becomes visible at commit (cancellation from
another connection cannot reach a running import on SQLite either: it waits for the lock).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, cast

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.schooldata.importing.apply import (
    ImportCancelled,
    Ticker,
    Validation,
    apply,
    validate,
)
from kopiena.schooldata.importing.kinds import Counts
from kopiena.schooldata.models import ImportKind, ImportRun
from kopiena.schooldata.signals import school_data_changed

__all__ = [
    "ImportCancelled",
    "apply_run",
    "check_run",
    "import_file",
    "record_upload",
    "summary",
]

logger = logging.getLogger(__name__)

Status = ImportRun.Status
FileProgress = Callable[[int, int | None], None]  # rows done, rows in all (None: not known yet)
APPLICABLE = (Status.CHECKED, Status.QUEUED)
PROGRESS_WRITE_SECONDS = 1.0  # progress_rows is written at most this often


def record_upload(*, kind: str, uploaded_file: UploadedFile | File[Any], file_name: str,
                  user: User | None, dry_run: bool = False) -> ImportRun:
    """Store the file with its SHA-256 in a new run (status UPLOADED)."""
    if kind not in ImportKind.values:
        raise ValueError(f"Unknown kind of school data: {kind!r}")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    base_name = os.path.basename(file_name.replace("\\", "/")) or "upload"
    run = ImportRun(kind=kind, file_name=file_name[:255], checksum=digest.hexdigest(),
                    dry_run=dry_run, user=user, status=Status.UPLOADED)
    run.file.save(base_name, uploaded_file, save=False)
    run.save()
    return run


def check_run(run: ImportRun) -> ImportRun:
    """Validate the whole file and count what applying it would create, update and leave
    unchanged. Status CHECKED when it has no errors, else REFUSED."""
    run, validation = _check(run, count=True, progress=None)
    if validation is not None:
        validation.close()
    return run


def apply_run(run: ImportRun) -> ImportRun:
    """Validate the file again (the database may have changed since the check) and apply it in
    one transaction. Status APPLIED, REFUSED, CANCELLED or FAILED; only APPLIED wrote anything,
    and only then is ``school_data_changed`` sent, once the transaction has committed."""
    return _apply_run(run, validation=None, progress=None)


def import_file(*, kind: str, path: pathlib.Path, user: User | None, dry_run: bool,
                progress: FileProgress | None = None) -> ImportRun:
    """Record, check and (unless ``dry_run`` or refused) apply a file from disk: the command
    line and the demo seeder. The file is parsed once: applying reads the validated records
    back from the spool, and the counts come from applying (no separate dry count)."""
    with path.open("rb") as handle:
        run = record_upload(kind=kind, uploaded_file=File(handle, name=path.name),
                            file_name=path.name, user=user, dry_run=dry_run)
    run, validation = _check(run, count=dry_run, progress=progress)
    if dry_run or run.status != Status.CHECKED or validation is None:
        if validation is not None:
            validation.close()
        return run
    return _apply_run(run, validation=validation, progress=progress)


def summary(run: ImportRun) -> dict[str, Any]:
    """The spec's JSON object for a run."""
    return {
        "kind": run.kind,
        "rows": run.rows,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "warnings": list(run.warnings),
        "errors": list(run.errors),
    }


# --- internals -------------------------------------------------------------------------------


def _check(run: ImportRun, *, count: bool,
           progress: FileProgress | None) -> tuple[ImportRun, Validation | None]:
    if run.status in (Status.APPLYING, Status.APPLIED):
        raise ValueError(f"Import run {run.pk} is being or has been applied.")
    run.status, run.progress_rows = Status.UPLOADED, 0
    validation = None
    with _Monitor(run, progress) as monitor:
        try:
            validation = validate(kind=run.kind, opener=_opener(run), user=run.user,
                                  ticker=monitor.ticker(total=None))
            _store_validation(run, validation)
            if validation.ok and count:
                _store_counts(run, apply(validation, write=False,
                                         ticker=monitor.ticker(total=validation.rows)))
            run.status = Status.CHECKED if validation.ok else Status.REFUSED
        except ImportCancelled:
            run.status = Status.CANCELLED
        except Exception:
            logger.exception("Checking import run %s failed", run.pk)
            _fail(run)
    if run.status != Status.CHECKED or run.dry_run:
        run.finished_at = timezone.now()
    run.save()
    if validation is not None:
        run.schools.set(validation.ctx.school_ids)
    return run, validation


def _apply_run(run: ImportRun, *, validation: Validation | None,
               progress: FileProgress | None) -> ImportRun:
    """Apply ``run``, validating it first unless ``validation`` is given (then closed here)."""
    try:
        return _claim_and_apply(run, validation, progress)
    finally:
        if validation is not None:
            validation.close()


def _claim_and_apply(run: ImportRun, validation: Validation | None,
                     progress: FileProgress | None) -> ImportRun:
    claimed = ImportRun.objects.filter(
        pk=run.pk, dry_run=False, status__in=APPLICABLE
    ).update(status=Status.APPLYING, progress_rows=0)
    if not claimed:
        raise ValueError(f"Import run {run.pk} is a dry run or not waiting to be applied.")
    run.refresh_from_db()
    with _Monitor(run, progress) as monitor:
        try:
            if run.cancel_requested:
                raise ImportCancelled
            if validation is None:
                validation = validate(kind=run.kind, opener=_opener(run), user=run.user,
                                      ticker=monitor.ticker(total=None))
                _store_validation(run, validation)
            try:
                if not validation.ok:
                    run.status = Status.REFUSED
                else:
                    apply(validation, write=True,
                          ticker=monitor.ticker(total=validation.rows, in_transaction=True),
                          actor=run.user, before_commit=lambda counts: _applied(run, counts))
            finally:
                validation.close()
        except ImportCancelled:
            run.status = Status.CANCELLED
        except Exception:
            logger.exception("Applying import run %s failed", run.pk)
            _fail(run)
    if run.status != Status.APPLIED:
        run.created = run.updated = run.unchanged = 0
        run.finished_at = timezone.now()
        run.save()
    return run


def _applied(run: ImportRun, counts: Counts) -> None:
    """Last step inside the import's transaction: the run's outcome commits with the data."""
    _store_counts(run, counts)
    run.status = Status.APPLIED
    run.progress_rows = run.rows
    run.finished_at = timezone.now()
    run.save()
    transaction.on_commit(lambda: school_data_changed.send(
        sender=ImportRun, run=run, pupil_ids=counts.pupil_ids,
        first_date=counts.first_date, last_date=counts.last_date,
    ))


def _store_validation(run: ImportRun, validation: Validation) -> None:
    issues = validation.issues
    run.errors = list(issues.sorted_errors())
    run.error_count = issues.error_count
    run.warnings = list(issues.warnings)
    run.rows = run.total_rows = validation.rows
    run.preview = validation.preview


def _store_counts(run: ImportRun, counts: Counts) -> None:
    run.created, run.updated, run.unchanged = counts.created, counts.updated, counts.unchanged


def _fail(run: ImportRun) -> None:
    run.status = Status.FAILED
    run.errors = [{"line": 0, "column": "", "message": _(
        "The import failed because of an internal error; nothing was written. The "
        "administrators have been told."
    )}]
    run.error_count = 1


def _opener(run: ImportRun) -> Callable[[], Any]:
    @contextmanager
    def open_stored() -> Iterator[IO[bytes]]:
        stored = run.file.storage.open(run.file.name, "rb")
        try:
            yield cast(IO[bytes], getattr(stored, "file", stored))
        finally:
            stored.close()

    return open_stored


class _Monitor:
    """Progress of a run (passed to a callback every chunk, written to ``progress_rows`` at
    most once a second) and its cancellation flag, read from the database every chunk."""

    def __init__(self, run: ImportRun, callback: FileProgress | None) -> None:
        self.run = run
        self.callback = callback
        self._side: BaseDatabaseWrapper | None = None
        self._written_at = -PROGRESS_WRITE_SECONDS

    def __enter__(self) -> _Monitor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._side is not None:
            self._side.close()

    def ticker(self, *, total: int | None, in_transaction: bool = False) -> Ticker:
        def progress(done: int) -> None:
            self._write_progress(done, in_transaction=in_transaction)
            if self.callback is not None:
                self.callback(done, total)

        return Ticker(progress=progress, should_cancel=self._cancel_requested)

    def _cancel_requested(self) -> bool:
        return ImportRun.objects.filter(pk=self.run.pk, cancel_requested=True).exists()

    def _write_progress(self, done: int, *, in_transaction: bool) -> None:
        self.run.progress_rows = done
        now = time.monotonic()
        if now - self._written_at < PROGRESS_WRITE_SECONDS:
            return  # each write is a commit: at most one a second
        self._written_at = now
        if not (in_transaction and connection.vendor == "postgresql"):
            ImportRun.objects.filter(pk=self.run.pk).update(progress_rows=done)
            return
        if self._side is None:
            self._side = connection.copy()
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(ImportRun._meta.db_table)} "  # noqa: S608
                "SET progress_rows = %s WHERE id = %s", [done, self.run.pk])
