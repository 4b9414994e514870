"""Kinds ``attendance-days`` (one row per pupil-day) and ``attendance-lessons`` (one row per
lesson, aggregated to pupil-days). Both write AttendanceDay, keyed by pupil and date."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable, Iterator
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.schooldata.importing.context import Context, fold_mark
from kopiena.schooldata.importing.kinds import Counts, KeyedKind, KindHandler
from kopiena.schooldata.importing.reading import Header, Values
from kopiena.schooldata.importing.tracking import DayTracker, KeyTracker
from kopiena.schooldata.importing.upsert import Target, upsert
from kopiena.schooldata.importing.validators import Fields, count, shown, whole_number
from kopiena.schooldata.models import AttendanceDay, AttendanceMark, ImportKind

MAX_LESSONS = 12

DAYS = Target(
    AttendanceDay, keys=("pupil_id", "date"),
    values=("school_id", "lessons_scheduled", "absent_excused", "absent_unexcused", "late"),
)


class DayRow(NamedTuple):
    pupil_id: int
    date: dt.date
    school_id: int
    lessons_scheduled: int
    absent_excused: int
    absent_unexcused: int
    late: int


@functools.lru_cache(maxsize=64)
def lessons_scheduled(value: str) -> int:
    return whole_number(value, 0, MAX_LESSONS)


@functools.lru_cache(maxsize=64)
def lesson_no(value: str) -> int:
    return whole_number(value, 1, MAX_LESSONS)


class AttendanceDays(KeyedKind[DayRow]):
    kind = ImportKind.ATTENDANCE_DAYS
    value_columns = ("school_code", "lessons_scheduled", "absent_excused", "absent_unexcused",
                     "late")

    day_tracker: DayTracker

    def make_tracker(self) -> KeyTracker:
        self.day_tracker = DayTracker()
        return self.day_tracker

    def observe(self, line: int, record: DayRow) -> None:
        # KeyedKind.observe, without building a key tuple per row (the hottest loop)
        if self.day_tracker.add_day(record.pupil_id, record.date):
            self.repeated.add((record.pupil_id, record.date))

    def parse(self, line: int, values: Values) -> DayRow | None:
        fields = Fields(self.ctx.issues, line)
        labels = self.labels
        scheduled = fields.get(labels["lessons_scheduled"], lessons_scheduled, values[3], 0)
        excused = fields.get(labels["absent_excused"], count, values[4], 0)
        unexcused = fields.get(labels["absent_unexcused"], count, values[5], 0)
        late = fields.get(labels["late"], count, values[6], 0) if values[6] else 0
        head = self.pupil_day(fields, values)
        if fields.ok and excused + unexcused + late > scheduled:
            fields.fail(labels["lessons_scheduled"], _(
                "Absences and late arrivals (%(missed)d) exceed the lessons scheduled "
                "(%(scheduled)d)."
            ) % {"missed": excused + unexcused + late, "scheduled": scheduled})
        if head is None or not fields.ok:
            return None
        school_id, pupil_id, day = head
        return DayRow(pupil_id, day, school_id, scheduled, excused, unexcused, late)

    def key(self, record: DayRow) -> Hashable:
        return (record.pupil_id, record.date)

    def fingerprint(self, record: DayRow) -> tuple[object, ...]:
        return tuple(record[2:])

    def key_description(self) -> str | Promise:
        return gettext_lazy("pupil and date")

    def write(self, records: list[DayRow], *, write: bool) -> Counts:
        return upsert(DAYS, records, write=write)


class LessonRow(NamedTuple):
    pupil_id: int
    date: dt.date
    school_id: int
    lesson_no: int
    mark: str  # an AttendanceMark value


class _Day:
    __slots__ = ("lessons", "school_id")

    def __init__(self, school_id: int) -> None:
        self.school_id = school_id
        self.lessons: dict[int, tuple[str, int]] = {}  # lesson_no -> (mark, first line)


class AttendanceLessons(KindHandler[LessonRow, DayRow]):
    """Every pupil-day of the file is held in memory until it is written: a lesson export of a
    school year has at most a few hundred thousand pupil-days."""

    kind = ImportKind.ATTENDANCE_LESSONS
    streamed = False

    def __init__(self, ctx: Context, header: Header) -> None:
        super().__init__(ctx, header)
        self.days: dict[tuple[int, dt.date], _Day] = {}

    def parse(self, line: int, values: Values) -> LessonRow | None:
        fields = Fields(self.ctx.issues, line)
        number = fields.get(self.labels["lesson_no"], lesson_no, values[3], 0)
        head = self.pupil_day(fields, values)
        if head is None or not fields.ok:
            return None
        school_id, pupil_id, day = head
        mark = self.ctx.marks(school_id).get(fold_mark(values[5]))
        if mark is None:
            fields.fail(self.labels["mark"], _(
                "“%(value)s” is not an attendance mark of this school; the school's import "
                "settings list the marks it uses."
            ) % {"value": shown(values[5])})
            return None
        return LessonRow(pupil_id, day, school_id, number, mark)

    def observe(self, line: int, record: LessonRow) -> None:
        day = self.days.get((record.pupil_id, record.date))
        if day is None:
            day = self.days[(record.pupil_id, record.date)] = _Day(record.school_id)
        first = day.lessons.get(record.lesson_no)
        if first is None:
            day.lessons[record.lesson_no] = (record.mark, line)
        elif first[0] != record.mark:
            self.ctx.issues.error(line, self.labels["mark"], _(
                "Lines %(first)d and %(line)d give lesson %(lesson)d of the same pupil and date "
                "different marks; keep one of them."
            ) % {"first": first[1], "line": line, "lesson": record.lesson_no})
        # an exact repeat of a lesson row is ignored

    def kept_records(self) -> Iterator[tuple[int, DayRow]]:
        for (pupil_id, day), lessons in self.days.items():
            missed = dict.fromkeys(AttendanceMark.values, 0)
            for mark, _line in lessons.lessons.values():
                missed[mark] += 1
            yield len(lessons.lessons), DayRow(
                pupil_id, day, lessons.school_id, len(lessons.lessons),
                missed[AttendanceMark.EXCUSED], missed[AttendanceMark.UNEXCUSED],
                missed[AttendanceMark.LATE],
            )

    def write(self, records: list[DayRow], *, write: bool) -> Counts:
        return upsert(DAYS, records, write=write)
