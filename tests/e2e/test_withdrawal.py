"""Withdrawal (撤回) at the intake window: before recording the case closes `withdrawn`, the
flat is free for a new case and the parties are told; once recorded it cannot be withdrawn
(real dev server, real worker, real HTTP)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actor import Role
from models.audit import CaseEvent
from models.database import Database
from tests.conftest import Hall, clerk_headers, make_hall, staff_headers
from tests.e2e.walk import (
    collect_at_the_window,
    file_sale,
    pay_the_bill,
    wait_for_stage,
)
from tests.replay.recording import record_history

REASON = "买卖双方协商解除合同"


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    return make_hall(temporal_env.client, demo_db, tmp_path)


async def _signed_request(api: httpx.AsyncClient) -> dict[str, str]:
    scan = b"%PDF-1.4 signed request to withdraw\n" * 20
    stored = await api.post("/scans", files={"file": ("withdrawal.pdf", scan, "application/pdf")})
    assert stored.status_code == 201, stored.text
    return {"key": stored.json()["key"], "sha256": stored.json()["sha256"]}


def _told(hall: Hall, case_no: str, step: str) -> list[dict[str, Any]]:
    return [m for m in hall.sms.messages() if m["idempotency_key"].startswith(f"{case_no}:{step}:")]


async def test_a_case_withdrawn_before_recording_frees_the_flat_for_a_new_case(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await wait_for_stage(api, case_no, {"awaiting_payment"})
        signed = await _signed_request(api)

        taxman = clerk_headers(hall, "T-0101", "税务 王五", Role.TAX)
        wrong_role = await api.post(
            f"/cases/{case_no}/withdrawal",
            json={"reason": REASON, "signed_request": signed},
            headers=taxman,
        )
        assert wrong_role.status_code == 403
        forged = await api.post(
            f"/cases/{case_no}/withdrawal",
            json={"reason": REASON, "signed_request": {**signed, "sha256": "0" * 64}},
        )
        assert forged.status_code == 422 and "sha256" in forged.text

        withdrawn = await api.post(
            f"/cases/{case_no}/withdrawal", json={"reason": REASON, "signed_request": signed}
        )
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json() == {"withdrawn": True, "stage": "withdrawn"}
        ended = await wait_for_stage(api, case_no, {"withdrawn"})
        assert REASON in (ended["reason"] or "")
        again = await api.post(
            f"/cases/{case_no}/withdrawal", json={"reason": REASON, "signed_request": signed}
        )
        assert again.status_code == 409

        # The flat is free again: a new case on it is accepted.
        second = await file_sale(api)
        await wait_for_stage(api, second, {"awaiting_payment"})
        audit = await api.get(
            f"/cases/{case_no}/audit",
            headers={"Authorization": staff_headers(roles=(Role.SUPERVISOR,))["Authorization"]},
        )
        assert ("withdrawal_requested", signed["key"]) in {
            (e["action"], e["subject"]) for e in audit.json()
        }
        # Close the second case so the shared flat is free for the other tests.
        assert (
            await api.post(
                f"/cases/{second}/withdrawal",
                json={"reason": REASON, "signed_request": signed},
            )
        ).status_code == 200
    await record_history(hall, case_no, "transfer_sale_withdrawn")
    told = _told(hall, case_no, "withdrawn")
    assert len(told) == 2 and all(REASON in m["text"] for m in told)  # buyer and seller


async def test_a_recorded_case_cannot_be_withdrawn(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await pay_the_bill(api, case_no, "T-3")
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        refused = await api.post(
            f"/cases/{case_no}/withdrawal",
            json={"reason": REASON, "signed_request": await _signed_request(api)},
        )
        assert refused.status_code == 409 and "recorded" in refused.text
        await collect_at_the_window(api, case_no)


async def test_two_withdrawals_sent_at_once_close_the_case_once(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await wait_for_stage(api, case_no, {"awaiting_payment"})
        signed = await _signed_request(api)
        body = {"reason": REASON, "signed_request": signed}
        answers = await asyncio.gather(
            *(api.post(f"/cases/{case_no}/withdrawal", json=body) for _ in range(4))
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409, 409, 409], [a.text for a in answers]
        assert all("already being withdrawn" in a.text for a in answers if a.status_code == 409)
    with hall.db.session() as session:
        requested = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_no == case_no, CaseEvent.action == "withdrawal_requested"
            )
        ).all()
    assert len(requested) == 1
    assert len(_told(hall, case_no, "withdrawn")) == 2
