"""The tax clerk's adjustment of the computed bill: which lines, what amounts, and why.

Where the tax department decides by hand, the clerk confirms the engine's bill or adjusts
it with a reason. A line is named as the stored bill names it: ``code`` is the tax kind of
a tax line (``deed_tax``, ``land_value_added_tax``; see ``domain.tax.TaxKind``) or the fee
kind of a fee line (``registration_fee``; ``domain.tax.FeeKind``), and ``payer`` whose
line it is. A tax line the engine did not compute may be added (land VAT once the desk has
assessed a referral); a fee line may be changed but not added (see ``domain.tax.adjust``).
A code that is neither a tax nor a fee, or a tax for the lender (who owes none), is refused
here, naming the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain.tax.adjust import LINE_CODES, TAX_CODES
from domain.tax.enums import Payer
from models.actor import Actor

MAX_LINE_AMOUNT = Decimal(10**12)
"""One line's ceiling in yuan: far above any real tax, well inside the NUMERIC(16,2) column."""


class LineAdjustment(BaseModel):
    """One line's new amount: the bill's line of this code and payer, or a tax to add."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(
        description="the line's tax kind (deed_tax, vat, ..., land_value_added_tax) or fee "
        "kind (registration_fee, certificate_fee), as in the stored bill's lines",
        examples=["land_value_added_tax"],
    )
    payer: Payer = Field(description="whose line it is: buyer, seller or lender")
    amount: Decimal = Field(
        ge=0,
        le=MAX_LINE_AMOUNT,
        decimal_places=2,
        allow_inf_nan=False,
        description="yuan, to the fen; 0 when nothing is due",
    )

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str) -> str:
        if value not in LINE_CODES:
            known = ", ".join(sorted(LINE_CODES))
            raise ValueError(f"{value!r} is neither a tax nor a fee of a bill (known: {known})")
        return value

    @model_validator(mode="after")
    def _lender_owes_no_tax(self) -> LineAdjustment:
        # Static, so the decision's validator refuses it before anything is recorded.
        if self.code in TAX_CODES and self.payer is Payer.LENDER:
            raise ValueError(
                f"payer: the lender owes no tax, only its mortgage's fee: not {self.code}"
            )
        return self


class BillAdjustment(BaseModel):
    """The clerk's corrections to the computed bill, with the reason the audit keeps."""

    model_config = ConfigDict(frozen=True)

    lines: list[LineAdjustment] = Field(min_length=1, max_length=50)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _each_line_once(self) -> BillAdjustment:
        seen: set[tuple[str, Payer]] = set()
        for line in self.lines:
            key = (line.code, line.payer)
            if key in seen:
                raise ValueError(f"lines: {line.code} for the {line.payer.value} is named twice")
            seen.add(key)
        return self


class AdjustBillInput(BaseModel):
    """The activity's input; ``case_no`` and ``at`` are its idempotency key."""

    case_no: str
    adjustment: BillAdjustment
    actor: Actor
    at: AwareDatetime = Field(description="the workflow's time of the clerk's decision")
