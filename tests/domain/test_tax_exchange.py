"""An exchange (互换): deed tax on the price difference the transferee pays (契税法 art. 4(2)).

The rest of this unit's side is taxed as a sale (unconfirmed), stamp duty on both sides; the
other unit of the exchange is a separate assessment at the tax desk.
"""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from pydantic import ValidationError

from domain.tax import Payer, TaxInput, TaxKind, assess


def exchange(**changes: Any) -> TaxInput:
    """Wuhan, March 2026: a 120 ㎡ flat worth ¥2,000,000, held since 2020, for a cheaper one
    and ¥300,000 paid by the transferee; the transferor's cost is not proved."""
    facts: dict[str, Any] = {
        "business_type": "exchange_transfer",
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2020, 1, 1),
        "sale_date": date(2026, 3, 16),
        "exchange_price_difference": D("300000"),
    }
    return TaxInput(**{**facts, **changes})


def test_exchange_line_by_line() -> None:
    bill = assess(exchange())

    assert {(x.tax, x.payer): x.amount for x in bill.lines} == {
        (TaxKind.DEED, Payer.BUYER): D("3000.00"),  # 1% × 300,000 (only home, ≤ 140 ㎡)
        (TaxKind.VAT, Payer.SELLER): D("0.00"),  # held ≥ 2 years
        (TaxKind.URBAN_CONSTRUCTION, Payer.SELLER): D("0.00"),
        (TaxKind.EDUCATION, Payer.SELLER): D("0.00"),
        (TaxKind.LOCAL_EDUCATION, Payer.SELLER): D("0.00"),
        (TaxKind.PIT, Payer.SELLER): D("20000.00"),  # assessed: 1% × 2,000,000
        (TaxKind.STAMP, Payer.BUYER): D("1000.00"),  # 0.05% × 2,000,000
        (TaxKind.STAMP, Payer.SELLER): D("1000.00"),
        (TaxKind.LAND_VAT, Payer.SELLER): D("0.00"),
    }
    assert bill.line(TaxKind.DEED).base == D("300000")
    # each side pays the ¥80 registration fee of the unit it receives
    assert [(f.payer, f.amount) for f in bill.fees] == [
        (Payer.BUYER, D("80.00")),
        (Payer.SELLER, D("80.00")),
    ]
    assert bill.totals == {
        Payer.BUYER: D("4080.00"),
        Payer.SELLER: D("21080.00"),
        Payer.LENDER: D("0.00"),
    }
    assert bill.total == D("25160.00")
    assert "exchange_other_side" in [r.code for r in bill.referrals]


def test_equal_values_owe_no_deed_tax() -> None:
    bill = assess(exchange(exchange_price_difference=D("0")))

    assert bill.line(TaxKind.DEED).amount == D("0.00")
    assert bill.totals[Payer.BUYER] == D("1080.00")  # stamp duty and the registration fee


def test_an_exchange_without_the_difference_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="exchange_price_difference: required"):
        exchange(exchange_price_difference=None)
