"""Input checks name the field, and the holding period counts anniversaries exactly."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.tax import TaxInput, TaxKind, UnknownTreatment, assess, years_held


def facts(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "business_type": "existing_home_sale",
        "price": D("2000000"),
        "area_m2": D("120"),
        "buyer_home_count": 1,
        "seller_acquired_on": date(2024, 3, 16),
        "sale_date": date(2026, 3, 16),
    }
    return {**base, **changes}


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"price": D("-1")}, "price", "price: must be greater than 0, got -1"),
        ({"price": D("0")}, "price", "price: must be greater than 0"),
        ({"area_m2": D("0")}, "area_m2", "area_m2: must be greater than 0"),
        ({"buyer_home_count": 0}, "buyer_home_count", "buyer_home_count: counts this home"),
        ({"seller_original_price": D("-5")}, "seller_original_price", "must not be negative"),
        (
            {"seller_acquired_on": date(2026, 3, 17)},
            "seller_acquired_on",
            "seller_acquired_on: 2026-03-17 is after the sale date 2026-03-16",
        ),
        ({"seller_acquired_on": None}, "seller_acquired_on", "seller_acquired_on: required"),
        (
            {"business_type": "exchange_transfer"},
            "exchange_price_difference",
            "exchange_price_difference: required for an exchange",
        ),
        (
            {"exchange_price_difference": D("10")},
            "exchange_price_difference",
            "only for an exchange",
        ),
        (
            {"seller_kind": "enterprise", "seller_family_only_home": True},
            "seller_family_only_home",
            "an enterprise seller has no family home",
        ),
        ({"usage": "office"}, "usage", "Input should be"),
        ({"surprise": 1}, "surprise", "Extra inputs are not permitted"),
    ],
)
def test_bad_input_names_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        TaxInput(**facts(**change))

    assert error_fields(exc) == [field]
    assert message in str(exc.value)


def test_acquisition_date_not_needed_when_no_holding_test_applies() -> None:
    for change in (
        {"seller_kind": "enterprise"},
        {"usage": "non_residential"},
        {"business_type": "new_home_sale"},
        {"business_type": "inheritance_transfer"},
        {"business_type": "gift_transfer", "relationship": "child"},
    ):
        assert TaxInput(**facts(seller_acquired_on=None, **change)).seller_acquired_on is None


def test_gift_outside_close_relatives_needs_the_acquisition_date() -> None:
    with pytest.raises(ValidationError) as exc:
        TaxInput(**facts(business_type="gift_transfer", seller_acquired_on=None))

    assert error_fields(exc) == ["seller_acquired_on"]


def test_input_is_frozen() -> None:
    inp = TaxInput(**facts())

    with pytest.raises(ValidationError):
        inp.price = D("1")  # type: ignore[misc]


def test_unknown_business_type_is_refused_by_the_engine_naming_the_code() -> None:
    inp = TaxInput(**facts(business_type="moon_sale"))

    with pytest.raises(UnknownTreatment, match="business_type: no tax treatment for 'moon_sale'"):
        assess(inp)


@pytest.mark.parametrize(
    ("acquired", "sold", "years"),
    [
        (date(2024, 3, 16), date(2026, 3, 15), 1),
        (date(2024, 3, 16), date(2026, 3, 16), 2),
        (date(2021, 3, 16), date(2026, 3, 15), 4),
        (date(2021, 3, 16), date(2026, 3, 16), 5),
        (date(2024, 2, 29), date(2026, 2, 27), 1),
        (date(2024, 2, 29), date(2026, 2, 28), 2),
        (date(2026, 3, 16), date(2026, 3, 16), 0),
    ],
)
def test_holding_period_counts_the_anniversary_day(acquired: date, sold: date, years: int) -> None:
    assert years_held(acquired, sold) == years


@pytest.mark.parametrize(
    ("acquired", "vat_exempt"),
    [(date(2024, 3, 16), True), (date(2024, 3, 17), False)],
)
def test_vat_exempt_from_the_second_anniversary(acquired: date, vat_exempt: bool) -> None:
    vat = assess(TaxInput(**facts(seller_acquired_on=acquired))).line(TaxKind.VAT)

    assert vat.exempt is vat_exempt
    assert (vat.amount == 0) is vat_exempt


@pytest.mark.parametrize(
    ("acquired", "pit_exempt"),
    [(date(2021, 3, 16), True), (date(2021, 3, 17), False)],
)
def test_only_home_income_tax_exempt_from_the_fifth_anniversary(
    acquired: date, pit_exempt: bool
) -> None:
    inp = TaxInput(**facts(seller_acquired_on=acquired, seller_family_only_home=True))

    assert assess(inp).line(TaxKind.PIT).exempt is pit_exempt


@given(
    acquired=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=5000),
)
def test_holding_period_never_decreases_and_is_zero_in_the_first_year(
    acquired: date, days: int
) -> None:
    sold = date.fromordinal(acquired.toordinal() + days)
    later = date.fromordinal(sold.toordinal() + 1)

    assert 0 <= years_held(acquired, sold) <= years_held(acquired, later)
    assert years_held(acquired, sold) <= days // 365
    if days < 365:
        assert years_held(acquired, sold) == 0
