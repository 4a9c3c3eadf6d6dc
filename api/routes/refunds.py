"""Refunds due: a paid case that ended unregistered owes each payer what they paid.

The close of the case records them (activities/refunds.py); the tax department's queue lists
them until a tax clerk pays one back at the window and marks it done with the voucher
number. Reads and the mark go to the database only: no workflow is involved once the case
is closed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from api.auth.fence import fence
from api.deps import DatabaseDep
from api.errors import CaseNotFound, responses
from api.routes.cases import CaseNo
from api.schemas import CleanText
from api.services.refunds import (
    RefundAlreadyDone,
    RefundNotFound,
    RefundOut,
    case_refunds,
    mark_refunded,
)
from models.actor import Actor, Role

router = APIRouter(prefix="/cases", tags=["refunds"], responses=responses(401, 403, 422))

RefundId = Annotated[
    int, Path(ge=1, le=2**31 - 1, description="the refund's number, as the case's list shows it")
]


class RefundDoneIn(BaseModel):
    """The tax clerk paid the refund back: the refund voucher's number."""

    reference: CleanText = Field(
        min_length=1,
        max_length=64,
        description="the refund voucher's number (退库凭证号)",
        examples=["WH-TK-2026-000045"],
    )

    @field_validator("reference")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name the voucher, not only spaces")
        return value


@router.get(
    "/{case_no}/refunds",
    response_model=list[RefundOut],
    responses=responses(404),
    dependencies=[fence(Role.TAX, Role.SUPERVISOR, Role.INTAKE)],
)
async def read_refunds(case_no: CaseNo, db: DatabaseDep) -> list[RefundOut]:
    """What the case owes back per payer, due or refunded (empty: nothing was paid, or the
    case was registered)."""
    found = await asyncio.to_thread(case_refunds, db, case_no)
    if found is None:
        raise CaseNotFound(case_no)
    return found


@router.post(
    "/{case_no}/refunds/{refund_id}/done",
    response_model=RefundOut,
    responses=responses(400, 404, 409, 413),
)
async def refund_done(
    case_no: CaseNo,
    refund_id: RefundId,
    body: RefundDoneIn,
    db: DatabaseDep,
    actor: Annotated[Actor, fence(Role.TAX)],
) -> RefundOut:
    """Mark the refund paid back, with the voucher number; audited as `refund_done`.

    Once only: another clerk (or another voucher) afterwards gets a 409 naming who marked
    it, when and with which voucher; the same clerk with the same voucher gets the same
    answer again.
    """
    now = datetime.now(UTC)
    return await asyncio.to_thread(
        mark_refunded, db, case_no, refund_id, body.reference, actor, now
    )


def install(app: FastAPI) -> None:
    """The 404 and 409 of the refund routes, in the API's error model."""

    @app.exception_handler(RefundNotFound)
    async def _missing(_: Request, err: RefundNotFound) -> JSONResponse:
        item = {"loc": ["path", "refund_id"], "msg": str(err), "type": "not_found"}
        return JSONResponse(status_code=404, content={"detail": [item]})

    @app.exception_handler(RefundAlreadyDone)
    async def _done(_: Request, err: RefundAlreadyDone) -> JSONResponse:
        refund = err.refund
        item = {
            "loc": ["path", "refund_id"],
            "msg": str(err),
            "type": "already_refunded",
            "refunded_by": refund.refunded_by.model_dump() if refund.refunded_by else None,
            "refunded_at": refund.refunded_at.isoformat() if refund.refunded_at else None,
            "reference": refund.reference,
        }
        return JSONResponse(status_code=409, content={"detail": [item]})
