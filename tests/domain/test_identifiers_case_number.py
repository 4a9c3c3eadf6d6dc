import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.identifiers import CaseNumber, InvalidIdentifier, format_case_no, parse_case_no

cases = st.builds(
    CaseNumber,
    division=st.sampled_from(["420102", "420103", "420106", "420111", "420115"]),
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2099, 12, 31)),
    serial=st.integers(min_value=1, max_value=99_999),
)


def test_printed_form() -> None:
    assert format_case_no("420103", date(2026, 11, 27), 42) == "420103-20261127-00042-7"
    case = parse_case_no("420103-20261127-00042-7")
    assert case == CaseNumber(division="420103", day=date(2026, 11, 27), serial=42)
    assert str(case) == "420103-20261127-00042-7"


def test_typed_without_hyphens_or_with_spaces() -> None:
    expected = parse_case_no("420103-20261127-00042-7")
    assert parse_case_no("4201032026112700042 7") == expected
    assert parse_case_no(" 420103 20261127 00042 7 ") == expected


def test_misheard_digit_names_the_expected_check() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_case_no("420103-20261127-00043-7")
    assert caught.value.kind == "case_number"
    assert caught.value.rule == "check digit should be 5, got 7"


def test_swapped_neighbours_in_the_example_are_caught() -> None:
    with pytest.raises(InvalidIdentifier, match="check digit should be"):
        parse_case_no("420103-20261127-00024-7")


@pytest.mark.parametrize(
    ("division", "serial", "rule"),
    [
        ("42010", 1, "division must be 6 digits"),
        ("420103", 0, "serial must be 1-99999"),
        ("420103", 100_000, "serial must be 1-99999"),
    ],
)
def test_bad_parts_are_refused(division: str, serial: int, rule: str) -> None:
    with pytest.raises(InvalidIdentifier, match=rule):
        format_case_no(division, date(2026, 11, 27), serial)


def test_impossible_date_with_a_valid_check_is_refused() -> None:
    from stdnum.iso7064 import mod_11_10

    digits = "420103" + "20260230" + "00001"
    with pytest.raises(InvalidIdentifier, match="20260230 is not a real date"):
        parse_case_no(digits + mod_11_10.calc_check_digit(digits))


def test_model_refuses_bad_fields() -> None:
    with pytest.raises(ValidationError):
        CaseNumber(division="4201O3", day=date(2026, 1, 5), serial=1)


@given(cases)
def test_round_trip_and_safe_characters(case: CaseNumber) -> None:
    text = format_case_no(case.division, case.day, case.serial)
    assert re.fullmatch(r"[0-9A-Z-]+", text)
    assert re.fullmatch(r"[0-9]{6}-[0-9]{8}-[0-9]{5}-[0-9]", text)
    assert parse_case_no(text) == case
    assert CaseNumber.model_validate_json(case.model_dump_json()) == case


@given(cases, st.data())
def test_any_single_digit_change_is_caught(case: CaseNumber, data: st.DataObject) -> None:
    text = case.format()
    position = data.draw(st.sampled_from([i for i, c in enumerate(text) if c != "-"]))
    replacement = data.draw(st.sampled_from("0123456789").filter(lambda c: c != text[position]))
    with pytest.raises(InvalidIdentifier):
        parse_case_no(text[:position] + replacement + text[position + 1 :])
