"""Rows of a CSV or XLSX file, streamed: never the whole file in memory.

CSV: UTF-8 with or without a byte-order mark, LF or CRLF, `,` or `;` (whichever the header line
has more of, outside quotes), fields quoted with `"`. XLSX: the first sheet, read-only.
Line numbers count records from the top of the file (for XLSX: the row number), so that the
header is line 1 and every number matches the row a spreadsheet program shows.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from kopiena.schooldata.importing.columns import COLUMNS, Column, header_lookup, normalise_header
from kopiena.schooldata.importing.issues import Issues, storable

Values = tuple[str, ...]  # one data row: trimmed values in the order of COLUMNS[kind]
Records = Iterator[tuple[int, list[str]]]

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_QUOTED = re.compile(r'"[^"]*"?')
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Header:
    columns: tuple[Column, ...]
    positions: tuple[int, ...]  # cell index of each column, -1 when the file lacks it
    labels: tuple[str, ...]  # each column's name as the file writes it (English if absent)
    width: int  # cells in the header line

    def label(self, name: str) -> str:
        for column, label in zip(self.columns, self.labels, strict=True):
            if column.name == name:
                return label
        return name

    def has(self, name: str) -> bool:
        return any(c.name == name and p >= 0
                   for c, p in zip(self.columns, self.positions, strict=True))


class Table:
    """An open file of one kind: ``header`` (None when unusable), then ``rows()``."""

    def __init__(self, stream: IO[bytes], kind: str, issues: Issues) -> None:
        self.kind = kind
        self.issues = issues
        self.header: Header | None = None
        errors_before = issues.error_count
        self._records = _records(stream, issues)
        self._read_header(unreadable=lambda: issues.error_count > errors_before)

    def _read_header(self, unreadable: Callable[[], bool]) -> None:
        for line, cells in self._records:
            if any(cell.strip() for cell in cells):
                self.header = _parse_header(self.kind, line, cells, self.issues)
                return
        if not unreadable():
            self.issues.error(0, "", _("The file is empty: it has no header line."))

    def rows(self) -> Iterator[tuple[int, Values]]:
        """Data rows after the header, blank ones skipped; rows that cannot be split into the
        header's columns are reported and skipped."""
        header = self.header
        if header is None:
            return
        positions, width, issues = header.positions, header.width, self.issues
        padding = [""] * width
        for line, cells in self._records:
            n = len(cells)
            if n > width and any(cell.strip() for cell in cells[width:]):
                issues.error(line, "", _("Line %(line)d has more values than the header has "
                                         "columns.") % {"line": line})
                continue
            if n < width:
                cells = cells + padding[n:]
            values = tuple([cells[p].strip() if p >= 0 else "" for p in positions])
            if not any(values) and not any(cell.strip() for cell in cells):
                continue
            joined = "".join(values)
            if not joined.isascii() and _SURROGATE.search(joined):
                issues.error(line, "", _("Line %(line)d is not UTF-8 text; save the file as "
                                         "CSV UTF-8.") % {"line": line})
                continue
            if "\x00" in joined:
                issues.error(line, "", _("Line %(line)d holds a NUL character; is this a text "
                                         "file?") % {"line": line})
                continue
            yield line, values


def _parse_header(kind: str, line: int, cells: Sequence[str], issues: Issues) -> Header | None:
    columns = COLUMNS[kind]
    lookup = header_lookup(kind)
    positions = [-1] * len(columns)
    labels = [c.name for c in columns]
    usable = True
    for cell_index, cell in enumerate(cells):
        name = normalise_header(cell)
        if not name:
            continue
        index = lookup.get(name)
        if index is None:
            issues.warning(line, cell.strip(), _("Unknown column “%(column)s” is ignored.")
                           % {"column": _shorten(cell.strip())})
        elif positions[index] >= 0:
            issues.error(line, cell.strip(), _("Column “%(column)s” appears twice.")
                         % {"column": columns[index].name})
            usable = False
        else:
            positions[index] = cell_index
            labels[index] = storable(cell.strip())
    for column, position in zip(columns, positions, strict=True):
        if column.required and position < 0:
            issues.error(line, column.name, _(
                "The required column “%(column)s” (in Latvian “%(alias)s”) is missing."
            ) % {"column": column.name, "alias": column.alias})
            usable = False
    if not usable:
        return None
    return Header(columns, tuple(positions), tuple(labels), len(cells))


def _records(stream: IO[bytes], issues: Issues) -> Records:
    start = stream.read(4)
    stream.seek(0)
    if start.startswith(_XLSX_MAGIC):
        return _xlsx_records(stream, issues)
    if start.startswith(_XLS_MAGIC):
        issues.error(0, "", _("Old Excel files (.xls) cannot be read; save the sheet as .xlsx "
                              "or as CSV UTF-8."))
        return iter(())
    if start.startswith(_UTF16_BOMS):
        issues.error(0, "", _("The file is UTF-16 text; save it as CSV UTF-8."))
        return iter(())
    return _csv_records(stream, issues)


def _csv_records(stream: IO[bytes], issues: Issues) -> Records:
    # surrogateescape: a byte that is not UTF-8 becomes a lone surrogate, reported per line.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = iter(text)
    leading: list[str] = []
    delimiter = ","
    for physical in lines:
        leading.append(physical)
        if physical.strip():
            delimiter = _delimiter(physical)
            break
    reader = csv.reader(itertools.chain(leading, lines), delimiter=delimiter)
    number = 0
    try:
        for record in reader:
            number += 1
            yield number, record
    except csv.Error as error:
        issues.error(number + 1, "", _(
            "Line %(line)d cannot be read as CSV (%(reason)s); the rest of the file was not "
            "read."
        ) % {"line": number + 1, "reason": _shorten(str(error))})
    finally:
        with contextlib.suppress(ValueError):  # the caller may have closed the file already
            text.detach()  # leave the caller's file open


def _delimiter(header_line: str) -> str:
    unquoted = _QUOTED.sub("", header_line)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _xlsx_records(stream: IO[bytes], issues: Issues) -> Records:
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # a damaged archive raises anything from zipfile, lxml or openpyxl
        issues.error(0, "", _("The file cannot be read as an Excel workbook (.xlsx)."))
        return
    number = 0
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            issues.error(0, "", _("The workbook has no sheet of rows to read."))
            return
        sheet.reset_dimensions()  # some writers store wrong dimensions; read every cell
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in row]
    except Exception:
        issues.error(number + 1, "", _(
            "Row %(line)d of the workbook cannot be read; the rest of the file was not read."
        ) % {"line": number + 1})
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
