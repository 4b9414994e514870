"""The small-group rule: a figure about fewer than 5 persons is not shown to users without
person-level access to them (it could identify someone)."""

from __future__ import annotations

SMALL_GROUP = 5


def is_small_group(count: int) -> bool:
    """True for 1-4: a count that must be hidden (zero says nothing about anyone)."""
    return 0 < count < SMALL_GROUP
