"""The passes: validate (the file streamed once, every error collected), then apply (in chunks,
inside one transaction) or only count what applying would do.

The file is parsed once. The records of attendance days, grades and behaviour go to a spool on
disk, which the apply pass reads back; in memory validation keeps only what duplicate checks
need: one bit per pupil-day for attendance days, one hash per row for grades and behaviour.
The few keys seen twice get a second look in the spool. Pupils and attendance-lessons keep
their rows (one school's roll) or pupil-days in memory instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any

from auditlog.context import set_actor
from django.db import transaction

from kopiena.accounts.models import User
from kopiena.schooldata.importing.columns import COLUMNS
from kopiena.schooldata.importing.context import Context
from kopiena.schooldata.importing.issues import Issues, storable
from kopiena.schooldata.importing.kind_attendance import AttendanceDays, AttendanceLessons
from kopiena.schooldata.importing.kind_pupils import Pupils
from kopiena.schooldata.importing.kind_records import Behaviour, Grades
from kopiena.schooldata.importing.kinds import Counts, KindHandler
from kopiena.schooldata.importing.reading import Table
from kopiena.schooldata.importing.spool import Spool
from kopiena.schooldata.models import ImportKind

CHUNK_SIZE = 5000
PREVIEW_ROWS = 10
HIDDEN_IN_PREVIEW = frozenset({"personal_code"})

Handler = KindHandler[Any, Any]
HANDLERS: dict[str, type[Handler]] = {
    ImportKind.PUPILS: Pupils,
    ImportKind.ATTENDANCE_DAYS: AttendanceDays,
    ImportKind.ATTENDANCE_LESSONS: AttendanceLessons,
    ImportKind.GRADES: Grades,
    ImportKind.BEHAVIOUR: Behaviour,
}

Opener = Callable[[], AbstractContextManager[IO[bytes]]]
Progress = Callable[[int], None]
ShouldCancel = Callable[[], bool]


class ImportCancelled(Exception):
    """Raised between chunks when cancellation was requested; inside the transaction, so that
    nothing of the file is written."""


@dataclass
class Validation:
    kind: str
    issues: Issues
    ctx: Context
    handler: Handler | None = None
    rows: int = 0
    preview: list[dict[str, str]] = field(default_factory=list)
    skip_lines: set[int] = field(default_factory=set)  # exact repeats of an earlier row
    spool: Spool | None = None  # the records of a streamed kind, for the apply pass

    @property
    def ok(self) -> bool:
        return self.handler is not None and not self.issues.has_errors

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


@dataclass
class Ticker:
    """Calls ``progress`` and checks ``should_cancel`` once per chunk."""

    progress: Progress | None = None
    should_cancel: ShouldCancel | None = None

    def __call__(self, done: int) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise ImportCancelled
        if self.progress is not None:
            self.progress(done)


def validate(*, kind: str, opener: Opener, user: User | None, ticker: Ticker | None = None,
             chunk_size: int | None = None) -> Validation:
    """Read the whole file once; collect every error and warning."""
    ticker = ticker or Ticker()
    chunk_size = chunk_size or CHUNK_SIZE
    issues = Issues()
    result = Validation(kind=kind, issues=issues, ctx=Context(user=user, issues=issues))
    names = [column.name for column in COLUMNS[kind]]
    with opener() as stream:
        table = Table(stream, kind, issues)
        if table.header is None:
            return result
        handler = result.handler = HANDLERS[kind](result.ctx, table.header)
        spool = result.spool = Spool() if handler.streamed else None
        for line, values in table.rows():
            result.rows += 1
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(_preview(names, values))
            record = handler.parse(line, values)
            if record is not None:
                handler.observe(line, record)
                if spool is not None:
                    spool.add(line, record)
            if result.rows % chunk_size == 0:
                ticker(result.rows)
    handler.finish()
    if spool is not None and handler.needs_second_look():
        result.skip_lines = handler.second_look(iter(spool), issues)
    return result


def apply(validation: Validation, *, write: bool, ticker: Ticker | None = None,
          actor: User | None = None, before_commit: Callable[[Counts], None] | None = None,
          chunk_size: int | None = None) -> Counts:
    """Apply a file that validated without errors. With ``write`` everything happens in one
    transaction (``before_commit`` runs last inside it); without, nothing is written and the
    counts say what writing would do."""
    if not validation.ok:
        raise ValueError("Only a file without errors can be applied.")
    ticker = ticker or Ticker()
    chunk_size = chunk_size or CHUNK_SIZE
    if not write:
        return _apply(validation, write=False, ticker=ticker, chunk_size=chunk_size)
    with transaction.atomic(), (set_actor(actor) if actor else contextlib.nullcontext()):
        counts = _apply(validation, write=True, ticker=ticker, chunk_size=chunk_size)
        if before_commit is not None:
            before_commit(counts)
    return counts


def _apply(validation: Validation, *, write: bool, ticker: Ticker, chunk_size: int) -> Counts:
    handler = validation.handler
    assert handler is not None
    counts = Counts(unchanged=handler.ignored_repeats)
    done, batch = 0, []
    if validation.spool is not None:
        records = _spooled(validation.spool, validation.skip_lines, counts)
    else:
        records = handler.kept_records()
    for weight, record in records:
        batch.append(record)
        done += weight
        if len(batch) >= chunk_size:
            counts.add(handler.write(batch, write=write))
            batch = []
            ticker(done)
    counts.add(handler.write(batch, write=write))
    ticker(validation.rows)
    return counts


def _spooled(spool: Spool, skip_lines: set[int], counts: Counts) -> Iterator[tuple[int, Any]]:
    for line, record in spool:
        if line in skip_lines:
            counts.unchanged += 1  # an exact repeat of an earlier row
        else:
            yield 1, record


def _preview(names: list[str], values: tuple[str, ...]) -> dict[str, str]:
    """A row for the confirmation page; personal codes are not stored in the clear."""
    return {name: "*" * len(value) if name in HIDDEN_IN_PREVIEW and value else storable(value)
            for name, value in zip(names, values, strict=True)}
