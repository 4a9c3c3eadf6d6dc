"""A department step's clerk is warned at a share of the step's working time, then the
supervisors are told once the deadline passes: each once, on the time-skipping server.

The registrar decides by hand here, so the case waits at registration with a holder while
time is skipped; the warning names the holder, shows on the read side (the queue's flag)
and in the progress, and the escalation follows at the deadline.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from models.actor import Actor, Role
from models.archive import Escalation
from models.case_view import CaseView
from models.database import Database
from models.decisions import ClaimInput, DecisionInput
from models.enums import Department, Stage, StepName
from models.payloads import CaseProgress
from tests.conftest import make_hall
from tests.replay.recording import record_history
from tests.workflows.test_timers import (
    TimeskipHall,
    _worker,
    collect_at_window,
    eventually,
    pay,
    progress,
    reach_stage,
    skip_to,
    start_case,
    step,
)
from workflows.ids import UPDATE_CLAIM, UPDATE_DECIDE

pytestmark = pytest.mark.timeskip

REGISTRAR = Actor(staff_id="R-0401", name="登记 郑三", role=Role.REGISTRATION)
DEADLINES = {"transaction_check": 1, "tax_assessment": 1, "registration": 2}


@pytest.fixture
def ts_hall(timeskip_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> TimeskipHall:
    return TimeskipHall(env=timeskip_env, hall=make_hall(timeskip_env.client, demo_db, tmp_path))


def _raised(db: Database, case_no: str) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        rows = session.exec(select(Escalation).where(Escalation.case_no == case_no)).all()
        return [(r.step, r.kind, r.reason) for r in rows]


def _view(db: Database, case_no: str) -> CaseView | None:
    with db.session() as session:
        row = session.get(CaseView, case_no)
        if row is not None:
            session.expunge(row)
        return row


async def test_the_holder_is_warned_at_half_time_then_the_deadline_escalates_once(
    ts_hall: TimeskipHall,
) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with _worker(ts_hall, executor):
            case_no, handle = await start_case(
                ts_hall, DEADLINES, manual=["registration"], warn_share=0.5
            )
            await reach_stage(handle, Stage.AWAITING_PAYMENT)
            await pay(handle, "TAX-WARN")

            async def waiting() -> CaseProgress | None:
                p = await progress(handle)
                return p if step(p, StepName.REGISTRATION).status == "waiting" else None

            shown = await eventually(waiting, "registration waiting for the registrar")
            registration = step(shown, StepName.REGISTRATION)
            assert registration.warn_at is not None and registration.due_at is not None
            assert registration.started_at < registration.warn_at < registration.due_at
            await handle.execute_update(
                UPDATE_CLAIM, ClaimInput(department=Department.REGISTRATION, actor=REGISTRAR)
            )

            await skip_to(ts_hall.env, registration.warn_at - timedelta(minutes=1))
            await asyncio.sleep(0.3)
            assert await asyncio.to_thread(_raised, ts_hall.db, case_no) == []
            assert not step(await progress(handle), StepName.REGISTRATION).warned

            await skip_to(ts_hall.env, registration.warn_at + timedelta(minutes=1))
            raised = await eventually(
                lambda: asyncio.to_thread(_raised, ts_hall.db, case_no), "the warning"
            )
            assert raised == [("registration", "warning", "held by 登记 郑三 (R-0401)")]
            warned = step(await progress(handle), StepName.REGISTRATION)
            assert warned.warned and not warned.escalated
            view = await asyncio.to_thread(_view, ts_hall.db, case_no)
            assert view is not None and view.warned and not view.escalated
            assert view.holder_staff_id == "R-0401" and view.step == "registration"

            await skip_to(ts_hall.env, registration.due_at + timedelta(minutes=1))

            async def escalated() -> list[tuple[str, str, str | None]] | None:
                rows = await asyncio.to_thread(_raised, ts_hall.db, case_no)
                return rows if len(rows) == 2 else None

            rows = await eventually(escalated, "the escalation")
            assert sorted(kind for _, kind, _ in rows) == ["deadline", "warning"]
            late = step(await progress(handle), StepName.REGISTRATION)
            assert late.escalated and late.warned
            view = await asyncio.to_thread(_view, ts_hall.db, case_no)
            assert view is not None and view.escalated

            # Days more pass: nothing more is raised; the registrar approves, the case ends.
            await skip_to(ts_hall.env, registration.due_at + timedelta(days=5))
            await asyncio.sleep(0.3)
            assert len(await asyncio.to_thread(_raised, ts_hall.db, case_no)) == 2
            await handle.execute_update(
                UPDATE_DECIDE,
                DecisionInput(department=Department.REGISTRATION, approve=True, actor=REGISTRAR),
            )
            await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
            final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED
    await record_history(ts_hall.hall, case_no, "transfer_sale_warned_then_escalated")
