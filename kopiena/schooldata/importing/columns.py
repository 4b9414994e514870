"""The columns of each kind of file, as the spec's tables list them, and header matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kopiena.pupils.models import fold
from kopiena.schooldata.models import ImportKind


@dataclass(frozen=True)
class Column:
    name: str  # English name, also the key used everywhere in the code
    alias: str  # Latvian alias as the spec writes it (diacritics optional in files)
    required: bool


def _c(name: str, alias: str, required: bool = True) -> Column:
    return Column(name, alias, required)


SCHOOL_CODE = _c("school_code", "iestades_kods")
PUPIL_ID = _c("pupil_id", "skolena_id")
DATE = _c("date", "datums")

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.PUPILS: (
        SCHOOL_CODE, PUPIL_ID,
        _c("first_name", "vards"),
        _c("last_name", "uzvards"),
        _c("personal_code", "personas_kods", required=False),
        _c("birth_date", "dzimsanas_datums"),
        _c("gender", "dzimums", required=False),
        _c("class_label", "klase"),
        _c("grade_level", "klases_limenis"),
        _c("programme", "programma"),
        _c("enrolled_from", "uznemts"),
        _c("enrolled_to", "atskaitits", required=False),
        _c("leaving_reason", "atskaitisanas_iemesls", required=False),
    ),
    ImportKind.ATTENDANCE_DAYS: (
        SCHOOL_CODE, PUPIL_ID, DATE,
        _c("lessons_scheduled", "stundas"),
        _c("absent_excused", "attaisnoti"),
        _c("absent_unexcused", "neattaisnoti"),
        _c("late", "kavejumi", required=False),
    ),
    ImportKind.ATTENDANCE_LESSONS: (
        SCHOOL_CODE, PUPIL_ID, DATE,
        _c("lesson_no", "stunda"),
        _c("subject", "prieksmets", required=False),
        _c("mark", "atzime", required=False),
    ),
    ImportKind.GRADES: (
        SCHOOL_CODE, PUPIL_ID, DATE,
        _c("subject", "prieksmets"),
        _c("grade", "vertejums"),
        _c("kind", "veids", required=False),
    ),
    ImportKind.BEHAVIOUR: (
        SCHOOL_CODE, PUPIL_ID, DATE,
        _c("category", "kategorija"),
        _c("severity", "smagums"),
        _c("note", "piezime", required=False),
    ),
}

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_header(text: str) -> str:
    """'  Dzimšanas datums ' -> 'dzimsanas_datums': trimmed, case and diacritics folded,
    spaces and hyphens written as underscores."""
    return _SEPARATORS.sub("_", fold(text.strip()))


def header_lookup(kind: str) -> dict[str, int]:
    """Normalised English names and aliases -> index of the column in ``COLUMNS[kind]``."""
    lookup: dict[str, int] = {}
    for index, column in enumerate(COLUMNS[kind]):
        lookup[normalise_header(column.name)] = index
        lookup[normalise_header(column.alias)] = index
    return lookup


def index_of(kind: str, name: str) -> int:
    """Position of a column in the tuples that ``reading`` yields for ``kind``."""
    for index, column in enumerate(COLUMNS[kind]):
        if column.name == name:
            return index
    raise KeyError(name)
