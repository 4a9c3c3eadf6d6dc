"""A gift within the family, to the owner's supporter or to an heir (财税〔2009〕78号 art. 1).

No income tax for either side, no VAT (财税〔2016〕36号 附件3), deed tax at the general rate
except between spouses and for heirs (契税法 art. 6). Worked on a ¥1,000,000 flat.
"""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.tax import FeeKind, Payer, Relationship, TaxBill, TaxInput, TaxKind, assess


def gift(**changes: Any) -> TaxInput:
    """Wuhan, March 2026: a 120 ㎡ flat assessed at ¥1,000,000, given by its owner since 2024-09."""
    facts: dict[str, Any] = {
        "business_type": "gift_transfer",
        "price": D("1000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2024, 9, 10),
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


def amounts(bill: TaxBill) -> dict[tuple[TaxKind, Payer], D]:
    return {(x.tax, x.payer): x.amount for x in bill.lines}


def test_gift_to_a_child_line_by_line() -> None:
    bill = assess(gift(relationship=Relationship.CHILD))

    assert amounts(bill) == {
        (TaxKind.DEED, Payer.BUYER): D("30000.00"),  # 3% × 1,000,000
        (TaxKind.VAT, Payer.SELLER): D("0.00"),
        (TaxKind.URBAN_CONSTRUCTION, Payer.SELLER): D("0.00"),
        (TaxKind.EDUCATION, Payer.SELLER): D("0.00"),
        (TaxKind.LOCAL_EDUCATION, Payer.SELLER): D("0.00"),
        (TaxKind.PIT, Payer.BUYER): D("0.00"),
        (TaxKind.PIT, Payer.SELLER): D("0.00"),
        (TaxKind.STAMP, Payer.BUYER): D("500.00"),  # 0.05% × 1,000,000
        (TaxKind.STAMP, Payer.SELLER): D("500.00"),
    }
    assert bill.fee(FeeKind.REGISTRATION).amount == D("80.00")
    assert bill.totals == {
        Payer.BUYER: D("30580.00"),
        Payer.SELLER: D("500.00"),
        Payer.LENDER: D("0.00"),
    }
    assert bill.total == D("31080.00")  # ¥31,000 of taxes and the ¥80 registration fee
    assert "78号" in (bill.line(TaxKind.PIT, Payer.BUYER).exemption_reason or "")
    assert "78号" in (bill.line(TaxKind.PIT, Payer.SELLER).exemption_reason or "")
    assert "36号" in (bill.line(TaxKind.VAT).exemption_reason or "")
    assert bill.line(TaxKind.DEED).rate == D("0.03")


@pytest.mark.parametrize(
    "relationship",
    [
        Relationship.PARENT,
        Relationship.CHILD,
        Relationship.GRANDPARENT,
        Relationship.GRANDCHILD,
        Relationship.SIBLING,
        Relationship.DEPENDANT,
    ],
)
def test_close_relatives_and_supporters_pay_deed_tax_and_stamp_duty_only(
    relationship: Relationship,
) -> None:
    bill = assess(gift(relationship=relationship, seller_acquired_on=None))

    assert bill.total == D("31080.00")  # with the ¥80 registration fee
    assert bill.line(TaxKind.DEED).amount == D("30000.00")


@pytest.mark.parametrize(
    ("relationship", "article"),
    [(Relationship.SPOUSE, "art. 6(4)"), (Relationship.HEIR, "art. 6(5)")],
)
def test_spouse_and_heir_are_also_free_of_deed_tax(
    relationship: Relationship, article: str
) -> None:
    bill = assess(gift(relationship=relationship, seller_acquired_on=None))

    deed = bill.line(TaxKind.DEED)
    assert (deed.amount, deed.exempt) == (D("0.00"), True)
    assert article in (deed.exemption_reason or "")
    assert bill.totals == {
        Payer.BUYER: D("580.00"),  # stamp duty and the registration fee
        Payer.SELLER: D("500.00"),
        Payer.LENDER: D("0.00"),
    }
    assert bill.total == D("1080.00")


def test_gift_outside_the_family_line_by_line() -> None:
    bill = assess(gift())

    assert amounts(bill) == {
        (TaxKind.DEED, Payer.BUYER): D("30000.00"),
        (TaxKind.VAT, Payer.SELLER): D("29126.21"),  # 1,000,000 ÷ 1.03 × 3% (held < 2 years)
        (TaxKind.URBAN_CONSTRUCTION, Payer.SELLER): D("2038.83"),
        (TaxKind.EDUCATION, Payer.SELLER): D("873.79"),
        (TaxKind.LOCAL_EDUCATION, Payer.SELLER): D("582.52"),
        # 20% × (1,000,000 − deed tax 30,000 − stamp duty 500 paid by the donee)
        (TaxKind.PIT, Payer.BUYER): D("193900.00"),
        (TaxKind.STAMP, Payer.BUYER): D("500.00"),
        (TaxKind.STAMP, Payer.SELLER): D("500.00"),
    }
    assert bill.totals == {
        Payer.BUYER: D("224480.00"),  # with the ¥80 registration fee
        Payer.SELLER: D("33121.35"),
        Payer.LENDER: D("0.00"),
    }
    assert bill.total == D("257601.35")


def test_the_relationship_waives_the_acquisition_date_only_where_vat_is_exempt() -> None:
    assert (
        gift(relationship=Relationship.SIBLING, seller_acquired_on=None).seller_acquired_on is None
    )
    with pytest.raises(ValueError, match="seller_acquired_on: required"):
        gift(seller_acquired_on=None)
