"""Broken data stops a case visibly: stage `failed`, a supervisor's escalation, the hold gone.

A duplicate buyer written into the archive behind intake's back makes recording break the
register's unique constraint. Retrying cannot mend that, so the case must not loop: after
one attempt it ends `failed`, the applicant is told, and the flat is free again.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from temporalio.worker import Worker

from devtools.demo_data import LI_SI
from models.archive import Case, Escalation, Party
from models.enums import Stage, StepName, StepStatus
from models.holds import PropertyHold
from tests.workflows.test_timers import (
    BUYER_PHONE,
    TimeskipHall,
    outbox,
    pay,
    reach_stage,
    start_case,
    step,
)

pytestmark = pytest.mark.timeskip


async def test_a_broken_invariant_ends_the_case_failed_after_one_attempt(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    case_no, handle = await start_case(ts_hall)
    await reach_stage(handle, Stage.AWAITING_PAYMENT)
    with ts_hall.db.session() as session:
        session.add(
            Party(
                case_no=case_no,
                role="buyer",
                name="李四",
                id_kind="resident_id",
                id_number=LI_SI,
                phone=BUYER_PHONE,
            )
        )
    await pay(handle, "TAX-BROKEN-1")
    final = await handle.result()

    assert final.stage == Stage.FAILED
    assert final.reason is not None and "invariant broken" in final.reason
    assert LI_SI not in final.reason  # no personal data in the history
    registration = step(final, StepName.REGISTRATION)
    assert registration.status == StepStatus.FAILED
    history = await handle.fetch_history()
    record_attempts = [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
    ]
    assert max(record_attempts) == 1  # nothing was retried
    with ts_hall.db.session() as session:
        case = session.get(Case, case_no)
        escalations = session.exec(select(Escalation).where(Escalation.case_no == case_no)).all()
        holds = session.exec(select(PropertyHold).where(PropertyHold.case_no == case_no)).all()
    assert case is not None and case.status == "closed"
    assert case.outcome is not None and case.outcome.startswith("failed")
    assert [(e.step, e.kind) for e in escalations] == [("registration", "failed")]
    assert escalations[0].reason == final.reason
    assert holds and all(h.released_at is not None for h in holds)
    told = await outbox(ts_hall, "failed", 2)
    assert all("人工" in m["text"] for m in told)
