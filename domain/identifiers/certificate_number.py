"""Title-certificate and registration-proof numbers.

``鄂(2026)武汉市不动产权第0001234号`` (不动产权证书, title certificate) and
``桂(2017)南宁市不动产证明第0208814号`` (不动产登记证明, registration proof).
Real data mixes half-width and full-width parentheses; parsing accepts both and
formatting always writes half-width ones, so stored numbers compare equal.
Allocating serials is the register's job (it needs the database); this module
only formats and parses.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.identifiers.errors import InvalidIdentifier

_KIND = "certificate_number"

# One-character abbreviations of the provincial-level divisions (GB/T 2260).
PROVINCE_ABBREVIATIONS = frozenset(
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新港澳台"
)

_PATTERN = re.compile(
    r"^(?P<province>.)[(（](?P<year>[0-9]{4})[)）](?P<city>.+?)"
    r"不动产(?P<kind>权|证明)第(?P<serial>[0-9]+)号$"
)
_CITY = re.compile(r"^[^\s()（）0-9]+$")


class CertificateKind(StrEnum):
    """Which document the number belongs to."""

    TITLE = "title"  # 不动产权证书
    PROOF = "proof"  # 不动产登记证明


_KIND_WORDS = {CertificateKind.TITLE: "不动产权", CertificateKind.PROOF: "不动产证明"}


class CertificateNumber(BaseModel):
    """A certificate or registration-proof number, split into its parts.

    ``width`` is the zero-padded length of the serial as printed; 7 is the
    common width, but it differs between registration bodies, so a parsed
    number keeps the width it was written with.
    """

    model_config = ConfigDict(frozen=True)

    kind: CertificateKind
    province: str = Field(min_length=1, max_length=1)
    year: int = Field(ge=1000, le=9999)
    city: str = Field(min_length=1)
    serial: int = Field(ge=1)
    width: int = Field(default=7, ge=1, le=12)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.province not in PROVINCE_ABBREVIATIONS:
            raise ValueError(f"province: {self.province} is not a provincial abbreviation")
        if not _CITY.match(self.city):
            raise ValueError(f"city: {self.city!r} may not contain spaces, digits or brackets")
        if len(str(self.serial)) > self.width:
            raise ValueError(f"serial: {self.serial} does not fit in {self.width} digits")
        return self

    def format(self) -> str:
        """The printed number, with half-width parentheses."""
        return (
            f"{self.province}({self.year}){self.city}"
            f"{_KIND_WORDS[self.kind]}第{self.serial:0{self.width}d}号"
        )

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, text: str) -> CertificateNumber:
        """Read a printed number; half- and full-width parentheses both work.

        Raises:
            InvalidIdentifier: When the text does not follow the pattern,
                naming the part that is wrong.
        """
        compact = "".join(text.split())
        match = _PATTERN.match(compact)
        if match is None:
            raise InvalidIdentifier(
                _KIND,
                text,
                "expected 省(年份)市县不动产权第NNNNNNN号 or 省(年份)市县不动产证明第NNNNNNN号",
            )
        province = match["province"]
        if province not in PROVINCE_ABBREVIATIONS:
            raise InvalidIdentifier(
                _KIND, text, f"{province} is not a provincial abbreviation such as 鄂"
            )
        serial_text = match["serial"]
        if int(serial_text) < 1:
            raise InvalidIdentifier(_KIND, text, "serial number must be at least 1")
        if not _CITY.match(match["city"]):
            raise InvalidIdentifier(
                _KIND, text, f"city or county name {match['city']} is not a place name"
            )
        if len(serial_text) > 12:
            raise InvalidIdentifier(_KIND, text, "serial number is longer than 12 digits")
        return cls(
            kind=CertificateKind.TITLE if match["kind"] == "权" else CertificateKind.PROOF,
            province=province,
            year=int(match["year"]),
            city=match["city"],
            serial=int(serial_text),
            width=len(serial_text),
        )
