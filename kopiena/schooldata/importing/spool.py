"""The records of a validated file, kept on disk in pickled chunks: applying a file (or
counting what applying would do) then reads these instead of parsing the file again."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import Any

_CHUNK = 5000


class Spool:
    """Append ``(line, record)`` pairs; iterate them back in order (as often as needed).
    Records are NamedTuples of plain values: stored as plain tuples, rebuilt on reading."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self._lines: list[int] = []
        self._rows: list[tuple[Any, ...]] = []
        self._make: Any = None
        self.count = 0

    def add(self, line: int, record: tuple[Any, ...]) -> None:
        if self._make is None:
            self._make = type(record)._make  # type: ignore[attr-defined]
        self._lines.append(line)
        self._rows.append(tuple(record))
        self.count += 1
        if len(self._rows) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            pickle.dump((self._lines, self._rows), self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._lines, self._rows = [], []

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        self._flush()
        self._file.seek(0)
        while True:
            try:
                # Only this process wrote the file, a moment ago.
                lines, rows = pickle.load(self._file)  # noqa: S301
            except EOFError:
                return
            make = self._make
            for line, row in zip(lines, rows, strict=True):
                yield line, make(row)

    def close(self) -> None:
        self._file.close()
