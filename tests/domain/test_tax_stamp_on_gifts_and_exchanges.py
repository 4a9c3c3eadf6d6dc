"""Stamp duty: 财税〔2008〕137号 exempts individuals' housing sales and purchases only.

Gifts and exchanges are transfers of property rights (印花税法, 产权转移书据) at 0.05 % for
each party.
"""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.tax import Payer, Relationship, TaxInput, TaxKind, assess


def case(business_type: str, **changes: Any) -> TaxInput:
    facts: dict[str, Any] = {
        "business_type": business_type,
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2020, 1, 1),
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


@pytest.mark.parametrize(
    "inp",
    [
        case("gift_transfer", relationship=Relationship.CHILD),
        case("gift_transfer"),
        case("exchange_transfer", exchange_price_difference=D("300000")),
    ],
    ids=["gift to a child", "gift to another", "exchange"],
)
def test_each_party_pays_half_a_per_mille_of_two_million(inp: TaxInput) -> None:
    bill = assess(inp)

    for payer in (Payer.BUYER, Payer.SELLER):
        stamp = bill.line(TaxKind.STAMP, payer)
        assert (stamp.base, stamp.rate, stamp.amount) == (D("2000000"), D("0.0005"), D("1000.00"))
        assert not stamp.exempt
        assert "137号 exempts sales and purchases only" in stamp.rule


@pytest.mark.parametrize("code", ["existing_home_sale", "public_housing_sale"])
def test_individuals_selling_and_buying_housing_stay_exempt(code: str) -> None:
    bill = assess(case(code))

    for payer in (Payer.BUYER, Payer.SELLER):
        stamp = bill.line(TaxKind.STAMP, payer)
        assert (stamp.amount, stamp.exempt) == (D("0.00"), True)
        assert "137号" in (stamp.exemption_reason or "")
