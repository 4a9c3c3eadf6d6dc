"""UPU S10 postal item numbers, used for EMS delivery of certificates.

``EA123456785CN``: 2-letter service indicator, 8-digit serial, 1 check digit
(weights 8,6,4,2,3,5,9,7, MOD 11, with 10 -> 0 and 11 -> 5), 2-letter country
code of the issuing post. Service indicators beginning with J, K, S, T or W are
reserved by the UPU and never appear on a real item.

China Post also prints 13-digit all-numeric domestic EMS numbers that are not
S10; their check rule is unconfirmed, so they are accepted by shape only.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from domain.identifiers.errors import InvalidIdentifier

_KIND = "s10"
_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_RESERVED_FIRST_LETTERS = "JKSTW"
_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$")


class S10(str):
    """A validated S10 number (or a 13-digit domestic number), upper case.

    ``S10(text)`` validates like :func:`validate_s10`; as a pydantic field type
    it validates on input and serialises as a plain string.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> S10:
        return str.__new__(cls, _validated(value))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(), serialization=core_schema.to_string_ser_schema()
        )


def s10_check_digit(serial: str) -> str:
    """Return the S10 check digit for an 8-digit serial."""
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, _WEIGHTS, strict=True)) % 11
    return {10: "0", 11: "5"}.get(remainder, str(remainder))


def _check_service(value: str, service: str) -> None:
    if not re.fullmatch(r"[A-Z]{2}", service):
        raise InvalidIdentifier(
            _KIND, value, f"service indicator must be two letters A-Z, got {service}"
        )
    if service[0] in _RESERVED_FIRST_LETTERS:
        raise InvalidIdentifier(
            _KIND,
            value,
            f"service indicator {service} is reserved (J, K, S, T, W are not used on items)",
        )


def make_s10(service: str, serial: int, country: str = "CN") -> S10:
    """Build an S10 number from its parts, computing the check digit.

    Args:
        service: Two-letter service indicator, e.g. ``"EA"`` for EMS.
        serial: 0..99999999.
        country: ISO 3166 alpha-2 code of the issuing post.

    Raises:
        InvalidIdentifier: For a reserved or malformed indicator, a serial out
            of range or a malformed country code.
    """
    service, country = service.upper(), country.upper()
    shown = f"{service}{serial}{country}"
    _check_service(shown, service)
    if not 0 <= serial <= 99_999_999:
        raise InvalidIdentifier(_KIND, shown, f"serial must be 0-99999999, got {serial}")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidIdentifier(_KIND, shown, f"country must be two letters A-Z, got {country}")
    digits = f"{serial:08d}"
    return S10(f"{service}{digits}{s10_check_digit(digits)}{country}")


def validate_s10(value: str) -> S10:
    """Check an S10 number (or a 13-digit domestic number) and return it normalised.

    Raises:
        InvalidIdentifier: Naming the broken rule, e.g. ``check digit should be 5, got 3``.
    """
    return S10(value)


def _validated(value: str) -> str:
    number = "".join(value.split()).upper()
    if len(number) == 13 and number.isascii() and number.isdigit():
        return number
    if not _SHAPE.match(number):
        raise InvalidIdentifier(
            _KIND,
            value,
            "expected 2 letters, 9 digits and 2 letters (e.g. EA123456785CN) "
            "or 13 digits for a domestic EMS number",
        )
    _check_service(value, number[:2])
    expected = s10_check_digit(number[2:10])
    if number[10] != expected:
        raise InvalidIdentifier(_KIND, value, f"check digit should be {expected}, got {number[10]}")
    return number
