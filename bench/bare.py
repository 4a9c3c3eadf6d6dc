"""The baseline: a workflow of seven trivial activities in sequence, nothing else.

It has the shape of the "bare workflow" in the measured Temporal notes, so the case
workflow's throughput can be quoted as a ratio to what the same server, worker and
machine reach with no business logic at all. The module imports only temporalio, so the
sandbox's per-run re-import costs as little as it can.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

BARE_WORKFLOW = "BenchBare"
BARE_STEPS = 7


@activity.defn(name="bench_bare_step")
def bare_step(n: int) -> int:
    """Do nothing worth measuring; sync, so it runs in the same thread pool as the real ones."""
    return n + 1


@workflow.defn(name=BARE_WORKFLOW)
class BareWorkflow:
    """Seven activities one after the other; returns how many ran."""

    @workflow.run
    async def run(self, steps: int) -> int:
        done = 0
        for _ in range(steps):
            done = await workflow.execute_activity(
                bare_step, done, start_to_close_timeout=timedelta(seconds=30)
            )
        return done
