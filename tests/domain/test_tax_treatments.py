"""Tax switches per business type: exemptions with reasons, other bases, desk referrals."""

from datetime import date
from decimal import Decimal as D
from importlib.resources import files
from typing import Any

import pytest

from domain.business_types import Department
from domain.catalog import get_catalog
from domain.tax import (
    FeeLine,
    PartyKind,
    Payer,
    TaxInput,
    TaxKind,
    TaxLine,
    assess,
    default_treatments,
    parse_treatments,
)

TREATMENTS_TEXT = (files("domain") / "data" / "tax_treatments.toml").read_text(encoding="utf-8")
# The catalog is the one list of business types (tests/domain/test_catalog.py pins it).
CATALOG = get_catalog()
BUSINESS_TYPES = set(CATALOG.business_types)
TAXED = {c for c in BUSINESS_TYPES if CATALOG.business_type(c).takes_part(Department.TAX)}


def case(business_type: str, **changes: Any) -> TaxInput:
    facts: dict[str, Any] = {
        "business_type": business_type,
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2020, 1, 1),
        "sale_date": date(2026, 3, 16),
    }
    if business_type == "exchange_transfer":
        facts["exchange_price_difference"] = D("300000")
    return TaxInput(**{**facts, **changes})


def test_every_taxed_business_type_has_a_treatment_and_no_other_has_one() -> None:
    assert set(default_treatments().types) == TAXED


@pytest.mark.parametrize("code", sorted(BUSINESS_TYPES))
def test_every_business_type_gives_a_consistent_bill(code: str) -> None:
    lender = PartyKind.ENTERPRISE if CATALOG.business_type(code).party_kinds.lender else None
    bill = assess(case(code, lender_kind=lender))

    assert bool(bill.lines or bill.referrals or bill.fees) == CATALOG.business_type(code).billed
    assert bool(bill.lines) == (code in TAXED)
    charged: list[TaxLine | FeeLine] = [*bill.lines, *bill.fees]
    assert all(line.amount >= 0 for line in charged)
    assert all(line.exemption_reason for line in charged if line.exempt)
    assert bill.total == sum(bill.totals.values())
    for payer in Payer:
        assert bill.totals[payer] == sum(x.amount for x in charged if x.payer is payer)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("inheritance_transfer", "legal heir"),
        ("divorce_division_transfer", "divorce"),
        ("spouse_change", "契税法 art. 6(4)"),
    ],
)
def test_deed_tax_exempt_line_with_reason(code: str, reason: str) -> None:
    bill = assess(case(code, seller_acquired_on=None))

    deed = bill.line(TaxKind.DEED)
    assert (deed.amount, deed.exempt) == (D("0.00"), True)
    assert reason in (deed.exemption_reason or "")
    assert sum(x.amount for x in bill.lines) == 0
    assert bill.total == D("80.00")  # the registration fee alone


def test_inheritance_flags_legatees_who_are_not_heirs() -> None:
    assert [r.code for r in assess(case("inheritance_transfer")).referrals] == ["legatee_not_heir"]


def test_exchange_pays_deed_tax_on_the_price_difference() -> None:
    deed = assess(case("exchange_transfer")).line(TaxKind.DEED)

    assert (deed.base, deed.rate, deed.amount) == (D("300000"), D("0.01"), D("3000.00"))
    assert "price difference" in deed.rule


def test_exchange_of_equal_value_owes_no_deed_tax() -> None:
    inp = case("exchange_transfer", exchange_price_difference=D("0"))

    assert assess(inp).line(TaxKind.DEED).amount == 0


def test_gift_pays_the_provincial_rate_on_the_assessed_value() -> None:
    bill = assess(case("gift_transfer", relationship="parent", seller_acquired_on=None))

    deed = bill.line(TaxKind.DEED)
    assert (deed.base, deed.rate, deed.amount) == (D("2000000"), D("0.03"), D("60000.00"))
    assert bill.line(TaxKind.VAT).exempt
    assert bill.line(TaxKind.PIT, Payer.BUYER).exempt
    assert bill.line(TaxKind.PIT, Payer.SELLER).exempt
    # 60,000 deed tax + 0.05% stamp duty on 2,000,000 for each party (1,000 + 1,000)
    # + the ¥80 registration fee
    assert bill.total == D("62080.00")


def test_gift_outside_close_relatives_taxes_donor_vat_and_donee_income() -> None:
    bill = assess(case("gift_transfer", seller_acquired_on=date(2025, 1, 1)))

    assert bill.line(TaxKind.VAT).amount == D("58252.43")
    # 20% × (2,000,000 − deed tax 60,000 − stamp duty 1,000 paid by the donee)
    donee = bill.line(TaxKind.PIT, Payer.BUYER)
    assert (donee.base, donee.amount) == (D("1939000"), D("387800.00"))
    assert not [x for x in bill.lines if x.tax is TaxKind.PIT and x.payer is Payer.SELLER]


def test_new_home_buyer_pays_deed_tax_only_and_the_invoice_is_referred() -> None:
    bill = assess(case("new_home_sale", seller_kind=PartyKind.ENTERPRISE, seller_acquired_on=None))

    # 1% of 2,000,000 less the developer's 9% VAT (165,137.61): 1% × 1,834,862.39
    assert bill.totals == {  # with the ¥80 registration fee
        Payer.BUYER: D("18428.62"),
        Payer.SELLER: D("0.00"),
        Payer.LENDER: D("0.00"),
    }
    assert [x.tax for x in bill.lines if not x.exempt] == [TaxKind.DEED]
    assert [r.code for r in bill.referrals] == ["developer_vat_invoice"]


def test_enterprise_seller_is_referred_not_computed() -> None:
    bill = assess(case("existing_home_sale", seller_kind=PartyKind.ENTERPRISE))

    assert {r.code for r in bill.referrals} == {"enterprise_seller_vat", "land_vat_assessment"}
    assert not any(x.tax in (TaxKind.VAT, TaxKind.PIT, TaxKind.LAND_VAT) for x in bill.lines)
    assert bill.line(TaxKind.STAMP, Payer.SELLER).amount == D("1000.00")
    assert "VAT not computed" in bill.line(TaxKind.DEED).rule


def test_enterprises_between_themselves_pay_stamp_duty_on_both_sides() -> None:
    inp = case(
        "enterprise_non_residential_sale",
        buyer_kind="enterprise",
        seller_kind="enterprise",
        usage="non_residential",
        seller_acquired_on=None,
    )
    bill = assess(inp)

    assert bill.line(TaxKind.STAMP, Payer.BUYER).amount == D("1000.00")
    assert bill.line(TaxKind.DEED).amount == D("60000.00")
    assert bill.totals[Payer.BUYER] == D("61550.00")  # with the ¥550 non-residential fee


def test_restructuring_computes_deed_tax_but_flags_reliefs_and_seller_taxes() -> None:
    bill = assess(case("enterprise_restructuring_transfer", buyer_kind="enterprise"))

    assert bill.line(TaxKind.DEED).rate == D("0.03")
    assert [r.code for r in bill.referrals] == ["enterprise_relief", "restructuring_seller_taxes"]
    assert all(x.payer is Payer.BUYER for x in bill.lines)


def test_treatment_referrals_have_texts_in_both_languages() -> None:
    bill = assess(case("judicial_auction_transfer"))

    auction = next(r for r in bill.referrals if r.code == "auction_terms")
    assert auction.reason_zh and auction.reason_en


def test_broken_treatments_file_is_refused_naming_the_entry() -> None:
    broken = TREATMENTS_TEXT.replace('deed = "exempt"', 'deed = "maybe"', 1)

    with pytest.raises(ValueError, match=r"types\.inheritance_transfer\.deed"):
        parse_treatments(broken)


def test_treatment_with_an_undefined_referral_is_refused() -> None:
    broken = TREATMENTS_TEXT.replace(
        'referrals = ["legatee_not_heir"]', 'referrals = ["nobody_knows"]'
    )

    with pytest.raises(ValueError, match="inheritance_transfer.referrals: 'nobody_knows'"):
        parse_treatments(broken)
