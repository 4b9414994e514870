"""Parsers of single values. Each returns the typed value or raises ``Invalid`` with a plain
message in the active language. Values arrive trimmed; "" means the cell was empty."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import TypeVar

from django.core.validators import RegexValidator
from django.utils.translation import gettext as _

from kopiena.pupils.models import Gender, Programme, SchoolClass, fold
from kopiena.schooldata.importing.issues import Issues
from kopiena.schooldata.models import GradeKind

T = TypeVar("T")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LV_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")  # 3, 03, 3.0 (numbers from spreadsheets)
_COURSE = re.compile(r"[kK]([1-4])")


def _class_label_pattern() -> re.Pattern[str]:
    """The model's own rule for a class label (7.b, 12.a, 2.k)."""
    for validator in SchoolClass._meta.get_field("label").validators:
        if isinstance(validator, RegexValidator):
            return re.compile(validator.regex)
    raise LookupError("SchoolClass.label has no RegexValidator")


_CLASS_LABEL_PATTERN = _class_label_pattern()
CLASS_LABEL_MAX = SchoolClass._meta.get_field("label").max_length or 12


class Invalid(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown(value: str, limit: int = 40) -> str:
    """A value quoted back in a message, shortened."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


class Fields:
    """Collects every error of one row: ``get`` returns the parsed value, or ``default`` after
    recording the error, so that one row reports all its bad values at once."""

    __slots__ = ("issues", "line", "ok")

    def __init__(self, issues: Issues, line: int) -> None:
        self.issues = issues
        self.line = line
        self.ok = True

    def get(self, label: str, parse: Callable[[str], T], raw: str, default: T) -> T:
        try:
            return parse(raw)
        except Invalid as invalid:
            self.fail(label, invalid.message)
            return default

    def fail(self, label: str, message: str) -> None:
        self.ok = False
        self.issues.error(self.line, label, message)


def required(value: str) -> str:
    if not value:
        raise Invalid(_("A value is required."))
    return value


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise Invalid(_("At most %(limit)d characters are allowed; this value has "
                            "%(length)d.") % {"limit": max_length, "length": len(value)})
        return value
    return parse


def required_text(max_length: int) -> Callable[[str], str]:
    check = text(max_length)
    return lambda value: check(required(value))


@functools.lru_cache(maxsize=4096)  # a file holds few distinct dates; invalid ones raise
def parse_date(value: str) -> dt.date:
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    elif match := _LV_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    elif not value:
        raise Invalid(_("A date is required."))
    else:
        raise Invalid(_("“%(value)s” is not a date; write YYYY-MM-DD or DD.MM.YYYY.")
                      % {"value": shown(value)})
    raise Invalid(_("“%(value)s” is not a date of the calendar.") % {"value": shown(value)})


def optional_date(value: str) -> dt.date | None:
    return parse_date(value) if value else None


def whole_number(value: str, low: int, high: int | None = None) -> int:
    if not value:
        raise Invalid(_("A number is required."))
    if not _WHOLE.fullmatch(value):
        raise Invalid(_("“%(value)s” is not a whole number.") % {"value": shown(value)})
    number = int(float(value)) if "." in value else int(value)
    if number < low or (high is not None and number > high):
        if high is None:
            raise Invalid(_("%(value)d is below %(low)d.") % {"value": number, "low": low})
        raise Invalid(_("%(value)d is not between %(low)d and %(high)d.")
                      % {"value": number, "low": low, "high": high})
    return number


@functools.lru_cache(maxsize=256)
def count(value: str) -> int:
    """A non-negative count, e.g. absences."""
    return whole_number(value, 0)


_GENDERS = {"f": Gender.FEMALE, "s": Gender.FEMALE, "m": Gender.MALE, "v": Gender.MALE,
            "x": Gender.OTHER}


def optional_gender(value: str) -> str | None:
    if not value:
        return None
    gender = _GENDERS.get(value.lower())
    if gender is None:
        raise Invalid(_("“%(value)s” is not a gender; write F or S (female), M or V (male), "
                        "X (other or not stated).") % {"value": shown(value)})
    return str(gender)


_PROGRAMMES = {"general": Programme.GENERAL, "vispareja": Programme.GENERAL,
               "vet": Programme.VET, "profesionala": Programme.VET}


def programme(value: str) -> str:
    found = _PROGRAMMES.get(fold(required(value)))
    if found is None:
        raise Invalid(_("“%(value)s” is not a programme; write general (vispārējā) or vet "
                        "(profesionālā).") % {"value": shown(value)})
    return str(found)


def grade_level(value: str) -> tuple[int, bool]:
    """``(level, is_course)``: 1-12 for general education, ``(n, True)`` for course Kn."""
    if match := _COURSE.fullmatch(required(value)):
        return int(match.group(1)), True
    if _WHOLE.fullmatch(value) and "-" not in value:
        level = int(float(value))
        if 1 <= level <= 12:
            return level, False
    raise Invalid(_("“%(value)s” is not a grade level; write 1–12, or K1–K4 for a vocational "
                    "course.") % {"value": shown(value)})


def class_label(value: str) -> str:
    label = required(value).lower()
    if len(label) > CLASS_LABEL_MAX or not _CLASS_LABEL_PATTERN.fullmatch(label):
        raise Invalid(_("“%(value)s” is not a class; write grade, dot and letter, e.g. 7.b.")
                      % {"value": shown(value)})
    return label


_LEVELS = {"nv": "nv", "s": "S", "t": "T", "a": "A", "p": "P", "i": "i", "ni": "ni"}


def grade_value(value: str) -> str:
    """The grade as stored: '1'-'10', or nv, S, T, A, P, i, ni (accepted in any case)."""
    if _WHOLE.fullmatch(required(value)) and "-" not in value and "+" not in value:
        points = int(float(value))
        if 1 <= points <= 10:
            return str(points)
    elif (level := _LEVELS.get(value.lower())) is not None:
        return level
    raise Invalid(_("“%(value)s” is not a grade; write 1–10, nv, S, T, A, P, i or ni.")
                  % {"value": shown(value)})


_GRADE_KINDS = {str(kind): str(kind) for kind in GradeKind}


def grade_kind(value: str) -> str:
    if not value:
        return str(GradeKind.ONGOING)
    kind = _GRADE_KINDS.get(value.lower())
    if kind is None:
        raise Invalid(_("“%(value)s” is not a kind of grade; write ongoing, term, annual or "
                        "exam.") % {"value": shown(value)})
    return kind


def grade_points(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def is_insufficient(value: str, kind: str) -> bool:
    """1-3, nv and ni always; S (started) only as an annual result."""
    return value in {"1", "2", "3", "nv", "ni"} or (value == "S" and kind == GradeKind.ANNUAL)


def severity(value: str) -> int:
    return whole_number(value, 1, 3)
