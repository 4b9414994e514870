"""What rows are checked against: the schools of the file and the user's right to write to
them, the pupils enrolled at each school, each school's attendance marks."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.accounts.permissions import organisations_with
from kopiena.accounts.roles import Capability
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Enrolment, fold
from kopiena.schooldata.importing.issues import Issues
from kopiena.schooldata.importing.validators import Fields, shown
from kopiena.schooldata.models import AttendanceMark, MarkAlias


class EnrolledPupil(NamedTuple):
    pupil_id: int
    enrolled_from: dt.date
    enrolled_to: dt.date | None


# The spec's marks, folded (case and diacritics ignored); a school's MarkAlias rows add to
# them or override them.
DEFAULT_MARKS: dict[str, str] = {
    **dict.fromkeys(("", "+", "ir", "p"), AttendanceMark.PRESENT.value),
    **dict.fromkeys(("ns", "nc", "a", "ae", "attaisnots"), AttendanceMark.EXCUSED.value),
    **dict.fromkeys(("n", "nav", "au", "neattaisnots"), AttendanceMark.UNEXCUSED.value),
    **dict.fromkeys(("k", "v", "l", "kavejums"), AttendanceMark.LATE.value),
}


def fold_mark(mark: str) -> str:
    return fold(mark.strip())


class Context:
    """State shared by the rows of one file (and by the passes over it)."""

    def __init__(self, *, user: User | None, issues: Issues) -> None:
        self.user = user
        self.issues = issues
        self.allowed: set[int] | None = (
            None if user is None else organisations_with(user, Capability.IMPORT_SCHOOL_DATA)
        )
        self._school_by_code: dict[str, int | None] = {}
        self.code_by_school: dict[int, str] = {}
        self._enrolments: dict[int, dict[str, EnrolledPupil]] = {}
        self._marks: dict[int, dict[str, str]] = {}

    @property
    def school_ids(self) -> set[int]:
        """The schools of the file that exist and that the user may write to."""
        return set(self.code_by_school)

    # --- schools -------------------------------------------------------------------------

    def school(self, fields: Fields, label: str, code: str) -> int | None:
        """The school's id; an unknown or forbidden code is reported once, on its first line."""
        if code in self._school_by_code:
            school_id = self._school_by_code[code]
            if school_id is None:
                fields.ok = False
            return school_id
        school_id = self._admit(fields, label, code)
        self._school_by_code[code] = school_id
        if school_id is not None:
            self.code_by_school[school_id] = code
        return school_id

    def _admit(self, fields: Fields, label: str, code: str) -> int | None:
        if not code:
            fields.fail(label, _("A value is required."))
            return None
        school = Organisation.objects.filter(registration_code=code).first()
        if school is None or not school.is_school:
            fields.fail(label, _(
                "No school with the registration code “%(code)s” is known in Kopiena; nothing "
                "in this file was imported."
            ) % {"code": shown(code)})
            return None
        if self.allowed is not None and school.pk not in self.allowed:
            fields.fail(label, _(
                "You may not import data for %(school)s (%(code)s); nothing in this file was "
                "imported."
            ) % {"school": school.name, "code": code})
            return None
        return school.pk

    # --- pupils --------------------------------------------------------------------------

    def enrolments(self, school_id: int) -> dict[str, EnrolledPupil]:
        """Every enrolment of the school by the register's pupil id (read once per school)."""
        found = self._enrolments.get(school_id)
        if found is None:
            rows = Enrolment.objects.filter(school_id=school_id).values_list(
                "source_id", "pupil_id", "enrolled_from", "enrolled_to"
            )
            found = {source: EnrolledPupil(pupil, start, end)
                     for source, pupil, start, end in rows.iterator(chunk_size=5000)}
            self._enrolments[school_id] = found
        return found

    def pupil_on(self, fields: Fields, labels: tuple[str, str], school_id: int,
                 source_id: str, day: dt.date | None) -> int | None:
        """The pupil enrolled at the school as ``source_id``, who must have been enrolled there
        on ``day``; errors go to the pupil_id or the date column."""
        pupil_label, date_label = labels
        if not source_id:
            fields.fail(pupil_label, _("A value is required."))
            return None
        enrolled = self.enrolments(school_id).get(source_id)
        if enrolled is None:
            fields.fail(pupil_label, _(
                "No pupil “%(pupil)s” is enrolled at school %(code)s; import the pupils first."
            ) % {"pupil": shown(source_id), "code": self.code_by_school[school_id]})
            return None
        if day is not None and (day < enrolled.enrolled_from or (
                enrolled.enrolled_to is not None and day > enrolled.enrolled_to)):
            fields.fail(date_label, _(
                "The pupil was not enrolled at this school on %(date)s (enrolled from "
                "%(start)s to %(end)s)."
            ) % {"date": day.isoformat(), "start": enrolled.enrolled_from.isoformat(),
                 "end": enrolled.enrolled_to.isoformat() if enrolled.enrolled_to else "…"})
            return None
        return enrolled.pupil_id

    # --- attendance marks ----------------------------------------------------------------

    def marks(self, school_id: int) -> dict[str, str]:
        table = self._marks.get(school_id)
        if table is None:
            table = dict(DEFAULT_MARKS)
            for alias, meaning in MarkAlias.objects.filter(school_id=school_id).values_list(
                "alias", "meaning"
            ):
                table[fold_mark(alias)] = meaning
            self._marks[school_id] = table
        return table
