"""Real-estate unit numbers (不动产单元号, 28 characters, GB/T 37346).

Layout (1-based positions): 1-6 county division code, 7-9 cadastral district,
10-12 cadastral sub-district, 13 ownership type, 14 parcel type, 15-19 parcel
sequence, 20 fixture type, 21-28 fixture unit (for buildings: 4-digit building
and 4-digit unit). Positions 1-19 form the parcel code. The number carries no
check character, so only the shape of each field can be verified.

Accepted letters are those seen in production registration systems; fixture
type ``L`` (forest) is accepted although its use is unconfirmed, because
refusing a real number at the window is worse than passing an odd one on to
the registry, which holds the authoritative unit table.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.identifiers.errors import InvalidIdentifier

_KIND = "unit_number"
OWNERSHIP_TYPES = "GJZ"
PARCEL_TYPES = "ABSXCDEFHGWY"
FIXTURE_TYPES = "FQWL"

# (first position, last position, what the field is) for the all-digit fields.
_DIGIT_FIELDS = (
    (1, 6, "division code"),
    (7, 9, "cadastral district"),
    (10, 12, "cadastral sub-district"),
    (15, 19, "parcel sequence number"),
    (21, 28, "fixture unit number"),
)


class UnitNumber(BaseModel):
    """A parsed 28-character unit number; ``str()`` gives the number back."""

    model_config = ConfigDict(frozen=True)

    division: str = Field(pattern=r"^[0-9]{6}$")
    cadastral_district: str = Field(pattern=r"^[0-9]{3}$")
    sub_district: str = Field(pattern=r"^[0-9]{3}$")
    ownership: str = Field(min_length=1, max_length=1)
    parcel_type: str = Field(min_length=1, max_length=1)
    parcel_seq: str = Field(pattern=r"^[0-9]{5}$")
    fixture_type: str = Field(min_length=1, max_length=1)
    building: str = Field(pattern=r"^[0-9]{4}$")
    unit: str = Field(pattern=r"^[0-9]{4}$")

    @model_validator(mode="after")
    def _shape(self) -> Self:
        # Built field by field (e.g. from a database row), the same rules apply.
        _check(str(self), str(self))
        return self

    @property
    def is_virtual(self) -> bool:
        """True for legacy units without a cadastral survey (positions 7-12 all zero)."""
        return self.cadastral_district == "000" and self.sub_district == "000"

    @property
    def parcel_code(self) -> str:
        """The 19-character parcel code (宗地代码) the unit sits on."""
        return str(self)[:19]

    def __str__(self) -> str:
        return (
            f"{self.division}{self.cadastral_district}{self.sub_district}"
            f"{self.ownership}{self.parcel_type}{self.parcel_seq}"
            f"{self.fixture_type}{self.building}{self.unit}"
        )


def _require_letter(value: str, char: str, position: int, what: str, allowed: str) -> None:
    if char not in allowed:
        raise InvalidIdentifier(
            _KIND,
            value,
            f"character {position} ({what}) must be one of {', '.join(allowed)}, got {char}",
        )


def _check(number: str, value: str) -> None:
    if len(number) != 28:
        raise InvalidIdentifier(_KIND, value, f"must be 28 characters, got {len(number)}")
    for first, last, what in _DIGIT_FIELDS:
        field = number[first - 1 : last]
        if not field.isascii() or not field.isdigit():
            raise InvalidIdentifier(
                _KIND, value, f"characters {first}-{last} ({what}) must be digits, got {field}"
            )
    _require_letter(value, number[12], 13, "ownership type", OWNERSHIP_TYPES)
    _require_letter(value, number[13], 14, "parcel type", PARCEL_TYPES)
    _require_letter(value, number[19], 20, "fixture type", FIXTURE_TYPES)
    if number[19] == "W" and number[20:] != "00000000":
        raise InvalidIdentifier(
            _KIND,
            value,
            f"characters 21-28 must be 00000000 for fixture type W (land only), got {number[20:]}",
        )


def parse_unit_number(value: str) -> UnitNumber:
    """Check a unit number's shape and split it into its fields.

    Args:
        value: The number as typed; spaces are ignored and letters upper-cased.

    Returns:
        The parsed unit number.

    Raises:
        InvalidIdentifier: Naming the field and position that is wrong.
    """
    number = "".join(value.split()).upper()
    _check(number, value)
    return UnitNumber(
        division=number[0:6],
        cadastral_district=number[6:9],
        sub_district=number[9:12],
        ownership=number[12],
        parcel_type=number[13],
        parcel_seq=number[14:19],
        fixture_type=number[19],
        building=number[20:24],
        unit=number[24:28],
    )
