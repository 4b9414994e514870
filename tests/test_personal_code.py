from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kopiena.pupils.personal_code import (
    InvalidPersonalCode,
    check_digit,
    make_old_form,
    parse_personal_code,
)

birth_dates = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2099, 12, 31))


@given(birth=birth_dates, serial=st.integers(min_value=0, max_value=999))
def test_generated_old_form_codes_parse_back_to_their_birth_date(birth: dt.date, serial: int) -> None:
    code = parse_personal_code(make_old_form(birth, serial))
    assert code.birth_date == birth
    assert not code.is_new_form


@given(birth=birth_dates, serial=st.integers(min_value=0, max_value=999),
       position=st.integers(min_value=0, max_value=9), delta=st.integers(min_value=1, max_value=9))
def test_changing_one_digit_is_caught(birth: dt.date, serial: int, position: int, delta: int) -> None:
    digits = make_old_form(birth, serial).replace("-", "")
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1:]
    assume(not changed.startswith("32"))  # that is a new-form code, with no checksum to verify
    try:
        parsed = parse_personal_code(changed)
    except InvalidPersonalCode:
        return
    # A change may still be valid only when it keeps the check digit right by coincidence of
    # weights (weight 10 at position 5 shifts the sum by a multiple of 10, not of 11).
    assert check_digit(changed[:10]) == int(changed[10])
    assert parsed.digits == changed


def test_known_check_digit() -> None:
    # 010101-10000 : weights 1,6,3,7,9,10,5,8,4,2 -> sum 0+6+0+7+0+10+5+0+0+0 = 28
    # (1101 - 28) % 11 % 10 = 1073 % 11 % 10 = 6 % 10 = 6
    assert check_digit("0101011000") == 6
    assert parse_personal_code("010101-10006").birth_date == dt.date(1901, 1, 1)
    with pytest.raises(InvalidPersonalCode, match="checksum"):
        parse_personal_code("010101-10007")


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "shape"), ("12345", "shape"), ("310299-20000", "date"), ("010101-30006", "century"),
     ("01010110006x", "shape")],
)
def test_bad_codes_say_why(value: str, reason: str) -> None:
    with pytest.raises(InvalidPersonalCode, match=reason):
        parse_personal_code(value)


def test_new_form_has_no_birth_date_and_hyphen_is_optional() -> None:
    code = parse_personal_code("32123456789")
    assert code.is_new_form and code.birth_date is None
    assert code.formatted == "321234-56789"
    assert parse_personal_code(" 321234-56789 ").digits == "32123456789"
