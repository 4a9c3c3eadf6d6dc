"""A case's refunds as the tax clerk reads them, and marking one refunded.

Marking writes the refund and its audit row in one transaction, with the row locked (FOR
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers): of two clerks marking
the same refund at once, one marks it and the other is told who did. The same clerk sending
the same voucher number again (a lost answer, a double click) gets the same answer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import col, select

from domain.tax import Payer
from models.actor import Actor
from models.archive import Case
from models.audit import record_event
from models.database import Database
from models.refund import Refund, RefundStatus


class RefundLine(BaseModel):
    """One paid line of the payer's bill, owed back."""

    kind: Literal["tax", "fee"]
    code: str = Field(description="the tax kind or the fee kind (deed_tax, registration_fee)")
    name_zh: str | None = None
    name_en: str | None = None
    amount: Decimal
    legal_basis: str
    adjusted: bool = Field(default=False, description="paid at a tax clerk's adjusted amount")


class RefundedBy(BaseModel):
    """The tax clerk who paid the refund back."""

    staff_id: str
    name: str


class RefundOut(BaseModel):
    """One payer's refund of a case."""

    refund_id: int
    case_no: str
    payer: Payer
    amount: Decimal = Field(description="what the payer paid, owed back")
    lines: list[RefundLine]
    legal_basis: str
    reason: str = Field(description="why the case ended unregistered")
    status: RefundStatus
    due_since: datetime
    refunded_at: datetime | None
    refunded_by: RefundedBy | None
    reference: str | None = Field(description="the refund voucher's number")


class RefundNotFound(Exception):
    """No refund of that id in that case (unknown, or another case's): a 404."""

    def __init__(self, case_no: str, refund_id: int) -> None:
        super().__init__(f"case {case_no} has no refund {refund_id}")


class RefundAlreadyDone(Exception):
    """The refund was marked refunded by another clerk or with another voucher: a 409."""

    def __init__(self, refund: RefundOut) -> None:
        by = refund.refunded_by
        who = f"{by.name} ({by.staff_id})" if by else "unknown"
        when = refund.refunded_at.isoformat() if refund.refunded_at else "unknown"
        super().__init__(
            f"退款已由 {who} 办理 refund {refund.refund_id} was already marked refunded by "
            f"{who} at {when}, voucher {refund.reference}"
        )
        self.refund = refund


def refund_out(row: Refund) -> RefundOut:
    assert row.id is not None, "a stored refund has its id"
    by = None
    if row.refunded_by_id is not None:
        by = RefundedBy(staff_id=row.refunded_by_id, name=row.refunded_by_name or "")
    return RefundOut(
        refund_id=row.id,
        case_no=row.case_no,
        payer=Payer(row.payer),
        amount=row.amount,
        lines=[RefundLine.model_validate(x) for x in row.lines],
        legal_basis=row.legal_basis,
        reason=row.reason,
        status=RefundStatus(row.status),
        due_since=row.due_since,
        refunded_at=row.refunded_at,
        refunded_by=by,
        reference=row.reference,
    )


def case_refunds(db: Database, case_no: str) -> list[RefundOut] | None:
    """The case's refunds in the order they were recorded; None if there is no such case."""
    with db.session() as session:
        if session.get(Case, case_no) is None:
            return None
        rows = session.exec(
            select(Refund).where(Refund.case_no == case_no).order_by(col(Refund.id))
        ).all()
        return [refund_out(r) for r in rows]


def mark_refunded(
    db: Database, case_no: str, refund_id: int, reference: str, actor: Actor, now: datetime
) -> RefundOut:
    """Mark the refund paid back with the voucher number, and audit it, once.

    Raises:
        RefundNotFound: no such refund in this case.
        RefundAlreadyDone: already marked by another clerk or with another voucher.
    """
    with db.session() as session:
        row = session.exec(select(Refund).where(Refund.id == refund_id).with_for_update()).first()
        if row is None or row.case_no != case_no:
            raise RefundNotFound(case_no, refund_id)
        if row.status == RefundStatus.REFUNDED.value:
            if row.refunded_by_id == actor.staff_id and row.reference == reference:
                return refund_out(row)
            raise RefundAlreadyDone(refund_out(row))
        row.status = RefundStatus.REFUNDED.value
        row.refunded_at = now
        row.refunded_by_id = actor.staff_id
        row.refunded_by_name = actor.name
        row.reference = reference
        session.add(row)
        record_event(
            session,
            case_no=case_no,
            actor=actor,
            action="refund_done",
            subject=reference,
            reason=f"refund {refund_id}: {row.amount} to the {row.payer}",
            request={"refund_id": refund_id, "reference": reference},
            at=now,
        )
        session.flush()
        return refund_out(row)
