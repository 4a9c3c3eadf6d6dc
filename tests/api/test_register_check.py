"""The desk's look at the register before storing a case: the field at fault and an error type.

Unknown units are refused for every type; the rest only for types without a housing check
(housing decides on the others, after intake).
"""

from __future__ import annotations

from datetime import date

from api.services.register_check import RegisterRefusal, register_refusal
from devtools.demo_data import FLAT_MORTGAGED, FLAT_SALE, FLAT_SEIZED, LI_SI, WANG_WU, ZHANG_SAN
from domain.catalog import get_catalog
from models.database import Database
from models.register import Encumbrance, EncumbranceKind

MISSING = "420103001009GB00099F00019999"


def check(
    db: Database,
    code: str,
    unit: str = FLAT_SALE,
    sellers: tuple[str, ...] = (ZHANG_SAN,),
    buyers: tuple[str, ...] = (LI_SI,),
    exchange_unit: str | None = None,
) -> RegisterRefusal | None:
    bt = get_catalog().business_type(code)
    return register_refusal(db, bt, unit, exchange_unit, sellers, buyers)


def kind(refusal: RegisterRefusal | None) -> tuple[tuple[str | int, ...], str] | None:
    return (refusal.loc, refusal.type) if refusal else None


def test_an_unknown_unit_is_refused_for_every_type(demo_db: Database) -> None:
    for code in ("existing_home_sale", "gift_transfer"):
        refusal = check(demo_db, code, unit=MISSING)
        assert kind(refusal) == (("body", "unit_number"), "property_not_found")
        assert refusal is not None and MISSING in refusal.message
    refusal = check(demo_db, "exchange_transfer", sellers=(ZHANG_SAN,), buyers=(WANG_WU,))
    assert kind(refusal) == (("body", "exchange_unit_number"), "property_not_found")


def test_a_housing_checked_sale_of_a_seized_flat_is_left_to_housing(demo_db: Database) -> None:
    assert check(demo_db, "existing_home_sale", unit=FLAT_SEIZED) is None
    assert check(demo_db, "existing_home_sale", sellers=(WANG_WU,)) is None


def test_a_gift_meets_seizure_and_ownership_at_the_desk(demo_db: Database) -> None:
    seized = check(demo_db, "gift_transfer", unit=FLAT_SEIZED)
    assert kind(seized) == (("body", "unit_number"), "property_seized")
    assert kind(check(demo_db, "gift_transfer", sellers=(WANG_WU,))) == (
        ("body", "sellers"),
        "seller_not_owner",
    )
    assert check(demo_db, "gift_transfer") is None
    assert (
        check(demo_db, "court_order_transfer", unit=FLAT_SEIZED, sellers=("42010319750505005X",))
        is None
    )


def test_a_first_registration_of_a_titled_unit_is_refused(demo_db: Database) -> None:
    refusal = check(demo_db, "land_use_right_first_registration", sellers=())
    assert kind(refusal) == (("body", "unit_number"), "title_exists")
    assert refusal is not None and refusal.message_zh


def test_a_gift_is_refused_an_advance_notice_at_the_desk(demo_db: Database) -> None:
    with demo_db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.ADVANCE_NOTICE,
                holder="赵六",
                reference="预告第9号",
                registered_on=date(2026, 11, 1),
            )
        )
    assert kind(check(demo_db, "gift_transfer")) == (("body", "unit_number"), "advance_notice_held")
    assert (
        check(demo_db, "exchange_transfer", buyers=(WANG_WU,), exchange_unit=FLAT_MORTGAGED) is None
    )
