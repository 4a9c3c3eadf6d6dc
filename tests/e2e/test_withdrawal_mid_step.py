"""A withdrawal that arrives while an automatic step is under way waits for the step to
finish its work and takes effect where the case next waits for a person; if that step
records the case, the withdrawal is refused instead. Each step is held at a gate so the
request really arrives mid-step (real dev server, real worker, real HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Worker,
)

from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from models.audit import CaseEvent
from models.database import Database
from models.refund import Refund
from models.register import Encumbrance, EncumbranceKind, TitleHolder
from tests.conftest import Hall, make_hall, staff_headers
from tests.e2e.walk import (
    collect_at_the_window,
    file_sale,
    pay_the_bill,
    wait_for_stage,
    wait_for_step,
)
from tests.replay.recording import record_history

REASON = "买方放弃购买"


class Gate(Interceptor):
    """Holds the named activity at its start until the test opens the gate."""

    def __init__(self) -> None:
        self.activity = ""
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    def hold(self, activity_type: str) -> None:
        self.activity = activity_type
        self.reached.clear()
        self.opened.clear()

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Held(next, self)


class _Held(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, gate: Gate) -> None:
        super().__init__(next)
        self.gate = gate

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if activity.info().activity_type == self.gate.activity:
            self.gate.reached.set()
            await self.gate.opened.wait()
        return await self.next.execute_activity(input)


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def hall(
    request: pytest.FixtureRequest,
    temporal_env: WorkflowEnvironment,
    demo_db: Database,
    tmp_path: Path,
) -> Hall:
    """A hall deciding automatically, or by hand in the departments a test names."""
    made = make_hall(temporal_env.client, demo_db, tmp_path)
    manual = getattr(request, "param", "")
    made.settings = made.settings.model_copy(update={"MANUAL_DEPARTMENTS": manual})
    return made


@pytest.fixture
async def gated_worker(hall: Hall, gate: Gate) -> AsyncIterator[Worker]:
    """The hall's worker with the gate; tests ask for it after `api_url`, so a failed test
    opens the gate before the server waits for its open requests to finish."""
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with hall.worker(executor, interceptors=[gate]) as worker:
            try:
                yield worker
            finally:
                gate.opened.set()  # a failed test leaves no activity held


async def _withdrawal(api: httpx.AsyncClient, case_no: str) -> asyncio.Task[httpx.Response]:
    """Send the withdrawal and check it is still unanswered while the step is held."""
    scan = b"%PDF-1.4 signed request to withdraw\n" * 20
    stored = await api.post("/scans", files={"file": ("withdrawal.pdf", scan, "application/pdf")})
    signed = {"key": stored.json()["key"], "sha256": stored.json()["sha256"]}
    sent = asyncio.ensure_future(
        api.post(f"/cases/{case_no}/withdrawal", json={"reason": REASON, "signed_request": signed})
    )
    await asyncio.sleep(1.0)
    assert not sent.done(), sent.result().text  # accepted, waiting for the step to finish
    return sent


def _told(hall: Hall, case_no: str, step: str) -> list[str]:
    return [
        m["text"]
        for m in hall.sms.messages()
        if m["idempotency_key"].startswith(f"{case_no}:{step}:")
    ]


def _holders(hall: Hall) -> list[str]:
    with hall.db.session() as session:
        rows = session.exec(
            select(TitleHolder.holder_id_number).where(
                TitleHolder.unit_number == FLAT_SALE,
                TitleHolder.ended_on.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    return list(rows)


async def test_a_withdrawal_during_the_assessment_waits_for_the_bill_then_closes_the_case(
    hall: Hall, gate: Gate, api_url: str, gated_worker: Worker
) -> None:
    gate.hold("assess_and_bill")
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await asyncio.wait_for(gate.reached.wait(), 30)
        sent = await _withdrawal(api, case_no)
        gate.opened.set()
        answer = await sent
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"withdrawn": True, "stage": "withdrawn"}
        ended = await wait_for_stage(api, case_no, {"withdrawn"})
        assert REASON in (ended["reason"] or "")
        # The step finished its work (the payers were billed) before the case closed; nothing
        # was paid, so nothing is owed back; the flat is free for a new case.
        billed = {
            m["idempotency_key"].split(":")[1]
            for m in hall.sms.messages()
            if m["idempotency_key"].startswith(f"{case_no}:")
        }
        assert {"pay_taxes_buyer", "pay_taxes_seller"} <= billed
        assert len(_told(hall, case_no, "withdrawn")) == 2
        with hall.db.session() as session:
            assert not session.exec(select(Refund).where(Refund.case_no == case_no)).all()
        assert _holders(hall) == [ZHANG_SAN]
        second = await file_sale(api)
        await wait_for_stage(api, second, {"awaiting_payment"})
    await record_history(hall, case_no, "transfer_sale_withdrawn_during_assessment")


# Registration decides by hand: after the payment the case waits for the registrar, and the
# withdrawal takes effect there, with the payment just recorded owed back.
@pytest.mark.parametrize("hall", ["registration"], indirect=True)
async def test_a_withdrawal_while_the_payment_is_recorded_waits_and_owes_the_payment_back(
    hall: Hall, gate: Gate, api_url: str, gated_worker: Worker
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        gate.hold("record_payment_and_notify")
        paying = asyncio.ensure_future(
            api.post(
                f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "T-9"}
            )
        )
        await asyncio.wait_for(gate.reached.wait(), 30)
        sent = await _withdrawal(api, case_no)
        gate.opened.set()
        assert (await paying).status_code == 200
        answer = await sent
        assert answer.status_code == 200, answer.text
        assert answer.json()["withdrawn"] is True
    await record_history(hall, case_no, "transfer_sale_withdrawn_while_payment_recorded")
    with hall.db.session() as session:
        owed = session.exec(select(Refund).where(Refund.case_no == case_no)).all()
    assert sum((r.amount for r in owed), Decimal(0)) == Decimal(str(due["tax_total"]))
    assert all(r.status == "due" for r in owed)


async def test_a_withdrawal_overtaken_by_recording_is_refused_and_the_case_goes_on(
    hall: Hall, gate: Gate, api_url: str, gated_worker: Worker
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        gate.hold("register_and_notify")  # reached only once the bill is paid
        case_no = await file_sale(api)
        await pay_the_bill(api, case_no, "T-8")
        await asyncio.wait_for(gate.reached.wait(), 30)
        sent = await _withdrawal(api, case_no)
        gate.opened.set()
        answer = await sent
        assert answer.status_code == 409 and "recorded" in answer.text, answer.text
        await wait_for_step(api, case_no, "registration", "done")
        shown = await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        assert shown["certificate_no"]
        assert not _told(hall, case_no, "withdrawn")
        with hall.db.session() as session:
            audit = session.exec(
                select(CaseEvent.action, CaseEvent.subject).where(CaseEvent.case_no == case_no)
            ).all()
        assert ("withdrawal_overtaken", "recorded") in audit
        await collect_at_the_window(api, case_no)
    await record_history(hall, case_no, "transfer_sale_withdrawal_overtaken_by_recording")
    assert _holders(hall) == [LI_SI]


async def test_a_withdrawal_overtaken_by_a_refusal_is_answered_with_the_refusal(
    hall: Hall, gate: Gate, api_url: str, gated_worker: Worker
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        with hall.db.session() as session:  # a court seizes the flat meanwhile
            session.add(
                Encumbrance(
                    unit_number=FLAT_SALE,
                    kind=EncumbranceKind.SEIZURE,
                    holder="武汉市江汉区人民法院",
                    reference="(2026)鄂0103执保0043号",
                    registered_on=date(2026, 11, 28),
                )
            )
            session.commit()
        gate.hold("register_and_notify")
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "T-6"}
        )
        assert paid.status_code == 200, paid.text
        await asyncio.wait_for(gate.reached.wait(), 30)
        sent = await _withdrawal(api, case_no)
        gate.opened.set()
        answer = await sent
        assert answer.status_code == 409, answer.text
        assert "ended as refused before it took effect" in answer.text
        ended = await wait_for_stage(api, case_no, {"refused"})
        assert "(2026)鄂0103执保0043号" in ended["reason"]
    await record_history(hall, case_no, "transfer_sale_withdrawal_overtaken_by_refusal")
    with hall.db.session() as session:
        audit = session.exec(
            select(CaseEvent.action, CaseEvent.subject).where(CaseEvent.case_no == case_no)
        ).all()
        owed = session.exec(select(Refund).where(Refund.case_no == case_no)).all()
    assert ("withdrawal_overtaken", "refused") in audit
    assert sum((r.amount for r in owed), Decimal(0)) == Decimal(str(due["tax_total"]))
    assert _holders(hall) == [ZHANG_SAN]
