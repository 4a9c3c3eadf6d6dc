"""The read side keeps answering when no worker runs: `GET /cases/{case_no}` and the
registrar's queue show where the case stands from the database, as each step's activity
left it, and the case goes on once a worker is back (real dev server, real HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from models.actor import Role
from models.audit import CaseEvent
from models.database import Database
from tests.conftest import Hall, clerk_headers, make_hall, staff_headers
from tests.e2e.walk import (
    CORE_MATERIALS,
    collect_at_the_window,
    sale_body,
    upload_scans,
    wait_for_stage,
    wait_for_step,
)


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    made = make_hall(temporal_env.client, demo_db, tmp_path)
    made.settings = made.settings.model_copy(
        update={
            "MANUAL_DEPARTMENTS": "registration",
            "LIVE_QUERY_TIMEOUT_SECONDS": 0.5,
            # Short, so the stopped worker's 503 comes soon; long enough for a restarted
            # worker to replay the case before it answers (over 1 s on a busy CI machine).
            "UPDATE_ANSWER_SECONDS": 5.0,
        }
    )
    return made


@asynccontextmanager
async def _worker(hall: Hall) -> AsyncIterator[None]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with hall.worker(executor):
            yield


def _step(progress: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in progress["steps"] if s["name"] == name)


async def _stored(api: httpx.AsyncClient, case_no: str) -> dict[str, Any]:
    """The case as `GET /cases` shows it once no worker answers (the database's view)."""
    for _ in range(100):
        shown = await api.get(f"/cases/{case_no}")
        assert shown.status_code == 200, shown.text
        if shown.json()["read_from"] == "database":
            return shown.json()
        await asyncio.sleep(0.1)
    raise AssertionError("GET /cases never fell back to the read side")


async def test_with_the_worker_stopped_the_case_and_the_queue_answer_from_the_database(
    hall: Hall, api_url: str
) -> None:
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        async with _worker(hall):
            docs = await upload_scans(api, CORE_MATERIALS)
            created = await api.post("/cases", json=sale_body(docs))
            assert created.status_code == 201, created.text
            case_no = created.json()["case_no"]
            live = await wait_for_stage(api, case_no, {"awaiting_payment"})
            assert live["read_from"] == "workflow"

        stored = await _stored(api, case_no)
        assert stored["stage"] == "awaiting_payment"
        assert stored["tax_total"] == live["tax_total"]
        assert stored["payment_due_at"] == live["payment_due_at"]
        assert _step(stored, "payment")["status"] == "waiting"
        assert _step(stored, "transaction_check")["status"] == "done"
        assert _step(stored, "tax_assessment")["detail"] == f"total ¥{live['tax_total']}"

        async with _worker(hall):
            paid = await api.post(
                f"/cases/{case_no}/payment", json={"amount": live["tax_total"], "reference": "T-7"}
            )
            assert paid.status_code == 200, paid.text
            await wait_for_step(api, case_no, "registration")
            claimed = await api.post(
                f"/departments/registration/tasks/{case_no}/claim", headers=registrar
            )
            assert claimed.status_code == 200, claimed.text

        stored = await _stored(api, case_no)
        registration = _step(stored, "registration")
        assert stored["stage"] == "registration"
        assert registration["status"] == "waiting" and registration["due_at"]
        assert registration["holder"] == "登记 郑三 (R-0401)"
        queue = await api.get("/departments/registration/tasks", headers=registrar)
        assert queue.status_code == 200, queue.text
        tasks = [t for t in queue.json()["tasks"] if t["case_no"] == case_no]
        assert len(tasks) == 1
        assert tasks[0]["holder"]["staff_id"] == "R-0401"
        assert tasks[0]["due_at"] is not None and tasks[0]["step"] == "registration"

        async with _worker(hall):
            approved = await api.post(
                f"/cases/{case_no}/decisions/registration",
                json={"approve": True},
                headers=registrar,
            )
            assert approved.status_code == 200, approved.text
            await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
            done = await collect_at_the_window(api, case_no)

        stored = await _stored(api, case_no)
        assert stored["stage"] == "completed"
        assert stored["certificate_no"] == done["certificate_no"]
        assert all(s["status"] in ("done", "skipped") for s in stored["steps"])
        queue = await api.get("/departments/registration/tasks", headers=registrar)
        assert case_no not in {t["case_no"] for t in queue.json()["tasks"]}


async def test_with_the_worker_stopped_a_clerk_is_told_at_once_and_a_repeat_is_taken_once(
    hall: Hall, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        async with _worker(hall):
            docs = await upload_scans(api, CORE_MATERIALS)
            created = await api.post("/cases", json=sale_body(docs))
            case_no = created.json()["case_no"]
            live = await wait_for_stage(api, case_no, {"awaiting_payment"})

        payment = {"amount": live["tax_total"], "reference": "T-17"}
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        unanswered = await api.post(f"/cases/{case_no}/payment", json=payment)
        waited = loop.time() - sent_at
        assert unanswered.status_code == 503, unanswered.text
        assert "did not answer within 5 s" in unanswered.text
        assert "read the case before sending it again" in unanswered.text
        assert waited < 15  # told soon, not left hanging until a worker is back

        async with _worker(hall):
            again = await api.post(f"/cases/{case_no}/payment", json=payment)
            assert again.status_code == 200, again.text
            await wait_for_step(api, case_no, "registration")
    with hall.db.session() as session:
        confirmed = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_no == case_no, CaseEvent.action == "payment_confirmed"
            )
        ).all()
    assert len(confirmed) == 1
    receipts = [
        m for m in hall.sms.messages() if m["idempotency_key"].startswith(f"{case_no}:paid:")
    ]
    assert len(receipts) == 2  # buyer and seller, once each
