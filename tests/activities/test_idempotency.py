"""A retried activity changes nothing the second time (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select
from temporalio.testing import ActivityEnvironment

from activities.registry import RegistryActivities
from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from domain.catalog import get_catalog
from models.archive import Case, Escalation, Handoff, Shipment, SmsMessage, TaxBillRecord
from models.database import Database
from models.enums import Department, Stage
from models.payloads import CloseCaseInput, EscalationInput, ShipmentInput, SmsInput, StepInput
from models.register import Certificate, Counter, Ownership, Title
from tests.activities import BUYER_PHONE, SELLER_PHONE, Desk, make_desk, store_case


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


def count(db: Database, model: type, *where: object) -> int:
    with db.session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_check_transaction_twice_pushes_its_result_once(
    desk: Desk, env: ActivityEnvironment
) -> None:
    case = store_case(desk)
    first = env.run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    second = env.run(desk.housing.check_transaction, StepInput(case_no=case.case_no))
    assert first == second
    assert first.contract_no == "WHCL2026000101" and first.unit_number == FLAT_SALE
    with desk.db.session() as session:
        pushed = session.exec(
            select(Handoff.to_department).where(
                Handoff.case_no == case.case_no, Handoff.subject == "transaction_check"
            )
        ).all()
    assert sorted(pushed) == ["registration", "tax"]


def test_assess_taxes_twice_returns_the_stored_bill(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    first = env.run(desk.tax.assess_taxes, StepInput(case_no=case.case_no))
    with desk.db.session() as session:
        bill = session.get(TaxBillRecord, case.case_no)
    assert bill is not None
    second = env.run(desk.tax.assess_taxes, StepInput(case_no=case.case_no))
    assert first == second
    assert first.total == Decimal("40080.00")  # and the buyer's ¥80 registration fee
    assert (first.buyer_total, first.seller_total) == (Decimal("20080.00"), Decimal("20000.00"))
    assert count(desk.db, TaxBillRecord) == 1
    with desk.db.session() as session:
        again = session.get(TaxBillRecord, case.case_no)
    assert again is not None and again.assessed_at == bill.assessed_at


def test_record_transfer_twice_gives_the_buyer_one_title(
    desk: Desk, env: ActivityEnvironment
) -> None:
    case = store_case(desk)
    env.run(desk.registry.record_transfer, StepInput(case_no=case.case_no))
    env.run(desk.registry.record_transfer, StepInput(case_no=case.case_no))
    with desk.db.session() as session:
        buyer = session.exec(select(Ownership).where(Ownership.holder_id_number == LI_SI)).all()
        current = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
        seller = session.exec(
            select(Ownership).where(Ownership.holder_id_number == ZHANG_SAN)
        ).one()
        titles = session.exec(select(Title).where(Title.unit_number == FLAT_SALE)).all()
    assert len(buyer) == 1
    assert buyer[0].share == "1"
    assert buyer[0].acquired_price == Decimal("2000000.00")
    assert [o.holder_id_number for o in current] == [LI_SI]
    assert seller.ended_on is not None
    # The seller's title closed by this case; the buyer's, recorded by it, open.
    assert [(t.closed_by_case, t.closed_at is None) for t in titles] == [(case.case_no, False)] + [
        (None, True)
    ]
    assert titles[1].case_no == case.case_no and buyer[0].title_id == titles[1].id


class CommitTogether(Database):
    """Sessions that wait (briefly) for each other just before committing.

    Two attempts of one activity can overlap: Temporal starts a retry when an attempt's
    start-to-close timeout expires, even if that attempt is still running (say on a stalled
    database). This lines both attempts up so each has read the state before either writes.
    If one attempt is held by a lock until the other commits, the wait simply times out.
    """

    def __init__(self, url: str, parties: int) -> None:
        super().__init__(url)
        self.barrier = threading.Barrier(parties)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                try:
                    self.barrier.wait(timeout=2)
                except threading.BrokenBarrierError:
                    pass  # the other attempt is queued behind a lock this one holds
                session.commit()
            except BaseException:
                session.rollback()
                raise


def test_two_overlapping_record_transfer_attempts_give_the_buyer_one_title(desk: Desk) -> None:
    case = store_case(desk)
    racing = CommitTogether(desk.db.url, parties=2)
    registry = RegistryActivities(racing, get_catalog(), "鄂", "武汉市", 7, zone=desk.registry.zone)
    failed: list[BaseException] = []

    def attempt() -> None:
        try:
            ActivityEnvironment().run(registry.record_transfer, StepInput(case_no=case.case_no))
        except Exception as err:  # a technical fault: Temporal retries it, as below
            failed.append(err)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    racing.dispose()
    for _ in failed:
        ActivityEnvironment().run(desk.registry.record_transfer, StepInput(case_no=case.case_no))
    with desk.db.session() as session:
        titles = session.exec(select(Ownership).where(Ownership.holder_id_number == LI_SI)).all()
        current = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
    assert len(titles) == 1, f"{len(titles)} titles for the buyer; faults: {failed}"
    assert [o.holder_id_number for o in current] == [LI_SI]


def test_print_certificate_twice_allocates_one_number(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    env.run(desk.registry.record_transfer, StepInput(case_no=case.case_no))
    first = env.run(desk.registry.print_certificate, StepInput(case_no=case.case_no))
    second = env.run(desk.registry.print_certificate, StepInput(case_no=case.case_no))
    assert first.certificate_no == second.certificate_no
    assert first.certificate_no.endswith("武汉市不动产权第0000001号")
    assert count(desk.db, Certificate) == 1
    with desk.db.session() as session:
        counters = session.exec(
            select(Counter).where(col(Counter.name).startswith("certificate:"))
        ).all()
        title = session.exec(select(Title).where(Title.case_no == case.case_no)).one()
        owner = session.exec(select(Ownership).where(Ownership.title_id == title.id)).one()
    assert [c.value for c in counters] == [1]  # the retry took no second serial
    assert owner.certificate_no == title.certificate_no == first.certificate_no


def test_print_before_record_is_a_fault_not_a_number(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    with pytest.raises(ValueError, match="print before record"):
        env.run(desk.registry.print_certificate, StepInput(case_no=case.case_no))
    assert count(desk.db, Certificate) == 0
    assert count(desk.db, Counter, col(Counter.name).startswith("certificate:")) == 0


def test_send_sms_twice_texts_each_phone_once(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    inp = SmsInput(case_no=case.case_no, step="accepted", template="accepted", params={"due": "X"})
    first = env.run(desk.notify.send_sms, inp)
    second = env.run(desk.notify.send_sms, inp)
    assert (first.sent, first.already_sent) == (2, 0)
    assert (second.sent, second.already_sent) == (0, 2)
    sent = desk.sms.messages()
    assert sorted(m["phone"] for m in sent) == [SELLER_PHONE, BUYER_PHONE]
    assert {m["idempotency_key"] for m in sent} == {
        f"{case.case_no}:accepted:{SELLER_PHONE}",
        f"{case.case_no}:accepted:{BUYER_PHONE}",
    }
    with desk.db.session() as session:
        rows = session.exec(select(SmsMessage).where(SmsMessage.case_no == case.case_no)).all()
    assert sorted(r.phone for r in rows) == [SELLER_PHONE, BUYER_PHONE]
    assert all(r.status == "sent" and r.provider_message_id for r in rows)


def test_send_sms_to_one_role_reaches_only_that_party(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    inp = SmsInput(
        case_no=case.case_no,
        step="certificate_ready",
        template="certificate_ready",
        to_roles=["buyer"],
    )
    assert env.run(desk.notify.send_sms, inp).sent == 1
    assert [m["phone"] for m in desk.sms.messages()] == [BUYER_PHONE]


def test_ship_certificate_twice_books_one_consignment(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    inp = ShipmentInput(
        case_no=case.case_no,
        recipient="李四",
        phone=BUYER_PHONE,
        address="武汉市江汉区新华路 100 号",
    )
    first = env.run(desk.delivery.ship_certificate, inp)
    second = env.run(desk.delivery.ship_certificate, inp)
    assert first.tracking_no == second.tracking_no
    assert count(desk.db, Shipment) == 1
    book = desk.ems.path.read_text(encoding="utf-8").splitlines()
    assert len(book) == 1 and first.tracking_no in book[0]


def test_escalation_and_closing_are_recorded_once(desk: Desk, env: ActivityEnvironment) -> None:
    case = store_case(desk)
    esc = EscalationInput(
        case_no=case.case_no,
        step="transaction_check",
        department=Department.HOUSING,
        due_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    assert env.run(desk.archive.escalate_deadline, esc) is True
    assert env.run(desk.archive.escalate_deadline, esc) is False
    assert count(desk.db, Escalation) == 1
    close = CloseCaseInput(case_no=case.case_no, outcome=Stage.REFUSED, reason="seized")
    env.run(desk.archive.close_case, close)
    with desk.db.session() as session:
        closed = session.get(Case, case.case_no)
    env.run(desk.archive.close_case, close.model_copy(update={"outcome": Stage.COMPLETED}))
    with desk.db.session() as session:
        again = session.get(Case, case.case_no)
    assert closed is not None and again is not None
    assert (again.status, again.outcome) == ("closed", "refused: seized")
    assert again.closed_at == closed.closed_at
