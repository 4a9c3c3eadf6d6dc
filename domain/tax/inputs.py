"""What the service desk knows about a case when it estimates the taxes."""

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.flows import LIEN_KINDS
from domain.tax.enums import PartyKind, Usage
from domain.tax.errors import UnknownTreatment
from domain.tax.profile import billing_profile
from domain.tax.relationship import Relationship
from domain.tax.treatments import (
    DeedBase,
    Treatment,
    computes_seller_vat,
    default_treatments,
    needs_holding_period,
)


def _treatment(info: ValidationInfo) -> Treatment | None:
    """The treatment of the business type, or None when it is unknown or invalid.

    An unknown code is reported by :func:`domain.tax.assess` as ``UnknownTreatment``;
    here it only switches off the checks that depend on the treatment.
    """
    code = info.data.get("business_type")
    if code is None:
        return None
    try:
        return default_treatments().get(code)
    except UnknownTreatment:
        return None


class TaxInput(BaseModel):
    """Facts of one case that decide its taxes.

    Field order matters: the checks of later fields read earlier ones (a field that
    failed its own check is left out of those checks).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    business_type: str = Field(description="business-type code, e.g. existing_home_sale")
    price: Decimal = Field(description="declared price, VAT-inclusive (gift: assessed value)")
    area_m2: Decimal = Field(description="floor area in square metres")
    usage: Usage = Usage.RESIDENTIAL
    buyer_kind: PartyKind = PartyKind.PERSON
    seller_kind: PartyKind = PartyKind.PERSON
    buyer_home_count: int = Field(description="the buyer family's homes including this one")
    sale_date: date = Field(description="acceptance date; the rules in force on it apply")
    city_district: bool = Field(default=True, description="7% urban construction tax, else 5%")
    relationship: Relationship | None = Field(
        default=None,
        description="gratuitous transfer: the transferee's relationship to the transferor",
    )
    seller_family_only_home: bool = False
    seller_acquired_on: date | None = Field(default=None, validate_default=True)
    seller_original_price: Decimal | None = Field(
        default=None, description="None: income tax assessed (核定) on the price"
    )
    seller_original_taxes: Decimal = Field(
        default=Decimal("0"), description="deed tax etc. paid on acquisition, deductible"
    )
    exchange_price_difference: Decimal | None = Field(
        default=None,
        validate_default=True,
        description="exchange: the difference the transferee pays on top of its own unit "
        "(0 when the values are equal or the transferor pays it)",
    )
    seller_invoice_vat: Decimal | None = Field(
        default=None,
        description="VAT on the transferor's invoice (a developer's, an enterprise's), "
        "left out of the deed-tax base",
    )
    transferees: int = Field(
        default=1,
        description="parties who become owners (co-owners); each beyond the first takes a "
        "certificate of their own (certificate fee)",
    )
    lender_kind: PartyKind | None = Field(
        default=None,
        description="the lender registered for a mortgage, who pays its registration fee; "
        "None: no lender",
    )
    transferee_small_micro: bool = Field(
        default=False,
        description="the transferee is a small or micro enterprise (registration-fee "
        "exemption, where the fee table grants it)",
    )

    @field_validator("business_type")
    @classmethod
    def _code(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("business_type: must not be empty")
        return value.strip()

    @field_validator("price", "area_m2")
    @classmethod
    def _positive(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        if value <= 0:
            raise ValueError(f"{info.field_name}: must be greater than 0, got {value}")
        return value

    @field_validator("seller_original_price", "seller_original_taxes")
    @classmethod
    def _not_negative(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError(f"{info.field_name}: must not be negative, got {value}")
        return value

    @field_validator("buyer_home_count")
    @classmethod
    def _home_count(cls, value: int) -> int:
        if value < 1:
            raise ValueError(
                f"buyer_home_count: counts this home too, so it is at least 1, got {value}"
            )
        return value

    @field_validator("seller_family_only_home")
    @classmethod
    def _only_home(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("seller_kind") is PartyKind.ENTERPRISE:
            raise ValueError("seller_family_only_home: an enterprise seller has no family home")
        return value

    @field_validator("seller_acquired_on")
    @classmethod
    def _acquired(cls, value: date | None, info: ValidationInfo) -> date | None:
        sale_date = info.data.get("sale_date")
        if value is not None and sale_date is not None and value > sale_date:
            raise ValueError(f"seller_acquired_on: {value} is after the sale date {sale_date}")
        if value is None and _needs_acquisition_date(info):
            raise ValueError(
                "seller_acquired_on: required for an individual selling housing "
                "(the VAT 2-year and income-tax 5-year tests count from it)"
            )
        return value

    @field_validator("exchange_price_difference")
    @classmethod
    def _difference(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        treatment = _treatment(info)
        is_exchange = treatment is not None and treatment.deed_base is DeedBase.PRICE_DIFFERENCE
        if value is not None and value < 0:
            raise ValueError(f"exchange_price_difference: must not be negative, got {value}")
        if value is None and is_exchange:
            raise ValueError(
                "exchange_price_difference: required for an exchange (deed tax is "
                "levied on the difference, 契税法 art. 4)"
            )
        if value is not None and treatment is not None and not is_exchange:
            raise ValueError(
                f"exchange_price_difference: only for an exchange, not {info.data['business_type']}"
            )
        return value

    @field_validator("seller_invoice_vat")
    @classmethod
    def _invoice_vat(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is None:
            return value
        price = info.data.get("price")
        if value < 0:
            raise ValueError(f"seller_invoice_vat: must not be negative, got {value}")
        if price is not None and value >= price:
            raise ValueError(f"seller_invoice_vat: {value} is not less than the price {price}")
        treatment = _treatment(info)
        facts: dict[str, Any] = info.data
        if (
            treatment is not None
            and "seller_kind" in facts
            and "usage" in facts
            and computes_seller_vat(treatment, facts["seller_kind"], facts["usage"])
        ):
            raise ValueError(
                "seller_invoice_vat: this seller's VAT is computed here (an individual "
                "transferring housing); leave it empty"
            )
        return value

    @field_validator("transferees")
    @classmethod
    def _transferees(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"transferees: must not be negative, got {value}")
        return value

    @field_validator("lender_kind")
    @classmethod
    def _lender(cls, value: PartyKind | None, info: ValidationInfo) -> PartyKind | None:
        code = info.data.get("business_type")
        profile = billing_profile(code) if code is not None else None
        if value is not None and profile is not None:
            if profile.registration_kind not in LIEN_KINDS:
                raise ValueError(
                    f"lender_kind: {code} records no mortgage "
                    f"(registration kind {profile.registration_kind!r})"
                )
        return value


def _needs_acquisition_date(info: ValidationInfo) -> bool:
    treatment = _treatment(info)
    facts: dict[str, Any] = info.data
    if treatment is None or "seller_kind" not in facts or "usage" not in facts:
        return False
    return needs_holding_period(
        treatment, facts["seller_kind"], facts["usage"], facts.get("relationship")
    )
