"""Supplement (补正) on the time-skipping server: the registrar returns the case for a paper
on a Friday, the applicant brings it in on Monday, and the registration deadline moves by
exactly the working time the case waited (the weekend does not count); papers that never
come lapse the case, and its hold on the flat is released."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.calendar import add_working_hours, load_office_hours, working_time_between
from domain.prereview import MaterialIssue
from models.actor import Actor, Role
from models.database import Database
from models.enums import Department, Stage, StepName
from models.holds import PropertyHold
from models.payloads import CaseProgress
from models.supplement import SupplementReceived, SupplementRequest, SupplementState
from tests.actors import INTAKE_CLERK
from tests.conftest import make_hall
from tests.replay.recording import record_history
from tests.workflows.test_timers import (
    TimeskipHall,
    _synthetic_calendar,
    _worker,
    collect_at_window,
    eventually,
    outbox,
    pay,
    progress,
    reach_stage,
    skip_to,
    start_case,
    step,
)
from workflows.ids import (
    UPDATE_CLAIM,
    UPDATE_DECIDE,
    UPDATE_REQUEST_SUPPLEMENT,
    UPDATE_SUPPLEMENT,
)

pytestmark = pytest.mark.timeskip

REGISTRAR = Actor(staff_id="R-0401", name="登记 郑三", role=Role.REGISTRATION)
CONTRACT = MaterialIssue(
    code="sales_contract",
    name_zh="房屋买卖合同",
    name_en="sale contract",
    reason="faulty: 第3页缺买受人签名",
)


@pytest.fixture
def ts_hall(timeskip_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> TimeskipHall:
    return TimeskipHall(env=timeskip_env, hall=make_hall(timeskip_env.client, demo_db, tmp_path))


async def _waiting_for_the_registrar(handle: WorkflowHandle[Any, Any]) -> CaseProgress:
    async def waiting() -> CaseProgress | None:
        p = await progress(handle)
        registration = step(p, StepName.REGISTRATION)
        ready = p.stage == Stage.REGISTRATION and registration.status == "waiting"
        return p if ready else None

    return await eventually(waiting, "registration waiting for the registrar")


def _next(weekday: int, at: time, after: datetime) -> datetime:
    """The next `weekday` (0 = Monday) at `at`, hall time, after `after`."""
    zone = load_office_hours().zone
    local = after.astimezone(zone)
    days = (weekday - local.weekday()) % 7 or 7
    return datetime.combine(local.date() + timedelta(days=days), at, tzinfo=zone)


async def _ask_for_the_contract(handle: WorkflowHandle[Any, Any]) -> SupplementState:
    await handle.execute_update(
        UPDATE_CLAIM, {"department": "registration", "actor": REGISTRAR.model_dump()}
    )
    state: SupplementState = await handle.execute_update(
        UPDATE_REQUEST_SUPPLEMENT,
        SupplementRequest(department=Department.REGISTRATION, items=[CONTRACT], actor=REGISTRAR),
        result_type=SupplementState,
    )
    return state


async def test_a_paper_asked_for_on_friday_and_brought_on_monday_moves_the_deadline_by_the_pause(
    ts_hall: TimeskipHall,
) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with _worker(ts_hall, executor):
            case_no, handle = await start_case(
                ts_hall, {"registration": 10, "supplement": 5}, manual=["registration"]
            )
            await reach_stage(handle, Stage.AWAITING_PAYMENT)
            await pay(handle, "TAX-SUPP")
            await _waiting_for_the_registrar(handle)

            friday = _next(4, time(10, 0), await ts_hall.env.get_current_time())
            await skip_to(ts_hall.env, friday)
            before = step(await progress(handle), StepName.REGISTRATION).due_at
            assert before is not None
            asked = await _ask_for_the_contract(handle)
            assert asked.waiting_for == ["sales_contract"] and not asked.resumed
            paused = await reach_stage(handle, Stage.AWAITING_SUPPLEMENT)
            assert paused.department == Department.APPLICANT
            told = await outbox(ts_hall, "supplement_requested", 2)
            assert all("第3页缺买受人签名" in m["text"] for m in told)

            monday = _next(0, time(10, 0), friday)
            await skip_to(ts_hall.env, monday)
            brought = await handle.execute_update(
                UPDATE_SUPPLEMENT,
                SupplementReceived(
                    material="sales_contract",
                    blob_key="sha256/" + "ab" * 32,
                    sha256="ab" * 32,
                    actor=INTAKE_CLERK,
                ),
                result_type=SupplementState,
            )
            assert brought.resumed and brought.waiting_for == []
            resumed = await _waiting_for_the_registrar(handle)
            after = step(resumed, StepName.REGISTRATION).due_at
            assert after is not None

            calendar, hours = _synthetic_calendar(friday), load_office_hours()
            waited = working_time_between(calendar, hours, friday, monday)
            assert timedelta(0) < waited < monday - friday  # the weekend did not count
            # Exactly the paused working time, as the workflow measured it: the server's clock
            # runs on by milliseconds between the test's skip and each update.
            expected = add_working_hours(calendar, hours, before, waited)
            assert abs(after - expected) < timedelta(seconds=1), (after, expected)
            assert after.astimezone(hours.zone).weekday() < 5
            await outbox(ts_hall, "supplement_received", 2)

            await handle.execute_update(
                UPDATE_DECIDE,
                {"department": "registration", "approve": True, "actor": REGISTRAR.model_dump()},
            )
            await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
            final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED
    await record_history(ts_hall.hall, case_no, "transfer_sale_supplement_over_a_weekend")


async def test_papers_not_brought_in_time_lapse_the_case_and_release_the_flat(
    ts_hall: TimeskipHall,
) -> None:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with _worker(ts_hall, executor):
            case_no, handle = await start_case(
                ts_hall, {"registration": 10, "supplement": 2}, manual=["registration"]
            )
            await reach_stage(handle, Stage.AWAITING_PAYMENT)
            await pay(handle, "TAX-LAPSE")
            await _waiting_for_the_registrar(handle)
            await _ask_for_the_contract(handle)
            await reach_stage(handle, Stage.AWAITING_SUPPLEMENT)
            await skip_to(ts_hall.env, await ts_hall.env.get_current_time() + timedelta(days=6))
            ended = await handle.result()
    assert ended.stage == Stage.LAPSED
    assert ended.reason and "逾期未补正" in ended.reason
    lapsed = await outbox(ts_hall, "supplement_lapsed", 2)
    assert lapsed
    with ts_hall.db.session() as session:
        held = session.exec(
            select(PropertyHold).where(
                PropertyHold.case_no == case_no, col(PropertyHold.released_at).is_(None)
            )
        ).all()
    assert held == []
