"""The service desk's tax estimate: every tax line with its rule, totals per payer."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.auth.fence import PUBLIC
from api.errors import responses
from api.schemas import DecimalShape
from domain.tax import (
    NoRulesInForce,
    PartyKind,
    TaxBill,
    TaxInput,
    UnknownTreatment,
    Usage,
    assess,
)

router = APIRouter(
    prefix="/tax", tags=["tax"], responses=responses(400, 413, 422), dependencies=[PUBLIC]
)

HALL_TIMEZONE = ZoneInfo("Asia/Shanghai")


def hall_today() -> date:
    """Today's date in the hall's time zone: the default acceptance date of an estimate."""
    return datetime.now(HALL_TIMEZONE).date()


TodayDep = Annotated[date, Depends(hall_today)]

# Shape and size only (no 40-digit price reaches the engine); the sign rules are TaxInput's.
Amount = Annotated[Decimal, DecimalShape(integer_digits=13, minimum="any")]
Area = Annotated[Decimal, DecimalShape(integer_digits=7, minimum="any")]


class TaxEstimateRequest(BaseModel):
    """The facts of :class:`domain.tax.TaxInput`, with ``sale_date`` defaulting to today.

    Only the shape is checked here; the rules (positive price, acquisition date before
    the sale, ...) are checked once, by ``TaxInput``.
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
    donee_close_relative: bool = False
    seller_family_only_home: bool = False
    seller_acquired_on: date | None = Field(default=None, examples=["2024-09-10"])
    seller_original_price: Amount | None = None
    seller_original_taxes: Amount = Decimal("0")
    exchange_price_difference: Amount | None = None


def _unprocessable(errors: list[dict[str, Any]]) -> HTTPException:
    # Same shape as FastAPI's own validation errors, so clients handle one format.
    return HTTPException(status_code=422, detail=errors)


@router.post("/estimate", response_model=TaxBill)
def estimate(request: TaxEstimateRequest, today: TodayDep) -> TaxBill:
    """Estimate the taxes of a case under the rules in force on its sale date."""
    facts = request.model_dump()
    facts["sale_date"] = request.sale_date or today
    try:
        return assess(TaxInput.model_validate(facts))
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
