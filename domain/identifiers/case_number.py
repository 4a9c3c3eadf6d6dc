"""Human-readable case numbers: ``420103-20261127-00042-7``.

Division code of the hall (6 digits), acceptance day (YYYYMMDD), daily serial
(5 digits) and an ISO 7064 MOD 11,10 check digit over all 19 digits, from
python-stdnum. The check catches every single mistyped or misheard digit and
most swapped neighbours, which matters because applicants read the number out
over the phone. Only ``[0-9-]`` is used, so the number is safe in a Temporal
workflow id (``case-<case_no>``) and in a URL path without escaping.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from stdnum.iso7064 import mod_11_10

from domain.identifiers.errors import InvalidIdentifier

_KIND = "case_number"
_TEXT = re.compile(r"^([0-9]{6})-?([0-9]{8})-?([0-9]{5})-?([0-9])$")


class CaseNumber(BaseModel):
    """A case number's parts; ``str()`` and :meth:`format` give the printed form."""

    model_config = ConfigDict(frozen=True)

    division: str = Field(pattern=r"^[0-9]{6}$")
    day: date
    serial: int = Field(ge=1, le=99_999)

    @model_validator(mode="after")
    def _four_digit_year(self) -> Self:
        if self.day.year < 1000:
            raise ValueError(f"day: year {self.day.year} does not have four digits")
        return self

    @property
    def digits(self) -> str:
        """The 19 digits the check digit is computed over."""
        return f"{self.division}{self.day:%Y%m%d}{self.serial:05d}"

    @property
    def check(self) -> str:
        """The check digit."""
        return mod_11_10.calc_check_digit(self.digits)

    def format(self) -> str:
        """The printed number, e.g. ``420103-20261127-00042-7``."""
        return f"{self.division}-{self.day:%Y%m%d}-{self.serial:05d}-{self.check}"

    def __str__(self) -> str:
        return self.format()


def format_case_no(division: str, day: date, serial: int) -> str:
    """Build the printed case number.

    Raises:
        InvalidIdentifier: When the division is not 6 digits or the serial is
            outside 1..99999.
    """
    shown = f"{division}-{day:%Y%m%d}-{serial}"
    if not re.fullmatch(r"[0-9]{6}", division):
        raise InvalidIdentifier(_KIND, shown, f"division must be 6 digits, got {division}")
    if not 1 <= serial <= 99_999:
        raise InvalidIdentifier(_KIND, shown, f"serial must be 1-99999, got {serial}")
    try:
        return CaseNumber(division=division, day=day, serial=serial).format()
    except ValidationError as error:
        raise InvalidIdentifier(_KIND, shown, error.errors()[0]["msg"]) from None


def parse_case_no(text: str) -> CaseNumber:
    """Read a case number as typed (hyphens optional, spaces ignored).

    Raises:
        InvalidIdentifier: For a wrong shape, an impossible date, a serial of
            00000 or a wrong check digit (``check digit should be 7, got 3``).
    """
    compact = "".join(text.split())
    match = _TEXT.match(compact)
    if match is None:
        raise InvalidIdentifier(
            _KIND,
            text,
            "expected 6 digits-8 digits-5 digits-check digit, e.g. 420103-20261127-00042-7",
        )
    division, day_text, serial_text, given = match.groups()
    expected = mod_11_10.calc_check_digit(division + day_text + serial_text)
    if given != expected:
        raise InvalidIdentifier(_KIND, text, f"check digit should be {expected}, got {given}")
    try:
        day = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
    except ValueError:
        raise InvalidIdentifier(_KIND, text, f"date {day_text} is not a real date") from None
    if int(serial_text) == 0:
        raise InvalidIdentifier(_KIND, text, "serial 00000 is never issued")
    return CaseNumber(division=division, day=day, serial=int(serial_text))
