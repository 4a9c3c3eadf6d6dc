"""Liens on the register: a unit under an unreleased lien passes only in a case that deals
with it; a mortgage needs the owners, a cancellation the lien holder; shares pass between
co-owners. Facts alone, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.catalog import get_catalog
from domain.flows import Flow
from domain.register_rules import (
    CaseFacts,
    EncumbranceFact,
    EncumbranceKind,
    Refusal,
    RefusalKind,
    Subject,
    UnitFacts,
    facts_of_case,
    register_refusal,
    transaction_check,
)

OWNER, CO_OWNER, BUYER, OTHER = "S1", "S2", "B1", "X9"
BANK_CODE, OTHER_BANK_CODE = "91420100MA4K2B3C05", "91420100MA4K2B3D06"
PROOF = "鄂(2015)武汉市不动产证明第0011223号"
LIEN = EncumbranceFact(EncumbranceKind.MORTGAGE, "建设银行", PROOF, BANK_CODE)
SECOND = EncumbranceFact(
    EncumbranceKind.MORTGAGE, "工商银行", "鄂(2020)武汉市不动产证明第0000007号"
)
COURT = EncumbranceFact(EncumbranceKind.SEIZURE, "江汉区人民法院", "(2026)执保1号")


def case(
    code: str,
    *,
    sellers: tuple[str, ...] = (OWNER,),
    buyers: tuple[str, ...] = (BUYER,),
    conditions: dict[str, bool] | None = None,
    lenders: tuple[str, ...] = (BANK_CODE,),
    releases: str | None = None,
) -> CaseFacts:
    """The case as the catalog's business type `code` and the application make it."""
    return facts_of_case(
        get_catalog().business_type(code),
        sellers,
        buyers,
        conditions=conditions,
        lenders=lenders,
        lender_names=("建设银行",),
        releases=releases,
    )


def unit(*owners: str, liens: tuple[EncumbranceFact, ...] = (LIEN,)) -> UnitFacts:
    return UnitFacts("U1", True, frozenset(owners), bool(owners), liens)


def kind_of(decided: object) -> RefusalKind | None:
    return decided.kind if isinstance(decided, Refusal) else None


def test_a_sale_of_a_mortgaged_unit_is_refused_naming_the_lender_and_proof() -> None:
    decided = register_refusal(case("existing_home_sale"), unit(OWNER))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.MORTGAGE_IN_FORCE, Subject.UNIT)
    assert "建设银行" in decided.zh and PROOF in decided.zh
    assert "建设银行" in decided.en and PROOF in decided.en
    # Housing's check says the same.
    assert kind_of(transaction_check(case("existing_home_sale"), unit(OWNER))) is (
        RefusalKind.MORTGAGE_IN_FORCE
    )


@pytest.mark.parametrize("code", ["gift_transfer", "exchange_transfer"])
def test_the_mortgagees_consent_lets_the_lien_follow_the_unit(code: str) -> None:
    # Both types list mortgagee_consent, required when has_mortgage is declared.
    theirs = unit(BUYER, liens=())
    decided = register_refusal(case(code), unit(OWNER), theirs)
    assert kind_of(decided) is RefusalKind.MORTGAGE_IN_FORCE
    consented = case(code, conditions={"has_mortgage": True})
    assert consented.lien_consented
    assert register_refusal(consented, unit(OWNER), theirs) is None


def test_declaring_the_mortgage_is_not_enough_where_the_type_takes_no_consent() -> None:
    # A plain sale's materials do not include the mortgagee's consent.
    declared = case("existing_home_sale", conditions={"has_mortgage": True})
    assert not declared.lien_consented
    assert kind_of(register_refusal(declared, unit(OWNER))) is RefusalKind.MORTGAGE_IN_FORCE


def test_a_transfer_with_a_new_mortgage_is_refused_an_old_lien() -> None:
    decided = register_refusal(case("existing_home_sale_with_new_mortgage"), unit(OWNER))
    assert kind_of(decided) is RefusalKind.MORTGAGE_IN_FORCE
    assert (
        register_refusal(case("existing_home_sale_with_new_mortgage"), unit(OWNER, liens=()))
        is None
    )


def test_a_court_ordered_transfer_passes_a_lien() -> None:
    assert register_refusal(case("court_order_transfer"), unit(OWNER)) is None


def test_transfer_with_mortgage_releases_the_lien_it_names() -> None:
    released = case("transfer_with_mortgage", releases=PROOF)
    assert register_refusal(released, unit(OWNER)) is None
    # Another lien on the unit is still in the way, unless its mortgagee consents too.
    assert kind_of(register_refusal(released, unit(OWNER, liens=(LIEN, SECOND)))) is (
        RefusalKind.MORTGAGE_IN_FORCE
    )
    consented = replace(released, lien_consented=True)
    assert register_refusal(consented, unit(OWNER, liens=(LIEN, SECOND))) is None


def test_transfer_with_mortgage_must_name_a_lien_in_force() -> None:
    for releases in (None, "鄂(2015)武汉市不动产证明第0099999号"):
        decided = register_refusal(case("transfer_with_mortgage", releases=releases), unit(OWNER))
        assert isinstance(decided, Refusal)
        assert (decided.kind, decided.subject) == (
            RefusalKind.MORTGAGE_NOT_FOUND,
            Subject.RELEASES,
        )


def test_a_mortgage_needs_every_owner_and_allows_a_second_rank_lien() -> None:
    first = case("mortgage_registration", buyers=())
    assert register_refusal(first, unit(OWNER)) is None  # a second-rank mortgage
    assert register_refusal(first, unit(OWNER, liens=())) is None
    decided = register_refusal(first, unit(OTHER, liens=()))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.SELLER_NOT_OWNER, Subject.SELLERS)
    assert "抵押人" in decided.zh
    # A co-owner left out cannot be bound by the others' mortgage.
    assert kind_of(register_refusal(first, unit(OWNER, CO_OWNER))) is RefusalKind.SELLER_NOT_OWNER
    together = case("mortgage_registration", sellers=(OWNER, CO_OWNER), buyers=())
    assert register_refusal(together, unit(OWNER, CO_OWNER)) is None


def test_a_seized_unit_cannot_be_mortgaged_but_its_lien_can_be_released() -> None:
    seized = unit(OWNER, liens=(LIEN, COURT))
    decided = register_refusal(case("mortgage_registration", buyers=()), seized)
    assert kind_of(decided) is RefusalKind.PROPERTY_SEIZED
    assert isinstance(decided, Refusal) and "抵押" in decided.zh
    release = case("mortgage_cancellation", buyers=(), releases=PROOF)
    assert register_refusal(release, seized) is None


def test_a_cancellation_is_the_lien_holders_own() -> None:
    mine = case("mortgage_cancellation", buyers=(), releases=PROOF)
    assert register_refusal(mine, unit(OWNER)) is None
    theirs = case("mortgage_cancellation", buyers=(), releases=PROOF, lenders=(OTHER_BANK_CODE,))
    decided = register_refusal(replace(theirs, lender_names=frozenset({"工商银行"})), unit(OWNER))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.MORTGAGE_NOT_FOUND, Subject.LENDERS)
    assert "建设银行" in decided.zh
    gone = register_refusal(mine, unit(OWNER, liens=()))
    assert kind_of(gone) is RefusalKind.MORTGAGE_NOT_FOUND


def test_a_lien_recorded_before_the_register_kept_codes_is_matched_by_name() -> None:
    legacy = replace(LIEN, holder_id_number=None)
    mine = case("mortgage_cancellation", buyers=(), releases=PROOF)
    assert register_refusal(mine, unit(OWNER, liens=(legacy,))) is None
    stranger = replace(mine, lender_names=frozenset({"工商银行"}))
    assert kind_of(register_refusal(stranger, unit(OWNER, liens=(legacy,)))) is (
        RefusalKind.MORTGAGE_NOT_FOUND
    )


def test_a_share_passes_between_co_owners_and_others_keep_theirs() -> None:
    third = "S3"
    share = case("share_transfer", sellers=(OWNER,), buyers=(CO_OWNER,))
    assert share.between_co_owners
    assert register_refusal(share, unit(OWNER, CO_OWNER, third, liens=())) is None
    # The buyer must already be a co-owner: a stranger buys through a sale.
    outsider = case("share_transfer", sellers=(OWNER,), buyers=(OTHER,))
    decided = register_refusal(outsider, unit(OWNER, CO_OWNER, liens=()))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.SELLER_NOT_OWNER, Subject.BUYERS)
    # The seller must hold a share.
    stranger = case("share_transfer", sellers=(OTHER,), buyers=(CO_OWNER,))
    assert kind_of(register_refusal(stranger, unit(OWNER, CO_OWNER, liens=()))) is (
        RefusalKind.SELLER_NOT_OWNER
    )
    # Outside share transfers a co-owner who neither sells nor buys still stops a sale.
    sale = case("existing_home_sale", sellers=(OWNER,), buyers=(CO_OWNER,))
    assert kind_of(register_refusal(sale, unit(OWNER, CO_OWNER, third, liens=()))) is (
        RefusalKind.SELLER_NOT_OWNER
    )


def test_the_flows_of_the_catalog_types_the_rules_assume() -> None:
    catalog = get_catalog()
    assert catalog.business_type("share_transfer").flow is Flow.TRANSFER_SALE
    assert catalog.business_type("mortgage_registration").flow is Flow.MORTGAGE
    assert case("transfer_with_mortgage").registration_kind == "transfer_and_mortgage_change"
