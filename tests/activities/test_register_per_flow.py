"""Each flow is checked and recorded as its business type says, on a real register.

An advance-notice conversion spends the buyer's own notice and is refused another's; a
resettlement sale has no filed contract to check; the registrar refuses a gift from someone
who does not hold the flat; a first registration opens a unit's first title and only where
none is open; an exchange records both transfers and prints both certificates, or neither.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

import activities.registry
from devtools.demo_data import FLAT_MORTGAGED, FLAT_SALE, LI_SI, WANG_WU, ZHANG_SAN, ZHAO_LIU
from models.archive import Case
from models.database import Database
from models.payloads import RegistrationResult
from models.register import Certificate, Encumbrance, EncumbranceKind, Property, Title
from models.titles import Holding, holders, open_title, record_title
from tests.activities import (
    BUYER_PHONE,
    SELLER_PHONE,
    Desk,
    make_desk,
    refused,
    run,
    store_case,
    taxes_paid,
)

ZHANG = ("张三", ZHANG_SAN, SELLER_PHONE)
WANG = ("王五", WANG_WU, "13800000007")
LI = ("李四", LI_SI, BUYER_PHONE)
ZHAO = ("赵六", ZHAO_LIU, "13800000005")
NEW_UNIT = "420103001009GB00099F00010101"
CONVERSION = ["application_form", "id_document", "sales_contract", "advance_notice_certificate"]


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def encumber(db: Database, unit: str, kind: EncumbranceKind, holder_id: str | None = None) -> None:
    with db.session() as session:
        session.add(
            Encumbrance(
                unit_number=unit,
                kind=kind,
                holder="李四" if holder_id == LI_SI else "武汉市江汉区人民法院",
                holder_id_number=holder_id,
                reference=f"{kind.value}-{holder_id}",
                registered_on=date(2026, 11, 1),
            )
        )


def owners(db: Database, unit: str) -> list[tuple[str, str]]:
    with db.session() as session:
        title = open_title(session, unit)
        return [(h.holder_id_number, h.share) for h in holders(session, title)] if title else []


def in_force(db: Database, unit: str) -> list[Encumbrance]:
    with db.session() as session:
        return list(
            session.exec(
                select(Encumbrance).where(
                    Encumbrance.unit_number == unit, col(Encumbrance.released_on).is_(None)
                )
            )
        )


def test_a_conversion_spends_the_buyers_own_notice_at_recording(desk: Desk) -> None:
    encumber(desk.db, FLAT_SALE, EncumbranceKind.ADVANCE_NOTICE, LI_SI)
    case = store_case(desk, business_type="advance_notice_conversion", materials=CONVERSION)
    checked = run(desk.housing.check_transaction, case)
    assert checked.contract_no == "WHCL2026000101"
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, FLAT_SALE) == [(LI_SI, "1")]
    assert in_force(desk.db, FLAT_SALE) == []  # the notice is spent with the transfer
    # A retried registration (say the reply was lost) finds everything done.
    assert run(desk.registry.register, case) == printed


def test_a_conversion_is_refused_someone_elses_notice(desk: Desk) -> None:
    encumber(desk.db, FLAT_SALE, EncumbranceKind.ADVANCE_NOTICE, WANG_WU)
    case = store_case(desk, business_type="advance_notice_conversion", materials=CONVERSION)
    assert refused(desk.housing.check_transaction, case).type == "AdvanceNoticeHeld"


def test_a_conversion_without_the_buyers_notice_is_refused(desk: Desk) -> None:
    case = store_case(desk, business_type="advance_notice_conversion", materials=CONVERSION)
    assert refused(desk.housing.check_transaction, case).type == "AdvanceNoticeHeld"


def test_a_sale_is_still_refused_any_advance_notice(desk: Desk) -> None:
    encumber(desk.db, FLAT_SALE, EncumbranceKind.ADVANCE_NOTICE, WANG_WU)
    case = store_case(desk)
    assert refused(desk.housing.check_transaction, case).type == "AdvanceNoticeHeld"


def test_a_resettlement_sale_needs_no_filed_contract(desk: Desk) -> None:
    # No contract is filed at this price: resettlement has none to check.
    case = store_case(desk, business_type="resettlement_transfer", price="800000.00")
    checked = run(desk.housing.check_transaction, case)
    assert checked.contract_no is None
    taxes_paid(desk.db, case)
    run(desk.registry.register, case)
    assert owners(desk.db, FLAT_SALE) == [(LI_SI, "1")]


def test_a_gift_from_someone_who_does_not_hold_the_flat_is_refused_at_review(
    desk: Desk,
) -> None:
    gift = ["application_form", "id_document", "title_certificate", "gift_contract"]
    case = store_case(desk, business_type="gift_transfer", materials=gift, seller=WANG)
    taxes_paid(desk.db, case)
    err = refused(desk.registry.review_registration, case)
    assert err.type == "SellerNotOwner"
    assert "registered owners" in err.message
    assert owners(desk.db, FLAT_SALE) == [(ZHANG_SAN, "1")]


def test_a_gift_of_the_owner_passes_review_and_a_retry_after_recording_too(
    desk: Desk,
) -> None:
    gift = ["application_form", "id_document", "title_certificate", "gift_contract"]
    case = store_case(desk, business_type="gift_transfer", materials=gift)
    taxes_paid(desk.db, case)
    run(desk.registry.review_registration, case)
    run(desk.registry.record_transfer, case)
    # The sellers hold nothing any more; the review of a retried registration is past that.
    run(desk.registry.review_registration, case)
    assert owners(desk.db, FLAT_SALE) == [(LI_SI, "1")]


def _new_unit(db: Database) -> None:
    with db.session() as session:
        session.add(
            Property(
                unit_number=NEW_UNIT,
                address="武汉市江汉区新华路 99 号地块",
                area_m2=Decimal("5000.00"),
                usage="industrial",
                division="420103",
            )
        )


def test_a_first_registration_opens_the_first_title_in_equal_shares(desk: Desk) -> None:
    _new_unit(desk.db)
    case = store_case(
        desk,
        unit=NEW_UNIT,
        business_type="land_use_right_first_registration",
        sellers=[],
        buyers=[LI, ZHAO],
    )
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, NEW_UNIT) == [(LI_SI, "1/2"), (ZHAO_LIU, "1/2")]
    assert printed.certificate_nos == [printed.certificate_no]
    with desk.db.session() as session:
        title = open_title(session, NEW_UNIT)
    assert title is not None and title.certificate_no == printed.certificate_no


def test_a_first_registration_is_refused_where_a_title_is_open(desk: Desk) -> None:
    case = store_case(
        desk, business_type="land_use_right_first_registration", sellers=[], buyers=[LI]
    )
    taxes_paid(desk.db, case)
    err = refused(desk.registry.review_registration, case)
    assert err.type == "TitleExists"
    assert FLAT_SALE in err.message


def test_a_title_recorded_after_the_review_fences_a_first_registration(desk: Desk) -> None:
    _new_unit(desk.db)
    case = store_case(
        desk, unit=NEW_UNIT, business_type="land_use_right_first_registration", sellers=[]
    )
    taxes_paid(desk.db, case)
    run(desk.registry.review_registration, case)
    with desk.db.session() as session:
        since = date(2026, 11, 2)
        record_title(
            session,
            unit_number=NEW_UNIT,
            since=since,
            holdings=[Holding("王五", WANG_WU, Fraction(1), since)],
        )
    assert refused(desk.registry.record_transfer, case).type == "TitleChanged"
    assert owners(desk.db, NEW_UNIT) == [(WANG_WU, "1")]


EXCHANGE = ["application_form", "id_document", "title_certificate", "exchange_contract"]
# 王五's flat is mortgaged: the lien follows it with the mortgagee's consent.
WITH_CONSENT = [*EXCHANGE, "mortgagee_consent"]


def exchange(desk: Desk) -> Case:
    """张三 gives the sale flat for 王五's mortgaged flat."""
    return store_case(
        desk,
        business_type="exchange_transfer",
        seller=ZHANG,
        buyer=WANG,
        exchange_unit=FLAT_MORTGAGED,
        materials=WITH_CONSENT,
        facts={"has_mortgage": True},
    )


def test_an_exchange_records_two_titles_and_prints_two_certificates(desk: Desk) -> None:
    case = exchange(desk)
    checked = run(desk.housing.check_transaction, case)
    assert checked.contract_no is None
    assert [m.endswith(f"({FLAT_MORTGAGED})") for m in checked.mortgages] == [True]
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, FLAT_SALE) == [(WANG_WU, "1")]
    assert owners(desk.db, FLAT_MORTGAGED) == [(ZHANG_SAN, "1")]
    with desk.db.session() as session:
        certificates = session.exec(
            select(Certificate).where(Certificate.case_no == case.case_no)
        ).all()
        titles = session.exec(select(Title).where(Title.case_no == case.case_no)).all()
    by_unit = {c.unit_number: c.number for c in certificates}
    assert printed.certificate_nos == [by_unit[FLAT_SALE], by_unit[FLAT_MORTGAGED]]
    assert printed.certificate_no == by_unit[FLAT_SALE]
    assert {t.unit_number: t.certificate_no for t in titles} == by_unit
    assert run(desk.registry.register, case) == printed  # a retry prints nothing new


def test_an_exchange_refuses_a_buyer_who_does_not_hold_the_second_unit(desk: Desk) -> None:
    case = store_case(
        desk,
        business_type="exchange_transfer",
        seller=ZHANG,
        buyer=LI,
        exchange_unit=FLAT_MORTGAGED,
        materials=WITH_CONSENT,
        facts={"has_mortgage": True},
    )
    assert refused(desk.housing.check_transaction, case).type == "SellerNotOwner"


def test_a_seizure_of_the_second_unit_after_the_check_fences_the_exchange(desk: Desk) -> None:
    case = exchange(desk)
    run(desk.housing.check_transaction, case)
    taxes_paid(desk.db, case)
    run(desk.registry.review_registration, case)
    encumber(desk.db, FLAT_MORTGAGED, EncumbranceKind.SEIZURE)
    assert refused(desk.registry.record_transfer, case).type == "PropertySeized"
    assert owners(desk.db, FLAT_SALE) == [(ZHANG_SAN, "1")]
    assert owners(desk.db, FLAT_MORTGAGED) == [(WANG_WU, "1")]


def test_a_fault_between_the_two_transfers_records_neither(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = exchange(desk)
    run(desk.housing.check_transaction, case)
    taxes_paid(desk.db, case)
    real = activities.registry._transfer
    calls: list[str] = []

    def faulty(*args: Any, **kwargs: Any) -> None:
        if calls:
            raise RuntimeError("the database went away between the two transfers")
        calls.append("first")
        real(*args, **kwargs)

    monkeypatch.setattr(activities.registry, "_transfer", faulty)
    with pytest.raises(RuntimeError):
        run(desk.registry.record_transfer, case)
    assert calls == ["first"]
    assert owners(desk.db, FLAT_SALE) == [(ZHANG_SAN, "1")]
    assert owners(desk.db, FLAT_MORTGAGED) == [(WANG_WU, "1")]
    with desk.db.session() as session:
        assert session.exec(select(Title).where(Title.case_no == case.case_no)).all() == []
    # Once the fault is gone, the retry records both.
    monkeypatch.setattr(activities.registry, "_transfer", real)
    run(desk.registry.record_transfer, case)
    assert owners(desk.db, FLAT_SALE) == [(WANG_WU, "1")]
    assert owners(desk.db, FLAT_MORTGAGED) == [(ZHANG_SAN, "1")]
