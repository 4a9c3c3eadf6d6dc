"""New homes: the deed-tax base is the price excluding the developer's VAT (公告2021年第23号)."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from pydantic import ValidationError

from domain.tax import PartyKind, Payer, TaxInput, TaxKind, assess


def new_home(**changes: Any) -> TaxInput:
    """Wuhan, March 2026: a buyer's only home, 120 ㎡, bought from the developer for ¥2,000,000."""
    facts: dict[str, Any] = {
        "business_type": "new_home_sale",
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_kind": PartyKind.ENTERPRISE,
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


@pytest.mark.parametrize("code", ["new_home_sale", "advance_notice_conversion"])
def test_deed_tax_on_the_price_less_the_developers_nine_percent_vat(code: str) -> None:
    bill = assess(new_home(business_type=code))

    deed = bill.line(TaxKind.DEED)
    # 2,000,000 ÷ 1.09 × 9% = 165,137.61 VAT; 1% × 1,834,862.39
    assert (deed.base, deed.rate, deed.amount) == (D("1834862.39"), D("0.01"), D("18348.62"))
    assert "165137.61" in deed.rule and "devvat-2026-01-01" in deed.rule
    assert bill.line(TaxKind.STAMP, Payer.BUYER).exempt  # an individual buying housing
    assert bill.total == D("18428.62")  # with the ¥80 registration fee


def test_the_invoices_vat_replaces_the_estimate() -> None:
    # A developer on the simplified method: 2,000,000 ÷ 1.05 × 5% = 95,238.10 on the invoice.
    deed = assess(new_home(seller_invoice_vat=D("95238.10"))).line(TaxKind.DEED)

    assert (deed.base, deed.amount) == (D("1904761.90"), D("19047.62"))
    assert "invoice" in deed.rule


def test_an_enterprise_buyer_pays_three_percent_and_stamp_duty_on_the_net_price() -> None:
    bill = assess(new_home(buyer_kind=PartyKind.ENTERPRISE))

    assert bill.line(TaxKind.DEED).amount == D("55045.87")  # 3% × 1,834,862.39
    assert bill.line(TaxKind.STAMP, Payer.BUYER).amount == D("917.43")  # 0.05% × 1,834,862.39
    assert bill.total == D("56043.30")  # with the ¥80 registration fee


def test_the_rate_in_force_on_the_sale_date_applies() -> None:
    # June 2017: 11% VAT; 1,000,000 ÷ 1.11 × 11% = 99,099.10; 1% × 900,900.90 (≤ 90 ㎡)
    inp = new_home(price=D("1000000"), area_m2=D("80"), sale_date=date(2017, 6, 1))
    deed = assess(inp).line(TaxKind.DEED)

    assert (deed.base, deed.amount) == (D("900900.90"), D("9009.01"))


def test_an_existing_home_sold_by_an_enterprise_uses_the_invoice_when_given() -> None:
    inp = new_home(business_type="existing_home_sale", seller_invoice_vat=D("165137.61"))

    assert assess(inp).line(TaxKind.DEED).base == D("1834862.39")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seller_invoice_vat": D("-1")}, "must not be negative"),
        ({"seller_invoice_vat": D("2000000")}, "is not less than the price"),
        (
            {
                "business_type": "existing_home_sale",
                "seller_kind": PartyKind.PERSON,
                "seller_acquired_on": date(2020, 1, 1),
                "seller_invoice_vat": D("10"),
            },
            "this seller's VAT is computed here",
        ),
    ],
)
def test_invoice_vat_is_refused_naming_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match="seller_invoice_vat") as exc:
        new_home(**changes)

    assert message in str(exc.value)
