"""The worked example of the reference (domain.md §3.3), every line to the fen."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.tax import Payer, TaxInput, TaxKind, Usage, assess

SURCHARGES = (TaxKind.URBAN_CONSTRUCTION, TaxKind.EDUCATION, TaxKind.LOCAL_EDUCATION)


def case_a(**changes: Any) -> TaxInput:
    """Wuhan, March 2026: 120 ㎡ at 2,000,000; bought 2024-09 for 1,600,000 + 16,000 deed tax."""
    facts: dict[str, Any] = {
        "business_type": "existing_home_sale",
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2024, 9, 10),
        "seller_original_price": D("1600000"),
        "seller_original_taxes": D("16000"),
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


def case_b(**changes: Any) -> TaxInput:
    """Same sale, but the seller's family's only home, held at least five years."""
    facts: dict[str, Any] = {
        "seller_acquired_on": date(2019, 9, 10),
        "seller_family_only_home": True,
    }
    return case_a(**{**facts, **changes})


def test_case_a_seller_pays_vat_surcharges_and_verified_income_tax() -> None:
    bill = assess(case_a())

    assert bill.line(TaxKind.VAT).amount == D("58252.43")
    assert bill.line(TaxKind.VAT).base == D("1941747.57")  # price excl. VAT
    surcharges = [bill.line(t) for t in SURCHARGES]
    assert [s.amount for s in surcharges] == [D("4077.67"), D("1747.57"), D("1165.05")]
    assert sum(s.amount for s in surcharges) == D("6990.29")
    assert bill.line(TaxKind.PIT).amount == D("63751.46")
    assert bill.line(TaxKind.PIT).base == D("318757.28")
    assert bill.line(TaxKind.STAMP, Payer.SELLER).amount == 0
    assert bill.line(TaxKind.LAND_VAT).amount == 0


def test_case_a_buyer_pays_deed_tax_at_one_percent_of_price_excluding_vat() -> None:
    deed = assess(case_a()).line(TaxKind.DEED)

    assert (deed.payer, deed.base, deed.rate, deed.amount) == (
        Payer.BUYER,
        D("1941747.57"),
        D("0.01"),
        D("19417.48"),
    )
    assert deed.rule_version == "deed-2024-12-01"
    assert "only home" in deed.rule and "140" in deed.rule


def test_case_a_totals_per_payer() -> None:
    bill = assess(case_a())

    # the reference's taxes, and the buyer's ¥80 registration fee on top
    assert bill.totals == {
        Payer.BUYER: D("19497.48"),
        Payer.SELLER: D("128994.18"),
        Payer.LENDER: D("0.00"),
    }
    assert bill.total == D("148491.66")
    assert bill.rules_as_of == date(2026, 3, 16)


def test_case_a_without_original_price_assesses_income_tax_at_one_percent() -> None:
    pit = assess(case_a(seller_original_price=None)).line(TaxKind.PIT)

    assert pit.amount == D("19417.48")
    assert pit.rate == D("0.01")
    assert "assessed" in pit.rule


def test_case_a_flags_the_home_replacement_refund_for_the_tax_desk() -> None:
    codes = [r.code for r in assess(case_a()).referrals]

    assert codes == ["pit_replacement_refund"]


def test_case_b_seller_owes_nothing_and_each_exemption_says_why() -> None:
    bill = assess(case_b())

    seller_lines = [x for x in bill.lines if x.payer is Payer.SELLER]
    assert {x.tax for x in seller_lines} == {
        TaxKind.VAT,
        *SURCHARGES,
        TaxKind.PIT,
        TaxKind.STAMP,
        TaxKind.LAND_VAT,
    }
    assert all(x.amount == 0 and x.exempt and x.exemption_reason for x in seller_lines)
    assert "满五唯一" in (bill.line(TaxKind.PIT).exemption_reason or "")
    assert "2 years" in (bill.line(TaxKind.VAT).exemption_reason or "")
    assert bill.totals[Payer.SELLER] == 0
    assert bill.referrals == []


def test_case_b_deed_tax_on_the_full_price() -> None:
    bill = assess(case_b())

    assert bill.line(TaxKind.DEED).amount == D("20000.00")
    assert bill.total == D("20080.00")  # with the ¥80 registration fee


def test_case_b_second_home_of_150_square_metres_pays_two_percent() -> None:
    deed = assess(case_b(area_m2=D("150"), buyer_home_count=2)).line(TaxKind.DEED)

    assert (deed.rate, deed.amount) == (D("0.02"), D("40000.00"))


@pytest.mark.parametrize(
    "change",
    [{"buyer_kind": "enterprise"}, {"buyer_home_count": 3}],
    ids=["enterprise buyer", "third home"],
)
def test_case_b_general_rate_of_three_percent(change: dict[str, Any]) -> None:
    deed = assess(case_b(**change)).line(TaxKind.DEED)

    assert (deed.rate, deed.amount) == (D("0.03"), D("60000.00"))


def test_non_residential_unit_pays_three_percent_and_seller_goes_to_the_desk() -> None:
    bill = assess(case_b(usage=Usage.NON_RESIDENTIAL, seller_family_only_home=False))

    assert bill.line(TaxKind.DEED).amount == D("60000.00")
    assert {r.code for r in bill.referrals} == {
        "non_residential_individual_seller",
        "land_vat_assessment",
    }
    assert bill.line(TaxKind.STAMP, Payer.SELLER).amount == D("1000.00")
    assert not any(x.tax in (TaxKind.VAT, TaxKind.PIT) for x in bill.lines)
