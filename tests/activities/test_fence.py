"""Recording is the legal moment: it checks again, in its own transaction, what the check found.

Co-owners share one title; the register never holds two open titles for one unit; anything
that changed the unit since the check refuses the recording and leaves the register as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from devtools.demo_data import FLAT_SALE, LI_SI, WANG_WU, ZHANG_SAN, ZHAO_LIU
from models.archive import Case, Party
from models.database import Database
from models.payloads import StepInput
from models.register import Encumbrance, EncumbranceKind, FiledContract, Property, Title
from models.titles import Holding, close_title, holders, open_title, record_title
from tests.activities import BUYER_PHONE, SELLER_PHONE, Desk, make_desk, store_case

ZHANG = ("张三", ZHANG_SAN, SELLER_PHONE)
WANG = ("王五", WANG_WU, "13800000007")
LI = ("李四", LI_SI, BUYER_PHONE)
ZHAO = ("赵六", ZHAO_LIU, "13800000005")


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def retitle(db: Database, *owners: tuple[str, str, Fraction]) -> None:
    """Make these the holders of the sale flat's open title (a registrar's correction)."""
    since = date(2020, 5, 1)
    with db.session() as session:
        current = open_title(session, FLAT_SALE)
        assert current is not None
        close_title(session, current, datetime.now(UTC), date.today(), None)
        record_title(
            session,
            unit_number=FLAT_SALE,
            since=since,
            holdings=[Holding(name, id_no, share, since) for name, id_no, share in owners],
        )


def register(db: Database) -> list[Any]:
    """Everything recording may change for the sale flat, to compare before and after."""
    with db.session() as session:
        titles = session.exec(
            select(Title).where(Title.unit_number == FLAT_SALE).order_by(col(Title.id))
        ).all()
        contract = session.get(FiledContract, "WHCL2026000101")
        assert contract is not None
        return [
            *((t.id, t.case_no, t.closed_at, t.closed_by_case) for t in titles),
            *(
                (h.title_id, h.holder_id_number, h.share, h.ended_on)
                for t in titles
                for h in holders(session, t)
            ),
            contract.status,
        ]


def owners_now(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        title = open_title(session, FLAT_SALE)
        assert title is not None
        return [(h.holder_id_number, h.share) for h in holders(session, title)]


def check_and_record(desk: Desk, case: Case) -> None:
    env = ActivityEnvironment()
    env.run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    env.run(desk.registry.record_transfer, StepInput(case_no=case.case_no))


def refused_at_recording(desk: Desk, case: Case) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(desk.registry.record_transfer, StepInput(case_no=case.case_no))
    assert caught.value.non_retryable
    return caught.value


def test_co_owners_selling_together_pass_one_title_to_the_buyers(desk: Desk) -> None:
    retitle(desk.db, ("张三", ZHANG_SAN, Fraction(1, 2)), ("王五", WANG_WU, Fraction(1, 2)))
    case = store_case(desk, sellers=[ZHANG, WANG], buyers=[LI, ZHAO])
    check_and_record(desk, case)
    printed = ActivityEnvironment().run(
        desk.registry.print_certificate, StepInput(case_no=case.case_no)
    )
    assert owners_now(desk.db) == [(LI_SI, "1/2"), (ZHAO_LIU, "1/2")]
    with desk.db.session() as session:
        titles = session.exec(
            select(Title).where(Title.unit_number == FLAT_SALE).order_by(col(Title.id))
        ).all()
        sold = holders(session, titles[-2])
        bought = holders(session, titles[-1])
    assert sum(t.closed_at is None for t in titles) == 1
    assert titles[-2].closed_by_case == case.case_no
    assert all(h.ended_on is not None for h in sold)  # both sellers' holdings ended together
    assert titles[-1].certificate_no == printed.certificate_no
    assert {h.certificate_no for h in bought} == {printed.certificate_no}


def test_a_co_owner_buying_the_other_out_holds_the_whole_unit(desk: Desk) -> None:
    retitle(desk.db, ("张三", ZHANG_SAN, Fraction(1, 2)), ("李四", LI_SI, Fraction(1, 2)))
    case = store_case(desk)  # 张三 sells his half to 李四, who already holds the other
    check_and_record(desk, case)
    assert owners_now(desk.db) == [(LI_SI, "1")]
    with desk.db.session() as session:
        open_titles = session.exec(
            select(Title).where(Title.unit_number == FLAT_SALE, col(Title.closed_at).is_(None))
        ).all()
    assert [t.case_no for t in open_titles] == [case.case_no]


def test_a_co_owner_left_out_of_the_sale_is_refused_at_the_check(desk: Desk) -> None:
    retitle(desk.db, ("张三", ZHANG_SAN, Fraction(1, 2)), ("王五", WANG_WU, Fraction(1, 2)))
    case = store_case(desk)  # 张三 alone sells to 李四; 王五 neither sells nor buys
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    assert caught.value.type == "SellerNotOwner"


def test_a_seizure_between_check_and_recording_refuses_and_changes_nothing(desk: Desk) -> None:
    case = store_case(desk)
    ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    before = register(desk.db)
    with desk.db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.SEIZURE,
                holder="武汉市江汉区人民法院",
                reference="(2026)鄂0103执保9999号",
                registered_on=date(2026, 11, 28),
            )
        )
    err = refused_at_recording(desk, case)
    assert err.type == "PropertySeized"
    assert "武汉市江汉区人民法院" in err.message and "(2026)鄂0103执保9999号" in err.message
    assert "Since the check" in err.message
    assert register(desk.db) == before
    assert owners_now(desk.db) == [(ZHANG_SAN, "1")]


def test_a_mortgage_registered_after_the_check_refuses_as_unit_changed(desk: Desk) -> None:
    case = store_case(desk)
    ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    before = register(desk.db)
    with desk.db.session() as session:
        checked = session.get(Case, case.case_no)
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.MORTGAGE,
                holder="招商银行武汉分行",
                reference="鄂(2026)武汉市不动产证明第0099999号",
                registered_on=date(2026, 11, 28),
            )
        )
    err = refused_at_recording(desk, case)
    assert err.type == "UnitChanged"
    assert checked is not None and f"version {checked.unit_version} →" in err.message
    assert register(desk.db) == before


def test_a_seller_who_no_longer_holds_the_title_is_refused_at_recording(desk: Desk) -> None:
    case = store_case(desk)
    ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    retitle(desk.db, ("王五", WANG_WU, Fraction(1)))  # recorded meanwhile, say by a court
    before = register(desk.db)
    err = refused_at_recording(desk, case)
    assert err.type == "TitleChanged"
    assert register(desk.db) == before


def test_a_type_without_a_check_is_fenced_from_its_intake(desk: Desk) -> None:
    gift = ["application_form", "id_document", "title_certificate", "gift_contract"]
    case = store_case(desk, business_type="gift_transfer", materials=gift)
    with desk.db.session() as session:
        unit = session.get(Property, FLAT_SALE)
        stored = session.get(Case, case.case_no)
    assert unit is not None and stored is not None and stored.unit_version == unit.version
    with desk.db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.SEIZURE,
                holder="武汉市江汉区人民法院",
                reference="(2026)鄂0103执保9998号",
                registered_on=date(2026, 11, 28),
            )
        )
    assert refused_at_recording(desk, case).type == "PropertySeized"


def test_a_duplicate_buyer_in_the_archive_is_final_after_one_attempt(desk: Desk) -> None:
    case = store_case(desk)
    ActivityEnvironment().run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    with desk.db.session() as session:  # behind intake's back: the same buyer twice
        session.add(
            Party(
                case_no=case.case_no,
                role="buyer",
                name="李四",
                id_kind="resident_id",
                id_number=LI_SI,
                phone=BUYER_PHONE,
            )
        )
    before = register(desk.db)
    err = refused_at_recording(desk, case)
    assert err.type == "InvariantBroken"
    assert "retrying cannot help" in err.message
    assert LI_SI not in err.message  # the history holds no personal data
    assert register(desk.db) == before


def test_the_buyers_price_and_date_are_on_the_new_title(desk: Desk) -> None:
    case = store_case(desk)
    check_and_record(desk, case)
    with desk.db.session() as session:
        title = open_title(session, FLAT_SALE)
        assert title is not None
        [holder] = holders(session, title)
    assert (title.case_no, title.acquired_price) == (case.case_no, Decimal("2000000.00"))
    assert (holder.holder_name, holder.acquired_price) == ("李四", Decimal("2000000.00"))
    assert holder.since == title.since
