"""Refunds due when a paid case ends unregistered (issue 12; 契税法 art. 12).

A case refused, withdrawn or stopped after its bill was paid closes with the money still
with the tax bureau and the registration bureau. Closing it records, per payer, what they
paid and on which legal basis it is owed back, in the caller's transaction, so the refund
exists exactly when the close does; the tax queue lists it until a clerk pays it back. The
law lets the taxpayer apply for the refund (可以申请退还): the row is what the bureau owes
on application, not a payment made.
"""

from __future__ import annotations

import functools
import tomllib
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from domain.tax import Payer
from logging_setup import get_logger
from models.archive import TaxBillRecord
from models.enums import STAGE_LABELS, Stage
from models.payloads import SmsInput
from models.refund import Refund

log = get_logger(__name__)

REFUNDABLE = frozenset({Stage.REFUSED, Stage.WITHDRAWN, Stage.FAILED})
"""Outcomes of a case that may have been paid and will never be registered. Not completed
(registered: the taxes stand) and not lapsed (it lapsed because nobody paid)."""

TEMPLATE = "refund_due"


class RefundDue(BaseModel):
    """One payer's refund as the close recorded it (the activity's result, in the history)."""

    refund_id: int
    payer: Payer
    amount: Decimal
    legal_basis: str


@functools.cache
def _bases() -> dict[str, dict[str, str]]:
    data = resources.files("domain") / "data" / "refund_basis.toml"
    doc = tomllib.loads(data.read_text(encoding="utf-8"))
    return {"tax": dict(doc["taxes"]), "fee": dict(doc["fees"])}


def legal_basis(kind: str, code: str) -> str:
    """The basis a paid line of `kind` ("tax" or "fee") and `code` is owed back on."""
    section = _bases()[kind]
    return section.get(code, section["default"])


def paid_lines(bill: dict[str, Any], payer: Payer) -> list[dict[str, Any]]:
    """The payer's lines of the stored bill that cost something, as paid (an adjusted line
    at the clerk's amount, marked so), each with its legal basis."""
    found = []
    for kind, key, pool in (
        ("tax", "tax", bill.get("lines", [])),
        ("fee", "fee", bill.get("fees", [])),
    ):
        for line in pool:
            amount = Decimal(str(line["amount"]))
            if line["payer"] != payer.value or amount <= 0:
                continue
            found.append(
                {
                    "kind": kind,
                    "code": line[key],
                    "name_zh": line.get("name_zh"),
                    "name_en": line.get("name_en"),
                    "amount": str(amount),
                    "legal_basis": legal_basis(kind, line[key]),
                    **({"adjusted": True} if line.get("adjusted") else {}),
                }
            )
    return found


def _joined(lines: list[dict[str, Any]]) -> str:
    """Each basis the lines cite, once, in the order they first appear."""
    return "；".join(dict.fromkeys(str(x["legal_basis"]) for x in lines))


def _why(outcome: Stage, reason: str | None) -> str:
    """The outcome the case closed with, in both words, and the case's own reason."""
    said = f"{outcome.value}（{STAGE_LABELS[outcome][0]}）"
    return f"{said}: {reason}" if reason else said


def _due(row: Refund) -> RefundDue:
    assert row.id is not None, "a stored refund has its id"
    return RefundDue(
        refund_id=row.id, payer=Payer(row.payer), amount=row.amount, legal_basis=row.legal_basis
    )


def record_refunds_due(
    session: Session, case_no: str, outcome: Stage, reason: str | None, now: datetime
) -> list[RefundDue]:
    """Write one refund per payer who paid something, once; the case's refunds.

    Only a paid bill with a total above zero, and only for a refused, withdrawn or failed
    case. A row already written (a retried close) is kept as it is and returned again, so a
    retry answers the same list and writes nothing. Each payer's amount is the paid bill's
    total of that payer: what they paid, adjusted or not.
    """
    if outcome not in REFUNDABLE:
        return []
    bill = session.get(TaxBillRecord, case_no)
    if bill is None or bill.status != "paid" or bill.total <= 0:
        return []
    kept = {
        r.payer: r
        for r in session.exec(
            select(Refund).where(Refund.case_no == case_no).order_by(col(Refund.id))
        )
    }
    totals = bill.bill.get("totals", {})
    rows = []
    for payer in Payer:
        owed = Decimal(str(totals.get(payer.value, "0")))
        if owed <= 0:
            continue
        row = kept.get(payer.value)
        if row is None:
            lines = paid_lines(bill.bill, payer)
            listed = sum((Decimal(x["amount"]) for x in lines), Decimal(0))
            if listed != owed:  # the bill's totals are what was paid; say so if lines differ
                log.warning(
                    "refund lines differ from the payer's total",
                    case_no=case_no,
                    payer=payer.value,
                    total=str(owed),
                    lines=str(listed),
                )
            row = Refund(
                case_no=case_no,
                payer=payer.value,
                amount=owed,
                lines=lines,
                legal_basis=_joined(lines) or legal_basis("tax", "default"),
                reason=_why(outcome, reason),
                due_since=now,
            )
            session.add(row)
            session.flush()
            log.info("refund due", case_no=case_no, payer=payer.value, amount=str(owed))
        rows.append(row)
    return [_due(r) for r in rows]


def refund_messages(case_no: str, refunds: list[RefundDue]) -> list[SmsInput]:
    """One SMS per payer owed a refund: how much, and where to claim it."""
    return [
        SmsInput(
            case_no=case_no,
            step=f"{TEMPLATE}_{r.payer.value}",
            template="refund_due",
            params={"amount": str(r.amount)},
            to_roles=[r.payer.value],
        )
        for r in refunds
    ]
