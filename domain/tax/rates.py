"""Rate tables keyed by effective date, loaded from ``domain/data/tax_rates.toml``.

Each tax has a list of rows; a row is in force from its ``effective`` date until the
next row of the same tax starts. A case uses the rows in force on its acceptance date,
so a change of rate is a new row in the data file, never an edit of code.
"""

import tomllib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.tax.errors import NoRulesInForce

Rate = Annotated[Decimal, Field(ge=0, le=1)]


class RateRow(BaseModel):
    """Common head of every row: which rule, from when, on what authority."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    effective: date
    source: str = Field(min_length=1)


class AreaBand(BaseModel):
    """One band of a deed-tax schedule; the last band has no upper bound."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    up_to_m2: Decimal | None = None
    rate: Rate


def _check_bands(bands: list[AreaBand], name: str) -> list[AreaBand]:
    if not bands or bands[-1].up_to_m2 is not None:
        raise ValueError(f"{name}: the last band must have no up_to_m2")
    bounds = [b.up_to_m2 for b in bands[:-1]]
    if any(b is None for b in bounds) or bounds != sorted(bounds):  # type: ignore[type-var]
        raise ValueError(f"{name}: up_to_m2 must be set and ascending on every band but the last")
    return bands


class DeedRates(RateRow):
    """Deed tax: provincial general rate and the individual family-home schedules."""

    general_rate: Rate
    first_home: list[AreaBand]
    second_home: list[AreaBand]

    @model_validator(mode="after")
    def _bands(self) -> "DeedRates":
        _check_bands(self.first_home, "first_home")
        _check_bands(self.second_home, "second_home")
        return self


class VatRates(RateRow):
    """VAT of an individual selling a unit: housing (with the holding-period exemption), other."""

    individual_housing_rate: Rate
    exempt_after_years: int = Field(ge=0)
    individual_non_housing_rate: Rate


class DeveloperVatRates(RateRow):
    """The developer's VAT rate on selling new housing, taken out of the deed-tax base.

    The sales invoice decides; a developer on the simplified method charges less. A rate
    of 0 stands for the years before the VAT reform, when business tax was in the price.
    """

    rate: Rate


class SurchargeRates(RateRow):
    """The three surcharges levied on VAT paid."""

    urban_construction_city: Rate
    urban_construction_other: Rate
    education: Rate
    local_education: Rate
    individual_reduction: Rate


class PitRates(RateRow):
    """Individual income tax on the transfer of property."""

    rate: Rate
    assessed_rate: Rate
    non_housing_assessed_rate: Rate
    only_home_exempt_after_years: int = Field(ge=0)
    replacement_refund: bool


class StampRates(RateRow):
    """Stamp duty on property-transfer deeds."""

    rate: Rate
    individual_housing_exempt: bool


class LandVatRates(RateRow):
    """Land VAT: only the individual-housing exemption is decided at the window."""

    individual_housing_exempt: bool


class RateBook(BaseModel):
    """All rate tables, each sorted by effective date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deed_tax: list[DeedRates]
    vat: list[VatRates]
    developer_vat: list[DeveloperVatRates]
    surcharges: list[SurchargeRates]
    pit: list[PitRates]
    stamp_duty: list[StampRates]
    land_vat: list[LandVatRates]

    @model_validator(mode="after")
    def _ordered(self) -> "RateBook":
        for name in type(self).model_fields:
            rows: list[RateRow] = getattr(self, name)
            if not rows:
                raise ValueError(f"{name}: needs at least one row")
            dates = [r.effective for r in rows]
            if len(set(dates)) != len(dates):
                raise ValueError(f"{name}: two rows share an effective date")
            ids = [r.id for r in rows]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name}: two rows share an id")
        return self

    def deed_on(self, on: date) -> DeedRates:
        """The deed-tax row in force on ``on``."""
        return in_force(self.deed_tax, on, "deed_tax")

    def vat_on(self, on: date) -> VatRates:
        """The VAT row in force on ``on``."""
        return in_force(self.vat, on, "vat")

    def developer_vat_on(self, on: date) -> DeveloperVatRates:
        """The developer-VAT row in force on ``on``."""
        return in_force(self.developer_vat, on, "developer_vat")

    def surcharges_on(self, on: date) -> SurchargeRates:
        """The surcharge row in force on ``on``."""
        return in_force(self.surcharges, on, "surcharges")

    def pit_on(self, on: date) -> PitRates:
        """The individual-income-tax row in force on ``on``."""
        return in_force(self.pit, on, "pit")

    def stamp_on(self, on: date) -> StampRates:
        """The stamp-duty row in force on ``on``."""
        return in_force(self.stamp_duty, on, "stamp_duty")

    def land_vat_on(self, on: date) -> LandVatRates:
        """The land-VAT row in force on ``on``."""
        return in_force(self.land_vat, on, "land_vat")


Row = TypeVar("Row", bound=RateRow)


def in_force(rows: Sequence[Row], on: date, table: str) -> Row:
    """The row of ``table`` in force on ``on``: the latest that starts on or before it.

    Raises:
        NoRulesInForce: every row starts after ``on``.
    """
    ordered = sorted(rows, key=lambda r: r.effective)
    current = [r for r in ordered if r.effective <= on]
    if not current:
        raise NoRulesInForce(table, on, ordered[0].effective if ordered else None)
    return current[-1]


def parse_rates(text: str) -> RateBook:
    """Parse and check a rate file.

    Args:
        text: TOML text in the layout of ``domain/data/tax_rates.toml``.

    Returns:
        The checked rate book.

    Raises:
        ValueError: the file is not TOML or a row is wrong; the message names the
            table, the row and the field.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"tax rates: not valid TOML: {exc}") from exc
    try:
        return RateBook.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(raw, first["loc"])
        raise ValueError(f"tax rates: {where}: {first['msg']}") from exc


def _where(raw: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """Name a failing row by its id rather than its index, so a clerk can find it."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and isinstance(loc[1], int):
        try:
            parts[1] = str(raw[str(loc[0])][loc[1]].get("id", loc[1]))
        except (KeyError, IndexError, AttributeError):
            pass
    return ".".join(parts)


@cache
def default_rates() -> RateBook:
    """The packaged rate book, read once on first use."""
    text = (files("domain") / "data" / "tax_rates.toml").read_text(encoding="utf-8")
    return parse_rates(text)
