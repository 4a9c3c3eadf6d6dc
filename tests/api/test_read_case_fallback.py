"""GET /cases/{case_no} when the workflow cannot answer: the read side's page instead.

Against the real dev server and the real app: a workflow that no worker polls (the query
times out), and a case whose workflow the server no longer has (history retention passed,
here: never started). The clerk still reads the stage, the steps and the deadlines, told
where they came from (`read_from`); with nothing stored either, 503 or 404.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.case_view import CaseView
from models.database import Database
from models.enums import Department
from tests.api.test_task_queue import ACCEPTED, HOUSING_CLERK, NOW, progress_of, store
from tests.conftest import Hall, make_hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, upload_scans, wait_for_stage
from workflows.ids import TRANSFER_SALE_WORKFLOW, case_workflow_id

TIMEOUT = 0.5
DUE = NOW + timedelta(days=2)


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    """The shared hall, with a short live query so the no-worker tests wait half a second."""
    made = make_hall(temporal_env.client, demo_db, tmp_path)
    made.settings = made.settings.model_copy(update={"LIVE_QUERY_TIMEOUT_SECONDS": TIMEOUT})
    return made


def stored_case(hall: Hall, n: int) -> str:
    """A case waiting for the housing check, as the check's activity stored it."""
    number = f"{hall.settings.HALL_DIVISION}-20261128-{n:05d}-0"
    store(hall.db, progress_of(number, Department.HOUSING, due=DUE), HOUSING_CLERK)
    return number


def archived_case(hall: Hall, n: int) -> str:
    """A case in the archive whose workflow never stored a view (not yet, or before 0010)."""
    number = stored_case(hall, n)
    with hall.db.session() as session:
        session.delete(session.get(CaseView, number))
    return number


async def unpolled(hall: Hall, case_no: str) -> WorkflowHandle[None, None]:
    """The case's workflow started on the hall's queue, which no worker polls here."""
    return await hall.client.start_workflow(
        TRANSFER_SALE_WORKFLOW, id=case_workflow_id(case_no), task_queue=hall.task_queue
    )


def assert_stored_page(page: dict[str, Any], case_no: str) -> None:
    """What the clerk checks: where the case stands, each step, the deadlines, the source."""
    assert page["case_no"] == case_no
    assert page["read_from"] == "database"
    assert (page["stage"], page["department"]) == ("transaction_check", "housing")
    steps = {s["name"]: s for s in page["steps"]}
    assert [steps[n]["status"] for n in ("pre_review", "push_documents")] == ["done", "done"]
    check = steps["transaction_check"]
    assert check["status"] == "waiting"
    assert datetime.fromisoformat(check["due_at"]) == DUE
    assert steps["registration"]["status"] == "pending"
    assert datetime.fromisoformat(page["legal_due_at"]) == ACCEPTED + timedelta(days=42)


async def test_no_worker_answers_so_the_stored_page_does(hall: Hall, api_url: str) -> None:
    case_no = stored_case(hall, 1)
    handle = await unpolled(hall, case_no)
    try:
        async with httpx.AsyncClient(base_url=api_url, headers=staff_headers()) as api:
            began = time.monotonic()
            r = await api.get(f"/cases/{case_no}")
            waited = time.monotonic() - began
    finally:
        await handle.terminate("test over")

    assert r.status_code == 200, r.text
    assert_stored_page(r.json(), case_no)
    assert TIMEOUT <= waited < TIMEOUT + 5  # the short live query, not the SDK's default


async def test_workflow_gone_from_temporal_so_the_stored_page_answers(
    hall: Hall, api_url: str
) -> None:
    case_no = stored_case(hall, 2)  # in the archive and the read side, unknown to Temporal

    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers()) as api:
        r = await api.get(f"/cases/{case_no}")

    assert r.status_code == 200, r.text
    assert_stored_page(r.json(), case_no)


async def test_workflow_gone_and_nothing_stored_is_a_404(hall: Hall, api_url: str) -> None:
    case_no = archived_case(hall, 3)

    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers()) as api:
        r = await api.get(f"/cases/{case_no}")

    assert r.status_code == 404, r.text
    assert r.json()["detail"][0]["loc"] == ["path", "case_no"]


async def test_no_worker_and_nothing_stored_is_a_503(hall: Hall, api_url: str) -> None:
    case_no = archived_case(hall, 4)
    handle = await unpolled(hall, case_no)
    try:
        async with httpx.AsyncClient(base_url=api_url, headers=staff_headers()) as api:
            r = await api.get(f"/cases/{case_no}")
    finally:
        await handle.terminate("test over")

    assert r.status_code == 503, r.text
    error = r.json()["detail"][0]
    assert error["loc"] == ["path", "case_no"] and error["type"] == "unavailable"
    assert case_no in error["msg"]


async def test_a_running_worker_answers_live(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post("/cases", json=sale_body(docs), headers={"Idempotency-Key": "live-0001"})
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]

        page = await wait_for_stage(api, case_no, {"awaiting_payment"})

    assert page["read_from"] == "workflow"
