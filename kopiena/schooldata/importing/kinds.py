"""What every kind of file has in common: parse a row, remember what duplicate checks need,
write a chunk of records (or only count what writing would do)."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kopiena.schooldata.importing.columns import COLUMNS
from kopiena.schooldata.importing.context import Context
from kopiena.schooldata.importing.issues import Issues
from kopiena.schooldata.importing.reading import Header, Values
from kopiena.schooldata.importing.tracking import HashTracker, KeyTracker
from kopiena.schooldata.importing.validators import Fields, parse_date

R = TypeVar("R")  # what a row is parsed into
W = TypeVar("W")  # what is written (the same, but for lessons: days)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pupil_ids: set[int] = field(default_factory=set)  # pupils whose data changed
    first_date: dt.date | None = None
    last_date: dt.date | None = None

    def changed(self, pupil_id: int, *days: dt.date | None) -> None:
        self.pupil_ids.add(pupil_id)
        for day in days:
            self.widen(day, day)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.pupil_ids |= other.pupil_ids
        self.widen(other.first_date, other.last_date)

    def widen(self, first: dt.date | None, last: dt.date | None) -> None:
        if first is not None and (self.first_date is None or first < self.first_date):
            self.first_date = first
        if last is not None and (self.last_date is None or last > self.last_date):
            self.last_date = last


class KindHandler(ABC, Generic[R, W]):
    """One kind of file. Subclasses say how a row becomes a record and how records are
    written. ``streamed`` kinds are read again from the file for the apply pass; the others
    keep what they need in memory (pupils: one school's roll; lessons: the days)."""

    kind: ClassVar[str]
    streamed: ClassVar[bool] = True

    def __init__(self, ctx: Context, header: Header) -> None:
        self.ctx = ctx
        self.header = header
        self.labels = {c.name: header.label(c.name) for c in COLUMNS[self.kind]}
        self.ignored_repeats = 0  # rows kept in memory that repeat an earlier row exactly

    @abstractmethod
    def parse(self, line: int, values: Values) -> R | None:
        """The row as a record, or None after reporting its errors to ``ctx.issues``."""

    def observe(self, line: int, record: R) -> None:
        """Validation pass only: remember what the checks across rows need."""

    def finish(self) -> None:
        """Validation pass only: every row has been seen."""

    def needs_second_look(self) -> bool:
        return False

    def second_look(self, rows: Iterable[tuple[int, R]], issues: Issues) -> set[int]:
        """Rows read again when keys repeated: report conflicts to ``issues``; return the lines
        that only repeat an earlier row exactly (to be skipped)."""
        return set()

    def kept_records(self) -> Iterator[tuple[int, W]]:
        """Records of a kind that is not streamed, each with the number of rows it stands for."""
        return iter(())

    @abstractmethod
    def write(self, records: list[W], *, write: bool) -> Counts:
        """Compare a chunk with the database and, if ``write``, create and update rows."""

    def pupil_day(self, fields: Fields, values: Values) -> tuple[int, int, dt.date] | None:
        """``(school_id, pupil_id, date)`` from the first three columns, which every kind but
        pupils shares: the school must be writable, the pupil enrolled there on that date."""
        labels = self.labels
        day = fields.get(labels["date"], parse_date, values[2], None)
        school_id = self.ctx.school(fields, labels["school_code"], values[0])
        if school_id is None:
            return None
        pupil_id = self.ctx.pupil_on(fields, (labels["pupil_id"], labels["date"]), school_id,
                                     values[1], day)
        if pupil_id is None or day is None:
            return None
        return school_id, pupil_id, day


class KeyedKind(KindHandler[R, R]):
    """A streamed kind whose rows have a key: a repeated key with the same values is ignored,
    with other values it is an error that names both lines."""

    value_columns: ClassVar[tuple[str, ...]]  # in the order of ``fingerprint``

    def __init__(self, ctx: Context, header: Header) -> None:
        super().__init__(ctx, header)
        self.tracker = self.make_tracker()
        self.repeated: set[Hashable] = set()

    def make_tracker(self) -> KeyTracker:
        return HashTracker()

    @abstractmethod
    def key(self, record: R) -> Hashable: ...

    @abstractmethod
    def fingerprint(self, record: R) -> tuple[object, ...]: ...

    @abstractmethod
    def key_description(self) -> str | Promise: ...

    def observe(self, line: int, record: R) -> None:
        key = self.key(record)
        if self.tracker.add(key):
            self.repeated.add(key)

    def needs_second_look(self) -> bool:
        return bool(self.repeated)

    def second_look(self, rows: Iterable[tuple[int, R]], issues: Issues) -> set[int]:
        first_seen: dict[Hashable, tuple[int, tuple[object, ...]]] = {}
        skip: set[int] = set()
        for line, record in rows:
            key = self.key(record)
            if key not in self.repeated:
                continue
            values = self.fingerprint(record)
            first = first_seen.setdefault(key, (line, values))
            if first[0] == line:
                continue
            if first[1] == values:
                skip.add(line)
                continue
            differing = next(i for i, (a, b) in enumerate(zip(first[1], values, strict=True))
                             if a != b)
            issues.error(line, self.labels[self.value_columns[differing]], _(
                "Lines %(first)d and %(line)d have the same %(key)s but different values; "
                "keep one of them."
            ) % {"first": first[0], "line": line, "key": self.key_description()})
        return skip
