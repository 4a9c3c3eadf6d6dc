"""The register's titles: one open title per unit, enforced by the database on both backends,
shares that add up, and a unit version that every change to the unit moves."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from devtools.demo_data import FLAT_MORTGAGED, FLAT_SALE, LI_SI, ZHANG_SAN, ZHAO_LIU
from models.database import Database
from models.register import Encumbrance, EncumbranceKind, FiledContract, Property, Title
from models.titles import Holding, after_transfer, close_title, holders, open_title, record_title

DAY = date(2026, 11, 28)


def version(db: Database, unit: str = FLAT_SALE) -> int:
    with db.session() as session:
        found = session.get(Property, unit)
        assert found is not None
        return found.version


def test_a_second_open_title_for_a_unit_is_refused_by_the_database(demo_db: Database) -> None:
    with pytest.raises(IntegrityError), demo_db.session() as session:
        record_title(
            session,
            unit_number=FLAT_SALE,
            since=DAY,
            holdings=[Holding("李四", LI_SI, Fraction(1), DAY)],
        )
    with demo_db.session() as session:
        titles = session.exec(select(Title).where(Title.unit_number == FLAT_SALE)).all()
    assert len(titles) == 1


def test_closed_titles_do_not_count_and_co_owners_share_one(demo_db: Database) -> None:
    with demo_db.session() as session:
        current = open_title(session, FLAT_SALE)
        assert current is not None
        close_title(session, current, datetime.now(UTC), DAY, None)
        record_title(
            session,
            unit_number=FLAT_SALE,
            since=DAY,
            holdings=[
                Holding("张三", ZHANG_SAN, Fraction(1, 2), DAY),
                Holding("李四", LI_SI, Fraction(1, 2), DAY),
            ],
        )
    with demo_db.session() as session:
        now = open_title(session, FLAT_SALE)
        assert now is not None
        assert [(h.holder_id_number, h.share) for h in holders(session, now)] == [
            (ZHANG_SAN, "1/2"),
            (LI_SI, "1/2"),
        ]
        closed = session.exec(
            select(Title).where(Title.unit_number == FLAT_SALE, col(Title.closed_at).is_not(None))
        ).one()
        assert [h.ended_on for h in holders(session, closed)] == [DAY]


def test_a_holder_listed_twice_on_one_title_is_refused(demo_db: Database) -> None:
    with pytest.raises(IntegrityError), demo_db.session() as session:
        record_title(
            session,
            unit_number=FLAT_MORTGAGED,
            since=DAY,
            holdings=[Holding("赵六", ZHAO_LIU, Fraction(1, 2), DAY)] * 2,
        )


def test_every_change_to_a_unit_moves_its_version_and_only_its_own(demo_db: Database) -> None:
    start, other = version(demo_db), version(demo_db, FLAT_MORTGAGED)
    with demo_db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.SEIZURE,
                holder="武汉市江汉区人民法院",
                reference="(2026)鄂0103执保1000号",
                registered_on=DAY,
            )
        )
    after_seizure = version(demo_db)
    with demo_db.session() as session:
        seizure = session.exec(
            select(Encumbrance).where(Encumbrance.reference == "(2026)鄂0103执保1000号")
        ).one()
        seizure.released_on = DAY
        session.add(seizure)
    after_release = version(demo_db)
    with demo_db.session() as session:
        contract = session.get(FiledContract, "WHCL2026000101")
        assert contract is not None
        contract.status = "cancelled"
        session.add(contract)
    after_contract = version(demo_db)
    with demo_db.session() as session:
        current = open_title(session, FLAT_SALE)
        assert current is not None
        current.certificate_no = "鄂(2026)武汉市不动产权第0000009号"
        session.add(current)
    assert start < after_seizure < after_release < after_contract < version(demo_db)
    assert version(demo_db, FLAT_MORTGAGED) == other


@given(
    shares=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    selling=st.integers(1, 4),
    buyers=st.integers(1, 3),
    buyer_holds=st.booleans(),
)
def test_shares_after_a_transfer_still_make_the_whole_unit(
    shares: list[int], selling: int, buyers: int, buyer_holds: bool
) -> None:
    total = sum(shares)
    held = {f"h{i}": Fraction(s, total) for i, s in enumerate(shares)}
    sellers = list(held)[: min(selling, len(held))]
    names = [f"b{i}" for i in range(buyers)]
    if buyer_holds and len(held) > len(sellers):
        names[0] = list(held)[-1]  # a co-owner who stays buys in
    after = after_transfer(held, sellers, names)
    assert sum(after.values()) == 1
    assert not set(sellers) & set(after) - set(names)
    assert all(share > 0 for share in after.values())


def test_no_sellers_is_a_first_registration_of_the_whole_unit() -> None:
    assert after_transfer({}, [], ["a", "b", "c"]) == {k: Fraction(1, 3) for k in "abc"}
