"""Refunds due: a paid case that ends unregistered owes each payer what they paid (issue 12).

The engine's bill of a sale at ¥2,000,000 (see test_tax_bill_equals_estimate): the buyer's
deed tax ¥20,000 and registration fee ¥80, the seller's income tax ¥20,000. Closing such a
case refused, withdrawn or failed after the payment writes one refund per payer with the
paid lines and their legal basis, texts each payer, and answers the refunds; a retry writes
and sends nothing twice. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from temporalio.testing import ActivityEnvironment

from activities.refunds import RefundDue, record_refunds_due
from domain.tax import Payer
from models.archive import Case, SmsMessage
from models.database import Database
from models.enums import Stage
from models.notices import CloseNotice
from models.payloads import CloseCaseInput, PaymentRecordInput, SmsInput
from models.refund import Refund
from models.tax_adjustment import AdjustBillInput, BillAdjustment, LineAdjustment
from tests.activities import BUYER_PHONE, SELLER_PHONE, Desk, make_desk, run, store_case
from tests.actors import TAX_CLERK

DEED = "《中华人民共和国契税法》第十二条"
COLLECTION_LAW = "《中华人民共和国税收征收管理法》第五十一条"
FEE = "《不动产登记收费标准》（发改价格规〔2016〕2559号）"
PAID_AT = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
REASON = "不动产已被查封 the unit is seized"


def assessed_case(desk: Desk) -> Case:
    """A sale whose bill is stored and not paid."""
    case = store_case(desk)
    run(desk.tax.assess_taxes, case)
    return case


def pay(desk: Desk, case: Case) -> None:
    """The tax clerk confirms the payment of the stored bill, as it stands."""
    total = run(desk.tax.assess_taxes, case).total
    ActivityEnvironment().run(
        desk.tax.record_payment,
        PaymentRecordInput(
            case_no=case.case_no,
            amount=total,
            reference="WH-TAX-2026-000123",
            paid_at=PAID_AT,
            actor=TAX_CLERK,
        ),
    )


def paid_case(desk: Desk) -> Case:
    """A sale whose bill of ¥40,080 is paid."""
    case = assessed_case(desk)
    pay(desk, case)
    return case


def close(
    desk: Desk, case: Case, outcome: Stage = Stage.REFUSED, reason: str | None = REASON
) -> list[RefundDue]:
    """Close the case as the lean flows do, telling the parties why it ended."""
    told = [
        SmsInput(
            case_no=case.case_no,
            step="refused",
            template="refused",
            params={"reason": reason or "-"},
        )
    ]
    notice = CloseNotice(
        close=CloseCaseInput(case_no=case.case_no, outcome=outcome, reason=reason),
        sms=told if outcome is Stage.REFUSED else [],
    )
    result: list[RefundDue] = ActivityEnvironment().run(desk.steps().close_and_notify, notice)
    return result


def refunds(db: Database, case: Case) -> list[Refund]:
    with db.session() as session:
        return list(
            session.exec(
                select(Refund).where(Refund.case_no == case.case_no).order_by(col(Refund.id))
            )
        )


def refund_texts(desk: Desk, case: Case) -> dict[str, str]:
    """The refund SMS sent, by phone."""
    return {
        m["phone"]: m["text"]
        for m in desk.sms.messages()
        if m["idempotency_key"].startswith(f"{case.case_no}:refund_due_")
    }


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def test_a_paid_case_refused_owes_each_payer_their_paid_lines_and_tells_them(
    desk: Desk,
) -> None:
    case = paid_case(desk)

    result = close(desk, case)

    rows = refunds(desk.db, case)
    assert [(r.payer, r.amount, r.status) for r in rows] == [
        ("buyer", Decimal("20080.00"), "due"),
        ("seller", Decimal("20000.00"), "due"),
    ]
    buyer, seller = rows
    assert [(x["kind"], x["code"], x["amount"], x["legal_basis"]) for x in buyer.lines] == [
        ("tax", "deed_tax", "20000.00", DEED),
        ("fee", "registration_fee", "80.00", FEE),
    ]
    assert buyer.legal_basis == f"{DEED}；{FEE}"
    assert [(x["code"], x["legal_basis"]) for x in seller.lines] == [
        ("individual_income_tax", COLLECTION_LAW)
    ]
    assert seller.legal_basis == COLLECTION_LAW
    assert "refused" in buyer.reason and REASON in buyer.reason
    assert buyer.due_since is not None and buyer.refunded_at is None and buyer.reference is None
    # The result is what the workflow's history shows: one refund per payer.
    assert result == [
        RefundDue(refund_id=r.id or 0, payer=Payer(r.payer), amount=r.amount, legal_basis=b)
        for r, b in ((buyer, f"{DEED}；{FEE}"), (seller, COLLECTION_LAW))
    ]
    texts = refund_texts(desk, case)
    assert set(texts) == {BUYER_PHONE, SELLER_PHONE}
    assert "20080.00" in texts[BUYER_PHONE] and "20000.00" in texts[SELLER_PHONE]
    assert all(case.case_no in t and "退还" in t for t in texts.values())
    with desk.db.session() as session:
        closed = session.get(Case, case.case_no)
    assert closed is not None and closed.status == "closed"  # the close itself as before


def test_a_retried_close_writes_and_sends_nothing_twice_and_answers_the_same(
    desk: Desk,
) -> None:
    case = paid_case(desk)

    first = close(desk, case)
    again = close(desk, case)

    assert again == first and len(first) == 2
    assert len(refunds(desk.db, case)) == 2
    mine = [m for m in desk.sms.messages() if m["idempotency_key"].startswith(case.case_no)]
    # refused to buyer and seller, and each payer's refund: four messages, none twice
    assert len(mine) == 4 == len({m["idempotency_key"] for m in mine})
    with desk.db.session() as session:
        stored = session.exec(select(SmsMessage).where(SmsMessage.case_no == case.case_no)).all()
    assert sorted(m.idempotency_key.split(":")[1] for m in stored) == [
        "refund_due_buyer",
        "refund_due_seller",
        "refused",
        "refused",
    ]
    assert {m.status for m in stored} == {"sent"}


@pytest.mark.parametrize("outcome", [Stage.WITHDRAWN, Stage.FAILED])
def test_a_paid_case_withdrawn_or_failed_owes_the_same(desk: Desk, outcome: Stage) -> None:
    case = paid_case(desk)

    result = close(desk, case, outcome, reason="申请人撤回 the applicant withdrew")

    assert [(r.payer, r.amount) for r in result] == [
        (Payer.BUYER, Decimal("20080.00")),
        (Payer.SELLER, Decimal("20000.00")),
    ]
    assert all(outcome.value in r.reason for r in refunds(desk.db, case))


@pytest.mark.parametrize("outcome", [Stage.COMPLETED, Stage.LAPSED])
def test_a_completed_or_lapsed_case_owes_nothing(desk: Desk, outcome: Stage) -> None:
    case = paid_case(desk)  # a lapsed case is never paid; a paid one owes nothing all the same

    assert close(desk, case, outcome, reason=None) == []
    assert refunds(desk.db, case) == [] and refund_texts(desk, case) == {}


def test_an_unpaid_bill_owes_nothing(desk: Desk) -> None:
    case = assessed_case(desk)

    assert close(desk, case) == []
    assert refunds(desk.db, case) == [] and refund_texts(desk, case) == {}


def test_a_case_without_a_bill_owes_nothing(desk: Desk) -> None:
    case = store_case(desk)  # refused before the assessment

    assert close(desk, case) == []
    assert refunds(desk.db, case) == []


def test_an_adjusted_bill_is_refunded_as_paid(desk: Desk) -> None:
    case = assessed_case(desk)
    ActivityEnvironment().run(
        desk.tax.adjust_bill,
        AdjustBillInput(
            case_no=case.case_no,
            adjustment=BillAdjustment(
                lines=[LineAdjustment(code="deed_tax", payer=Payer.BUYER, amount=Decimal("18920"))],
                reason="契税基数更正 corrected deed-tax base",
            ),
            actor=TAX_CLERK,
            at=PAID_AT,
        ),
    )
    pay(desk, case)

    close(desk, case)

    buyer = refunds(desk.db, case)[0]
    assert buyer.amount == Decimal("19000.00")  # the clerk's ¥18,920 and the ¥80 fee
    deed = buyer.lines[0]
    assert (deed["code"], deed["amount"], deed.get("adjusted")) == ("deed_tax", "18920.00", True)


def test_refunds_are_written_in_the_callers_transaction(desk: Desk) -> None:
    case = paid_case(desk)
    now = datetime.now(UTC)

    with pytest.raises(RuntimeError), desk.db.session() as session:
        assert len(record_refunds_due(session, case.case_no, Stage.REFUSED, REASON, now)) == 2
        raise RuntimeError("the close failed after the refunds were written")

    assert refunds(desk.db, case) == []  # rolled back with the caller's work
    with desk.db.session() as session:
        kept = record_refunds_due(session, case.case_no, Stage.REFUSED, REASON, now)
    with desk.db.session() as session:
        assert record_refunds_due(session, case.case_no, Stage.REFUSED, "again", now) == kept
    assert [r.reason for r in refunds(desk.db, case)] == [f"refused（不予办理）: {REASON}"] * 2
