"""The class view's rows, rendered once per stored status and kept in the cache.

A class view shows every pupil with seven formatted indicators and the reasons in words.
Formatting and rendering that for hundreds of pupils dominated the page, yet a status only
changes when it is recomputed. So each row's HTML is rendered once and cached per class,
language and link text for starting a case; a cached row is reused only while everything it
was rendered from is unchanged: the status's ``computed_at`` and level, the pupil's name and
whether the pupil has an open case. The cache holds no access decision: the caller passes
only the statuses the user may see, and only those rows are shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.earlywarning.screens import pupil_row

# What the class view reads of each status and pupil; the rest is in the cached rows.
FIELDS = ("pupil_id", "level", "computed_at", "pupil__first_name", "pupil__last_name")
TIMEOUT = 24 * 60 * 60


@dataclass(frozen=True)
class Source:
    """What a row was rendered from."""

    computed_at: dt.datetime
    level: str
    name: tuple[str, str]
    open_case: bool


@dataclass(frozen=True)
class CachedRow:
    source: Source
    html: str
    sort_values: dict[str, Any]  # without "name", which comes from the pupil


@dataclass
class ClassRow:
    """One pupil of the class view: ``html`` is the whole table row."""

    status: PupilSupportStatus
    html: SafeString
    sort_values: dict[str, Any]


def class_rows(school_class_id: int, statuses: list[PupilSupportStatus], *, open_label: str,
               with_case: Collection[int]) -> list[ClassRow]:
    """Rows for ``statuses`` (loaded with ``FIELDS`` and their pupils). ``open_label`` is the
    user's link text for starting a case ("" for none); ``with_case`` the pupils with an open
    case."""
    label_key = hashlib.sha256(open_label.encode()).hexdigest()[:12]
    key = f"earlywarning:class-rows:{school_class_id}:{get_language()}:{label_key}"
    cached = cache.get(key)
    rows: dict[int, CachedRow] = cached if isinstance(cached, dict) else {}
    sources = {s.pk: _source(s, with_case) for s in statuses}
    stale = [s.pk for s in statuses
             if (found := rows.get(s.pupil_id)) is None or found.source != sources[s.pk]]
    if stale:
        for status in PupilSupportStatus.objects.filter(pk__in=stale).select_related("pupil"):
            row = pupil_row(status)
            html = render_to_string("earlywarning/_class_row.html", {
                "row": row, "open_label": open_label, "with_case": with_case})
            rows[status.pupil_id] = CachedRow(
                source=_source(status, with_case), html=html,
                sort_values={k: v for k, v in row.sort_values.items() if k != "name"})
        cache.set(key, rows, TIMEOUT)
    result = []
    for status in statuses:
        found = rows[status.pupil_id]
        # A row is stale when what it shows changed (above); a concurrent change between the
        # two reads shows the newer one, which is what the next request shows too.
        result.append(ClassRow(
            status=status, html=mark_safe(found.html),  # noqa: S308 rendered by a template
            sort_values=dict(found.sort_values, name=sources[status.pk].name)))
    return result


def _source(status: PupilSupportStatus, with_case: Collection[int]) -> Source:
    return Source(computed_at=status.computed_at, level=status.level,
                  name=(status.pupil.last_name, status.pupil.first_name),
                  open_case=status.pupil_id in with_case)
