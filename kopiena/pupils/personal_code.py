"""Latvian personal codes (personas kods): both forms, checksum of the old form.

Old form ``DDMMYY-CNNNN``: C is the century digit (0 = 1800s, 1 = 1900s, 2 = 2000s) and the
last digit is a check digit: weights 1,6,3,7,9,10,5,8,4,2 over the first ten digits,
check = (1101 - sum) mod 11 mod 10. New form (since 1 July 2017) starts with ``32`` and carries
no birth date; its check digit is not verified.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SHAPE = re.compile(r"^(\d{6})-?(\d{5})$")
_CENTURIES = {"0": 1800, "1": 1900, "2": 2000}


class InvalidPersonalCode(ValueError):
    """Raised with a message key saying what is wrong."""


@dataclass(frozen=True)
class PersonalCode:
    digits: str  # eleven digits, no hyphen
    birth_date: dt.date | None  # None for the new form

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def is_new_form(self) -> bool:
        return self.birth_date is None


def check_digit(first_ten: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_ten, _WEIGHTS, strict=True))
    return (1101 - total) % 11 % 10


def parse_personal_code(value: str) -> PersonalCode:
    """Parse and validate a personal code; raises InvalidPersonalCode with a reason."""
    match = _SHAPE.match(value.strip())
    if not match:
        raise InvalidPersonalCode("shape")
    digits = match.group(1) + match.group(2)
    if digits.startswith("32"):
        return PersonalCode(digits=digits, birth_date=None)
    century = _CENTURIES.get(digits[6])
    if century is None:
        raise InvalidPersonalCode("century")
    try:
        birth = dt.date(century + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        raise InvalidPersonalCode("date") from None
    if check_digit(digits[:10]) != int(digits[10]):
        raise InvalidPersonalCode("checksum")
    return PersonalCode(digits=digits, birth_date=birth)


def make_old_form(birth: dt.date, serial: int) -> str:
    """Build a valid old-form code for a birth date (used by demo data generators)."""
    century = {1800: "0", 1900: "1", 2000: "2"}[birth.year // 100 * 100]
    first_ten = f"{birth:%d%m}{birth.year % 100:02d}{century}{serial % 1000:03d}"
    return f"{first_ten[:6]}-{first_ten[6:]}{check_digit(first_ten)}"
