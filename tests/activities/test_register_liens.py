"""Liens on a real register: a mortgage is recorded under its own registration-proof number
and printed for the lender, then cancelled by the lender's release; a unit under a lien
passes only in a case that deals with it; 带押过户 releases the old lien, transfers and records
the new one, or does none of it; a transfer with a new mortgage prints the title and the
proof; a share passes between co-owners under one open title; retries add nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

import activities.registry
from devtools.demo_data import (
    CCB_JIANGHAN,
    FLAT_MORTGAGED,
    FLAT_SALE,
    LI_SI,
    WANG_WU,
    ZHANG_SAN,
    ZHAO_LIU,
)
from domain.identifiers import CertificateKind, CertificateNumber
from models import holds
from models.archive import Case
from models.database import Database
from models.payloads import RegistrationResult
from models.register import Certificate, Counter, Encumbrance, EncumbranceKind, Property, Title
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
BANK = ("招商银行武汉分行", "91420100MA4K2B3C05", "13900000011")
OTHER_BANK = ("中国银行武汉分行", "91420100MA4K2B3D06", "13900000012")
OLD_LIEN = "鄂(2015)武汉市不动产证明第0011223号"  # the demo register's lien on FLAT_MORTGAGED
OLD_BANK = ("中国建设银行武汉江汉支行", CCB_JIANGHAN, "13900000013")
TERMS = {"secured_amount": "800000.00", "term_start": "2026-12-01", "term_end": "2046-11-30"}
MORTGAGE = [
    "application_form",
    "id_document",
    "title_certificate",
    "mortgage_contract",
    "loan_contract",
    "power_of_attorney",
]
CANCELLATION = ["application_form", "id_document", "registration_proof", "mortgage_release"]
SALE = ["application_form", "id_document", "title_certificate", "sales_contract"]
NEW_MORTGAGE = [*SALE, "mortgage_contract", "loan_contract", "power_of_attorney"]
WITH_MORTGAGE = [*NEW_MORTGAGE, "mortgagee_consent"]
GIFT = ["application_form", "id_document", "title_certificate", "gift_contract"]
CO_OWNED = "420103001009GB00099F00020202"


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def close(db: Database, case: Case) -> None:
    """The case is done: its hold on the unit goes, so the next case may take the unit."""
    with db.session() as session:
        holds.release(session, case.case_no, datetime.now(UTC))


def liens(db: Database, unit: str) -> list[Encumbrance]:
    with db.session() as session:
        return list(
            session.exec(
                select(Encumbrance)
                .where(
                    Encumbrance.unit_number == unit,
                    Encumbrance.kind == EncumbranceKind.MORTGAGE,
                )
                .order_by(col(Encumbrance.id))
            )
        )


def in_force(db: Database, unit: str) -> list[str]:
    return [lien.reference for lien in liens(db, unit) if lien.released_on is None]


def owners(db: Database, unit: str) -> list[tuple[str, str]]:
    with db.session() as session:
        title = open_title(session, unit)
        return [(h.holder_id_number, h.share) for h in holders(session, title)] if title else []


def certificates(db: Database, case: Case) -> list[tuple[str, str, str]]:
    with db.session() as session:
        return [
            (c.kind, c.number, c.holder_name)
            for c in session.exec(
                select(Certificate)
                .where(Certificate.case_no == case.case_no)
                .order_by(col(Certificate.kind))
            )
        ]


def counters(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {c.name: c.value for c in session.exec(select(Counter))}


def mortgage(desk: Desk, *, seller: tuple[str, str, str] = ZHANG) -> Case:
    """张三 mortgages the sale flat to 招商银行."""
    return store_case(
        desk,
        business_type="mortgage_registration",
        seller=seller,
        buyers=[],
        lenders=[BANK],
        mortgage={**TERMS, "releases": None},
        materials=MORTGAGE,
        price="800000.00",
    )


def cancellation(desk: Desk, releases: str, bank: tuple[str, str, str] = BANK) -> Case:
    return store_case(
        desk,
        business_type="mortgage_cancellation",
        buyers=[],
        lenders=[bank],
        mortgage={"releases": releases},
        materials=CANCELLATION,
        price="800000.00",
    )


def test_a_mortgage_is_recorded_with_its_proof_then_cancelled(desk: Desk) -> None:
    case = mortgage(desk)
    printed: RegistrationResult = run(desk.registry.register, case)
    proof = CertificateNumber.parse(printed.certificate_no)
    assert proof.kind is CertificateKind.PROOF
    assert proof.format() == printed.certificate_no
    assert printed.certificate_no.startswith(f"鄂({proof.year})武汉市不动产证明第")
    assert (printed.proof_nos, printed.certificate_nos) == ([printed.certificate_no], [])
    [lien] = liens(desk.db, FLAT_SALE)
    assert (lien.holder, lien.holder_id_number, lien.reference) == (
        BANK[0],
        BANK[1],
        printed.certificate_no,
    )
    assert (lien.case_no, lien.secured_amount) == (case.case_no, Decimal("800000.00"))
    assert (lien.term_start, lien.term_end) == (date(2026, 12, 1), date(2046, 11, 30))
    assert certificates(desk.db, case) == [("proof", printed.certificate_no, BANK[0])]
    assert owners(desk.db, FLAT_SALE) == [(ZHANG_SAN, "1")]  # the title is untouched
    # A retry records no second lien and prints no second number.
    assert run(desk.registry.register, case) == printed
    assert len(liens(desk.db, FLAT_SALE)) == 1
    assert counters(desk.db)[f"certificate:proof:武汉市:{proof.year}"] == 1
    close(desk.db, case)

    release = cancellation(desk, printed.certificate_no)
    released: RegistrationResult = run(desk.registry.register, release)
    assert released.certificate_no == ""
    assert (released.certificate_nos, released.proof_nos) == ([], [])
    assert released.released_nos == [printed.certificate_no]
    [lien] = liens(desk.db, FLAT_SALE)
    assert lien.released_on is not None and lien.released_by_case == release.case_no
    assert certificates(desk.db, release) == []
    assert owners(desk.db, FLAT_SALE) == [(ZHANG_SAN, "1")]
    again: RegistrationResult = run(desk.registry.register, release)
    assert again.released_nos == released.released_nos and again.certificate_no == ""


def test_a_cancellation_by_another_lender_or_of_no_lien_is_refused(desk: Desk) -> None:
    # The demo lien was recorded before the register kept credit codes: matched by name.
    stranger = store_case(
        desk,
        unit=FLAT_MORTGAGED,
        business_type="mortgage_cancellation",
        seller=WANG,
        buyers=[],
        lenders=[OTHER_BANK],
        mortgage={"releases": OLD_LIEN},
        materials=CANCELLATION,
        price="800000.00",
    )
    err = refused(desk.registry.review_registration, stranger)
    assert err.type == "MortgageNotFound"
    assert "中国建设银行武汉江汉支行" in err.message
    assert in_force(desk.db, FLAT_MORTGAGED) == [OLD_LIEN]


def test_the_old_lien_is_released_by_its_own_lender(desk: Desk) -> None:
    case = store_case(
        desk,
        unit=FLAT_MORTGAGED,
        business_type="mortgage_cancellation",
        seller=WANG,
        buyers=[],
        lenders=[OLD_BANK],
        mortgage={"releases": OLD_LIEN},
        materials=CANCELLATION,
        price="800000.00",
    )
    done: RegistrationResult = run(desk.registry.register, case)
    assert done.released_nos == [OLD_LIEN]
    assert in_force(desk.db, FLAT_MORTGAGED) == []


def test_a_lien_recorded_before_credit_codes_is_matched_by_its_lenders_name(desk: Desk) -> None:
    with desk.db.session() as session:
        lien = session.exec(select(Encumbrance).where(Encumbrance.reference == OLD_LIEN)).one()
        lien.holder_id_number = None  # as rows from before the register kept the code
        session.add(lien)
    case = store_case(
        desk,
        unit=FLAT_MORTGAGED,
        business_type="mortgage_cancellation",
        seller=WANG,
        buyers=[],
        lenders=[(OLD_BANK[0], "91420100MA4K2B3D06", OLD_BANK[2])],
        mortgage={"releases": OLD_LIEN},
        materials=CANCELLATION,
        price="800000.00",
    )
    done: RegistrationResult = run(desk.registry.register, case)
    assert done.released_nos == [OLD_LIEN]
    assert in_force(desk.db, FLAT_MORTGAGED) == []


def test_a_sale_is_refused_while_a_lien_stands(desk: Desk) -> None:
    case = store_case(
        desk, unit=FLAT_MORTGAGED, seller=WANG, buyer=ZHAO, price="1200000.00", materials=SALE
    )
    err = refused(desk.housing.check_transaction, case)
    assert err.type == "MortgageInForce"
    assert "中国建设银行武汉江汉支行" in err.message and OLD_LIEN in err.message
    assert owners(desk.db, FLAT_MORTGAGED) == [(WANG_WU, "1")]


def test_a_gift_passes_a_lien_only_with_the_mortgagees_consent(desk: Desk) -> None:
    bare = store_case(
        desk,
        unit=FLAT_MORTGAGED,
        seller=WANG,
        buyer=ZHAO,
        business_type="gift_transfer",
        materials=GIFT,
    )
    taxes_paid(desk.db, bare)
    assert refused(desk.registry.review_registration, bare).type == "MortgageInForce"
    close(desk.db, bare)
    consented = store_case(
        desk,
        unit=FLAT_MORTGAGED,
        seller=WANG,
        buyer=ZHAO,
        business_type="gift_transfer",
        materials=[*GIFT, "mortgagee_consent"],
        facts={"has_mortgage": True},
    )
    taxes_paid(desk.db, consented)
    run(desk.registry.register, consented)
    assert owners(desk.db, FLAT_MORTGAGED) == [(ZHAO_LIU, "1")]
    assert in_force(desk.db, FLAT_MORTGAGED) == [OLD_LIEN]  # the lien follows the unit


def with_mortgage(desk: Desk) -> Case:
    """带押过户: 王五 sells to 赵六; 建设银行's lien is released and 招商银行 lends to 赵六."""
    return store_case(
        desk,
        unit=FLAT_MORTGAGED,
        seller=WANG,
        buyer=ZHAO,
        price="1200000.00",
        business_type="transfer_with_mortgage",
        lenders=[BANK],
        mortgage={**TERMS, "releases": OLD_LIEN},
        materials=WITH_MORTGAGE,
    )


def test_transfer_with_mortgage_releases_transfers_and_records_in_one(desk: Desk) -> None:
    case = with_mortgage(desk)
    checked = run(desk.housing.check_transaction, case)
    assert checked.mortgages == [f"中国建设银行武汉江汉支行 {OLD_LIEN}"]
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, FLAT_MORTGAGED) == [(ZHAO_LIU, "1")]
    old, new = liens(desk.db, FLAT_MORTGAGED)
    assert (old.reference, old.released_by_case) == (OLD_LIEN, case.case_no)
    assert old.released_on is not None
    assert (new.holder_id_number, new.case_no, new.released_on) == (BANK[1], case.case_no, None)
    assert printed.proof_nos == [new.reference]
    assert printed.released_nos == [OLD_LIEN]
    assert printed.certificate_nos == [printed.certificate_no]
    assert CertificateNumber.parse(printed.certificate_no).kind is CertificateKind.TITLE
    assert run(desk.registry.register, case) == printed


def test_a_fault_in_transfer_with_mortgage_leaves_none_of_it(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = with_mortgage(desk)
    run(desk.housing.check_transaction, case)
    taxes_paid(desk.db, case)
    real = activities.registry._record_lien

    def faulty(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away before the new lien")

    monkeypatch.setattr(activities.registry, "_record_lien", faulty)
    with pytest.raises(RuntimeError):
        run(desk.registry.record_transfer, case)
    assert owners(desk.db, FLAT_MORTGAGED) == [(WANG_WU, "1")]
    assert in_force(desk.db, FLAT_MORTGAGED) == [OLD_LIEN]
    assert len(liens(desk.db, FLAT_MORTGAGED)) == 1
    with desk.db.session() as session:
        assert session.exec(select(Title).where(Title.case_no == case.case_no)).all() == []
    assert not any(name.startswith("certificate:proof") for name in counters(desk.db))
    # Once the fault is gone, the retry records all three.
    monkeypatch.setattr(activities.registry, "_record_lien", real)
    run(desk.registry.record_transfer, case)
    assert owners(desk.db, FLAT_MORTGAGED) == [(ZHAO_LIU, "1")]
    assert [lien.reference == OLD_LIEN for lien in liens(desk.db, FLAT_MORTGAGED)] == [True, False]
    assert len(in_force(desk.db, FLAT_MORTGAGED)) == 1


def test_a_transfer_with_a_new_mortgage_prints_the_title_and_the_proof(desk: Desk) -> None:
    case = store_case(
        desk,
        business_type="existing_home_sale_with_new_mortgage",
        lenders=[BANK],
        mortgage={**TERMS, "releases": None},
        materials=NEW_MORTGAGE,
    )
    run(desk.housing.check_transaction, case)
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, FLAT_SALE) == [(LI_SI, "1")]
    [lien] = liens(desk.db, FLAT_SALE)
    assert lien.holder_id_number == BANK[1]
    [title_no] = printed.certificate_nos
    assert printed.certificate_no == title_no
    assert printed.proof_nos == [lien.reference]
    assert certificates(desk.db, case) == [
        ("proof", lien.reference, BANK[0]),
        ("title", title_no, "李四"),
    ]
    assert run(desk.registry.register, case) == printed
    assert len(certificates(desk.db, case)) == 2


def _co_owned(db: Database) -> None:
    """张三 1/2, 李四 1/4, 赵六 1/4."""
    since = date(2020, 5, 1)
    with db.session() as session:
        session.add(
            Property(
                unit_number=CO_OWNED,
                address="武汉市江汉区新华路 99 号 2 栋 202 室",
                area_m2=Decimal("120.00"),
                division="420103",
            )
        )
        session.flush()
        record_title(
            session,
            unit_number=CO_OWNED,
            since=since,
            holdings=[
                Holding("张三", ZHANG_SAN, Fraction(1, 2), since),
                Holding("李四", LI_SI, Fraction(1, 4), since),
                Holding("赵六", ZHAO_LIU, Fraction(1, 4), since),
            ],
        )


SHARE = ["application_form", "id_document", "title_certificate", "share_transfer_agreement"]


def test_a_share_passes_between_co_owners_under_one_open_title(desk: Desk) -> None:
    _co_owned(desk.db)
    case = store_case(
        desk,
        unit=CO_OWNED,
        business_type="share_transfer",
        seller=ZHANG,
        buyer=LI,
        price="900000.00",
        materials=SHARE,
    )
    taxes_paid(desk.db, case)
    printed: RegistrationResult = run(desk.registry.register, case)
    assert owners(desk.db, CO_OWNED) == [(LI_SI, "3/4"), (ZHAO_LIU, "1/4")]
    with desk.db.session() as session:
        open_titles = session.exec(
            select(Title).where(Title.unit_number == CO_OWNED, col(Title.closed_at).is_(None))
        ).all()
    assert [t.certificate_no for t in open_titles] == [printed.certificate_no]


def test_a_share_cannot_go_to_someone_outside_the_title(desk: Desk) -> None:
    _co_owned(desk.db)
    case = store_case(
        desk,
        unit=CO_OWNED,
        business_type="share_transfer",
        seller=ZHANG,
        buyer=WANG,
        price="900000.00",
        materials=SHARE,
    )
    taxes_paid(desk.db, case)
    err = refused(desk.registry.review_registration, case)
    assert err.type == "SellerNotOwner"
    assert owners(desk.db, CO_OWNED) == [(ZHANG_SAN, "1/2"), (LI_SI, "1/4"), (ZHAO_LIU, "1/4")]


def test_a_seizure_after_intake_fences_a_mortgage(desk: Desk) -> None:
    case = mortgage(desk)
    with desk.db.session() as session:
        session.add(
            Encumbrance(
                unit_number=FLAT_SALE,
                kind=EncumbranceKind.SEIZURE,
                holder="武汉市江汉区人民法院",
                reference="(2026)鄂0103执保9号",
                registered_on=date(2026, 11, 29),
            )
        )
    err = refused(desk.registry.record_transfer, case)
    assert err.type == "PropertySeized"
    assert liens(desk.db, FLAT_SALE) == []
    assert refused(desk.registry.review_registration, case).type == "PropertySeized"
