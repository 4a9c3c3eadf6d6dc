"""Pre-review at the service desk: the one-time notice (一次性告知) of what is missing.

The request is the case form as far as the desk has it: the papers, and the fields each
flow needs (transferors, transferees, lenders, the decision's number, the relationship, an
exchange's second unit, the lien). The notice lists what the window would refuse, by the
window's own rules.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, StrictBool

from api.auth.fence import PUBLIC
from api.deps import CatalogDep
from api.errors import responses
from api.schemas import DecisionNo, MortgageIn, TaxFacts, UnitNumberStr
from domain.catalog import UnknownBusinessType, UnknownFact
from domain.intake_rules import FlowForm
from domain.prereview import PreReviewResult, pre_review
from domain.tax.from_case import TaxDeclaration

router = APIRouter(tags=["pre-review"], responses=responses(400, 413, 422), dependencies=[PUBLIC])


class PreReviewRequest(BaseModel):
    """The business type, the papers on the desk, the facts that decide conditional ones,
    and what the form will say where the flow needs it."""

    business_type: str = Field(min_length=1, examples=["existing_home_sale"])
    presented: list[str] = Field(default_factory=list, examples=[["application_form"]])
    facts: dict[str, StrictBool] = Field(default_factory=dict, examples=[{"agent_acts": True}])
    sellers: int | None = Field(
        default=None,
        ge=0,
        le=50,
        description="how many transferors the form names (0 for a first registration); "
        "left out, not checked",
    )
    buyers: int | None = Field(
        default=None,
        ge=0,
        le=50,
        description="how many transferees the form names (0 for a mortgage); left out, not checked",
    )
    lenders: int | None = Field(
        default=None,
        ge=0,
        le=5,
        description="how many lenders (mortgagees) the form names; left out, not checked",
    )
    decision_no: DecisionNo | None = None
    unit_number: UnitNumberStr | None = None
    exchange_unit_number: UnitNumberStr | None = Field(
        default=None, description="exchange: the unit given in return"
    )
    tax_facts: TaxFacts | None = Field(
        default=None, description="the declarations: relationship, exchange price difference"
    )
    mortgage: MortgageIn | None = Field(
        default=None, description="the lien recorded or released, as far as the desk has it"
    )

    def form(self) -> FlowForm:
        lien = self.mortgage
        return FlowForm(
            sellers=self.sellers,
            buyers=self.buyers,
            lenders=self.lenders,
            mortgage=None if lien is None else lien.terms(),
            decision_no=self.decision_no,
            relationship=self.tax_facts.relationship if self.tax_facts else None,
            unit_number=self.unit_number,
            exchange_unit_number=self.exchange_unit_number,
        )

    def declared(self) -> TaxDeclaration:
        facts = self.tax_facts or TaxFacts()
        return TaxDeclaration.model_validate(facts.model_dump())


def _unprocessable(loc: list[str], message: str, error_type: str) -> HTTPException:
    # Same shape as FastAPI's own validation errors, so clients handle one format.
    return HTTPException(
        status_code=422, detail=[{"loc": ["body", *loc], "msg": message, "type": error_type}]
    )


@router.post("/pre-review")
def post_pre_review(request: PreReviewRequest, catalog: CatalogDep) -> PreReviewResult:
    """Check the presented materials and the form; list every missing item at once."""
    try:
        return pre_review(
            catalog,
            request.business_type,
            request.presented,
            request.facts,
            form=request.form(),
            declared=request.declared(),
        )
    except UnknownBusinessType as exc:
        raise _unprocessable(["business_type"], str(exc), "unknown_business_type") from exc
    except UnknownFact as exc:
        raise _unprocessable(["facts", exc.fact], str(exc), "unknown_fact") from exc
