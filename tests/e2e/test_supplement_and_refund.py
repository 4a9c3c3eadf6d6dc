"""Issue 12 through the hall's HTTP API on a real dev server and worker:

- the registrar returns a case for a faulty contract; the intake window uploads the new
  scan (`POST /cases/{case_no}/documents`), which tells the case, and the registrar goes on;
- a case refused after its taxes were paid owes each payer back what they paid: the refunds
  show on the tax queue until a tax clerk marks them done; a withdrawal after payment too.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actor import Role
from models.archive import Document
from models.audit import CaseEvent
from models.database import Database
from tests.conftest import Hall, clerk_headers, make_hall, staff_headers
from tests.e2e.test_registrar_decides import REFUSAL
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
    made.settings = made.settings.model_copy(update={"MANUAL_DEPARTMENTS": "registration"})
    return made


def _sms(hall: Hall) -> list[dict[str, Any]]:
    return list(hall.sms.messages())


def _step(progress: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in progress["steps"] if s["name"] == name)


async def _paid_and_waiting_for_the_registrar(api: httpx.AsyncClient) -> tuple[str, str]:
    docs = await upload_scans(api, CORE_MATERIALS)
    created = await api.post("/cases", json=sale_body(docs))
    assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    due = await wait_for_stage(api, case_no, {"awaiting_payment"})
    paid = await api.post(
        f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "T-12"}
    )
    assert paid.status_code == 200, paid.text
    await wait_for_step(api, case_no, "registration")
    return case_no, str(due["tax_total"])


def _documents(hall: Hall, case_no: str) -> int:
    with hall.db.session() as session:
        return len(session.exec(select(Document).where(Document.case_no == case_no)).all())


async def test_a_faulty_contract_is_returned_resupplied_at_the_window_and_the_case_goes_on(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no, _ = await _paid_and_waiting_for_the_registrar(api)
        task = f"/departments/registration/tasks/{case_no}"
        assert (await api.post(f"{task}/claim", headers=registrar)).status_code == 200
        unknown = await api.post(
            f"/cases/{case_no}/supplements/registration",
            json={"items": [{"material": "moon_deed", "problem": "missing"}]},
            headers=registrar,
        )
        assert unknown.status_code == 422 and "moon_deed" in unknown.text
        asked = await api.post(
            f"/cases/{case_no}/supplements/registration",
            json={
                "items": [
                    {"material": "sales_contract", "problem": "faulty", "note": "第3页缺签名"}
                ]
            },
            headers=registrar,
        )
        assert asked.status_code == 200, asked.text
        assert asked.json()["waiting_for"] == ["sales_contract"]
        waiting = await wait_for_stage(api, case_no, {"awaiting_supplement"})
        assert waiting["department"] == "applicant"
        queue = await api.get("/departments/registration/tasks", headers=registrar)
        assert case_no not in {t["case_no"] for t in queue.json()["tasks"]}

        before = _documents(hall, case_no)
        not_asked = await api.post(
            f"/cases/{case_no}/documents",
            data={"material": "id_document"},
            files={"file": ("id.pdf", b"%PDF-1.4 another id\n" * 20, "application/pdf")},
        )
        assert not_asked.status_code == 409 and "not asked for" in not_asked.text
        text = await api.post(
            f"/cases/{case_no}/documents",
            data={"material": "sales_contract"},
            files={"file": ("contract.pdf", b"just text, not a scan\n" * 20, "application/pdf")},
        )
        assert text.status_code in (415, 422) and "file" in text.text
        assert _documents(hall, case_no) == before  # neither stored anything
        signed = await api.post(
            f"/cases/{case_no}/documents",
            data={"material": "sales_contract"},
            files={"file": ("contract.pdf", b"%PDF-1.4 signed contract\n" * 20, "application/pdf")},
        )
        assert signed.status_code == 201, signed.text
        assert signed.json()["told_case"] is True
        assert signed.json()["supplement"]["resumed"] is True
        assert _documents(hall, case_no) == before + 1

        await wait_for_step(api, case_no, "registration", stage="registration")
        approved = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": True}, headers=registrar
        )
        assert approved.status_code == 200, approved.text
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        listed = await api.get(f"/cases/{case_no}/documents", headers=registrar)
        assert listed.status_code == 200
        assert [d["material"] for d in listed.json()].count("sales_contract") == 2
        await collect_at_the_window(api, case_no)
    told = [
        m["idempotency_key"]
        for m in hall.sms.messages()
        if m["idempotency_key"].startswith(case_no)
    ]
    assert any(":supplement_requested_" in key for key in told)
    assert any(":supplement_received_" in key for key in told)


async def test_a_refusal_after_payment_owes_each_payer_back_until_a_tax_clerk_pays_it(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    taxman = clerk_headers(hall, "T-0101", "税务 王五", Role.TAX)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no, total = await _paid_and_waiting_for_the_registrar(api)
        task = f"/departments/registration/tasks/{case_no}"
        assert (await api.post(f"{task}/claim", headers=registrar)).status_code == 200
        refused = await api.post(
            f"/cases/{case_no}/decisions/registration", json=REFUSAL, headers=registrar
        )
        assert refused.status_code == 200, refused.text
        await wait_for_stage(api, case_no, {"refused"})

        owed = await api.get(f"/cases/{case_no}/refunds", headers=taxman)
        assert owed.status_code == 200, owed.text
        refunds = owed.json()
        assert {r["payer"] for r in refunds} == {"buyer", "seller"}
        assert sum(Decimal(r["amount"]) for r in refunds) == Decimal(total)
        assert all(r["status"] == "due" for r in refunds)
        assert any("契税法" in r["legal_basis"] for r in refunds)

        queue = await api.get("/departments/tax/tasks", headers=taxman)
        listed = {r["refund_id"] for r in queue.json()["refunds_due"] if r["case_no"] == case_no}
        assert listed == {r["refund_id"] for r in refunds}
        first = refunds[0]
        done = await api.post(
            f"/cases/{case_no}/refunds/{first['refund_id']}/done",
            json={"reference": "WH-TK-2026-000045"},
            headers=taxman,
        )
        assert done.status_code == 200, done.text
        queue = await api.get("/departments/tax/tasks", headers=taxman)
        left = {r["refund_id"] for r in queue.json()["refunds_due"] if r["case_no"] == case_no}
        assert left == {r["refund_id"] for r in refunds} - {first["refund_id"]}
    told = {
        m["idempotency_key"].split(":")[1]
        for m in hall.sms.messages()
        if m["idempotency_key"].startswith(case_no)
    }
    assert {"refund_due_buyer", "refund_due_seller"} <= told
    with hall.db.session() as session:
        actions = session.exec(
            select(CaseEvent.action, CaseEvent.actor_id).where(CaseEvent.case_no == case_no)
        ).all()
    assert ("refund_done", "T-0101") in actions


async def test_a_withdrawal_after_payment_owes_the_payers_back(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    taxman = clerk_headers(hall, "T-0101", "税务 王五", Role.TAX)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no, total = await _paid_and_waiting_for_the_registrar(api)
        scan = await api.post(
            "/scans",
            files={"file": ("request.pdf", b"%PDF-1.4 signed request\n" * 20, "application/pdf")},
        )
        signed = {"key": scan.json()["key"], "sha256": scan.json()["sha256"]}
        withdrawn = await api.post(
            f"/cases/{case_no}/withdrawal",
            json={"reason": "买卖双方协商解除合同", "signed_request": signed},
        )
        assert withdrawn.status_code == 200, withdrawn.text
        owed = (await api.get(f"/cases/{case_no}/refunds", headers=taxman)).json()
    assert sum(Decimal(r["amount"]) for r in owed) == Decimal(total)
    assert all("withdrawn" in r["reason"] for r in owed)


async def test_a_double_click_asks_for_papers_once_and_a_decision_sent_with_it_is_refused(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    ask = {"items": [{"material": "sales_contract", "problem": "faulty", "note": "缺签名"}]}
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no, _ = await _paid_and_waiting_for_the_registrar(api)
        task = f"/departments/registration/tasks/{case_no}"
        assert (await api.post(f"{task}/claim", headers=registrar)).status_code == 200
        supplements = f"/cases/{case_no}/supplements/registration"
        decision = f"/cases/{case_no}/decisions/registration"
        answers = await asyncio.gather(
            api.post(supplements, json=ask, headers=registrar),
            api.post(supplements, json=ask, headers=registrar),
            api.post(decision, json={"approve": True}, headers=registrar),
        )
        codes = [a.status_code for a in answers]
        assert sorted(codes) == [200, 409, 409], [a.text for a in answers]
        if codes[2] == 200:  # the approval came first: the case goes on to recording
            await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        else:  # a request came first: the case waits for the applicant's papers
            await wait_for_stage(api, case_no, {"awaiting_supplement"})
            for _ in range(100):  # the notice goes out as the step begins to wait
                if any(":supplement_requested_0:" in m["idempotency_key"] for m in _sms(hall)):
                    break
                await asyncio.sleep(0.1)
    with hall.db.session() as session:
        actions = session.exec(
            select(CaseEvent.action).where(
                CaseEvent.case_no == case_no,
                col(CaseEvent.action).in_(["supplement_requested", "approved"]),
                CaseEvent.actor_id == "R-0401",
            )
        ).all()
    assert len(actions) == 1, actions
    # One notice (one SMS step), sent to each applicant once.
    asked_by_sms = {
        m["idempotency_key"].split(":")[1]
        for m in _sms(hall)
        if m["idempotency_key"].startswith(f"{case_no}:supplement_")
    }
    assert asked_by_sms == (set() if codes[2] == 200 else {"supplement_requested_0"})
