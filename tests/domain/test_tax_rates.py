"""Rate tables keyed by effective date: each side of a change, and no guessing backwards."""

from datetime import date
from decimal import Decimal as D
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tax import NoRulesInForce, Payer, TaxInput, TaxKind, assess, default_rates, parse_rates

SURCHARGES = (TaxKind.URBAN_CONSTRUCTION, TaxKind.EDUCATION, TaxKind.LOCAL_EDUCATION)
RATES_TEXT = (files("domain") / "data" / "tax_rates.toml").read_text(encoding="utf-8")


def sale(**changes: Any) -> TaxInput:
    facts: dict[str, Any] = {
        "business_type": "existing_home_sale",
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 2,
        "seller_acquired_on": date(2024, 9, 10),
        "seller_original_price": D("1600000"),
        "sale_date": date(2026, 3, 16),
    }
    return TaxInput(**{**facts, **changes})


@pytest.mark.parametrize(
    ("sale_date", "rate", "version"),
    [
        (date(2024, 11, 30), D("0.02"), "deed-2021-09-01"),
        (date(2024, 12, 1), D("0.01"), "deed-2024-12-01"),
    ],
)
def test_second_home_of_120_square_metres_either_side_of_2024_12_01(
    sale_date: date, rate: D, version: str
) -> None:
    deed = assess(sale(sale_date=sale_date, seller_acquired_on=date(2018, 1, 1))).line(TaxKind.DEED)

    assert (deed.rate, deed.rule_version) == (rate, version)
    assert deed.amount == D("2000000") * rate


@pytest.mark.parametrize(
    ("sale_date", "area", "rate"),
    [
        (date(2024, 11, 30), D("90"), D("0.01")),
        (date(2024, 11, 30), D("90.01"), D("0.015")),
        (date(2024, 12, 1), D("140"), D("0.01")),
        (date(2024, 12, 1), D("140.01"), D("0.015")),
    ],
)
def test_only_home_area_threshold_moved_from_90_to_140(sale_date: date, area: D, rate: D) -> None:
    inp = sale(
        sale_date=sale_date, area_m2=area, buyer_home_count=1, seller_acquired_on=date(2018, 1, 1)
    )

    assert assess(inp).line(TaxKind.DEED).rate == rate


@pytest.mark.parametrize(
    ("sale_date", "rate", "amount"),
    [
        (date(2025, 12, 31), D("0.05"), D("95238.10")),
        (date(2026, 1, 1), D("0.03"), D("58252.43")),
    ],
)
def test_vat_either_side_of_2026_01_01(sale_date: date, rate: D, amount: D) -> None:
    vat = assess(sale(sale_date=sale_date)).line(TaxKind.VAT)

    assert (vat.rate, vat.amount) == (rate, amount)
    assert vat.base + vat.amount == D("2000000")


def test_sale_before_every_table_is_refused_not_guessed() -> None:
    inp = sale(sale_date=date(2010, 1, 1), seller_acquired_on=date(2005, 1, 1))

    with pytest.raises(NoRulesInForce, match=r"sale_date: no \w+ rate table in force on 2010-01"):
        assess(inp)


def test_new_home_before_vat_reform_needs_only_the_deed_table() -> None:
    inp = TaxInput(
        business_type="new_home_sale",
        price=D("1000000"),
        area_m2=D("80"),
        buyer_home_count=1,
        sale_date=date(2016, 3, 1),
    )

    assert assess(inp).line(TaxKind.DEED).amount == D("10000.00")


def test_existing_home_sold_before_vat_table_names_the_missing_table() -> None:
    inp = sale(sale_date=date(2016, 3, 1), seller_acquired_on=date(2015, 1, 1))

    with pytest.raises(NoRulesInForce, match="no vat rate table.*earliest starts 2016-05-01"):
        assess(inp)


def test_county_unit_pays_five_percent_urban_construction_tax() -> None:
    line = assess(sale(city_district=False)).line(TaxKind.URBAN_CONSTRUCTION)

    assert (line.rate, line.amount) == (D("0.05"), D("2912.62"))


def test_six_taxes_two_fees_cut_halves_each_surcharge_when_the_table_says_so() -> None:
    halved = RATES_TEXT.replace(
        "individual_reduction = 0  # unconfirmed", "individual_reduction = 0.5  # unconfirmed"
    )
    assert halved != RATES_TEXT
    bill = assess(sale(), rates=parse_rates(halved))

    amounts = [bill.line(t).amount for t in SURCHARGES]
    assert amounts == [D("2038.84"), D("873.79"), D("582.52")]
    assert sum(amounts) == D("3495.15")


def test_packaged_tables_select_the_row_in_force() -> None:
    book = default_rates()

    assert book.deed_on(date(2026, 6, 1)).first_home[0].up_to_m2 == 140
    assert book.pit_on(date(2027, 12, 31)).replacement_refund
    assert not book.pit_on(date(2028, 1, 1)).replacement_refund


def test_refund_referral_only_while_the_policy_runs() -> None:
    before = assess(sale(sale_date=date(2025, 12, 31)))
    during = assess(sale(sale_date=date(2026, 1, 1)))

    assert before.line(TaxKind.PIT, Payer.SELLER).amount > 0
    assert "pit_replacement_refund" not in [r.code for r in before.referrals]
    assert "pit_replacement_refund" in [r.code for r in during.referrals]


def test_broken_rate_file_is_refused_naming_the_row_and_field() -> None:
    broken = RATES_TEXT.replace("individual_housing_rate = 0.03", "individual_housing_rate = 3")

    with pytest.raises(ValueError, match=r"vat\.vat-2026-01-01\.individual_housing_rate"):
        parse_rates(broken)


def test_rate_file_with_an_open_band_in_the_middle_is_refused() -> None:
    broken = RATES_TEXT.replace(
        "first_home = [{ up_to_m2 = 140, rate = 0.01 }, { rate = 0.015 }]",
        "first_home = [{ rate = 0.01 }, { rate = 0.015 }]",
    )

    with pytest.raises(ValueError, match="deed-2024-12-01.*first_home"):
        parse_rates(broken)


def test_every_unconfirmed_value_is_marked_in_the_data_file() -> None:
    marked = [line for line in RATES_TEXT.splitlines() if "# unconfirmed:" in line]

    for key in ("general_rate", "assessed_rate", "education", "local_education"):
        assert any(line.startswith(key) for line in marked), key


@given(price=st.decimals(min_value=D("10000"), max_value=D("99999999.99"), places=2))
def test_vat_and_price_excluding_vat_add_up_to_the_price(price: D) -> None:
    bill = assess(sale(price=price))

    vat = bill.line(TaxKind.VAT)
    assert vat.base + vat.amount == price
    assert abs(vat.base * vat.rate - vat.amount) <= D("0.01")
    assert bill.line(TaxKind.DEED).base == vat.base
    assert bill.total == sum(x.amount for x in bill.lines) + sum(x.amount for x in bill.fees)
