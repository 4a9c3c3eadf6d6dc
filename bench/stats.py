"""What a run reports besides its wall time: latencies, history sizes, CPU per process."""

from __future__ import annotations

import asyncio
import os
import resource
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
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
    """Means per workflow, and where a step's time goes, read back from the histories.

    `waits` are mean seconds: a workflow or activity task's wait in the queue
    (scheduled → started) and its run (started → completed); `activity_run` splits the
    activity run by activity type.
    """

    events: float
    activities: float
    waits: dict[str, float]
    activity_run: dict[str, float]


def _seconds(a: HistoryEvent, b: HistoryEvent) -> float:
    return b.event_time.ToNanoseconds() / 1e9 - a.event_time.ToNanoseconds() / 1e9


def _means(data: dict[str, list[float]]) -> dict[str, float]:
    return {k: round(sum(v) / len(v), 4) for k, v in sorted(data.items()) if v}


class _Timings:
    def __init__(self) -> None:
        self.sums: dict[str, list[float]] = defaultdict(list)
        self.by_type: dict[str, list[float]] = defaultdict(list)

    def add(self, events: list[HistoryEvent]) -> None:
        by_id = {e.event_id: e for e in events}
        for e in events:
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
                sched = by_id[e.workflow_task_started_event_attributes.scheduled_event_id]
                self.sums["workflow_task_queued"].append(_seconds(sched, e))
            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                started = by_id[e.workflow_task_completed_event_attributes.started_event_id]
                self.sums["workflow_task_run"].append(_seconds(started, e))
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                attrs = e.activity_task_completed_event_attributes
                sched = by_id[attrs.scheduled_event_id]
                started = by_id[attrs.started_event_id]
                self.sums["activity_queued"].append(_seconds(sched, started))
                self.sums["activity_run"].append(_seconds(started, e))
                name = sched.activity_task_scheduled_event_attributes.activity_type.name
                self.by_type[name].append(_seconds(started, e))


async def history_stats(client: Client, workflow_ids: list[str]) -> HistoryStats:
    """Read every workflow's history after the timed window and summarise it."""
    limit = asyncio.Semaphore(16)
    timings = _Timings()

    async def one(wid: str) -> tuple[int, int]:
        async with limit:
            history = await client.get_workflow_handle(wid).fetch_history()
        events = list(history.events)
        timings.add(events)
        kinds = [e.event_type for e in events]
        return len(events), kinds.count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)

    counts = await asyncio.gather(*(one(w) for w in workflow_ids))
    n = max(len(counts), 1)
    return HistoryStats(
        events=sum(c[0] for c in counts) / n,
        activities=sum(c[1] for c in counts) / n,
        waits=_means(timings.sums),
        activity_run=_means(timings.by_type),
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


def _machine_busy() -> float:
    # First line of /proc/stat: user nice system idle iowait irq softirq steal ...
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks[:8]) - idle) / CLOCK_TICKS


@dataclass(frozen=True)
class CpuSample:
    python: float
    server: float
    machine: float


def cpu_now() -> CpuSample:
    """CPU seconds so far of this process (worker and driver), the dev server child, all CPUs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server = sum(_proc_cpu(pid) for pid in _children_named("temporal"))
    return CpuSample(python=usage.ru_utime + usage.ru_stime, server=server, machine=_machine_busy())


def cpu_share(before: CpuSample, after: CpuSample, seconds: float) -> dict[str, float]:
    """Each side's CPU use over the window, in cores; `other_cores` is everything else running.

    Other load on the machine (another test run, say) shows up in `other_cores`: a run
    with much of it is not comparable to one without.
    """
    seconds = max(seconds, 1e-9)
    python = (after.python - before.python) / seconds
    server = (after.server - before.server) / seconds
    machine = (after.machine - before.machine) / seconds
    return {
        "python_cores": round(python, 2),
        "server_cores": round(server, 2),
        "other_cores": round(max(machine - python - server, 0.0), 2),
        "idle_cores": round(max((os.cpu_count() or 1) - machine, 0.0), 2),
    }
