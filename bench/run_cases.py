"""The onewindow phase: N full sale cases, each driven through the Temporal client.

Per case, as the hall would: store the application (`case_intake.store`), start its
workflow, wait until the progress query shows `awaiting_payment`, confirm the payment,
wait for the certificate, choose window pickup, record the handover, await the result.
No HTTP: the figure is the workflow side (server, worker, activities, database).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from api.schemas import CaseCreate
from api.services import case_intake
from bench.register import case_body, seed_register
from bench.result import PhaseResult
from bench.stats import cpu_now, cpu_share, history_stats, percentile
from config import Settings
from devtools.demo_data import load_demo_data
from domain.catalog import get_catalog
from integrations.blobs import FileBlobStore
from integrations.ems import LocalEmsGateway
from integrations.sms import LocalOutboxSmsGateway
from models.actor import Actor, Role
from models.database import Database
from models.enums import TERMINAL_STAGES, CollectionMethod, Stage
from models.payloads import CaseProgress, CollectionInput, HandoverInput, PaymentInput
from worker import build_activities, build_worker
from workflows.flows.transfer_sale import TransferSaleFlow
from workflows.ids import case_workflow_id

THREADS = 16  # as worker.py
BENCH_TAX = Actor(staff_id="bench-tax", name="bench", role=Role.TAX)
BENCH_WINDOW = Actor(staff_id="bench-window", name="bench", role=Role.WINDOW, window="A01")
HALL = "420103"

CaseHandle = WorkflowHandle[TransferSaleFlow, CaseProgress]


class CaseEnded(Exception):
    """The case reached a final stage other than the one the driver waited for."""


@dataclass
class Driver:
    """Drives the cases and counts what it asked of the server."""

    client: Client
    db: Database
    settings: Settings
    blobs: FileBlobStore
    poll: float
    queries: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    workflow_ids: list[str] = field(default_factory=list)

    async def until_stage(self, handle: CaseHandle, stage: Stage) -> CaseProgress:
        """Poll the progress query, jittered so the cases do not poll in lockstep."""
        while True:
            await asyncio.sleep(self.poll * (0.5 + random.random()))
            self.queries += 1
            try:
                progress = await handle.query(TransferSaleFlow.progress)
            except RPCError:
                continue  # first workflow task not done yet
            if progress.stage == stage:
                return progress
            if progress.stage in TERMINAL_STAGES:
                raise CaseEnded(f"{progress.case_no}: {progress.stage} ({progress.reason})")

    async def one(self, i: int, body: CaseCreate, run: str) -> None:
        began = time.perf_counter()
        s = self.settings
        accepted = await asyncio.to_thread(
            case_intake.store, self.db, self.blobs, body, f"{run}-{i}", s.HALL_DIVISION, s.TIMEZONE
        )
        case = accepted.case
        await case_intake.start_workflow(self.client, get_catalog(), case, s.TASK_QUEUE, s.TIMEZONE)
        wid = case_workflow_id(case.case_no)
        self.workflow_ids.append(wid)
        handle = self.client.get_workflow_handle_for(TransferSaleFlow.run, wid)
        due = await self.until_stage(handle, Stage.AWAITING_PAYMENT)
        assert due.tax_total is not None
        await handle.execute_update(
            TransferSaleFlow.confirm_payment,
            PaymentInput(amount=due.tax_total, reference=f"TAX-{i:06d}", actor=BENCH_TAX),
        )
        await self.until_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
        await handle.execute_update(
            TransferSaleFlow.choose_collection,
            CollectionInput(method=CollectionMethod.WINDOW, actor=BENCH_WINDOW),
        )
        await handle.execute_update(
            TransferSaleFlow.record_handover,
            HandoverInput(window="A01", clerk="bench", actor=BENCH_WINDOW),
        )
        final = await handle.result()
        if final.stage != Stage.COMPLETED or not final.certificate_no:
            raise CaseEnded(f"{final.case_no}: ended {final.stage} without a certificate")
        self.latencies.append(time.perf_counter() - began)

    async def guarded(self, i: int, body: CaseCreate, run: str, timeout: float) -> None:
        try:
            await asyncio.wait_for(self.one(i, body, run), timeout)
        except Exception as err:  # a failed case is counted and reported, not fatal
            self.errors.append(f"case {i}: {type(err).__name__}: {err}")


async def run_cases(
    client: Client,
    db: Database,
    workdir: Path,
    *,
    name: str,
    cases: int,
    poll: float,
    timeout: float,
) -> PhaseResult:
    """Seed the register, upload the scans, then run `cases` cases at once and time them.

    Seeding and scan uploads happen before the clock starts; storing each case is inside.
    """
    task_queue = f"bench-cases-{uuid.uuid4()}"
    settings = Settings(
        ENVIRONMENT="test",
        DATABASE_URL=db.url,
        TASK_QUEUE=task_queue,
        HALL_DIVISION=HALL,
        BLOB_DIR=workdir / "blobs",
        SMS_OUTBOX_FILE=workdir / "sms.jsonl",
        EMS_LOCAL_DIR=workdir / "ems",
    )
    blobs = FileBlobStore(settings.BLOB_DIR)
    sms = LocalOutboxSmsGateway(settings.SMS_OUTBOX_FILE)
    ems = LocalEmsGateway(settings.EMS_LOCAL_DIR)
    load_demo_data(db)
    seed_register(db, cases)
    bodies = [case_body(blobs, i) for i in range(cases)]
    driver = Driver(client=client, db=db, settings=settings, blobs=blobs, poll=poll)
    run = f"bench-{uuid.uuid4().hex[:8]}"

    activities = build_activities(settings, db, blobs=blobs, sms=sms, ems=ems)
    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        async with build_worker(client, task_queue, activities, executor):
            cpu0, t0 = cpu_now(), time.perf_counter()
            await asyncio.gather(
                *(driver.guarded(i, body, run, timeout) for i, body in enumerate(bodies))
            )
            seconds = time.perf_counter() - t0
            cpu = cpu_share(cpu0, cpu_now(), seconds)
    hist = await history_stats(client, driver.workflow_ids)
    return PhaseResult(
        name=name,
        cases=cases,
        completed=len(driver.latencies),
        seconds=seconds,
        latency_p50=percentile(driver.latencies, 50),
        latency_p95=percentile(driver.latencies, 95),
        activities_per_case=hist.activities,
        events_per_case=hist.events,
        cpu=cpu,
        waits=hist.waits,
        activity_run=hist.activity_run,
        extra={
            "queries_per_case": round(driver.queries / max(cases, 1), 1),
            "updates_per_case": 3,
            "poll_seconds": poll,
            "sms_sent": len(sms.messages()),
            "errors": driver.errors[:10],
            "error_count": len(driver.errors),
        },
    )
