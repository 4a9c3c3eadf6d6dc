"""The registration-fee table, loaded from ``domain/data/fees.toml``.

Amounts are dated rows like the tax rates (a later row takes over from its date); what each
registration kind bills and who pays it are named parts, so a change of fee or of payer is
a data edit.
"""

import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.tax.enums import Payer
from domain.tax.rates import RateRow, in_force

Yuan = Annotated[Decimal, Field(ge=0)]


class FeeRates(RateRow):
    """The amounts in force from ``effective``: per case by usage, per extra certificate."""

    residential: Yuan
    non_residential: Yuan
    extra_certificate: Yuan
    small_micro_enterprise_exempt: bool


class FeePart(BaseModel):
    """One registration of a case that bears a fee, and who pays it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    payer: Payer
    certificates: bool


class TypeFees(BaseModel):
    """A business type's exception to its registration kind's fees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    parts: list[str] | None = None
    zero_reason: str | None = Field(default=None, min_length=1)


class FeeTable(BaseModel):
    """The whole fee file, checked: dated amounts, parts, kinds and type exceptions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    registration_fee: list[FeeRates] = Field(min_length=1)
    parts: dict[str, FeePart]
    registration_kinds: dict[str, list[str]]
    business_types: dict[str, TypeFees] = {}

    @model_validator(mode="after")
    def _consistent(self) -> "FeeTable":
        dates = [r.effective for r in self.registration_fee]
        if len(set(dates)) != len(dates):
            raise ValueError("registration_fee: two rows share an effective date")
        ids = [r.id for r in self.registration_fee]
        if len(set(ids)) != len(ids):
            raise ValueError("registration_fee: two rows share an id")
        lists = {f"registration_kinds.{k}": v for k, v in self.registration_kinds.items()}
        lists |= {
            f"business_types.{k}.parts": v.parts
            for k, v in self.business_types.items()
            if v.parts is not None
        }
        for where, parts in lists.items():
            for part in parts:
                if part not in self.parts:
                    raise ValueError(f"{where}: {part!r} is not in [parts]")
        return self

    def on(self, day: date) -> FeeRates:
        """The amounts in force on ``day``.

        Raises:
            NoRulesInForce: ``day`` is before the first row.
        """
        return in_force(self.registration_fee, day, "registration_fee")

    def parts_of(self, business_type: str, registration_kind: str) -> list[str]:
        """The parts a case of this type and registration kind bills.

        Raises:
            ValueError: the registration kind has no entry (a catalog kind the file lacks).
        """
        override = self.business_types.get(business_type)
        if override is not None and override.parts is not None:
            return override.parts
        try:
            return self.registration_kinds[registration_kind]
        except KeyError:
            raise ValueError(
                f"registration kind {registration_kind!r} has no entry in fees.toml"
            ) from None

    def zero_reason(self, business_type: str) -> str | None:
        """Why the type's fee is zero, or None when it is charged."""
        override = self.business_types.get(business_type)
        return override.zero_reason if override is not None else None


def parse_fees(text: str) -> FeeTable:
    """Parse and check a fee file.

    Raises:
        ValueError: the file is not TOML or an entry is wrong; the message names the field.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"fees: not valid TOML: {exc}") from exc
    try:
        return FeeTable.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ValueError(f"fees: {where}: {first['msg']}") from exc


@cache
def default_fees() -> FeeTable:
    """The packaged fee table, read once on first use."""
    return parse_fees((files("domain") / "data" / "fees.toml").read_text(encoding="utf-8"))
