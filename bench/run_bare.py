"""The baseline phase: N bare workflows at once on a fresh task queue."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from bench.bare import BARE_STEPS, BareWorkflow, bare_step
from bench.result import PhaseResult
from bench.stats import cpu_now, cpu_share, history_stats, percentile

THREADS = 16


async def run_bare(client: Client, cases: int) -> PhaseResult:
    """Start `cases` bare workflows together and wait for all; the worker runs in this process."""
    task_queue = f"bench-bare-{uuid.uuid4()}"
    ids = [f"bench-bare-{uuid.uuid4()}" for _ in range(cases)]
    latencies: list[float] = []

    async def one(wid: str) -> None:
        began = time.perf_counter()
        handle = await client.start_workflow(
            BareWorkflow.run, BARE_STEPS, id=wid, task_queue=task_queue
        )
        await handle.result()
        latencies.append(time.perf_counter() - began)

    # Same executor size and slot limit as worker.py, so only the workflow differs.
    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[BareWorkflow],
            activities=[bare_step],
            activity_executor=executor,
            max_concurrent_activities=THREADS,
        ):
            cpu0, t0 = cpu_now(), time.perf_counter()
            await asyncio.gather(*(one(w) for w in ids))
            seconds = time.perf_counter() - t0
            cpu = cpu_share(cpu0, cpu_now(), seconds)
    hist = await history_stats(client, ids)
    return PhaseResult(
        name="bare (7 trivial activities)",
        cases=cases,
        completed=len(latencies),
        seconds=seconds,
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
        activities_per_case=hist.activities,
        events_per_case=hist.events,
        cpu=cpu,
        waits=hist.waits,
        activity_run=hist.activity_run,
    )
