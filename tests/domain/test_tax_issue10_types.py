"""Issue 10's types: a co-owner's share, an individual's shop, and mortgages without tax."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from pydantic import ValidationError

from domain.tax import (
    FeeKind,
    PartyKind,
    Payer,
    TaxInput,
    TaxKind,
    UnknownTreatment,
    assess,
    default_treatments,
)


def case(business_type: str, **changes: Any) -> TaxInput:
    facts: dict[str, Any] = {
        "business_type": business_type,
        "price": D("1000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


def shop(**changes: Any) -> TaxInput:
    return case(
        "individual_non_residential_sale",
        usage="non_residential",
        area_m2=D("40"),
        **changes,
    )


def test_a_mortgage_is_the_lenders_fee_alone() -> None:
    bill = assess(case("mortgage_registration", transferees=0, lender_kind="enterprise"))

    assert (bill.lines, bill.referrals) == ([], [])
    assert bill.fee(FeeKind.REGISTRATION).payer is Payer.LENDER
    assert bill.totals == {Payer.BUYER: 0, Payer.SELLER: 0, Payer.LENDER: D("80.00")}
    assert bill.total == D("80.00")


def test_a_cancellation_is_a_zero_bill_without_lines() -> None:
    bill = assess(case("mortgage_cancellation", transferees=0, lender_kind="enterprise"))

    assert (bill.lines, bill.fees, bill.referrals, bill.total) == ([], [], [], D("0.00"))


def test_a_sale_with_a_new_mortgage_bills_the_buyer_and_the_lender() -> None:
    bill = assess(
        case(
            "existing_home_sale_with_new_mortgage",
            seller_acquired_on=date(2020, 1, 1),
            lender_kind="enterprise",
        )
    )

    assert [(f.payer, f.registration, f.amount) for f in bill.fees] == [
        (Payer.BUYER, "title", D("80.00")),
        (Payer.LENDER, "mortgage", D("80.00")),
    ]
    assert bill.totals[Payer.LENDER] == D("80.00")
    assert bill.totals[Payer.BUYER] == bill.line(TaxKind.DEED).amount + D("80.00")


def test_a_lender_for_a_type_without_a_mortgage_is_refused() -> None:
    with pytest.raises(
        ValidationError, match="lender_kind: existing_home_sale records no mortgage"
    ):
        case("existing_home_sale", seller_acquired_on=date(2020, 1, 1), lender_kind="enterprise")


def test_a_co_owners_share_is_taxed_as_a_home_sale_and_the_relief_flagged() -> None:
    bill = assess(case("share_transfer", seller_acquired_on=date(2025, 1, 1)))

    assert bill.line(TaxKind.VAT).amount == D("29126.21")  # 1,000,000 ÷ 1.03 × 3%, held < 2
    deed = bill.line(TaxKind.DEED)
    assert (deed.rate, deed.base) == (D("0.01"), D("970873.79"))  # family's only home
    assert bill.line(TaxKind.STAMP, Payer.BUYER).exempt  # 财税〔2008〕137号
    assert bill.line(TaxKind.LAND_VAT).exempt
    assert "share_purchase_relief" in [r.code for r in bill.referrals]
    assert bill.fee(FeeKind.REGISTRATION).amount == D("80.00")


def test_an_individuals_shop_without_a_proved_cost_line_by_line() -> None:
    bill = assess(shop())

    assert {(x.tax, x.payer): x.amount for x in bill.lines} == {
        (TaxKind.VAT, Payer.SELLER): D("47619.05"),  # 1,000,000 ÷ 1.05 × 5%
        (TaxKind.URBAN_CONSTRUCTION, Payer.SELLER): D("3333.33"),  # 7% of VAT
        (TaxKind.EDUCATION, Payer.SELLER): D("1428.57"),
        (TaxKind.LOCAL_EDUCATION, Payer.SELLER): D("952.38"),
        (TaxKind.PIT, Payer.SELLER): D("9523.81"),  # assessed 1% × 952,380.95
        (TaxKind.STAMP, Payer.BUYER): D("476.19"),  # 0.05% × 952,380.95, no housing relief
        (TaxKind.STAMP, Payer.SELLER): D("476.19"),
        (TaxKind.DEED, Payer.BUYER): D("28571.43"),  # general 3% × 952,380.95
    }
    assert "non-housing" in bill.line(TaxKind.PIT).rule
    assert [r.code for r in bill.referrals] == ["land_vat_assessment"]
    assert [(f.payer, f.amount) for f in bill.fees] == [(Payer.BUYER, D("550.00"))]
    assert bill.totals[Payer.BUYER] == D("29597.62")  # 476.19 + 28,571.43 + 550


def test_an_individuals_shop_with_a_proved_cost_pays_vat_and_income_tax_on_the_gain() -> None:
    bill = assess(shop(seller_original_price=D("790000"), seller_acquired_on=date(2015, 5, 1)))

    vat = bill.line(TaxKind.VAT)
    assert vat.amount == D("10000.00")  # (1,000,000 − 790,000) ÷ 1.05 × 5%
    assert "purchase price 790000" in vat.rule
    pit = bill.line(TaxKind.PIT)
    # 20% × (990,000 − 790,000 − surcharges 1,200 − stamp duty 495)
    assert (pit.rate, pit.base, pit.amount) == (D("0.20"), D("198305.00"), D("39661.00"))
    assert "pit_replacement_refund" not in [r.code for r in bill.referrals]  # homes only


def test_an_individuals_shop_needs_no_acquisition_date_nor_gets_the_only_home_relief() -> None:
    bill = assess(shop(seller_family_only_home=True, seller_acquired_on=date(2010, 1, 1)))

    assert not bill.line(TaxKind.PIT).exempt
    assert not bill.line(TaxKind.VAT).exempt


def test_an_individuals_shop_sold_to_an_enterprise_taxes_both_sides() -> None:
    bill = assess(shop(buyer_kind=PartyKind.ENTERPRISE))

    assert bill.line(TaxKind.STAMP, Payer.BUYER).amount == D("476.19")
    assert bill.line(TaxKind.DEED).rate == D("0.03")


def test_a_taxed_type_without_a_treatment_stays_unknown_for_the_tax_desk() -> None:
    full = default_treatments()
    partial = full.model_copy(
        update={"types": {k: v for k, v in full.types.items() if k != "share_transfer"}}
    )

    with pytest.raises(UnknownTreatment, match="share_transfer"):
        assess(case("share_transfer", seller_acquired_on=date(2020, 1, 1)), treatments=partial)
