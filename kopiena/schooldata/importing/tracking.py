"""Which keys a file has shown already, in little memory: the validation pass remembers only
*that* a key was seen; the few keys seen twice are looked at again in a second read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Protocol, cast


class KeyTracker(Protocol):
    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True if it had been seen before (or may have been)."""
        ...


class DayTracker:
    """Keys ``(pupil_id, date)``: one bit per pupil and day, in blocks of 512 days.

    A million pupil-days of one school year take well under a megabyte."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[int, int], bytearray] = {}

    def add(self, key: Hashable) -> bool:
        pupil_id, day = cast(tuple[int, dt.date], key)
        return self.add_day(pupil_id, day)

    def add_day(self, pupil_id: int, day: dt.date) -> bool:
        ordinal = day.toordinal()
        block_key = (pupil_id, ordinal >> 9)
        block = self._blocks.get(block_key)
        if block is None:
            block = self._blocks[block_key] = bytearray(64)
        byte, bit = (ordinal & 511) >> 3, 1 << (ordinal & 7)
        if block[byte] & bit:
            return True
        block[byte] |= bit
        return False


class HashTracker:
    """Any key, by its hash: a set of ints. A collision only costs a second look."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def add(self, key: Hashable) -> bool:
        digest = hash(key)
        if digest in self._seen:
            return True
        self._seen.add(digest)
        return False
