"""Per-business-type tax switches, loaded from ``domain/data/tax_treatments.toml``.

A treatment says which taxes a business type raises and on what base, so that adding a
business type, or changing how one is taxed, is a data edit. The rates themselves live
in the rate tables (:mod:`domain.tax.rates`).
"""

import tomllib
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.tax.enums import PartyKind, Payer, TaxKind, Usage
from domain.tax.errors import UnknownTreatment
from domain.tax.relationship import Relationship


class DeedMode(StrEnum):
    """Whether the transferee owes deed tax at all."""

    TAXABLE = "taxable"
    EXEMPT = "exempt"


class DeedBase(StrEnum):
    """What the deed tax is levied on (契税法 art. 4)."""

    PRICE_NET = "price_net"  # declared price less the VAT computed on this bill
    PRICE = "price"  # the declared (or assessed) value as given, e.g. a gift
    PRICE_DIFFERENCE = "price_difference"  # exchange: the difference paid


class DeedRate(StrEnum):
    """Which deed-tax schedule applies."""

    PURCHASE = "purchase"  # individual family-home reliefs where they fit
    GENERAL = "general"  # provincial general rate


class SellerMode(StrEnum):
    """How the transferor's side is taxed."""

    SALE = "sale"  # VAT, surcharges, PIT, stamp duty, land VAT as a sale
    GIFT = "gift"  # donor VAT unless close relatives; donee PIT
    NONE = "none"  # nothing on the transferor's side is estimated here
    REFERRAL = "referral"  # the tax desk assesses the transferor's side


# Referral codes the engine raises by itself; their texts live in the data file.
ENTERPRISE_SELLER = "enterprise_seller_vat"
NON_RESIDENTIAL_PERSON = "non_residential_individual_seller"
LAND_VAT_ASSESSMENT = "land_vat_assessment"
PIT_REPLACEMENT_REFUND = "pit_replacement_refund"
NO_TAX_TREATMENT = "no_tax_treatment"
ENGINE_REFERRALS = frozenset(
    {
        ENTERPRISE_SELLER,
        NON_RESIDENTIAL_PERSON,
        LAND_VAT_ASSESSMENT,
        PIT_REPLACEMENT_REFUND,
        NO_TAX_TREATMENT,
    }
)


class ExemptLine(BaseModel):
    """A tax the business type is exempt from, shown as a zero line with its reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tax: TaxKind
    payer: Payer
    reason: str = Field(min_length=1)


class RelationshipExemption(ExemptLine):
    """An exemption that holds only when the transferee is one of ``relationships``."""

    relationships: list[Relationship] = Field(min_length=1)


class Treatment(BaseModel):
    """The tax switches of one business type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    deed: DeedMode
    deed_base: DeedBase = DeedBase.PRICE_NET
    deed_rate: DeedRate = DeedRate.PURCHASE
    seller: SellerMode
    stamp: bool
    # 财税〔2008〕137号 exempts individuals selling or buying housing: sales and purchases
    # only, so gifts and exchanges set this to false and pay on both sides.
    stamp_relief: bool = True
    # The transferor is the developer: the deed-tax base leaves out its VAT (公告2021年第23号),
    # taken from the invoice when given, else estimated at the rate table's developer rate.
    developer_sale: bool = False
    # An individual's sale of a non-residential unit is computed here (VAT on the gain or
    # the price, 公告2016年第14号; income tax; land VAT referred); otherwise it is referred.
    individual_non_housing: bool = False
    exempt: list[ExemptLine] = []
    relationship_exempt: list[RelationshipExemption] = []
    donee_pit: bool = False
    referrals: list[str] = []

    def exemptions(
        self, relationship: Relationship | None
    ) -> dict[tuple[TaxKind, Payer], ExemptLine]:
        """The exemptions of this case, keyed by tax and payer."""
        extra = [e for e in self.relationship_exempt if relationship in e.relationships]
        return {(e.tax, e.payer): e for e in [*self.exempt, *extra]}

    @model_validator(mode="after")
    def _deed_exemption_has_reason(self) -> "Treatment":
        if self.deed is DeedMode.EXEMPT and not any(e.tax is TaxKind.DEED for e in self.exempt):
            raise ValueError("deed = 'exempt' needs an exempt entry for deed_tax with its reason")
        return self

    @model_validator(mode="after")
    def _non_housing_is_a_sale(self) -> "Treatment":
        if self.individual_non_housing and self.seller is not SellerMode.SALE:
            raise ValueError("individual_non_housing needs seller = 'sale'")
        return self

    @model_validator(mode="after")
    def _developer_sale_has_a_net_base(self) -> "Treatment":
        if self.developer_sale and (
            self.deed_base is not DeedBase.PRICE_NET
            or self.seller in (SellerMode.SALE, SellerMode.GIFT)
        ):
            raise ValueError(
                "developer_sale needs deed_base = 'price_net' and a seller not computed here"
            )
        return self


class ReferralText(BaseModel):
    """Why a matter goes to the dedicated tax desk, in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason_zh: str = Field(min_length=1)
    reason_en: str = Field(min_length=1)


class Treatments(BaseModel):
    """All treatments and the referral texts they use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    types: dict[str, Treatment]
    referrals: dict[str, ReferralText]

    @model_validator(mode="after")
    def _referrals_defined(self) -> "Treatments":
        missing = sorted(ENGINE_REFERRALS - self.referrals.keys())
        if missing:
            raise ValueError(f"referrals: texts missing for {', '.join(missing)}")
        for code, t in self.types.items():
            for ref in t.referrals:
                if ref not in self.referrals:
                    raise ValueError(f"types.{code}.referrals: {ref!r} is not in [referrals]")
        return self

    def get(self, code: str) -> Treatment:
        """The treatment of a business type.

        Raises:
            UnknownTreatment: the code has no entry.
        """
        try:
            return self.types[code]
        except KeyError:
            raise UnknownTreatment(code) from None


def computes_seller_vat(t: Treatment, seller_kind: PartyKind, usage: Usage) -> bool:
    """Whether the engine computes the transferor's VAT (possibly as an exemption line).

    Only an individual selling or giving away housing, or selling another unit where the
    treatment computes it; other transferors are referred to the tax desk, or have no VAT
    on this bill.
    """
    if seller_kind is not PartyKind.PERSON or t.seller not in (SellerMode.SALE, SellerMode.GIFT):
        return False
    return usage is Usage.RESIDENTIAL or t.individual_non_housing


def needs_holding_period(
    t: Treatment, seller_kind: PartyKind, usage: Usage, relationship: Relationship | None
) -> bool:
    """Whether the seller's acquisition date decides a tax (the VAT 2-year test).

    Only an individual selling (or giving away, outside the exempt relationships) housing
    has the holding-period exemption; other sellers need no date.
    """
    if usage is not Usage.RESIDENTIAL or not computes_seller_vat(t, seller_kind, usage):
        return False
    return (TaxKind.VAT, Payer.SELLER) not in t.exemptions(relationship)


def parse_treatments(text: str) -> Treatments:
    """Parse and check a treatments file.

    Raises:
        ValueError: the file is not TOML or an entry is wrong; the message names the
            business type and the field.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"tax treatments: not valid TOML: {exc}") from exc
    try:
        return Treatments.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ValueError(f"tax treatments: {where}: {first['msg']}") from exc


@cache
def default_treatments() -> Treatments:
    """The packaged treatments, read once on first use."""
    text = (files("domain") / "data" / "tax_treatments.toml").read_text(encoding="utf-8")
    return parse_treatments(text)
