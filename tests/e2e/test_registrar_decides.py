"""Registration by a person: the registrar claims the case's step, then approves it or
refuses it in writing; the validators refuse the wrong role, another clerk's claim and a
decision without the claim, and a supervisor can reassign (real server, real HTTP)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.services.calendar_window import calendar_for
from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from domain.calendar import load_office_hours
from models.actor import Role
from models.audit import CaseEvent
from models.database import Database
from models.payloads import CaseInput
from models.register import TitleHolder
from tests.conftest import Hall, clerk_headers, make_hall, staff_headers
from tests.e2e.walk import (
    CORE_MATERIALS,
    collect_at_the_window,
    sale_body,
    upload_scans,
    wait_for_stage,
    wait_for_step,
)
from tests.replay.recording import record_history
from tests.workflows.test_timers import ALL_DEADLINES, store_sale
from workflows.ids import PROPERTY_CASE_WORKFLOW, case_workflow_id

TASK = "/departments/registration/tasks/{case_no}"
REFUSAL = {
    "approve": False,
    "reason": "申请登记的不动产权属存在争议",
    "legal_basis": "《不动产登记暂行条例》第二十二条第（二）项",
}


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    """A hall whose registration decides by hand (housing and tax stay automatic)."""
    made = make_hall(temporal_env.client, demo_db, tmp_path)
    made.settings = made.settings.model_copy(update={"MANUAL_DEPARTMENTS": "registration"})
    return made


async def _case_waiting_for_the_registrar(api: httpx.AsyncClient) -> dict[str, Any]:
    docs = await upload_scans(api, CORE_MATERIALS)
    created = await api.post("/cases", json=sale_body(docs))
    assert created.status_code == 201, created.text
    case_no = created.json()["case_no"]
    due = await wait_for_stage(api, case_no, {"awaiting_payment"})
    paid = await api.post(
        f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "T-1"}
    )
    assert paid.status_code == 200, paid.text
    # The stage turns to registration when the step begins; the registrar can claim it
    # once the system's review is done and the step waits for a person.
    return await wait_for_step(api, case_no, "registration", stage="registration")


def _holders(hall: Hall) -> list[str]:
    with hall.db.session() as session:
        rows = session.exec(
            select(TitleHolder).where(
                TitleHolder.unit_number == FLAT_SALE, col(TitleHolder.ended_on).is_(None)
            )
        ).all()
    return [row.holder_id_number for row in rows]


async def test_the_registrar_claims_and_approves_then_the_case_records(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    other = clerk_headers(hall, "R-0402", "登记 冯四", Role.REGISTRATION)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        waiting = await _case_waiting_for_the_registrar(api)
        case_no = waiting["case_no"]
        task = TASK.format(case_no=case_no)
        await asyncio.sleep(0.3)  # recording waits for the person, however long
        assert _holders(hall) == [ZHANG_SAN]

        # A decision without the claim, and the wrong department's clerk, are refused.
        early = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": True}, headers=registrar
        )
        assert early.status_code == 409 and "claim the step first" in early.text
        taxman = clerk_headers(hall, "T-0101", "税务 王五", Role.TAX)
        wrong = await api.post(f"{task}/claim", headers=taxman)
        assert wrong.status_code == 409 and "role tax may not claim" in wrong.text

        claimed = await api.post(f"{task}/claim", headers=registrar)
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["holder"]["staff_id"] == "R-0401"
        # A second clerk is told who holds it; the holder sees it on the progress.
        second = await api.post(f"{task}/claim", headers=other)
        assert second.status_code == 409 and "登记 郑三 (R-0401)" in second.text
        shown = (await api.get(f"/cases/{case_no}")).json()
        registration = next(s for s in shown["steps"] if s["name"] == "registration")
        assert registration["holder"] == "登记 郑三 (R-0401)"
        not_holder = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": True}, headers=other
        )
        assert not_holder.status_code == 409

        approved = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": True}, headers=registrar
        )
        assert approved.status_code == 200, approved.text
        ready = await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        await collect_at_the_window(api, case_no)
    await record_history(hall, case_no, "transfer_sale_registrar_approves")
    assert ready["certificate_no"]
    assert _holders(hall) == [LI_SI]
    with hall.db.session() as session:
        actions = session.exec(
            select(CaseEvent.action, CaseEvent.actor_id).where(CaseEvent.case_no == case_no)
        ).all()
    assert ("claimed", "R-0401") in actions and ("approved", "R-0401") in actions
    with hall.db.session() as session:
        automatic = session.exec(
            select(CaseEvent.subject).where(
                CaseEvent.case_no == case_no,
                CaseEvent.action == "approved",
                CaseEvent.actor_id == "system",
            )
        ).all()
    # Housing and tax decided automatically, as the named system actor, once each.
    assert sorted(automatic) == ["housing", "tax"]


async def test_a_refusal_in_writing_ends_the_case_and_a_supervisor_reassigns(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    first = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    second = clerk_headers(hall, "R-0402", "登记 冯四", Role.REGISTRATION)
    boss = clerk_headers(hall, "S-0001", "科长 孙八", Role.SUPERVISOR)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        waiting = await _case_waiting_for_the_registrar(api)
        case_no = waiting["case_no"]
        task = TASK.format(case_no=case_no)
        assert (await api.post(f"{task}/claim", headers=first)).status_code == 200
        moved = await api.post(
            f"{task}/claim",
            json={"assignee_staff_id": "R-0402", "assignee_name": "登记 冯四"},
            headers=boss,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["holder"]["staff_id"] == "R-0402"
        # The first clerk may no longer release it; its holder gives it back and takes it.
        assert (await api.post(f"{task}/release", headers=first)).status_code == 409
        released = await api.post(f"{task}/release", headers=second)
        assert released.status_code == 200 and released.json()["holder"] is None
        assert (await api.post(f"{task}/claim", headers=second)).status_code == 200

        unexplained = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": False}, headers=second
        )
        assert unexplained.status_code == 422  # a refusal says why, in writing
        refused = await api.post(
            f"/cases/{case_no}/decisions/registration", json=REFUSAL, headers=second
        )
        assert refused.status_code == 200, refused.text
        ended = await wait_for_stage(api, case_no, {"refused"})
    assert REFUSAL["reason"] in ended["reason"] and "第二十二条" in ended["reason"]
    assert _holders(hall) == [ZHANG_SAN]
    told = [m["text"] for m in hall.sms.messages() if m["idempotency_key"].startswith(case_no)]
    assert any(REFUSAL["reason"] in text for text in told)


async def test_a_decision_sent_to_a_case_of_the_frozen_flow_gets_a_clear_409(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    case = await store_sale(hall)
    inp = CaseInput(
        case_no=case.case_no,
        business_type=case.business_type,
        hall=case.hall,
        accepted_at=case.accepted_at,
        calendar=calendar_for(case.accepted_at.date()),
        office_hours=load_office_hours(),
        deadlines=ALL_DEADLINES,
        departments=["housing", "tax", "registration"],
    )
    await hall.client.start_workflow(
        PROPERTY_CASE_WORKFLOW, inp, id=case_workflow_id(case.case_no), task_queue=hall.task_queue
    )
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        due = await wait_for_stage(api, case.case_no, {"awaiting_payment"})
        sent = await api.post(
            f"/cases/{case.case_no}/decisions/registration",
            json={"approve": True},
            headers=registrar,
        )
        assert sent.status_code == 409
        assert "PropertyCase" in sent.text and "decide" in sent.text
        paid = await api.post(
            f"/cases/{case.case_no}/payment",
            json={"amount": due["tax_total"], "reference": "T-9"},
        )
        assert paid.status_code == 200, paid.text  # the frozen case goes on, automatically
        await wait_for_stage(api, case.case_no, {"awaiting_collection_choice"})
        await api.post(f"/cases/{case.case_no}/collection", json={"method": "window"})
        await wait_for_stage(api, case.case_no, {"awaiting_pickup"})
        await api.post(f"/cases/{case.case_no}/handover", json={})
        await wait_for_stage(api, case.case_no, {"completed"})


async def test_two_clerks_claiming_at_once_one_wins_and_the_other_is_told_who(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    clerks = [
        clerk_headers(hall, f"R-05{i:02d}", f"登记 {i} 号", Role.REGISTRATION) for i in range(4)
    ]
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        waiting = await _case_waiting_for_the_registrar(api)
        case_no = waiting["case_no"]
        task = TASK.format(case_no=case_no)
        answers = await asyncio.gather(
            *(api.post(f"{task}/claim", headers=headers) for headers in clerks)
        )
        won = [a for a in answers if a.status_code == 200]
        assert len(won) == 1, [a.text for a in answers]
        holder = won[0].json()["holder"]
        told = f"{holder['name']} ({holder['staff_id']})"
        lost = [a for a in answers if a.status_code != 200]
        assert all(a.status_code == 409 and told in a.text for a in lost), [a.text for a in lost]
        shown = (await api.get(f"/cases/{case_no}")).json()
        registration = next(s for s in shown["steps"] if s["name"] == "registration")
        assert registration["holder"] == told
        # The case goes on: the winner refuses it in writing, and it ends.
        winner = clerks[[a.status_code for a in answers].index(200)]
        refused = await api.post(
            f"/cases/{case_no}/decisions/registration", json=REFUSAL, headers=winner
        )
        assert refused.status_code == 200, refused.text
        await wait_for_stage(api, case_no, {"refused"})
