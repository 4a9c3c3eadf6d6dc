"""Registration fees: per case by usage, per extra certificate, each part billed to its payer."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from importlib.resources import files

import pytest

from domain.tax import (
    FeeFacts,
    FeeKind,
    NoRulesInForce,
    Payer,
    Usage,
    default_fees,
    fee_lines,
    parse_fees,
)

FEES_TEXT = (files("domain") / "data" / "fees.toml").read_text(encoding="utf-8")

SALE = FeeFacts(
    business_type="existing_home_sale",
    registration_kind="transfer",
    fee_exempt=False,
    usage=Usage.RESIDENTIAL,
    transferees=1,
    lender_present=False,
    on=date(2026, 3, 16),
)


def summary(facts: FeeFacts, text: str | None = None) -> list[tuple[FeeKind, Payer, int, D]]:
    table = parse_fees(text) if text is not None else None
    return [(x.fee, x.payer, x.quantity, x.amount) for x in fee_lines(facts, table)]


def test_a_residential_transfer_costs_the_buyer_80_yuan_under_the_2016_notice() -> None:
    (line,) = fee_lines(SALE)

    assert (line.fee, line.payer, line.quantity, line.unit_amount, line.amount) == (
        FeeKind.REGISTRATION,
        Payer.BUYER,
        1,
        D("80"),
        D("80.00"),
    )
    assert (line.registration, line.rule_version) == ("title", "fee-2017-04-01")
    assert "2559号" in line.source and "79号" in line.source
    assert "80 yuan per case" in line.rule and not line.exempt


def test_a_non_residential_unit_costs_550_yuan() -> None:
    assert summary(replace(SALE, usage=Usage.NON_RESIDENTIAL)) == [
        (FeeKind.REGISTRATION, Payer.BUYER, 1, D("550.00"))
    ]


def test_every_transferee_beyond_the_first_pays_10_yuan_for_a_certificate() -> None:
    assert summary(replace(SALE, transferees=3)) == [
        (FeeKind.REGISTRATION, Payer.BUYER, 1, D("80.00")),
        (FeeKind.CERTIFICATE, Payer.BUYER, 2, D("20.00")),
    ]


def test_a_mortgage_is_billed_to_the_lender_without_a_certificate_fee() -> None:
    mortgage = replace(
        SALE,
        business_type="mortgage_registration",
        registration_kind="mortgage_first",
        transferees=0,
        lender_present=True,
    )

    assert summary(mortgage) == [(FeeKind.REGISTRATION, Payer.LENDER, 1, D("80.00"))]
    assert "lender" in fee_lines(mortgage)[0].rule


def test_no_lender_registered_no_mortgage_fee() -> None:
    facts = replace(SALE, registration_kind="mortgage_first", lender_present=False)

    assert fee_lines(facts) == []


@pytest.mark.parametrize("kind", ["transfer_and_mortgage", "transfer_and_mortgage_change"])
def test_a_transfer_with_a_mortgage_bills_the_buyer_and_the_lender(kind: str) -> None:
    facts = replace(SALE, registration_kind=kind, transferees=2, lender_present=True)

    assert summary(facts) == [
        (FeeKind.REGISTRATION, Payer.BUYER, 1, D("80.00")),
        (FeeKind.CERTIFICATE, Payer.BUYER, 1, D("10.00")),
        (FeeKind.REGISTRATION, Payer.LENDER, 1, D("80.00")),
    ]


def test_a_fee_exempt_type_and_a_cancellation_bill_nothing() -> None:
    cancellation = replace(
        SALE, registration_kind="mortgage_cancellation", lender_present=True, transferees=0
    )

    assert fee_lines(replace(cancellation, fee_exempt=True)) == []
    assert fee_lines(cancellation) == []  # the kind bills no part, exempt or not


def test_each_side_of_an_exchange_pays_the_fee_of_the_unit_it_receives() -> None:
    facts = replace(SALE, business_type="exchange_transfer", transferees=2)

    assert summary(facts) == [
        (FeeKind.REGISTRATION, Payer.BUYER, 1, D("80.00")),
        (FeeKind.CERTIFICATE, Payer.BUYER, 1, D("10.00")),
        (FeeKind.REGISTRATION, Payer.SELLER, 1, D("80.00")),
    ]


def test_resettlement_housing_is_registered_at_zero_with_the_reason() -> None:
    lines = fee_lines(replace(SALE, business_type="resettlement_transfer", transferees=2))

    assert [(x.fee, x.amount, x.exempt) for x in lines] == [
        (FeeKind.REGISTRATION, D("0.00"), True),
        (FeeKind.CERTIFICATE, D("0.00"), True),
    ]
    assert all("棚户区改造安置住房" in (x.exemption_reason or "") for x in lines)


def test_small_and_micro_enterprises_pay_unless_the_switch_is_on() -> None:
    facts = replace(SALE, transferee_small_micro=True, transferees=2)
    assert not default_fees().on(facts.on).small_micro_enterprise_exempt
    assert fee_lines(facts)[0].amount == D("80.00")

    switched = FEES_TEXT.replace(
        "small_micro_enterprise_exempt = false\n\n# ----",
        "small_micro_enterprise_exempt = true\n\n# ----",
    )
    assert switched != FEES_TEXT
    registration, certificate = fee_lines(facts, parse_fees(switched))

    assert (registration.amount, registration.exempt) == (D("0.00"), True)
    assert "small and micro" in (registration.exemption_reason or "")
    assert certificate.amount == D("10.00")  # the waiver covers the first certificate only


def test_the_table_in_force_on_the_acceptance_date_applies() -> None:
    (line,) = fee_lines(replace(SALE, on=date(2016, 3, 1)))

    assert (line.amount, line.rule_version) == (D("80.00"), "fee-2008-05-01")
    with pytest.raises(NoRulesInForce, match="no registration_fee rate table in force"):
        fee_lines(replace(SALE, on=date(2008, 4, 30)))


def test_a_registration_kind_the_table_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="'lease' has no entry in fees.toml"):
        fee_lines(replace(SALE, registration_kind="lease"))


def test_a_part_the_table_does_not_define_is_refused_naming_the_entry() -> None:
    broken = FEES_TEXT.replace('mortgage_first = ["mortgage"]', 'mortgage_first = ["lien"]')

    with pytest.raises(ValueError, match=r"registration_kinds\.mortgage_first: 'lien'"):
        parse_fees(broken)


def test_unconfirmed_points_are_marked_in_the_data_file() -> None:
    marked = [line for line in FEES_TEXT.splitlines() if "unconfirmed:" in line]

    for topic in ("effective date", "two cases", "own", "small", "exchange", "parking"):
        assert any(topic in line for line in marked), topic
