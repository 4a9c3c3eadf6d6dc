import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.identifiers import InvalidIdentifier, UnitNumber, parse_unit_number

DIGITS = "0123456789"


@st.composite
def unit_numbers(draw: st.DrawFn) -> str:
    parcel = (
        draw(st.text(DIGITS, min_size=12, max_size=12))
        + draw(st.sampled_from("GJZ"))
        + draw(st.sampled_from("ABSXCDEFHGWY"))
        + draw(st.text(DIGITS, min_size=5, max_size=5))
    )
    fixture = draw(st.sampled_from("FQW"))
    tail = "00000000" if fixture == "W" else draw(st.text(DIGITS, min_size=8, max_size=8))
    return parcel + fixture + tail


def test_anhui_example_splits_into_its_fields() -> None:
    unit = parse_unit_number("340121261006GB00014F00220045")
    assert (unit.division, unit.cadastral_district, unit.sub_district) == ("340121", "261", "006")
    assert (unit.ownership, unit.parcel_type, unit.parcel_seq) == ("G", "B", "00014")
    assert (unit.fixture_type, unit.building, unit.unit) == ("F", "0022", "0045")
    assert unit.parcel_code == "340121261006GB00014"
    assert not unit.is_virtual
    assert str(unit) == "340121261006GB00014F00220045"


def test_virtual_units_have_no_cadastral_district() -> None:
    assert parse_unit_number("420103000000GB00015F00030502").is_virtual
    assert not parse_unit_number("420103001002GB00015F00030502").is_virtual


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("420103001002GB00015F0003050", "must be 28 characters, got 27"),
        ("42010300100AGB00015F00030502", "characters 10-12 (cadastral sub-district)"),
        ("420103001002QB00015F00030502", "character 13 (ownership type) must be one of G, J, Z"),
        ("420103001002GI00015F00030502", "character 14 (parcel type)"),
        ("420103001002GB00015M00030502", "character 20 (fixture type)"),
        ("420103001002GB00015W00030502", "must be 00000000 for fixture type W"),
    ],
)
def test_each_field_error_names_the_position(value: str, rule: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_unit_number(value)
    assert rule in caught.value.rule


def test_fields_built_directly_are_checked_too() -> None:
    good = parse_unit_number("420103001002GB00015F00030502")
    with pytest.raises(ValidationError):
        UnitNumber(**(good.model_dump() | {"ownership": "Q"}))
    with pytest.raises(ValidationError):
        UnitNumber(**(good.model_dump() | {"division": "4201030", "cadastral_district": "01"}))


@given(unit_numbers())
def test_valid_numbers_round_trip(number: str) -> None:
    unit = parse_unit_number(number)
    assert str(unit) == number
    assert parse_unit_number(number.lower()) == unit
    assert UnitNumber.model_validate_json(unit.model_dump_json()) == unit


@given(unit_numbers(), st.data())
def test_a_character_of_the_wrong_class_is_caught(number: str, data: st.DataObject) -> None:
    # No check character exists, so only changes that break a field's shape can be caught.
    position = data.draw(st.integers(min_value=0, max_value=27))
    allowed = {12: "GJZ", 13: "ABSXCDEFHGWY", 19: "FQWL"}.get(position, DIGITS)
    replacement = data.draw(
        st.sampled_from("0123456789IMNOPQRTUV").filter(lambda c: c not in allowed)
    )
    with pytest.raises(InvalidIdentifier):
        parse_unit_number(number[:position] + replacement + number[position + 1 :])
