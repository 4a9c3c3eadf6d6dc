"""What a case owes back: the taxes and fees a payer paid for a transfer that never happened.

A case refused, withdrawn or stopped after its bill was paid leaves the applicants out of
pocket; the deed tax of a transfer that is not registered is refundable (契税法 art. 12), the
other taxes and the registration fee likewise. One row per payer and case, written when the
case closes (`activities.refunds.record_refunds_due`), waits on the tax department's queue
until a tax clerk marks it refunded with the voucher number (`POST /cases/…/refunds/…/done`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.money import Money


class RefundStatus(StrEnum):
    DUE = "due"  # owed back, on the tax queue
    REFUNDED = "refunded"  # a tax clerk paid it back (the voucher in `reference`)


class Refund(SQLModel, table=True):
    """One payer's paid taxes and fees owed back after the case ended unregistered.

    `lines` are the paid bill's lines of this payer (as paid: an adjusted line at the
    clerk's amount), each `{"kind": "tax"|"fee", "code", "name_zh", "name_en", "amount",
    "legal_basis"}`; `amount` is the payer's paid total. The unique (case_no, payer) lets a
    retried close find the row it wrote rather than write a second.
    """

    __tablename__ = "refund"
    __table_args__ = (
        UniqueConstraint("case_no", "payer", name="uq_refund_case_payer"),
        CheckConstraint("status IN ('due', 'refunded')", name="ck_refund_status"),
        # The tax queue: the due ones, oldest first.
        Index("ix_refund_queue", "status", "due_since"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(foreign_key="case.case_no", index=True)
    payer: str  # domain.tax.Payer: buyer, seller or lender
    amount: Decimal = Field(sa_column=Column(Money, nullable=False))
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    legal_basis: str  # every basis the lines cite, joined with "；"
    reason: str  # why the case ended unregistered: its outcome and the case's reason
    status: str = RefundStatus.DUE.value
    due_since: datetime
    refunded_at: datetime | None = None
    refunded_by_id: str | None = None
    refunded_by_name: str | None = None
    reference: str | None = None  # the refund voucher's number the tax clerk entered
