"""A case accepted before next year's holiday notice: provisional dates, then the official year.

The time-skipping server's clock is moved to 28 December of a year whose successor no
official source covers (the hall's table is pointed at an empty file), and the case is
started through intake's own `start_workflow`, so it gets the calendar a real hall hands
in: this year official, next year provisional.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.worker import Worker

from api.services import case_intake
from domain.calendar import (
    WorkingCalendar,
    load_office_hours,
    official_arrangement,
    provisional_arrangement,
    working_days_deadline,
)
from domain.catalog import get_catalog
from models.actor import SYSTEM_ACTOR
from models.case_view import CaseView
from models.enums import Stage, StepName
from models.payloads import CalendarUpdateInput, CalendarUpdateResult, CaseProgress
from tests.workflows.test_timers import (
    TimeskipHall,
    eventually,
    outbox,
    progress,
    reach_stage,
    skip_to,
    step,
    store_sale,
)
from workflows.ids import case_workflow_id

pytestmark = pytest.mark.timeskip
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def no_local_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the package's years are official: next year stays provisional at intake."""
    table = tmp_path / "calendar_local.toml"
    table.write_text("[years]\n", encoding="utf-8")
    monkeypatch.setenv("CALENDAR_LOCAL_TABLE", str(table))


async def _intake_day(ts: TimeskipHall) -> datetime:
    """10:00 on the next 28 December whose following year is not officially published."""
    now = await ts.env.get_current_time()
    year = now.year
    while True:
        moment = datetime(year, 12, 28, 10, 0, tzinfo=ZONE)
        if moment > now and official_arrangement(year + 1) is None:
            return moment
        year += 1


async def _accept_on_intake_day(
    ts: TimeskipHall,
) -> tuple[datetime, WorkflowHandle[Any, CaseProgress]]:
    """A sale accepted on the intake day through intake's own `start_workflow`."""
    h = ts.hall
    intake = await _intake_day(ts)
    await skip_to(ts.env, intake)
    case = await store_sale(h)
    case.accepted_at = await ts.env.get_current_time()
    await case_intake.start_workflow(
        h.client, get_catalog(), case, h.task_queue, h.settings.TIMEZONE
    )
    handle: WorkflowHandle[Any, CaseProgress] = h.client.get_workflow_handle(
        case_workflow_id(case.case_no), result_type=CaseProgress
    )
    return intake, handle


def _official_next_year(year: int) -> tuple[WorkingCalendar, list[date]]:
    """A made-up notice for `year`: the statutory days plus two bridge days after 1 January."""
    rule = provisional_arrangement(year)
    bridges = []
    day = date(year, 1, 2)
    while len(bridges) < 2:
        if day.weekday() < 5 and day not in rule.holidays:
            bridges.append(day)
        day += timedelta(days=1)
    calendar = WorkingCalendar(
        first_day=date(year, 1, 1),
        last_day=date(year, 12, 31),
        holidays=rule.holidays | set(bridges),
        workdays_on_weekend=rule.workdays_on_weekend,
    )
    return calendar, bridges


async def _this_year_made_official(handle: WorkflowHandle[Any, Any], year: int) -> None:
    """If the server's clock has run past the package's last year, publish that year as is."""
    if official_arrangement(year) is not None:
        return
    rule = provisional_arrangement(year)
    calendar = WorkingCalendar(
        first_day=date(year, 1, 1),
        last_day=date(year, 12, 31),
        holidays=rule.holidays,
        workdays_on_weekend=rule.workdays_on_weekend,
    )
    result = await handle.execute_update(
        "rebase_calendar",
        CalendarUpdateInput(calendar=calendar, reference=f"{year} as derived", actor=SYSTEM_ACTOR),
        result_type=CalendarUpdateResult,
    )
    assert result.moved == []


async def test_provisional_deadlines_move_when_the_official_year_is_handed_in(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    intake, handle = await _accept_on_intake_day(ts_hall)

    waiting = await reach_stage(handle, Stage.AWAITING_PAYMENT)
    payment = step(waiting, StepName.PAYMENT)
    assert waiting.payment_due_at is not None and waiting.payment_due_provisional
    assert payment.due_provisional and payment.due_at == waiting.payment_due_at
    assert waiting.completion_due_at is not None and waiting.completion_due_provisional
    old_due = waiting.payment_due_at.astimezone(ZONE)
    assert old_due.year == intake.year + 1
    accepted = await outbox(ts_hall, "accepted", 2)
    assert all("预计" in m["text"] and "待定" not in m["text"] for m in accepted)
    pay_sms = await outbox(ts_hall, "pay_taxes", 2)
    assert all(f"{old_due:%Y-%m-%d %H:%M}（预计/provisional）" in m["text"] for m in pay_sms)

    await _this_year_made_official(handle, intake.year)
    official, bridges = _official_next_year(intake.year + 1)
    result = await handle.execute_update(
        "rebase_calendar",
        CalendarUpdateInput(calendar=official, reference="test notice", actor=SYSTEM_ACTOR),
        result_type=CalendarUpdateResult,
    )
    assert payment.started_at is not None
    new_calendar = WorkingCalendar(
        first_day=intake.date(),
        last_day=official.last_day,
        holidays=official.holidays,
        workdays_on_weekend=official.workdays_on_weekend,
    )
    expected = working_days_deadline(new_calendar, load_office_hours(), payment.started_at, 10)
    moves = {m.deadline: m for m in result.moved}
    assert moves["payment"].before == waiting.payment_due_at
    assert moves["payment"].after == expected
    assert expected.date() > old_due.date()  # the bridge days pushed it out
    assert all(old_due.date() >= b for b in bridges)
    assert result.provisional_years == []

    rebased = await progress(handle)
    assert rebased.payment_due_at == expected and not rebased.payment_due_provisional
    # The read side (what the queues sort by, and GET /cases with no worker) moved too.
    stored = await eventually(
        lambda: asyncio.to_thread(_stored_payment_due, ts_hall, rebased.case_no),
        "the read side's moved deadline",
    )
    assert stored == expected
    assert not rebased.completion_due_provisional
    assert rebased.calendar_updates[-1] == "test notice"
    moved_sms = await outbox(ts_hall, "payment_due_changed", 2)
    assert all(f"{expected.astimezone(ZONE):%Y-%m-%d %H:%M}" in m["text"] for m in moved_sms)
    assert all("预计" not in m["text"] for m in moved_sms)

    # The pending timers follow the new deadline: reminder at the new half-way, lapse at it.
    halfway = payment.started_at + (expected - payment.started_at) / 2
    await skip_to(ts_hall.env, halfway - timedelta(minutes=5))
    await asyncio.sleep(0.3)
    assert ts_hall.sms_to("payment_reminder") == []
    await skip_to(ts_hall.env, halfway + timedelta(minutes=5))
    await outbox(ts_hall, "payment_reminder", 2)
    await skip_to(ts_hall.env, waiting.payment_due_at + timedelta(hours=1))
    await asyncio.sleep(0.3)
    assert (await progress(handle)).stage == Stage.AWAITING_PAYMENT  # the old date passed
    # A handle got by id does not skip time by itself while waiting for the result.
    await skip_to(ts_hall.env, expected + timedelta(minutes=1))
    final = await handle.result()
    assert final.stage == Stage.LAPSED
    assert final.finished_at is not None
    assert expected <= final.finished_at < expected + timedelta(minutes=5)

    history = await handle.fetch_history()
    updates = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert updates[-1] == "rebase_calendar"


async def test_a_table_that_contradicts_official_days_is_refused(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    intake, handle = await _accept_on_intake_day(ts_hall)
    await reach_stage(handle, Stage.AWAITING_PAYMENT)
    await _this_year_made_official(handle, intake.year)
    official, bridges = _official_next_year(intake.year + 1)
    await handle.execute_update(
        "rebase_calendar",
        CalendarUpdateInput(calendar=official, reference="first notice", actor=SYSTEM_ACTOR),
    )
    contradicting = official.model_copy(update={"holidays": official.holidays - {bridges[0]}})
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            "rebase_calendar",
            CalendarUpdateInput(calendar=contradicting, reference="second", actor=SYSTEM_ACTOR),
        )
    assert f"{bridges[0].isoformat()} is already official" in str(refused.value.cause)
    assert (await progress(handle)).calendar_updates[-1] == "first notice"
    # Let the case lapse: one left open (or terminated mid-task) would hold the shared
    # time-skipping server's clock for good once this test's worker is gone.
    due = (await progress(handle)).payment_due_at
    assert due is not None
    await skip_to(ts_hall.env, due + timedelta(minutes=1))
    assert (await handle.result()).stage == Stage.LAPSED


def _stored_payment_due(ts: TimeskipHall, case_no: str) -> datetime | None:
    """The payment deadline as the read side shows it, once it shows the moved one."""
    with ts.db.session() as session:
        row = session.get(CaseView, case_no)
        if row is None or not row.progress.get("calendar_updates"):
            return None
    return CaseProgress.model_validate(row.progress).payment_due_at
