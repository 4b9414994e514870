"""Errors and warnings of one file: each names a line (1 = header, 0 = the whole file), a
column and a plain message in the active language."""

from __future__ import annotations

import re
from typing import TypedDict

MAX_STORED = 1000  # issues kept per list; the counts go on beyond it
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and undecodable bytes: not in JSON


def storable(text: str) -> str:
    """Text from a file made safe to store (PostgreSQL rejects NUL and lone surrogates)."""
    return _UNSTORABLE.sub("\ufffd", text) if not text.isascii() or "\x00" in text else text


class Issue(TypedDict):
    line: int
    column: str
    message: str


class Issues:
    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.error_count = 0
        self.warnings: list[Issue] = []
        self.warning_count = 0

    def error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED:
            self.errors.append({"line": line, "column": storable(column),
                                "message": storable(str(message))})

    def warning(self, line: int, column: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_STORED:
            self.warnings.append({"line": line, "column": storable(column),
                                  "message": storable(str(message))})

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def sorted_errors(self) -> list[Issue]:
        return sorted(self.errors, key=lambda issue: issue["line"])

