from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import InvalidIdentifier, validate_resident_id

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    address = draw(st.sampled_from(["420102", "420103", "420106", "420111", "110105", "350100"]))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{address}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def test_reference_example_is_valid_and_normalised() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


def test_wrong_check_digit_names_the_expected_one() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_resident_id("110105194912310023")
    assert caught.value.kind == "resident_id"
    assert caught.value.value == "110105194912310023"
    assert caught.value.rule == "check digit should be X, got 3"
    assert str(caught.value) == (
        "resident identity number 110105194912310023: check digit should be X, got 3"
    )


def test_impossible_birth_date_is_refused_even_with_a_matching_check() -> None:
    first17 = "42010319490230001"
    with pytest.raises(InvalidIdentifier, match="birth date 19490230 is not a real date"):
        validate_resident_id(first17 + check_char(first17))


def test_birth_date_after_today_is_refused_only_when_today_is_given() -> None:
    first17 = "42010320300101001"
    number = first17 + check_char(first17)
    assert validate_resident_id(number) == number
    with pytest.raises(InvalidIdentifier, match="birth date 2030-01-01 is after 2026-03-01"):
        validate_resident_id(number, today=date(2026, 3, 1))
    assert validate_resident_id(number, today=date(2030, 1, 1)) == number


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("11010519491231002", "must be 18 characters, got 17"),
        ("1101051949123100AX", "the first 17 characters must be digits"),
        ("11010519491231002Y", "check character must be a digit or X, got Y"),
    ],
)
def test_shape_errors_say_what_is_wrong(value: str, rule: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_resident_id(value)
    assert caught.value.rule == rule


def test_old_fifteen_digit_numbers_get_a_format_check_only() -> None:
    assert validate_resident_id("420103491231002") == "420103491231002"
    with pytest.raises(InvalidIdentifier, match="birth date 19490231"):
        validate_resident_id("420103490231002")
    with pytest.raises(InvalidIdentifier, match="all digits"):
        validate_resident_id("42010349123100X")


@given(resident_ids())
def test_valid_numbers_pass_unchanged(number: str) -> None:
    assert validate_resident_id(number) == number
    assert validate_resident_id(number.lower()) == number


@given(resident_ids(), st.data())
def test_any_single_character_change_is_caught(number: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(
        st.sampled_from("0123456789XYA").filter(lambda c: c != number[position])
    )
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        validate_resident_id(changed)


@given(resident_ids())
def test_birth_date_on_today_is_accepted(number: str) -> None:
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert validate_resident_id(number, today=born) == number
    with pytest.raises(InvalidIdentifier, match="is after"):
        validate_resident_id(number, today=born - timedelta(days=1))


def test_error_keeps_its_fields_when_pickled() -> None:
    import pickle

    with pytest.raises(InvalidIdentifier) as caught:
        validate_resident_id("110105194912310023")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.kind, copy.value, copy.rule, str(copy)) == (
        "resident_id",
        "110105194912310023",
        "check digit should be X, got 3",
        str(caught.value),
    )
