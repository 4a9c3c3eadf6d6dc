"""The one mapping from a case's facts to the engine's input, shared by estimate and bill."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from domain.tax import (
    CaseFacts,
    PartyKind,
    Relationship,
    TaxDeclaration,
    TaxInput,
    Usage,
    is_city_district,
    referred_bill,
    side_kind,
    tax_input_from_case,
)

PERSON, ENTERPRISE = PartyKind.PERSON, PartyKind.ENTERPRISE

GIFT = CaseFacts(
    business_type="gift_transfer",
    price=D("1000000"),
    accepted_on=date(2026, 3, 16),
    area_m2=D("120"),
    usage=Usage.RESIDENTIAL,
    city_district=False,
    buyers=(PERSON, PERSON),
    sellers=(PERSON,),
    seller_acquired_on=date(2024, 9, 10),
    seller_original_price=D("800000"),
    declared=TaxDeclaration(
        buyer_home_count=2,
        seller_family_only_home=True,
        seller_original_taxes=D("8000"),
        relationship=Relationship.CHILD,
    ),
)


def test_every_engine_field_comes_from_the_case() -> None:
    inp = tax_input_from_case(GIFT)

    assert inp.model_fields_set == set(TaxInput.model_fields)
    assert inp == TaxInput(
        business_type="gift_transfer",
        price=D("1000000"),
        area_m2=D("120"),
        usage=Usage.RESIDENTIAL,
        buyer_kind=PERSON,
        seller_kind=PERSON,
        buyer_home_count=2,
        sale_date=date(2026, 3, 16),
        city_district=False,
        relationship=Relationship.CHILD,
        seller_family_only_home=True,
        seller_acquired_on=date(2024, 9, 10),
        seller_original_price=D("800000"),
        seller_original_taxes=D("8000"),
        transferees=2,  # one per buyer: the second takes a certificate of their own
        lender_kind=None,
        transferee_small_micro=False,
    )


def test_a_registered_lender_makes_the_lender_kind() -> None:
    facts = replace(
        GIFT,
        business_type="mortgage_registration",
        buyers=(),
        lenders=(ENTERPRISE,),
        declared=TaxDeclaration(),
    )

    inp = tax_input_from_case(facts)

    assert (inp.transferees, inp.lender_kind) == (0, ENTERPRISE)


@pytest.mark.parametrize(
    ("kinds", "side"),
    [((PERSON,), PERSON), ((PERSON, ENTERPRISE), ENTERPRISE), ((), PERSON)],
    ids=["person", "an enterprise among persons", "no party"],
)
def test_an_enterprise_on_a_side_makes_it_an_enterprise_side(
    kinds: tuple[PartyKind, ...], side: PartyKind
) -> None:
    assert side_kind(kinds) is side


def test_a_broken_fact_names_the_engine_field() -> None:
    facts = replace(GIFT, declared=TaxDeclaration(buyer_home_count=0))

    with pytest.raises(ValidationError) as exc:
        tax_input_from_case(facts)

    assert [e["loc"] for e in exc.value.errors()] == [("buyer_home_count",)]


def test_the_declaration_refuses_a_fact_it_does_not_know() -> None:
    with pytest.raises(ValidationError, match="close_relative"):
        TaxDeclaration.model_validate({"buyer_home_count": 1, "close_relative": True})


@pytest.mark.parametrize(
    ("division", "city"),
    [("420103", True), ("420117", True), ("420222", False), ("420281", True)],
    ids=["Jianghan district", "Xinzhou district", "Yangxin county", "Daye county-level city"],
)
def test_urban_construction_tax_follows_the_division_code(division: str, city: bool) -> None:
    assert is_city_district(division) is city


def test_a_malformed_division_code_is_refused() -> None:
    with pytest.raises(ValueError, match="division: '4201' is not a six-digit"):
        is_city_district("4201")


def test_a_referred_bill_computes_nothing_and_says_so() -> None:
    bill = referred_bill("moon_sale", date(2026, 3, 16))

    assert (bill.lines, bill.total) == ([], D("0.00"))
    assert [r.code for r in bill.referrals] == ["no_tax_treatment"]
    assert "tax desk" in bill.referrals[0].reason_en
