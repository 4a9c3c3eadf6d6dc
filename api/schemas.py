"""HTTP request and response bodies for cases; field validators reuse the domain rules."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from domain.identifiers import parse_unit_number, validate_credit_code, validate_resident_id
from models.enums import CollectionMethod, Stage

MOBILE = r"^1[3-9]\d{9}$"


class IdKind(StrEnum):
    RESIDENT_ID = "resident_id"
    CREDIT_CODE = "credit_code"


def _unit(value: str) -> str:
    return str(parse_unit_number(value))


UnitNumberStr = Annotated[str, AfterValidator(_unit)]


class PartyIn(BaseModel):
    """A buyer or seller: a person with an identity card or an enterprise with a credit code."""

    name: str = Field(min_length=1, max_length=64)
    id_kind: IdKind = IdKind.RESIDENT_ID
    id_number: str
    phone: str = Field(pattern=MOBILE, description="mainland mobile number, 11 digits")

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str, info: ValidationInfo) -> str:
        # Domain validators say what is wrong ("check digit should be X").
        if info.data.get("id_kind") == IdKind.CREDIT_CODE:
            return validate_credit_code(value)
        return validate_resident_id(value)


class DocumentIn(BaseModel):
    """A material handed in, by the key of its uploaded scan (`POST /scans`)."""

    material: str = Field(min_length=1)
    blob_key: str = Field(pattern=r"^sha256/[0-9a-f]{64}$")
    filename: str | None = Field(default=None, max_length=255)


class TaxFacts(BaseModel):
    """Facts the tax assessment needs that the register does not hold."""

    buyer_home_count: int = Field(default=1, ge=1, le=99)
    seller_family_only_home: bool = False
    seller_original_taxes: Decimal = Field(default=Decimal(0), ge=0, decimal_places=2)


class CaseCreate(BaseModel):
    """An application as the intake clerk enters it."""

    business_type: str = Field(min_length=1, examples=["existing_home_sale"])
    unit_number: UnitNumberStr = Field(examples=["420103001002GB00015F00030502"])
    price: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="yuan, VAT incl.")
    sellers: list[PartyIn] = Field(min_length=1)
    buyers: list[PartyIn] = Field(min_length=1)
    documents: list[DocumentIn] = Field(min_length=1)
    facts: dict[str, bool] = Field(
        default_factory=dict, description="conditions of the catalog, e.g. agent_acts"
    )
    tax_facts: TaxFacts = Field(default_factory=TaxFacts)

    @model_validator(mode="after")
    def _distinct_parties(self) -> CaseCreate:
        overlap = {p.id_number for p in self.sellers} & {p.id_number for p in self.buyers}
        if overlap:
            raise ValueError("buyers: a buyer cannot also be a seller of the same unit")
        return self


class CaseCreated(BaseModel):
    case_no: str
    workflow_id: str
    business_type: str
    accepted_at: str
    stage: Stage


class PaymentIn(BaseModel):
    amount: Decimal = Field(gt=0, decimal_places=2)
    reference: str = Field(min_length=1, max_length=64, description="the tax receipt number")


class CollectionIn(BaseModel):
    method: CollectionMethod
    recipient: str | None = Field(default=None, min_length=1, max_length=64)
    phone: str | None = Field(default=None, pattern=MOBILE)
    address: str | None = Field(default=None, min_length=5, max_length=200)

    @model_validator(mode="after")
    def _ems_needs_address(self) -> CollectionIn:
        if self.method == CollectionMethod.EMS:
            missing = [f for f in ("recipient", "phone", "address") if not getattr(self, f)]
            if missing:
                raise ValueError(f"{', '.join(missing)}: required when method is 'ems'")
        return self


class HandoverIn(BaseModel):
    window: str = Field(min_length=1, max_length=16)
    clerk: str = Field(min_length=1, max_length=64)
