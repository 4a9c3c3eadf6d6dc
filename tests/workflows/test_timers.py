"""Working-time deadlines of a case on the time-skipping server, with the real activities.

Each test stores a case the way `POST /cases` does, then starts the workflow with a
synthetic Monday-to-Friday calendar around the test server's clock, so deadlines are
known in advance whatever the real date. Time moves only when a test skips it.
"""

from __future__ import annotations

import asyncio
import io
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlmodel import select
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.housing import HousingActivities
from api.schemas import CaseCreate
from api.services import case_intake
from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from domain.calendar import WorkingCalendar, load_office_hours
from domain.catalog import get_catalog
from integrations.sms import LocalOutboxSmsGateway
from models.archive import Case, Escalation, TaxBillRecord
from models.database import Database
from models.enums import CollectionMethod, Stage, StepName, StepStatus
from models.notices import StepNotice
from models.payloads import (
    CaseInput,
    CaseProgress,
    CollectionInput,
    HandoverInput,
    PaymentInput,
    StepInput,
    TransactionCheckResult,
)
from models.register import Certificate
from tests.actors import TAX_CLERK, WINDOW_CLERK
from tests.conftest import Hall, make_hall
from tests.replay.recording import record_history
from worker import build_activities, build_worker
from workflows.ids import PROPERTY_CASE_WORKFLOW, TRANSFER_SALE_WORKFLOW, case_workflow_id
from workflows.property_case import PropertyCaseWorkflow

pytestmark = pytest.mark.timeskip

T = TypeVar("T")
SELLER_PHONE = "13800000001"
BUYER_PHONE = "13800000002"
# 1 % assessed PIT + 1 % deed tax on 2 000 000, and the buyer's ¥80 registration fee
TAX_TOTAL = Decimal("40080.00")
MATERIALS = ["application_form", "id_document", "title_certificate", "sales_contract"]
ALL_DEADLINES = {
    "transaction_check": 1,
    "tax_assessment": 1,
    "payment": 10,
    "registration": 3,
    "collection": 10,
    "overall": 5,
}


@dataclass
class TimeskipHall:
    """A hall on the time-skipping server: its env, gateways and database."""

    env: WorkflowEnvironment
    hall: Hall
    workflow_type: str = TRANSFER_SALE_WORKFLOW

    @property
    def history_prefix(self) -> str:
        """Recorded histories of the frozen flow keep their names; the lean flow's say so."""
        return "" if self.workflow_type == PROPERTY_CASE_WORKFLOW else "transfer_sale_"

    @property
    def db(self) -> Database:
        return self.hall.db

    def sms_to(self, step_prefix: str) -> list[dict[str, str]]:
        """Outbox messages whose idempotency key's step starts with `step_prefix`."""
        return [
            m
            for m in self.hall.sms.messages()
            if m["idempotency_key"].split(":")[1].startswith(step_prefix)
        ]


@pytest.fixture(params=[TRANSFER_SALE_WORKFLOW, PROPERTY_CASE_WORKFLOW])
async def ts_hall(
    request: pytest.FixtureRequest,
    timeskip_env: WorkflowEnvironment,
    demo_db: Database,
    tmp_path: Path,
) -> TimeskipHall:
    """The catalog's sale flow, and the frozen one while its cases may still be open."""
    hall = make_hall(timeskip_env.client, demo_db, tmp_path)
    return TimeskipHall(env=timeskip_env, hall=hall, workflow_type=request.param)


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield pool


def _worker(
    ts: TimeskipHall, executor: ThreadPoolExecutor, *replacements: Any, sms: Any = None
) -> Worker:
    """The production worker, with any activity replaced by one registered under its name."""
    h = ts.hall
    activities = build_activities(h.settings, h.db, blobs=h.blobs, sms=sms or h.sms, ems=h.ems)
    replaced = {activity._Definition.must_from_callable(r).name for r in replacements}
    kept = [
        a for a in activities if activity._Definition.must_from_callable(a).name not in replaced
    ]
    return build_worker(h.client, h.task_queue, [*kept, *replacements], executor)


@pytest.fixture
async def ts_worker(ts_hall: TimeskipHall, executor: ThreadPoolExecutor) -> AsyncIterator[Worker]:
    async with _worker(ts_hall, executor) as worker:
        yield worker


def _synthetic_calendar(now: datetime) -> WorkingCalendar:
    """Monday to Friday, no holidays, from ten days back to 400 days ahead of `now`."""
    today = now.date()
    return WorkingCalendar(
        first_day=today - timedelta(days=10), last_day=today + timedelta(days=400)
    )


async def start_case(
    ts: TimeskipHall,
    deadlines: dict[str, int] | None = None,
    *,
    manual: list[str] | None = None,
    warn_share: float | None = None,
) -> tuple[str, WorkflowHandle[Any, CaseProgress]]:
    """Store a sale of the demo flat as `POST /cases` would, then start its workflow (with
    the departments that decide by hand, and the clerks' warning share, if given)."""
    h = ts.hall
    case = await store_sale(h)
    bt = get_catalog().business_type(case.business_type)
    now = await ts.env.get_current_time()
    inp = CaseInput(
        case_no=case.case_no,
        business_type=case.business_type,
        hall=case.hall,
        accepted_at=now,
        calendar=_synthetic_calendar(now),
        office_hours=load_office_hours(),
        deadlines=ALL_DEADLINES if deadlines is None else deadlines,
        departments=sorted(d.value for d in bt.departments),
        manual=manual or [],
        warn_share=warn_share,
    )
    handle: WorkflowHandle[Any, CaseProgress] = await h.client.start_workflow(
        ts.workflow_type,
        inp,
        id=case_workflow_id(case.case_no),
        task_queue=h.task_queue,
        result_type=CaseProgress,
    )
    return case.case_no, handle


async def store_sale(h: Hall) -> Case:
    """The demo flat's sale stored as `POST /cases` stores it (no workflow yet)."""
    docs = []
    for material in MATERIALS:
        ref = h.blobs.put(io.BytesIO(f"%PDF-1.4 scan of {material}\n".encode() * 20))
        docs.append({"material": material, "blob_key": ref.key, "filename": f"{material}.pdf"})
    body = CaseCreate.model_validate(
        {
            "business_type": "existing_home_sale",
            "unit_number": FLAT_SALE,
            "price": "2000000.00",
            "sellers": [{"name": "张三", "id_number": ZHANG_SAN, "phone": SELLER_PHONE}],
            "buyers": [{"name": "李四", "id_number": LI_SI, "phone": BUYER_PHONE}],
            "documents": docs,
            "tax_facts": {"buyer_home_count": 1},
        }
    )
    accepted = await asyncio.to_thread(
        case_intake.store,
        h.db,
        h.blobs,
        body,
        f"timeskip-{uuid.uuid4()}",
        h.settings.HALL_DIVISION,
        h.settings.TIMEZONE,
    )
    return accepted.case


async def eventually(check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 15) -> T:
    """Poll in real time (the test server's clock stands still) until `check` returns a value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def progress(handle: WorkflowHandle[Any, CaseProgress]) -> CaseProgress:
    return await handle.query(PropertyCaseWorkflow.progress)


async def reach_stage(
    handle: WorkflowHandle[Any, CaseProgress], stage: Stage, timeout: float = 15
) -> CaseProgress:
    async def check() -> CaseProgress | None:
        p = await progress(handle)
        return p if p.stage == stage else None

    return await eventually(check, f"stage {stage.value}", timeout)


async def outbox(ts: TimeskipHall, step_prefix: str, count: int) -> list[dict[str, str]]:
    """Wait until `count` messages of a step are in the outbox, and return them."""

    async def check() -> list[dict[str, str]] | None:
        found = await asyncio.to_thread(ts.sms_to, step_prefix)
        return found if len(found) >= count else None

    return await eventually(check, f"{count} SMS {step_prefix}*")


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    """Advance the test server's clock to `moment` (never backwards)."""
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


def step(p: CaseProgress, name: StepName) -> Any:
    return next(s for s in p.steps if s.name == name)


async def pay(handle: WorkflowHandle[Any, CaseProgress], reference: str) -> None:
    await handle.execute_update(
        PropertyCaseWorkflow.confirm_payment,
        PaymentInput(amount=TAX_TOTAL, reference=reference, actor=TAX_CLERK),
    )


async def collect_at_window(handle: WorkflowHandle[Any, CaseProgress]) -> CaseProgress:
    await handle.execute_update(
        PropertyCaseWorkflow.choose_collection,
        CollectionInput(method=CollectionMethod.WINDOW, actor=WINDOW_CLERK),
    )
    await reach_stage(handle, Stage.AWAITING_PICKUP)
    await handle.execute_update(
        PropertyCaseWorkflow.record_handover,
        HandoverInput(window="A3", clerk=WINDOW_CLERK.staff_id, actor=WINDOW_CLERK),
    )
    return await handle.result()


# --- payment -------------------------------------------------------------------------------


async def test_unpaid_taxes_are_reminded_at_halfway_and_lapse_at_the_deadline(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    case_no, handle = await start_case(ts_hall)
    waiting = await reach_stage(handle, Stage.AWAITING_PAYMENT)
    payment = step(waiting, StepName.PAYMENT)
    assert payment.status == StepStatus.WAITING
    due = waiting.payment_due_at
    assert due is not None and payment.due_at == due
    # 10 working days (Mon-Fri) end at 17:30 hall time on a weekday.
    local_due = due.astimezone(load_office_hours().zone)
    assert (local_due.hour, local_due.minute) == (17, 30) and local_due.weekday() < 5
    assert len(await outbox(ts_hall, "pay_taxes", 2)) == 2
    halfway = payment.started_at + (due - payment.started_at) / 2

    await skip_to(ts_hall.env, halfway - timedelta(minutes=5))
    await asyncio.sleep(0.3)  # give a wrongly early reminder the chance to show
    assert ts_hall.sms_to("payment_reminder") == []

    await skip_to(ts_hall.env, halfway + timedelta(minutes=5))
    reminders = await outbox(ts_hall, "payment_reminder", 2)
    assert sorted(m["phone"] for m in reminders) == [SELLER_PHONE, BUYER_PHONE]
    # Each side its own share: the seller's income tax, the buyer's deed tax and fee.
    texts = {m["phone"]: m["text"] for m in reminders}
    assert "20000.00" in texts[SELLER_PHONE] and "20080.00" in texts[BUYER_PHONE]
    assert all(local_due.strftime("%Y-%m-%d %H:%M") in m["text"] for m in reminders)
    assert (await progress(handle)).stage == Stage.AWAITING_PAYMENT
    assert ts_hall.sms_to("payment_lapsed") == []

    final = await handle.result()  # the server skips to the deadline by itself
    assert final.stage == Stage.LAPSED
    assert final.finished_at is not None and final.finished_at >= due
    assert step(final, StepName.PAYMENT).status == StepStatus.FAILED
    assert "taxes not paid in time" in (step(final, StepName.PAYMENT).detail or "")
    assert step(final, StepName.REGISTRATION).status == StepStatus.PENDING
    lapsed = ts_hall.sms_to("payment_lapsed")
    assert sorted(m["phone"] for m in lapsed) == [SELLER_PHONE, BUYER_PHONE]
    assert len(ts_hall.sms_to("payment_reminder")) == 2  # one reminder each, no more
    with ts_hall.db.session() as session:
        case = session.get(Case, case_no)
        certificates = session.exec(select(Certificate)).all()
    assert case is not None and case.status == "closed"
    assert case.outcome is not None and case.outcome.startswith("lapsed")
    assert certificates == []
    await record_history(
        ts_hall.hall, case_no, f"{ts_hall.history_prefix}timers_payment_reminder_and_lapse"
    )


async def test_payment_after_the_reminder_lets_registration_proceed(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    case_no, handle = await start_case(ts_hall)
    waiting = await reach_stage(handle, Stage.AWAITING_PAYMENT)
    payment = step(waiting, StepName.PAYMENT)
    due = waiting.payment_due_at
    assert due is not None
    halfway = payment.started_at + (due - payment.started_at) / 2
    await skip_to(ts_hall.env, halfway + timedelta(hours=1))
    await outbox(ts_hall, "payment_reminder", 2)

    await pay(handle, "TAX-REMINDED-1")
    ready = await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
    assert step(ready, StepName.PAYMENT).status == StepStatus.DONE
    assert step(ready, StepName.REGISTRATION).status == StepStatus.DONE
    assert ready.certificate_no is not None
    with ts_hall.db.session() as session:
        printed = session.exec(select(Certificate).where(Certificate.case_no == case_no)).one()
    assert printed.number == ready.certificate_no

    final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED
    assert ts_hall.sms_to("payment_lapsed") == []
    assert final.finished_at is not None and final.finished_at < due
    with ts_hall.db.session() as session:
        case = session.get(Case, case_no)
    assert case is not None and case.outcome == "completed"


class HeldLapseSms:
    """Delivers every SMS at once except the lapse notice, which waits for `release`.

    Models an SMS provider that is slow or down at the very moment the payment window closes.
    """

    def __init__(self, real: LocalOutboxSmsGateway) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        if ":payment_lapsed:" in idempotency_key:
            self.entered.set()
            self.release.wait(timeout=30)
        return self.real.send(phone=phone, text=text, idempotency_key=idempotency_key)


async def test_a_payment_confirmed_after_the_deadline_never_leaves_a_paid_lapsed_case(
    ts_hall: TimeskipHall, executor: ThreadPoolExecutor
) -> None:
    sms = HeldLapseSms(ts_hall.hall.sms)
    async with _worker(ts_hall, executor, sms=sms):
        case_no, handle = await start_case(ts_hall)
        waiting = await reach_stage(handle, Stage.AWAITING_PAYMENT)
        due = waiting.payment_due_at
        assert due is not None
        # The clock stands still while the lapse SMS is held, so skip in the background.
        skipping = asyncio.ensure_future(skip_to(ts_hall.env, due + timedelta(minutes=1)))
        try:
            await eventually(lambda: _true(sms.entered.is_set()), "the lapse SMS being sent")
            assert (await progress(handle)).stage == Stage.AWAITING_PAYMENT
            try:
                await pay(handle, "TAX-TOO-LATE")
                accepted = True
            except WorkflowUpdateFailedError:
                accepted = False
        finally:
            sms.release.set()
            await skipping
        final = await handle.result()
    with ts_hall.db.session() as session:
        bill = session.get(TaxBillRecord, case_no)
    assert bill is not None
    # Either the late payment is refused and the case lapses, or it is taken and the case
    # goes on; never money taken for a case that is then closed for not paying.
    assert not (accepted and final.stage == Stage.LAPSED), "payment accepted, case lapsed"
    assert (bill.status == "paid") == (final.stage != Stage.LAPSED)


# --- department deadline -------------------------------------------------------------------


class SlowHousing:
    """The housing system is down until a clerk finishes the check (`release` is set).

    A blocking activity would hold the test server's clock still (it never skips time
    while an activity runs), so the outage is a retryable fault whose next attempt comes
    a week later, well after the one-working-day deadline.
    """

    def __init__(self, ts: TimeskipHall) -> None:
        h = ts.hall
        built = build_activities(h.settings, h.db, blobs=h.blobs, sms=h.sms, ems=h.ems)
        by_name = {activity._Definition.must_from_callable(a).name: a for a in built}
        self.real = HousingActivities(h.db)
        self.real_step = by_name["check_and_notify"].__self__  # a lean flow's check step
        self.release = threading.Event()
        self.attempts = 0

    def _down(self) -> None:
        self.attempts += 1
        if not self.release.is_set():
            raise ApplicationError("housing system unavailable", next_retry_delay=timedelta(days=7))

    @activity.defn(name="check_transaction")
    def check_transaction(self, inp: StepInput) -> TransactionCheckResult:
        self._down()
        return self.real.check_transaction(inp)

    @activity.defn(name="check_and_notify")
    def check_and_notify(self, inp: StepNotice) -> TransactionCheckResult:
        self._down()
        checked: TransactionCheckResult = self.real_step.check_and_notify(inp)
        return checked


async def test_missed_check_deadline_is_escalated_once_and_the_case_goes_on(
    ts_hall: TimeskipHall, executor: ThreadPoolExecutor
) -> None:
    housing = SlowHousing(ts_hall)
    # No payment or collection deadline: the rest of the case waits without timers.
    deadlines = {"transaction_check": 1, "tax_assessment": 1, "registration": 3}
    async with _worker(ts_hall, executor, housing.check_transaction, housing.check_and_notify):
        case_no, handle = await start_case(ts_hall, deadlines)

        checking = await reach_stage(handle, Stage.TRANSACTION_CHECK)
        check = step(checking, StepName.TRANSACTION_CHECK)
        assert check.status == StepStatus.RUNNING and check.due_at is not None
        assert not check.escalated
        await eventually(lambda: _true(housing.attempts >= 1), "the first check attempt")

        await skip_to(ts_hall.env, check.due_at - timedelta(minutes=1))
        await asyncio.sleep(0.3)
        assert not step(await progress(handle), StepName.TRANSACTION_CHECK).escalated
        assert await asyncio.to_thread(_escalations, ts_hall.db, case_no) == []

        await skip_to(ts_hall.env, check.due_at + timedelta(minutes=1))
        rows = await eventually(
            lambda: asyncio.to_thread(_escalations, ts_hall.db, case_no), "an escalation row"
        )
        assert [(r.step, r.department) for r in rows] == [("transaction_check", "housing")]
        assert rows[0].due_at == check.due_at
        late = await progress(handle)
        assert step(late, StepName.TRANSACTION_CHECK).escalated
        assert step(late, StepName.TRANSACTION_CHECK).status == StepStatus.RUNNING
        assert late.stage == Stage.TRANSACTION_CHECK

        housing.release.set()
        await skip_to(ts_hall.env, check.due_at + timedelta(days=8))
        waiting = await reach_stage(handle, Stage.AWAITING_PAYMENT)
        done = step(waiting, StepName.TRANSACTION_CHECK)
        assert done.status == StepStatus.DONE and done.escalated
        assert "WHCL2026000101" in (done.detail or "")
        assert not step(waiting, StepName.TAX_ASSESSMENT).escalated
        assert waiting.payment_due_at is None  # no payment deadline was handed in

        await pay(handle, "TAX-LATE-CHECK")
        await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
        final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED
    assert housing.attempts == 2
    assert len(await asyncio.to_thread(_escalations, ts_hall.db, case_no)) == 1
    await record_history(ts_hall.hall, case_no, f"{ts_hall.history_prefix}timers_check_escalated")


async def _true(value: bool) -> bool:
    return value


def _escalations(db: Database, case_no: str) -> list[Escalation]:
    with db.session() as session:
        return list(session.exec(select(Escalation).where(Escalation.case_no == case_no)))


# --- collection ----------------------------------------------------------------------------


async def test_uncollected_certificate_reminds_the_buyer_only(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    case_no, handle = await start_case(ts_hall)
    await reach_stage(handle, Stage.AWAITING_PAYMENT)
    await pay(handle, "TAX-PROMPT-1")
    ready = await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
    collection = step(ready, StepName.COLLECTION)
    assert collection.status == StepStatus.WAITING and collection.due_at is not None
    [ready_sms] = await outbox(ts_hall, "certificate_ready", 1)
    assert ready_sms["phone"] == BUYER_PHONE

    await skip_to(ts_hall.env, collection.due_at - timedelta(minutes=5))
    await asyncio.sleep(0.3)
    assert ts_hall.sms_to("collection_reminder") == []

    await skip_to(ts_hall.env, collection.due_at + timedelta(minutes=5))
    [reminder] = await outbox(ts_hall, "collection_reminder_1", 1)
    assert reminder["phone"] == BUYER_PHONE
    assert reminder["idempotency_key"] == f"{case_no}:collection_reminder_1:{BUYER_PHONE}"
    assert case_no in reminder["text"] and "待领取" in reminder["text"]
    await asyncio.sleep(0.3)
    assert [m["idempotency_key"] for m in ts_hall.sms_to("collection_reminder")] == [
        reminder["idempotency_key"]
    ]
    assert (await progress(handle)).stage == Stage.AWAITING_COLLECTION_CHOICE

    final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED
    assert step(final, StepName.COLLECTION).status == StepStatus.DONE
    assert all(m["phone"] == BUYER_PHONE for m in ts_hall.sms_to("collection_reminder"))
    await record_history(
        ts_hall.hall, case_no, f"{ts_hall.history_prefix}timers_collection_reminder_window"
    )
