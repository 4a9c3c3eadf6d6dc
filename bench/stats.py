"""What a run reports besides its wall time: latencies, history sizes, CPU per process."""

from __future__ import annotations

import asyncio
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class HistoryStats:
    events: float
    activities: float


async def history_stats(client: Client, workflow_ids: list[str]) -> HistoryStats:
    """Mean events and scheduled activities per workflow, read back after the timed window."""
    limit = asyncio.Semaphore(16)

    async def one(wid: str) -> tuple[int, int]:
        async with limit:
            history = await client.get_workflow_handle(wid).fetch_history()
        kinds = [e.event_type for e in history.events]
        scheduled = kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        return len(history.events), scheduled

    counts = await asyncio.gather(*(one(w) for w in workflow_ids))
    n = max(len(counts), 1)
    return HistoryStats(
        events=sum(c[0] for c in counts) / n, activities=sum(c[1] for c in counts) / n
    )


def _children_named(name: str) -> list[int]:
    me = os.getpid()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            comm = fields[0].split("(", 1)[1]
            ppid = int(fields[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == me and comm == name:
            found.append(int(stat.parent.name))
    return found


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat; 12 and 13 after the command name.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass(frozen=True)
class CpuSample:
    python: float
    server: float


def cpu_now() -> CpuSample:
    """CPU seconds so far of this process (worker and driver) and of the dev server child."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server = sum(_proc_cpu(pid) for pid in _children_named("temporal"))
    return CpuSample(python=usage.ru_utime + usage.ru_stime, server=server)


def cpu_share(before: CpuSample, after: CpuSample, seconds: float) -> dict[str, float]:
    """Each side's CPU use over the window, as a fraction of one core."""
    seconds = max(seconds, 1e-9)
    return {
        "python_cores": round((after.python - before.python) / seconds, 2),
        "server_cores": round((after.server - before.server) / seconds, 2),
    }
