"""The register rules decide on facts alone: one test per rule, no database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from domain.flows import Flow
from domain.register_rules import (
    CaseFacts,
    CheckPassed,
    ContractFacts,
    EncumbranceFact,
    EncumbranceKind,
    Refusal,
    RefusalKind,
    Subject,
    UnitFacts,
    register_refusal,
    transaction_check,
)

SELLER, BUYER, OTHER, CO_OWNER = "S1", "B1", "X9", "S2"
PRICE = Decimal("2000000.00")
COURT = EncumbranceFact(EncumbranceKind.SEIZURE, "江汉区人民法院", "(2026)执保1号")
BANK = EncumbranceFact(EncumbranceKind.MORTGAGE, "建设银行", "抵押第1号")


def sale(
    flow: Flow = Flow.TRANSFER_SALE,
    *,
    sellers: frozenset[str] = frozenset({SELLER}),
    buyers: frozenset[str] = frozenset({BUYER}),
    court_ordered: bool = False,
    filed_contract: bool = False,
    lien_consented: bool = False,
) -> CaseFacts:
    case = CaseFacts(flow, sellers, buyers, PRICE, court_ordered, filed_contract)
    return replace(case, lien_consented=lien_consented)


def owned(
    *owners: str, number: str = "U1", encumbrances: tuple[EncumbranceFact, ...] = ()
) -> UnitFacts:
    return UnitFacts(number, True, frozenset(owners), bool(owners), encumbrances)


def notice(holder_id: str | None) -> EncumbranceFact:
    return EncumbranceFact(EncumbranceKind.ADVANCE_NOTICE, "某人", "预告第1号", holder_id)


def refused(decision: Refusal | CheckPassed | None) -> RefusalKind | None:
    return decision.kind if isinstance(decision, Refusal) else None


CONTRACT = ContractFacts("HT1", SELLER, BUYER, PRICE)


def test_a_clean_sale_passes_with_its_contract_and_mortgage_notes() -> None:
    decided = transaction_check(
        sale(filed_contract=True, lien_consented=True),
        owned(SELLER, encumbrances=(BANK,)),
        None,
        [CONTRACT],
    )
    assert decided == CheckPassed(contract_no="HT1", mortgages=["建设银行 抵押第1号"], notes=[])


def test_a_unit_not_in_the_register_is_refused() -> None:
    decided = register_refusal(sale(), UnitFacts("U9", exists=False))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.PROPERTY_NOT_FOUND, Subject.UNIT)
    assert "U9" in decided.zh and "U9" in decided.en


def test_a_seizure_refuses_unless_the_court_orders_the_transfer() -> None:
    seized = owned(SELLER, encumbrances=(COURT,))
    decided = register_refusal(sale(Flow.TRANSFER_GRATUITOUS), seized)
    assert isinstance(decided, Refusal) and decided.kind is RefusalKind.PROPERTY_SEIZED
    assert "(2026)执保1号" in decided.message and "江汉区人民法院" in decided.message
    assert register_refusal(sale(Flow.TRANSFER_GRATUITOUS, court_ordered=True), seized) is None


def test_a_seizure_is_named_before_a_seller_who_is_not_the_owner() -> None:
    decided = register_refusal(sale(), owned(OTHER, encumbrances=(COURT,)))
    assert refused(decided) is RefusalKind.PROPERTY_SEIZED


def test_every_seller_must_hold_the_title_for_every_flow_with_a_transferor() -> None:
    for flow in (Flow.TRANSFER_SALE, Flow.TRANSFER_GRATUITOUS, Flow.ADVANCE_NOTICE):
        case = sale(flow)
        own = (notice(BUYER),) if flow is Flow.ADVANCE_NOTICE else ()
        unit = owned(OTHER, encumbrances=own)
        decided = register_refusal(case, unit)
        assert isinstance(decided, Refusal), flow
        assert (decided.kind, decided.subject) == (RefusalKind.SELLER_NOT_OWNER, Subject.SELLERS)


def test_co_owners_sell_together_or_one_buys_the_other_out() -> None:
    both = owned(SELLER, CO_OWNER)
    assert refused(register_refusal(sale(), both)) is RefusalKind.SELLER_NOT_OWNER
    together = sale(sellers=frozenset({SELLER, CO_OWNER}))
    assert register_refusal(together, both) is None
    buy_out = sale(buyers=frozenset({CO_OWNER}))
    assert register_refusal(buy_out, both) is None


def test_a_case_without_sellers_is_refused_where_a_transferor_is_needed() -> None:
    assert refused(register_refusal(sale(sellers=frozenset()), owned())) is (
        RefusalKind.SELLER_NOT_OWNER
    )


def test_a_first_registration_needs_a_unit_nobody_holds() -> None:
    first = sale(Flow.FIRST_REGISTRATION, sellers=frozenset())
    assert register_refusal(first, owned()) is None
    decided = register_refusal(first, owned(OTHER, number="U7"))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.TITLE_EXISTS, Subject.UNIT)
    assert "U7" in decided.en


def test_the_filed_contract_is_needed_only_where_the_type_has_one() -> None:
    unit = owned(SELLER)
    assert isinstance(transaction_check(sale(filed_contract=False), unit), CheckPassed)
    assert refused(transaction_check(sale(filed_contract=True), unit)) is (
        RefusalKind.CONTRACT_NOT_FILED
    )
    wrong_price = ContractFacts("HT2", SELLER, BUYER, PRICE - 1)
    assert refused(transaction_check(sale(filed_contract=True), unit, None, [wrong_price])) is (
        RefusalKind.CONTRACT_NOT_FILED
    )
    wrong_buyer = ContractFacts("HT3", SELLER, OTHER, PRICE)
    assert refused(transaction_check(sale(filed_contract=True), unit, None, [wrong_buyer])) is (
        RefusalKind.CONTRACT_NOT_FILED
    )
    passed = transaction_check(sale(filed_contract=True), unit, None, [wrong_price, CONTRACT])
    assert isinstance(passed, CheckPassed) and passed.contract_no == "HT1"
    assert transaction_check(sale(), unit) == CheckPassed(contract_no=None)


def test_someone_elses_advance_notice_refuses_every_flow() -> None:
    for flow in (Flow.TRANSFER_SALE, Flow.ADVANCE_NOTICE):
        for holder in (OTHER, None):
            unit = owned(SELLER, encumbrances=(notice(holder),))
            assert refused(register_refusal(sale(flow), unit)) is (
                RefusalKind.ADVANCE_NOTICE_HELD
            ), (flow, holder)


def test_the_buyers_own_notice_is_what_a_conversion_converts() -> None:
    conversion = sale(Flow.ADVANCE_NOTICE)
    assert register_refusal(conversion, owned(SELLER, encumbrances=(notice(BUYER),))) is None
    # A conversion without the buyers' notice has nothing to convert.
    decided = register_refusal(conversion, owned(SELLER))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.ADVANCE_NOTICE_HELD, Subject.BUYERS)
    # Beside the buyers' own, another's notice still refuses.
    both = owned(SELLER, encumbrances=(notice(BUYER), notice(OTHER)))
    assert refused(register_refusal(conversion, both)) is RefusalKind.ADVANCE_NOTICE_HELD


def test_outside_a_conversion_even_the_buyers_notice_refuses() -> None:
    unit = owned(SELLER, encumbrances=(notice(BUYER),))
    assert refused(register_refusal(sale(), unit)) is RefusalKind.ADVANCE_NOTICE_HELD


def test_an_exchange_checks_both_units_each_held_by_its_giver() -> None:
    swap = sale(Flow.EXCHANGE)
    mine, theirs = owned(SELLER, number="A"), owned(BUYER, number="B")
    passed = transaction_check(swap, mine, theirs)
    assert passed == CheckPassed(contract_no=None)
    decided = register_refusal(swap, mine, owned(OTHER, number="B"))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (RefusalKind.SELLER_NOT_OWNER, Subject.BUYERS)
    decided = register_refusal(swap, mine, owned(BUYER, number="B", encumbrances=(COURT,)))
    assert isinstance(decided, Refusal)
    assert (decided.kind, decided.subject) == (
        RefusalKind.PROPERTY_SEIZED,
        Subject.EXCHANGE_UNIT,
    )
    assert refused(register_refusal(swap, owned(SELLER, encumbrances=(COURT,)), theirs)) is (
        RefusalKind.PROPERTY_SEIZED
    )


def test_an_exchange_must_name_a_second_unit_the_register_has() -> None:
    swap = sale(Flow.EXCHANGE)
    for second in (None, UnitFacts("B", exists=False)):
        decided = register_refusal(swap, owned(SELLER), second)
        assert isinstance(decided, Refusal)
        assert (decided.kind, decided.subject) == (
            RefusalKind.PROPERTY_NOT_FOUND,
            Subject.EXCHANGE_UNIT,
        )


def test_an_exchange_notes_each_units_mortgages_with_the_unit() -> None:
    passed = transaction_check(
        sale(Flow.EXCHANGE, lien_consented=True),
        owned(SELLER, number="A", encumbrances=(BANK,)),
        owned(BUYER, number="B", encumbrances=(BANK,)),
    )
    assert isinstance(passed, CheckPassed)
    assert passed.mortgages == ["建设银行 抵押第1号 (A)", "建设银行 抵押第1号 (B)"]


def test_the_refusal_kinds_are_the_cases_refusal_types() -> None:
    from models.enums import RefusalType  # the activities raise these

    assert {kind.value for kind in RefusalKind} <= {t.value for t in RefusalType}
