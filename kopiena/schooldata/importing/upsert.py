"""Write one chunk of keyed rows (attendance days, grades, behaviour incidents): create the new
ones, update the changed ones, leave the rest; count each. Rows are plain tuples: the key
columns (pupil id and date first), then the value columns.

One SELECT finds the chunk's existing rows (through the unique index on the key); new rows are
inserted with COPY on PostgreSQL (as fast as a raw COPY) and with ``executemany`` elsewhere;
changed rows are updated with ``executemany``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from kopiena.schooldata.importing.kinds import Counts

_DATES_IN_LIST = 400  # above this many dates in a chunk, look existing rows up by range


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    keys: tuple[str, ...]  # attnames; the first two are pupil_id and date
    values: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def column(self, attname: str) -> str:
        field = self.model._meta.get_field(attname)  # accepts attnames such as pupil_id
        assert isinstance(field, models.Field)
        return connection.ops.quote_name(field.column)


def upsert(target: Target, rows: Sequence[tuple[Any, ...]], *, write: bool) -> Counts:
    if not rows:
        return Counts()
    n_keys = len(target.keys)
    existing = _existing(target, rows)
    counts = Counts()
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    updated_keys: list[tuple[Any, ...]] = []
    for row in rows:
        found = existing.get(row[:n_keys])
        if found is None:
            inserts.append(row)
        elif found[1] != row[n_keys:]:
            updates.append((*row[n_keys:], found[0]))
            updated_keys.append(row)
    counts.created, counts.updated = len(inserts), len(updates)
    counts.unchanged = len(rows) - counts.created - counts.updated
    for changed in (inserts, updated_keys):
        if changed:
            counts.pupil_ids.update(row[0] for row in changed)
            counts.widen(min(row[1] for row in changed), max(row[1] for row in changed))
    if write:
        _insert(target, inserts)
        _update(target, updates)
    return counts


def _existing(target: Target, rows: Sequence[tuple[Any, ...]]
              ) -> dict[tuple[Any, ...], tuple[int, tuple[Any, ...]]]:
    """The chunk's rows already stored: key -> (primary key, values)."""
    n_keys = len(target.keys)
    dates: set[dt.date] = {row[1] for row in rows}
    found = target.model._default_manager.filter(pupil_id__in={row[0] for row in rows})
    if len(dates) <= _DATES_IN_LIST:
        found = found.filter(date__in=dates)
    else:
        found = found.filter(date__range=(min(dates), max(dates)))
    return {
        tuple(stored[1:1 + n_keys]): (stored[0], tuple(stored[1 + n_keys:]))
        for stored in found.values_list("pk", *target.keys, *target.values)
    }


def _insert(target: Target, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = ", ".join(target.column(name) for name in (*target.keys, *target.values))
    table = connection.ops.quote_name(target.table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _update(target: Target, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    assignments = ", ".join(f"{target.column(v)} = %s" for v in target.values)
    table = connection.ops.quote_name(target.table)
    key = connection.ops.quote_name(target.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)  # noqa: S608
