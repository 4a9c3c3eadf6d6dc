"""Resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit sequence and
an ISO 7064 MOD 11-2 check character (``0-9`` or ``X``). The check character
comes from python-stdnum; the birth-place lookup of ``stdnum.cn.ric.validate``
is deliberately not used, because its table lags behind re-zoned counties and
would turn away lawful numbers at the window.

Old 15-digit numbers (first-generation cards, birth year ``19YY``) carry no
check character; they are accepted after a format and birth-date check only.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric

from domain.identifiers.errors import InvalidIdentifier

_KIND = "resident_id"


def _birth_date(value: str, digits: str, today: date | None) -> date:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdentifier(_KIND, value, f"birth date {digits} is not a real date") from None
    if today is not None and born > today:
        raise InvalidIdentifier(
            _KIND, value, f"birth date {born.isoformat()} is after {today.isoformat()}"
        )
    return born


def validate_resident_id(value: str, today: date | None = None) -> str:
    """Check a resident identity number and return it normalised.

    Args:
        value: The number as typed; surrounding spaces are ignored and a
            lower-case ``x`` check character is accepted.
        today: When given, a birth date after this day is refused. Passed in
            rather than read from the clock so workflows stay deterministic.

    Returns:
        The number with an upper-case ``X``.

    Raises:
        InvalidIdentifier: Naming the broken rule, e.g.
            ``check digit should be X, got 3``.
    """
    number = value.strip().upper()
    if len(number) == 15:
        if not number.isascii() or not number.isdigit():
            raise InvalidIdentifier(_KIND, value, "a 15-digit number must be all digits")
        _birth_date(value, "19" + number[6:12], today)
        return number
    if len(number) != 18:
        raise InvalidIdentifier(_KIND, value, f"must be 18 characters, got {len(number)}")
    if not number[:17].isascii() or not number[:17].isdigit():
        raise InvalidIdentifier(_KIND, value, "the first 17 characters must be digits")
    if number[17] not in "0123456789X":
        raise InvalidIdentifier(
            _KIND, value, f"check character must be a digit or X, got {number[17]}"
        )
    _birth_date(value, number[6:14], today)
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise InvalidIdentifier(_KIND, value, f"check digit should be {expected}, got {number[17]}")
    return number
