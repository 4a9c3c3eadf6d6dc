"""The desk's look at liens before a case is stored (types without a housing check): the
field at fault and the error type; the old call, without lien facts, still works."""

from __future__ import annotations

from api.services.register_check import RegisterRefusal, register_refusal
from devtools.demo_data import (
    CCB_JIANGHAN,
    FLAT_MORTGAGED,
    FLAT_SALE,
    FLAT_SEIZED,
    QIAN_QI,
    WANG_WU,
    ZHAO_LIU,
)
from domain.catalog import get_catalog
from models.database import Database

OLD_LIEN = "鄂(2015)武汉市不动产证明第0011223号"
OLD_BANK = "中国建设银行武汉江汉支行"
BANK = "91420100MA4K2B3C05"


def kind(refusal: RegisterRefusal | None) -> tuple[tuple[str | int, ...], str] | None:
    return (refusal.loc, refusal.type) if refusal else None


def test_a_gift_of_a_mortgaged_flat_needs_the_mortgagees_consent(demo_db: Database) -> None:
    gift = get_catalog().business_type("gift_transfer")
    args = (demo_db, gift, FLAT_MORTGAGED, None, [WANG_WU], [ZHAO_LIU])
    refusal = register_refusal(*args)  # the call as it was before liens
    assert kind(refusal) == (("body", "unit_number"), "mortgage_in_force")
    assert refusal is not None and OLD_LIEN in refusal.message and OLD_LIEN in refusal.message_zh
    assert register_refusal(*args, conditions={"has_mortgage": True}) is None


def test_a_cancellation_names_a_lien_of_its_lender(demo_db: Database) -> None:
    cancel = get_catalog().business_type("mortgage_cancellation")
    args = (demo_db, cancel, FLAT_MORTGAGED, None, [WANG_WU], list[str]())
    own = register_refusal(
        *args, releases=OLD_LIEN, lender_ids=[CCB_JIANGHAN], lender_names=[OLD_BANK]
    )
    assert own is None
    # Another bank, even under the same name: the lien is matched by its credit code.
    other = register_refusal(*args, releases=OLD_LIEN, lender_ids=[BANK], lender_names=[OLD_BANK])
    assert kind(other) == (("body", "lenders"), "mortgage_not_found")
    missing = register_refusal(*args, releases="鄂(2015)武汉市不动产证明第0099999号")
    assert kind(missing) == (("body", "mortgage", "releases"), "mortgage_not_found")


def test_a_mortgage_needs_the_owner_and_an_unseized_unit(demo_db: Database) -> None:
    first = get_catalog().business_type("mortgage_registration")
    assert register_refusal(demo_db, first, FLAT_MORTGAGED, None, [WANG_WU], ()) is None
    assert kind(register_refusal(demo_db, first, FLAT_SALE, None, [WANG_WU], ())) == (
        ("body", "sellers"),
        "seller_not_owner",
    )
    assert kind(register_refusal(demo_db, first, FLAT_SEIZED, None, [QIAN_QI], ())) == (
        ("body", "unit_number"),
        "property_seized",
    )
