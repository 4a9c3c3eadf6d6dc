"""A lean flow's steps tell the applicant themselves: one message per step and recipient,
whatever fails and is retried (run on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from integrations.sms import LocalOutboxSmsGateway
from models.archive import Case, SmsMessage
from models.database import Database
from models.enums import Stage
from models.notices import BillNotice, CloseNotice, StepNotice
from models.payloads import CloseCaseInput, SmsInput
from tests.activities import BUYER_PHONE, SELLER_PHONE, Desk, make_desk, store_case


class FlakyGateway:
    """Fails the first `failures` sends (a provider outage), then sends through the outbox."""

    def __init__(self, inner: LocalOutboxSmsGateway, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("SMS provider unreachable")
        return self.inner.send(phone=phone, text=text, idempotency_key=idempotency_key)


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


def test_intake_is_retried_after_a_failed_send_and_texts_each_party_once(
    demo_db: Database, tmp_path: Path, env: ActivityEnvironment
) -> None:
    plain = make_desk(demo_db, tmp_path)
    flaky = FlakyGateway(plain.sms, failures=1)
    desk = make_desk(demo_db, tmp_path, sms=flaky)
    steps = desk.steps()
    case = store_case(desk)
    accepted = SmsInput(
        case_no=case.case_no, step="accepted", template="accepted", params={"due": "12-04"}
    )
    notice = StepNotice(case_no=case.case_no, sms=[accepted])

    with pytest.raises(ConnectionError):
        env.run(steps.intake_case, notice)
    # The step's work committed and the messages wait in the outbox.
    with desk.db.session() as session:
        waiting = session.exec(select(SmsMessage).where(SmsMessage.case_no == case.case_no)).all()
    assert sorted(m.status for m in waiting) == ["pending", "pending"]

    pushed = env.run(steps.intake_case, notice)  # Temporal's retry
    again = env.run(steps.intake_case, notice)  # and one more, as after a lost completion
    assert pushed == again
    sent = [m for m in plain.sms.messages() if m["idempotency_key"].startswith(case.case_no)]
    assert sorted(m["phone"] for m in sent) == sorted([SELLER_PHONE, BUYER_PHONE])
    assert all("12-04" in m["text"] for m in sent)


def test_the_bill_tells_each_payer_their_own_share_once(
    desk: Desk, env: ActivityEnvironment
) -> None:
    steps = desk.steps()
    case = store_case(desk)
    bill = env.run(steps.assess_and_bill, BillNotice(case_no=case.case_no, due="2026-12-14"))
    env.run(steps.assess_and_bill, BillNotice(case_no=case.case_no, due="2026-12-14"))
    sent = {
        m["phone"]: m["text"]
        for m in desk.sms.messages()
        if m["idempotency_key"].startswith(f"{case.case_no}:pay_taxes")
    }
    assert len(desk.sms.messages()) == len(sent)  # nothing twice
    assert str(bill.buyer_total) in sent[BUYER_PHONE]
    if bill.seller_total > 0:
        assert str(bill.seller_total) in sent[SELLER_PHONE]
    else:
        assert SELLER_PHONE not in sent


def test_closing_a_refused_case_tells_the_parties_why_once(
    desk: Desk, env: ActivityEnvironment
) -> None:
    steps = desk.steps()
    case = store_case(desk)
    told = SmsInput(
        case_no=case.case_no, step="refused", template="refused", params={"reason": "查封"}
    )
    close = CloseNotice(
        close=CloseCaseInput(case_no=case.case_no, outcome=Stage.REFUSED, reason="查封"),
        sms=[told],
    )
    env.run(steps.close_and_notify, close)
    env.run(steps.close_and_notify, close)
    with desk.db.session() as session:
        closed = session.get(Case, case.case_no)
    assert closed is not None and closed.status == "closed"
    texts = [m["text"] for m in desk.sms.messages()]
    assert len(texts) == 2 and all("查封" in t for t in texts)
