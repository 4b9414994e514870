"""Kind ``pupils``: pupils, their enrolment at the school (keyed by school and the register's
pupil id) and their class.

A pupil new to a school is a new Pupil: the spec keys pupils by ``(school_code, pupil_id)``, and
matching people across schools by personal code would move pupils between schools' scopes.
Writes go through ``save()`` so that django-auditlog records every change (a school's roll is a
few thousand rows; speed matters for the attendance kinds, not here).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from kopiena.calendars.models import SchoolYear
from kopiena.pupils import crypto
from kopiena.pupils.models import Enrolment, Gender, Programme, Pupil, SchoolClass
from kopiena.pupils.personal_code import InvalidPersonalCode, PersonalCode, parse_personal_code
from kopiena.schooldata.importing.context import Context
from kopiena.schooldata.importing.kinds import Counts, KindHandler
from kopiena.schooldata.importing.reading import Header, Values
from kopiena.schooldata.importing.validators import (
    Fields,
    Invalid,
    class_label,
    grade_level,
    optional_date,
    optional_gender,
    parse_date,
    programme,
    required_text,
    text,
)
from kopiena.schooldata.models import ImportKind

ClassKey = tuple[int, int, str]  # school, school year, label


def _max_length(model: type[Pupil] | type[Enrolment], name: str) -> int:
    return model._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


_source_id = required_text(_max_length(Enrolment, "source_id"))
_name = required_text(_max_length(Pupil, "first_name"))
_reason = text(_max_length(Enrolment, "leaving_reason"))

def personal_code(value: str) -> PersonalCode | None:
    if not value:
        return None
    try:
        return parse_personal_code(value)
    except InvalidPersonalCode as problem:
        reason = str(problem)
        if reason == "century":
            raise Invalid(_("The personal code's century digit (the seventh) must be 0, 1 or "
                            "2.")) from None
        if reason == "date":
            raise Invalid(_("The personal code does not hold a real birth date.")) from None
        if reason == "checksum":
            raise Invalid(_("The personal code's check digit is wrong.")) from None
        raise Invalid(_("Write the personal code as DDMMYY-CNNNN or 32NNNN-NNNNN.")) from None


@dataclasses.dataclass(frozen=True)
class PupilRow:
    school_id: int
    source_id: str
    first_name: str
    last_name: str
    personal_code: PersonalCode | None
    birth_date: dt.date
    gender: str | None  # None: not given, keep what Kopiena has
    class_label: str
    grade: int
    programme: str
    enrolled_from: dt.date
    enrolled_to: dt.date | None
    leaving_reason: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.school_id, self.source_id)


class Pupils(KindHandler[PupilRow, PupilRow]):
    kind = ImportKind.PUPILS
    streamed = False

    def __init__(self, ctx: Context, header: Header) -> None:
        super().__init__(ctx, header)
        self.rows: dict[tuple[int, str], tuple[int, PupilRow]] = {}
        self.classes: dict[tuple[int, str], tuple[int, int, str]] = {}
        self.codes: dict[str, tuple[int, tuple[int, str]]] = {}
        self.today = timezone.localdate()
        self.years = list(SchoolYear.objects.order_by("-starts_on").values_list("pk",
                                                                                "starts_on"))
        self._class_cache: dict[ClassKey, SchoolClass] = {}

    # --- validation ------------------------------------------------------------------------

    def parse(self, line: int, values: Values) -> PupilRow | None:
        fields, labels = Fields(self.ctx.issues, line), self.labels
        school_id = self.ctx.school(fields, labels["school_code"], values[0])
        source_id = fields.get(labels["pupil_id"], _source_id, values[1], "")
        first_name = fields.get(labels["first_name"], _name, values[2], "")
        last_name = fields.get(labels["last_name"], _name, values[3], "")
        code = fields.get(labels["personal_code"], personal_code, values[4], None)
        birth = fields.get(labels["birth_date"], parse_date, values[5], None)
        gender = fields.get(labels["gender"], optional_gender, values[6], None)
        label = fields.get(labels["class_label"], class_label, values[7], "")
        level = fields.get(labels["grade_level"], grade_level, values[8], None)
        prog = fields.get(labels["programme"], programme, values[9], "")
        start = fields.get(labels["enrolled_from"], parse_date, values[10], None)
        end = fields.get(labels["enrolled_to"], optional_date, values[11], None)
        reason = fields.get(labels["leaving_reason"], _reason, values[12], "")
        if code is not None and code.birth_date is not None and birth is not None and (
                code.birth_date != birth):
            fields.fail(labels["birth_date"], _(
                "The birth date differs from the one the personal code holds."))
        grade = self._grade(fields, level, prog)
        if start is not None and end is not None and end < start:
            fields.fail(labels["enrolled_to"], _("The pupil cannot leave before enrolling."))
        if reason and end is None:
            self.ctx.issues.warning(line, labels["leaving_reason"], _(
                "A leaving reason without a leaving date (%(column)s) is ignored."
            ) % {"column": labels["enrolled_to"]})
            reason = ""
        if school_id is None or birth is None or start is None or grade is None or (
                not fields.ok):
            return None
        return PupilRow(school_id, source_id, first_name, last_name, code, birth, gender, label,
                        grade, prog, start, end, reason)

    def _grade(self, fields: Fields, level: tuple[int, bool] | None, prog: str) -> int | None:
        if level is None or not prog:
            return None
        number, is_course = level
        if is_course and prog != Programme.VET:
            fields.fail(self.labels["grade_level"], _(
                "K1–K4 are vocational courses: the programme must be vet (profesionālā)."))
            return None
        if prog == Programme.VET and number > 4:
            fields.fail(self.labels["grade_level"], _(
                "A vocational programme has courses K1–K4."))
            return None
        return number

    def observe(self, line: int, record: PupilRow) -> None:
        issues, labels = self.ctx.issues, self.labels
        first = self.rows.get(record.key)
        if first is not None:
            if first[1] == record:
                self.ignored_repeats += 1
            else:
                issues.error(line, labels["pupil_id"], _(
                    "Lines %(first)d and %(line)d describe the same pupil of the same school "
                    "differently; keep one of them."
                ) % {"first": first[0], "line": line})
            return
        self.rows[record.key] = (line, record)
        shape = (record.grade, line, record.programme)
        known = self.classes.setdefault((record.school_id, record.class_label), shape)
        if (known[0], known[2]) != (shape[0], shape[2]):
            issues.error(line, labels["grade_level"], _(
                "Class %(label)s has another grade level or programme on line %(first)d; every "
                "row of a class must agree."
            ) % {"label": record.class_label, "first": known[1]})
        if record.personal_code is not None:
            other = self.codes.setdefault(record.personal_code.digits, (line, record.key))
            if other[1] != record.key:
                issues.error(line, labels["personal_code"], _(
                    "Lines %(first)d and %(line)d give two pupils the same personal code."
                ) % {"first": other[0], "line": line})

    def kept_records(self) -> Iterator[tuple[int, PupilRow]]:
        for _line, row in self.rows.values():
            yield 1, row

    # --- writing ---------------------------------------------------------------------------

    def write(self, records: list[PupilRow], *, write: bool) -> Counts:
        counts = Counts()
        existing = {
            (e.school_id, e.source_id): e
            for e in Enrolment.objects.filter(
                school_id__in={r.school_id for r in records},
                source_id__in={r.source_id for r in records},
            ).select_related("pupil", "school_class")
        }
        moved: set[int] = set()
        for row in records:
            enrolment = existing.get(row.key)
            class_key = self._class_key(row)
            if enrolment is None:
                counts.created += 1
                if write:
                    counts.changed(self._create(row, class_key).pk)
            elif self._update(enrolment, row, class_key, write=write):
                counts.updated += 1
                counts.changed(enrolment.pupil_id)
                moved.add(enrolment.pupil_id)
            else:
                counts.unchanged += 1
                continue
            counts.widen(row.enrolled_from, row.enrolled_to or row.enrolled_from)
        if write and moved:
            place_pupils(moved, self.today)
        return counts

    def _is_open(self, row: PupilRow) -> bool:
        return row.enrolled_to is None or row.enrolled_to >= self.today

    def _class_key(self, row: PupilRow) -> ClassKey | None:
        """The class of the school year in which the enrolment is (or was last) active."""
        day = self.today if self._is_open(row) else row.enrolled_to
        year = next((pk for pk, starts in self.years if day is not None and starts <= day), None)
        return None if year is None else (row.school_id, year, row.class_label)

    def _school_class(self, key: ClassKey | None, row: PupilRow) -> SchoolClass | None:
        if key is None:
            return None
        found = self._class_cache.get(key)
        if found is None:
            found, _created = SchoolClass.objects.get_or_create(
                school_id=key[0], school_year_id=key[1], label=key[2],
                defaults={"grade": row.grade, "programme": row.programme},
            )
            self._class_cache[key] = found
        if (found.grade, found.programme) != (row.grade, row.programme):
            found.grade, found.programme = row.grade, row.programme
            found.save(update_fields=["grade", "programme"])
        return found

    def _create(self, row: PupilRow, class_key: ClassKey | None) -> Pupil:
        school_class = self._school_class(class_key, row)
        pupil = Pupil(
            first_name=row.first_name, last_name=row.last_name, birth_date=row.birth_date,
            gender=row.gender or Gender.OTHER, school_id=row.school_id,
            school_class=school_class if self._is_open(row) else None,
            programme=row.programme,
        )
        pupil.set_personal_code(row.personal_code)
        pupil.save()
        Enrolment.objects.create(
            pupil=pupil, school_id=row.school_id, source_id=row.source_id,
            school_class=school_class, enrolled_from=row.enrolled_from,
            enrolled_to=row.enrolled_to, leaving_reason=row.leaving_reason,
        )
        return pupil

    def _update(self, enrolment: Enrolment, row: PupilRow, class_key: ClassKey | None, *,
                write: bool) -> bool:
        pupil = enrolment.pupil
        wanted = {"first_name": row.first_name, "last_name": row.last_name,
                  "birth_date": row.birth_date}
        if row.gender is not None:
            wanted["gender"] = row.gender
        pupil_fields = [name for name, value in wanted.items()
                        if getattr(pupil, name) != value]
        code = row.personal_code
        new_code = code is not None and crypto.digest(code.digits) != pupil.personal_code_digest
        current = enrolment.school_class
        current_key = (None if current is None
                       else (current.school_id, current.school_year_id, current.label))
        enrolment_wanted = {"enrolled_from": row.enrolled_from,
                            "enrolled_to": row.enrolled_to,
                            "leaving_reason": row.leaving_reason}
        enrolment_fields = [name for name, value in enrolment_wanted.items()
                            if getattr(enrolment, name) != value]
        if current_key != class_key:
            enrolment_fields.append("school_class")
        if not (pupil_fields or new_code or enrolment_fields):
            return False
        if write:
            if pupil_fields or new_code:
                for name in pupil_fields:
                    setattr(pupil, name, wanted[name])
                if new_code:
                    pupil.set_personal_code(code)
                pupil.save()
            if enrolment_fields:
                for name, value in enrolment_wanted.items():
                    setattr(enrolment, name, value)
                enrolment.school_class = self._school_class(class_key, row)
                enrolment.save()
        return True


def place_pupils(pupil_ids: set[int], today: dt.date) -> None:
    """Set each pupil's current school and class from the enrolments: the open enrolment that
    started last; a pupil with none open keeps the school and has no class."""
    enrolments: dict[int, list[Enrolment]] = {}
    for enrolment in Enrolment.objects.filter(pupil_id__in=pupil_ids).select_related(
            "school_class").order_by("-enrolled_from", "-pk"):
        enrolments.setdefault(enrolment.pupil_id, []).append(enrolment)
    for pupil in Pupil.objects.filter(pk__in=pupil_ids):
        history = enrolments.get(pupil.pk, [])
        current = next((e for e in history
                        if e.enrolled_to is None or e.enrolled_to >= today), None)
        placement: tuple[int | None, int | None, str]
        if current is not None:
            placement = (current.school_id, current.school_class_id,
                         current.school_class.programme if current.school_class
                         else pupil.programme)
        else:
            placement = (pupil.school_id or (history[0].school_id if history else None), None,
                         pupil.programme)
        if placement != (pupil.school_id, pupil.school_class_id, pupil.programme):
            pupil.school_id, pupil.school_class_id, pupil.programme = placement
            pupil.save(update_fields=["school", "school_class", "programme", "updated_at"])
