"""The service desk's estimate: every tax and fee line with its rule, totals per payer."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.auth.fence import PUBLIC
from api.deps import SettingsDep
from api.errors import responses
from api.schemas import DecimalShape
from domain.tax import (
    CaseFacts,
    NoRulesInForce,
    PartyKind,
    Relationship,
    TaxBill,
    TaxDeclaration,
    UnknownTreatment,
    Usage,
    assess,
    tax_input_from_case,
)

router = APIRouter(
    prefix="/tax", tags=["tax"], responses=responses(400, 413, 422), dependencies=[PUBLIC]
)


def hall_today(settings: SettingsDep) -> date:
    """Today's date in the hall's time zone: the default acceptance date of an estimate."""
    return datetime.now(settings.zone).date()


TodayDep = Annotated[date, Depends(hall_today)]

# Shape and size only (no 40-digit price reaches the engine); the sign rules are TaxInput's.
Amount = Annotated[Decimal, DecimalShape(integer_digits=13, minimum="any")]
Area = Annotated[Decimal, DecimalShape(integer_digits=7, minimum="any")]


class TaxEstimateRequest(BaseModel):
    """The facts of a case as the desk states them, with ``sale_date`` defaulting to today.

    They go through the same :func:`domain.tax.tax_input_from_case` as a case's bill, so
    the estimate and the bill agree for the same facts. Only the shape is checked here; the
    rules (positive price, acquisition date before the sale, ...) are ``TaxInput``'s.
    """

    model_config = ConfigDict(extra="forbid")

    business_type: str = Field(max_length=64, examples=["existing_home_sale"])
    price: Amount = Field(examples=["2000000"], description="declared price, VAT-inclusive")
    area_m2: Area = Field(examples=["120"])
    usage: Usage = Usage.RESIDENTIAL
    buyer_kind: PartyKind = PartyKind.PERSON
    seller_kind: PartyKind = PartyKind.PERSON
    buyer_home_count: int = Field(
        ge=-999, le=999, examples=[1], description="buyer family's homes incl. this one"
    )
    sale_date: date | None = Field(default=None, description="acceptance date; default today")
    city_district: bool = True
    relationship: Relationship | None = Field(
        default=None, description="gratuitous transfer: the transferee's relationship to the owner"
    )
    seller_family_only_home: bool = False
    seller_acquired_on: date | None = Field(default=None, examples=["2024-09-10"])
    seller_original_price: Amount | None = Field(default=None, description="proved cost only")
    seller_original_taxes: Amount = Decimal("0")
    exchange_price_difference: Amount | None = Field(
        default=None, description="exchange: the difference the transferee pays"
    )
    seller_invoice_vat: Amount | None = Field(
        default=None, description="VAT on the transferor's invoice (developer, enterprise)"
    )
    transferees: int = Field(
        default=1,
        ge=0,
        le=999,
        description="parties who become owners; each beyond the first pays a certificate fee "
        "(0: a mortgage, which has none)",
    )
    lender_kind: PartyKind | None = Field(
        default=None, description="the lender registered for a mortgage (pays its fee)"
    )
    transferee_small_micro: bool = Field(
        default=False, description="the transferee is a small or micro enterprise"
    )

    def case_facts(self, today: date) -> CaseFacts:
        """The facts as a case holds them: ``transferees`` buyers of the stated kind, one
        seller, and the lender if one is stated."""
        return CaseFacts(
            business_type=self.business_type,
            price=self.price,
            accepted_on=self.sale_date or today,
            area_m2=self.area_m2,
            usage=self.usage,
            city_district=self.city_district,
            buyers=(self.buyer_kind,) * self.transferees,
            sellers=(self.seller_kind,),
            seller_acquired_on=self.seller_acquired_on,
            seller_original_price=self.seller_original_price,
            declared=TaxDeclaration(
                buyer_home_count=self.buyer_home_count,
                seller_family_only_home=self.seller_family_only_home,
                seller_original_taxes=self.seller_original_taxes,
                relationship=self.relationship,
                exchange_price_difference=self.exchange_price_difference,
                seller_invoice_vat=self.seller_invoice_vat,
                transferee_small_micro=self.transferee_small_micro,
            ),
            lenders=(self.lender_kind,) if self.lender_kind is not None else (),
        )


def _unprocessable(errors: list[dict[str, Any]]) -> HTTPException:
    # Same shape as FastAPI's own validation errors, so clients handle one format.
    return HTTPException(status_code=422, detail=errors)


@router.post("/estimate", response_model=TaxBill)
def estimate(request: TaxEstimateRequest, today: TodayDep) -> TaxBill:
    """Estimate the taxes and registration fees of a case under the rules in force on its
    sale date."""
    try:
        return assess(tax_input_from_case(request.case_facts(today)))
    except ValidationError as exc:
        raise _unprocessable(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False)
            ]
        ) from exc
    except (UnknownTreatment, NoRulesInForce) as exc:
        kind = "unknown_business_type" if isinstance(exc, UnknownTreatment) else "no_rules"
        raise _unprocessable([{"loc": ["body", exc.field], "msg": str(exc), "type": kind}]) from exc
