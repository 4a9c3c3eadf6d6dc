"""The tax clerk's adjustment of the computed bill (run on SQLite and PostgreSQL).

The engine's bill of a sale at ¥2,000,000 (see test_tax_bill_equals_estimate): the buyer's
deed tax ¥20,000 and registration fee ¥80, the seller's income tax ¥20,000, ¥40,080 in all.
The clerk's amounts replace the named lines and every total follows; the engine's lines
stay beside them with who changed what, when and why, and one audit row says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.tax import BILL_NOT_ADJUSTABLE
from domain.tax import Payer, TaxBill
from domain.tax.adjust import TAX_DESK_RULE, NotAdjustable
from domain.tax.adjust import adjust as rule_adjust
from domain.tax.bill import make_bill
from models.archive import Case, Handoff, Party, TaxBillRecord
from models.audit import CaseEvent
from models.database import Database
from models.payloads import PaymentRecordInput, TaxAssessment
from models.tax_adjustment import AdjustBillInput, BillAdjustment, LineAdjustment
from tests.activities import Desk, make_desk, run, store_case
from tests.actors import TAX_CLERK

AT = datetime(2026, 11, 30, 2, 15, tzinfo=UTC)  # the workflow's time of the decision
REASON = "契税基数更正 corrected deed-tax base: the contract price excludes the furniture"
ENTERPRISE_SELLER = "91420100MA4K2B3D06"


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def assessed(desk: Desk, **case: Any) -> Case:
    """A sale whose bill `assess_taxes` has stored."""
    stored = store_case(desk, **case)
    run(desk.tax.assess_taxes, stored)
    return stored


def adjustment(
    case: Case,
    *lines: tuple[str, str, str],
    at: datetime = AT,
    reason: str = REASON,
) -> AdjustBillInput:
    return AdjustBillInput(
        case_no=case.case_no,
        adjustment=BillAdjustment(
            lines=[LineAdjustment(code=c, payer=Payer(p), amount=Decimal(a)) for c, p, a in lines],
            reason=reason,
        ),
        actor=TAX_CLERK,
        at=at,
    )


def adjust(desk: Desk, inp: AdjustBillInput) -> TaxAssessment:
    result: TaxAssessment = ActivityEnvironment().run(desk.tax.adjust_bill, inp)
    return result


def refused(desk: Desk, inp: AdjustBillInput) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        adjust(desk, inp)
    assert caught.value.type == BILL_NOT_ADJUSTABLE and caught.value.non_retryable
    return caught.value


def record(db: Database, case: Case) -> TaxBillRecord:
    with db.session() as session:
        stored = session.get(TaxBillRecord, case.case_no)
        assert stored is not None
        return stored


def audit(db: Database, case: Case, action: str = "bill_adjusted") -> list[CaseEvent]:
    with db.session() as session:
        return list(
            session.exec(
                select(CaseEvent)
                .where(CaseEvent.case_no == case.case_no, CaseEvent.action == action)
                .order_by(col(CaseEvent.id))
            )
        )


def line(bill: dict[str, Any], code: str, payer: str) -> dict[str, Any]:
    found: dict[str, Any]
    (found,) = [
        x
        for x in [*bill["lines"], *bill["fees"]]
        if code in (x.get("tax"), x.get("fee")) and x["payer"] == payer
    ]
    return found


# --- adjusting ---------------------------------------------------------------------------


def test_an_adjusted_line_moves_every_total_and_the_computed_bill_stays_beside_it(
    desk: Desk,
) -> None:
    case = assessed(desk)
    engine = record(desk.db, case).bill

    result = adjust(desk, adjustment(case, ("deed_tax", "buyer", "18920.00")))

    assert (result.total, result.buyer_total, result.seller_total, result.lender_total) == (
        Decimal("39000.00"),
        Decimal("19000.00"),
        Decimal("20000.00"),
        Decimal("0.00"),
    )
    assert result.shares() == [("buyer", Decimal("19000.00")), ("seller", Decimal("20000.00"))]
    assert (result.adjusted, result.computed_total, result.adjustment_reason) == (
        True,
        Decimal("40080.00"),
        REASON,
    )
    assert (result.lines, result.fees, result.referrals) == (9, 1, ["pit_replacement_refund"])
    stored = record(desk.db, case)
    bill = stored.bill
    assert stored.total == Decimal("39000.00") and bill["total"] == "39000.00"
    assert bill["totals"] == {"buyer": "19000.00", "seller": "20000.00", "lender": "0.00"}
    deed = line(bill, "deed_tax", "buyer")
    assert (deed["amount"], deed["adjusted"]) == ("18920.00", True)
    assert deed["rule"] == line(engine, "deed_tax", "buyer")["rule"]  # the engine's trace
    assert [x for x in [*bill["lines"], *bill["fees"]] if x.get("adjusted")] == [deed]
    assert bill["computed"] == {k: engine[k] for k in ("lines", "fees", "totals", "total")}
    assert bill["adjustments"] == [
        {
            "at": AT.isoformat(),
            "by": {"staff_id": "T-0107", "name": "税务 王五", "role": "tax", "window": None},
            "reason": REASON,
            "total_before": "40080.00",
            "total_after": "39000.00",
            "changes": [
                {"code": "deed_tax", "payer": "buyer", "before": "20000.00", "after": "18920.00"}
            ],
        }
    ]
    assert TaxBill.model_validate(bill).total == Decimal("39000.00")  # still a bill
    (event,) = audit(desk.db, case)
    assert (event.actor_id, event.actor_role, event.subject, event.reason) == (
        "T-0107",
        "tax",
        "total 40080.00 → 39000.00",
        REASON,
    )
    assert event.at.replace(tzinfo=UTC) == AT and event.request_hash is not None


def test_the_stored_bill_answers_as_adjusted_when_the_assessment_is_retried(desk: Desk) -> None:
    case = assessed(desk)
    adjusted = adjust(desk, adjustment(case, ("deed_tax", "buyer", "18920.00")))

    assert run(desk.tax.assess_taxes, case) == adjusted


def test_a_fresh_assessment_is_not_adjusted_and_old_payloads_still_read(desk: Desk) -> None:
    result = run(desk.tax.assess_taxes, store_case(desk))

    assert (result.adjusted, result.computed_total, result.adjustment_reason) == (
        False,
        None,
        None,
    )
    old = {"total": "80.00", "buyer_total": "80.00", "seller_total": "0", "lines": 0}
    assert TaxAssessment.model_validate(old).adjusted is False


def test_an_exempt_line_that_now_owes_is_no_longer_marked_exempt(desk: Desk) -> None:
    case = assessed(desk)

    result = adjust(desk, adjustment(case, ("stamp_duty", "seller", "1000.00")))

    stamp = line(record(desk.db, case).bill, "stamp_duty", "seller")
    assert (stamp["exempt"], stamp["exemption_reason"], stamp["adjusted"]) == (False, None, True)
    assert (result.seller_total, result.total) == (Decimal("21000.00"), Decimal("41080.00"))
    exempt = line(record(desk.db, case).bill["computed"], "stamp_duty", "seller")
    assert exempt["exempt"] is True  # the engine's reason stays in the computed lines


def test_a_tax_the_engine_referred_to_the_desk_is_added(desk: Desk) -> None:
    case = store_case(desk)
    with desk.db.session() as session:  # an enterprise sells: its VAT and land VAT are referred
        (seller,) = session.exec(
            select(Party).where(Party.case_no == case.case_no, Party.role == "seller")
        )
        seller.id_kind, seller.id_number = "credit_code", ENTERPRISE_SELLER
        session.add(seller)
    computed = run(desk.tax.assess_taxes, case)
    assert "land_vat_assessment" in computed.referrals

    result = adjust(
        desk,
        adjustment(
            case,
            ("land_value_added_tax", "seller", "50000.00"),
            ("vat", "seller", "95238.10"),
            reason="土地增值税清算 land VAT assessed at the tax desk",
        ),
    )

    assert result.lines == computed.lines + 2
    assert result.seller_total == computed.seller_total + Decimal("145238.10")
    assert result.total == computed.total + Decimal("145238.10")
    assert result.computed_total == computed.total
    bill = record(desk.db, case).bill
    land = line(bill, "land_value_added_tax", "seller")
    assert (land["amount"], land["rule"], land["adjusted"]) == ("50000.00", TAX_DESK_RULE, True)
    codes = [x["tax"] for x in bill["lines"]]
    assert codes.index("vat") < codes.index("land_value_added_tax")  # in the engine's order
    assert [c["before"] for c in bill["adjustments"][0]["changes"]] == [None, None]


def test_a_later_adjustment_stacks_on_the_first_and_the_engine_bill_stays(desk: Desk) -> None:
    case = assessed(desk)
    adjust(desk, adjustment(case, ("deed_tax", "buyer", "18920.00")))

    later = AT + timedelta(minutes=5)
    result = adjust(
        desk, adjustment(case, ("deed_tax", "buyer", "20000.00"), at=later, reason="复核 review")
    )

    assert (result.total, result.computed_total) == (Decimal("40080.00"), Decimal("40080.00"))
    assert (result.adjusted, result.adjustment_reason) == (True, "复核 review")
    bill = record(desk.db, case).bill
    assert bill["computed"]["total"] == "40080.00"
    assert [a["changes"][0]["before"] for a in bill["adjustments"]] == ["20000.00", "18920.00"]
    assert "adjusted" not in line(bill, "deed_tax", "buyer")  # back at the engine's amount
    assert len(audit(desk.db, case)) == 2


# --- idempotency -------------------------------------------------------------------------


def test_a_retry_of_the_same_decision_changes_nothing(desk: Desk) -> None:
    case = assessed(desk)
    inp = adjustment(case, ("deed_tax", "buyer", "18920.00"))
    first = adjust(desk, inp)
    bill = record(desk.db, case).bill

    again = adjust(desk, inp)
    # The key is the case and the decision's time: the retried attempt's body is not read.
    other = adjust(desk, adjustment(case, ("deed_tax", "buyer", "1.00")))

    assert again == first == other
    assert record(desk.db, case).bill == bill
    assert len(audit(desk.db, case)) == 1


# --- refusals ----------------------------------------------------------------------------


def test_a_code_that_is_neither_a_tax_nor_a_fee_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        AdjustBillInput.model_validate(
            {
                "case_no": "420103-20261128-00001-7",
                "adjustment": {
                    "lines": [{"code": "moon_tax", "payer": "buyer", "amount": "1.00"}],
                    "reason": REASON,
                },
                "actor": TAX_CLERK.model_dump(),
                "at": AT.isoformat(),
            }
        )

    (error,) = caught.value.errors()
    assert error["loc"] == ("adjustment", "lines", 0, "code")
    assert "'moon_tax' is neither a tax nor a fee" in error["msg"]
    assert "deed_tax" in error["msg"] and "registration_fee" in error["msg"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [("registration_fee", "lender", "80.00")],
            "adjustment.lines.0.code: the bill has no registration_fee line for the lender",
        ),
        (
            [("deed_tax", "buyer", "1.00"), ("registration_fee", "seller", "80.00")],
            "adjustment.lines.1.code: the bill has no registration_fee line for the seller",
        ),
        ([("deed_tax", "buyer", "20000.00")], "adjustment.lines: every amount is already"),
    ],
    ids=["a fee the bill lacks", "the second line lacking", "no amount changes"],
)
def test_a_line_the_bill_cannot_take_is_refused_and_nothing_is_stored(
    desk: Desk, lines: list[tuple[str, str, str]], message: str
) -> None:
    case = assessed(desk)
    engine = record(desk.db, case)

    error = refused(desk, adjustment(case, *lines))

    assert error.message.startswith(message)
    after = record(desk.db, case)
    assert (after.bill, after.total) == (engine.bill, engine.total)
    assert audit(desk.db, case) == []


@pytest.mark.parametrize(
    ("amount", "kind", "rule"),
    [
        ("-0.01", "greater_than_equal", "greater than or equal to 0"),
        ("18920.005", "decimal_max_places", "no more than 2 decimal places"),
        ("1000000000000.01", "less_than_equal", "less than or equal to 1000000000000"),
        ("NaN", "finite_number", "finite number"),
    ],
    ids=["negative", "three decimals", "above the ceiling", "not a number"],
)
def test_an_amount_out_of_its_rule_is_refused_naming_the_field(
    amount: str, kind: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        BillAdjustment.model_validate(
            {"lines": [{"code": "deed_tax", "payer": "buyer", "amount": amount}], "reason": REASON}
        )

    (error,) = caught.value.errors()
    assert (error["loc"], error["type"]) == (("lines", 0, "amount"), kind)
    assert rule in error["msg"]


@pytest.mark.parametrize(
    ("body", "loc", "text"),
    [
        ({"lines": []}, ("lines",), "at least 1 item"),
        ({"lines": [{"code": "deed_tax", "payer": "buyer", "amount": "1"}] * 51}, ("lines",), "51"),
        (
            {
                "lines": [
                    {"code": "deed_tax", "payer": "buyer", "amount": "1"},
                    {"code": "deed_tax", "payer": "buyer", "amount": "2"},
                ]
            },
            (),
            "lines: deed_tax for the buyer is named twice",
        ),
        (
            {"lines": [{"code": "deed_tax", "payer": "lender", "amount": "1"}]},
            ("lines", 0),
            "payer: the lender owes no tax, only its mortgage's fee: not deed_tax",
        ),
        ({"reason": "   "}, ("reason",), "at least 1 character"),
        ({"reason": "x" * 501}, ("reason",), "at most 500 characters"),
        ({"reason": None}, ("reason",), "valid string"),
        (
            {"lines": [{"code": "deed_tax", "payer": "notary", "amount": "1"}]},
            ("lines", 0, "payer"),
            "'buyer', 'seller' or 'lender'",
        ),
    ],
    ids=[
        "no line",
        "51 lines",
        "a line twice",
        "a tax of the lender",
        "blank reason",
        "long reason",
        "no reason",
        "payer",
    ],
)
def test_an_adjustment_out_of_its_shape_is_refused_naming_the_field(
    body: dict[str, Any], loc: tuple[Any, ...], text: str
) -> None:
    valid = {"lines": [{"code": "deed_tax", "payer": "buyer", "amount": "1"}], "reason": REASON}

    with pytest.raises(ValidationError) as caught:
        BillAdjustment.model_validate({**valid, **body})

    (error,) = caught.value.errors()
    assert error["loc"] == loc and text in error["msg"]


def test_a_case_without_a_bill_is_refused(desk: Desk) -> None:
    case = store_case(desk)

    error = refused(desk, adjustment(case, ("deed_tax", "buyer", "1.00")))

    assert "has no assessed bill" in error.message
    assert audit(desk.db, case) == []


# --- payment -----------------------------------------------------------------------------


def test_the_payment_is_the_adjusted_total_and_a_paid_bill_is_never_adjusted(
    desk: Desk,
) -> None:
    case = assessed(desk)
    inp = adjustment(case, ("deed_tax", "buyer", "18920.00"))
    result = adjust(desk, inp)

    paid = ActivityEnvironment().run(
        desk.tax.record_payment,
        PaymentRecordInput(
            case_no=case.case_no,
            amount=result.total,
            reference="PAY-0001",
            paid_at=AT + timedelta(hours=1),
            actor=TAX_CLERK,
        ),
    )

    assert paid.amount == Decimal("39000.00") == result.total
    with desk.db.session() as session:
        handoffs = session.exec(
            select(Handoff).where(Handoff.case_no == case.case_no, Handoff.subject == "taxes_paid")
        )
        assert {h.payload["amount"] for h in handoffs} == {"39000.00"}
    bill = record(desk.db, case).bill
    later = AT + timedelta(hours=2)
    for repeat in (inp, adjustment(case, ("deed_tax", "buyer", "1.00"), at=later)):
        error = refused(desk, repeat)
        assert "is paid (reference PAY-0001)" in error.message
    assert record(desk.db, case).bill == bill
    assert len(audit(desk.db, case)) == 1


@pytest.mark.parametrize(
    ("code", "payer", "message"),
    [
        ("deed_tax", Payer.LENDER, "the lender owes no tax"),
        ("registration_fee", Payer.LENDER, "the bill has no registration_fee line"),
        ("moon_tax", Payer.BUYER, "'moon_tax' is neither a tax nor a fee"),
    ],
    ids=["a tax of the lender", "a fee the bill lacks", "an unknown code"],
)
def test_the_rule_itself_refuses_what_the_bill_cannot_take(
    code: str, payer: Payer, message: str
) -> None:
    bill = make_bill("mortgage_registration", date(2026, 11, 28), [], [])

    with pytest.raises(NotAdjustable, match=message) as caught:
        rule_adjust(bill, [("deed_tax", Payer.BUYER, Decimal(1)), (code, payer, Decimal(1))])

    assert caught.value.index == 1
