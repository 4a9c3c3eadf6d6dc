"""`make calendar-publish` against a real dev server: running cases get the official year.

A case is started as one accepted before this year's notice would be: its calendar marks
the current year provisional. The hall then enters the notice in its table (a file the
command reads through CALENDAR_LOCAL_TABLE) and runs the command as an operator would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from config import ROOT
from domain.calendar import WorkingCalendar, load_office_hours
from domain.catalog import get_catalog
from models.enums import SearchAttr, Stage, StepName
from models.payloads import CaseInput, CaseProgress
from tests.conftest import Hall
from tests.workflows.test_timers import ALL_DEADLINES, store_sale
from workflows.flows.transfer_sale import TransferSaleFlow
from workflows.ids import TRANSFER_SALE_WORKFLOW, case_workflow_id

ZONE = ZoneInfo("Asia/Shanghai")


def _next_weekdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


async def _start_provisional_case(hall: Hall) -> WorkflowHandle[Any, CaseProgress]:
    """A case whose calendar (Monday to Friday) rests on the provisional current year."""
    case = await store_sale(hall)
    today = datetime.now(ZONE).date()
    calendar = WorkingCalendar(
        first_day=today,
        last_day=date(today.year + 1, 12, 31),
        provisional_years=frozenset({today.year, today.year + 1}),
    )
    inp = CaseInput(
        case_no=case.case_no,
        business_type=case.business_type,
        hall=case.hall,
        accepted_at=case.accepted_at,
        calendar=calendar,
        office_hours=load_office_hours(),
        deadlines=ALL_DEADLINES,
        departments=sorted(
            d.value for d in get_catalog().business_type("existing_home_sale").departments
        ),
    )
    return await hall.client.start_workflow(
        TRANSFER_SALE_WORKFLOW,
        inp,
        id=case_workflow_id(case.case_no),
        task_queue=hall.task_queue,
        result_type=CaseProgress,
    )


def _notice(path: Path, year: int, bridges: list[date]) -> None:
    """A hall's table with this year's notice: two bridge days off in the payment window."""
    entries = "\n".join(
        f'[[years.{year}.holidays]]\nname = "测试假日"\nfrom = {d}\nto = {d}\n' for d in bridges
    )
    path.write_text(
        f'[years.{year}]\nsource = "测试通知 test notice"\nconfirmed = true\n\n{entries}',
        encoding="utf-8",
    )


def _publish(hall: Hall, table: Path) -> subprocess.CompletedProcess[str]:
    target = hall.client.service_client.config.target_host
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": target,
        "CALENDAR_LOCAL_TABLE": str(table),
        "ENVIRONMENT": "test",
        "LOG_FORMAT": "json",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "api.services.calendar_publish",
            "--hall",
            hall.settings.HALL_DIVISION,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _visible(hall: Hall, workflow_id: str, years: list[str]) -> None:
    """Wait until the visibility store lists the case with its provisional years: the
    publish command finds cases by a list query, and that store lags the workflow (under
    a full test run, by more than describe() shows)."""
    listed = ", ".join(f"'{y}'" for y in years)
    query = f"WorkflowId = '{workflow_id}' AND {SearchAttr.PROVISIONAL_YEARS.name} IN ({listed})"
    for _ in range(200):
        async for _found in hall.client.list_workflows(query):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{workflow_id} never listed with CaseProvisionalYears={years}")


async def test_publish_moves_running_cases_to_the_official_year(
    hall: Hall, running_worker: Worker, tmp_path: Path
) -> None:
    handle = await _start_provisional_case(hall)
    year = datetime.now(ZONE).year
    for _ in range(150):
        waiting = await handle.query(TransferSaleFlow.progress)
        if waiting.stage == Stage.AWAITING_PAYMENT:
            break
        await asyncio.sleep(0.1)
    assert waiting.stage == Stage.AWAITING_PAYMENT
    assert waiting.payment_due_at is not None and waiting.payment_due_provisional
    await _visible(hall, handle.id, [str(year), str(year + 1)])

    table = tmp_path / "calendar_local.toml"
    payment_start = next(s for s in waiting.steps if s.name == StepName.PAYMENT).started_at
    assert payment_start is not None
    bridges = [
        d for d in _next_weekdays(payment_start.astimezone(ZONE).date(), 2) if d.year == year
    ]
    _notice(table, year, bridges)
    done = await asyncio.to_thread(_publish, hall, table)
    assert done.returncode == 0, done.stderr
    assert "1 case(s) updated" in done.stdout, done.stdout

    rebased = await handle.query(TransferSaleFlow.progress)
    assert rebased.calendar_updates == [f"official working-day calendar {year}"]
    if bridges and waiting.payment_due_at.astimezone(ZONE).year == year:
        assert rebased.payment_due_at is not None
        assert rebased.payment_due_at > waiting.payment_due_at
    await _visible(hall, handle.id, [str(year + 1)])

    again = await asyncio.to_thread(_publish, hall, table)
    assert again.returncode == 0, again.stderr
    assert "0 case(s) updated" in again.stdout, again.stdout
    assert (await handle.query(TransferSaleFlow.progress)).calendar_updates == [
        f"official working-day calendar {year}"
    ]
    await handle.terminate("test over")
