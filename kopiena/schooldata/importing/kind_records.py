"""Kinds ``grades`` (keyed by pupil, date, subject and kind) and ``behaviour`` (keyed by pupil,
date and category)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from kopiena.schooldata.importing.kinds import Counts, KeyedKind
from kopiena.schooldata.importing.reading import Values
from kopiena.schooldata.importing.upsert import Target, upsert
from kopiena.schooldata.importing.validators import (
    Fields,
    grade_kind,
    grade_points,
    grade_value,
    is_insufficient,
    required_text,
    severity,
    text,
)
from kopiena.schooldata.models import BehaviourIncident, Grade, GradeKind, ImportKind


def _max_length(model: type[Grade] | type[BehaviourIncident], name: str) -> int:
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


GRADES = Target(Grade, keys=("pupil_id", "date", "subject", "kind"),
                values=("school_id", "value", "points", "is_insufficient"))
INCIDENTS = Target(BehaviourIncident, keys=("pupil_id", "date", "category"),
                   values=("school_id", "severity", "note"))

_subject = required_text(_max_length(Grade, "subject"))
_category = required_text(_max_length(BehaviourIncident, "category"))
_note = text(100_000)


class GradeRow(NamedTuple):
    pupil_id: int
    date: dt.date
    subject: str
    kind: str
    school_id: int
    value: str
    points: int | None
    is_insufficient: bool


class Grades(KeyedKind[GradeRow]):
    kind = ImportKind.GRADES
    value_columns = ("school_code", "grade")

    def parse(self, line: int, values: Values) -> GradeRow | None:
        fields = Fields(self.ctx.issues, line)
        labels = self.labels
        subject = fields.get(labels["subject"], _subject, values[3], "")
        value = fields.get(labels["grade"], grade_value, values[4], "")
        kind = fields.get(labels["kind"], grade_kind, values[5], str(GradeKind.ONGOING))
        head = self.pupil_day(fields, values)
        if head is None or not fields.ok:
            return None
        school_id, pupil_id, day = head
        return GradeRow(pupil_id, day, subject, kind, school_id, value, grade_points(value),
                        is_insufficient(value, kind))

    def key(self, record: GradeRow) -> Hashable:
        return tuple(record[:4])

    def fingerprint(self, record: GradeRow) -> tuple[object, ...]:
        return (record.school_id, record.value)

    def key_description(self) -> str | Promise:
        return gettext_lazy("pupil, date, subject and kind")

    def write(self, records: list[GradeRow], *, write: bool) -> Counts:
        return upsert(GRADES, records, write=write)


class IncidentRow(NamedTuple):
    pupil_id: int
    date: dt.date
    category: str
    school_id: int
    severity: int
    note: str


class Behaviour(KeyedKind[IncidentRow]):
    kind = ImportKind.BEHAVIOUR
    value_columns = ("school_code", "severity", "note")

    def parse(self, line: int, values: Values) -> IncidentRow | None:
        fields = Fields(self.ctx.issues, line)
        labels = self.labels
        category = fields.get(labels["category"], _category, values[3], "")
        level = fields.get(labels["severity"], severity, values[4], 0)
        note = fields.get(labels["note"], _note, values[5], "")
        head = self.pupil_day(fields, values)
        if head is None or not fields.ok:
            return None
        school_id, pupil_id, day = head
        return IncidentRow(pupil_id, day, category, school_id, level, note)

    def key(self, record: IncidentRow) -> Hashable:
        return tuple(record[:3])

    def fingerprint(self, record: IncidentRow) -> tuple[object, ...]:
        return tuple(record[3:])

    def key_description(self) -> str | Promise:
        return gettext_lazy("pupil, date and category")

    def write(self, records: list[IncidentRow], *, write: bool) -> Counts:
        return upsert(INCIDENTS, records, write=write)
