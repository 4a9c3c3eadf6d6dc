"""Housing and tax decide by hand: the housing clerk confirms the check or refuses the case
in writing, the tax clerk confirms the computed bill or adjusts it with a reason, and only
then are the payers billed. Each validator refuses the wrong role, the wrong stage and a
decision without the claim. Real dev server, real worker, real HTTP; the read side follows.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actor import Role
from models.archive import TaxBillRecord
from models.audit import CaseEvent
from models.case_view import CaseView
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
from tests.replay.recording import record_history

HOUSING_REFUSAL = {
    "approve": False,
    "reason": "网签合同载明的价款与申报价款不一致",
    "legal_basis": "《城市房地产管理法》第四十一条",
}


@pytest.fixture
def hall(temporal_env: WorkflowEnvironment, demo_db: Database, tmp_path: Path) -> Hall:
    """A hall where housing, tax and registration all decide by hand."""
    made = make_hall(temporal_env.client, demo_db, tmp_path)
    manual = "housing,registration,tax"
    made.settings = made.settings.model_copy(update={"MANUAL_DEPARTMENTS": manual})
    return made


def _step(progress: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in progress["steps"] if s["name"] == name)


def _view(hall: Hall, case_no: str) -> CaseView:
    with hall.db.session() as session:
        row = session.get(CaseView, case_no)
        assert row is not None, "the read side has the case"
        session.expunge(row)
        return row


def _told(hall: Hall, case_no: str) -> list[str]:
    return [m["text"] for m in hall.sms.messages() if m["idempotency_key"].startswith(case_no)]


async def _claim(api: httpx.AsyncClient, department: str, case_no: str, who: Any) -> None:
    claimed = await api.post(f"/departments/{department}/tasks/{case_no}/claim", headers=who)
    assert claimed.status_code == 200, claimed.text


async def test_housing_confirms_tax_adjusts_the_bill_and_the_payers_pay_the_adjusted_total(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    housing = clerk_headers(hall, "H-0201", "房管 周一", Role.HOUSING)
    taxman = clerk_headers(hall, "T-0101", "税务 王五", Role.TAX)
    registrar = clerk_headers(hall, "R-0401", "登记 郑三", Role.REGISTRATION)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        created = await api.post("/cases", json=sale_body(docs))
        assert created.status_code == 201, created.text
        case_no = created.json()["case_no"]

        shown = await wait_for_step(api, case_no, "transaction_check")
        assert shown["stage"] == "transaction_check"
        assert _step(shown, "transaction_check")["detail"]  # what the check found
        view = _view(hall, case_no)
        assert (view.department, view.step, view.step_status) == (
            "housing",
            "transaction_check",
            "waiting",
        )
        # The tax clerk may not decide housing's step, nor decide tax's before it waits.
        await _claim(api, "housing", case_no, housing)
        assert _view(hall, case_no).holder_staff_id == "H-0201"
        wrong_role = await api.post(
            f"/cases/{case_no}/decisions/housing", json={"approve": True}, headers=taxman
        )
        assert wrong_role.status_code == 409 and "role tax may not" in wrong_role.text
        wrong_stage = await api.post(
            f"/cases/{case_no}/decisions/tax", json={"approve": True}, headers=taxman
        )
        assert wrong_stage.status_code == 409 and "not waiting for tax" in wrong_stage.text
        confirmed = await api.post(
            f"/cases/{case_no}/decisions/housing", json={"approve": True}, headers=housing
        )
        assert confirmed.status_code == 200, confirmed.text

        shown = await wait_for_step(api, case_no, "tax_assessment")
        computed = Decimal(shown["tax_total"])
        assert not any("缴" in text for text in _told(hall, case_no)), "nobody billed yet"
        no_claim = await api.post(
            f"/cases/{case_no}/decisions/tax", json={"approve": True}, headers=taxman
        )
        assert no_claim.status_code == 409 and "claim the step first" in no_claim.text
        await _claim(api, "tax", case_no, taxman)
        unknown = await api.post(
            f"/cases/{case_no}/decisions/tax",
            json={
                "approve": True,
                "adjustment": {
                    "lines": [{"code": "window_tax", "payer": "buyer", "amount": "1.00"}],
                    "reason": "x",
                },
            },
            headers=taxman,
        )
        assert unknown.status_code == 422 and "window_tax" in unknown.text
        refused = await api.post(
            f"/cases/{case_no}/decisions/tax", json=HOUSING_REFUSAL, headers=taxman
        )
        assert refused.status_code == 422 and "approve" in refused.text  # tax refuses no case
        lacking = await api.post(
            f"/cases/{case_no}/decisions/tax",
            json={
                "approve": True,
                "adjustment": {
                    "lines": [{"code": "certificate_fee", "payer": "buyer", "amount": "10.00"}],
                    "reason": "加发证书",
                },
            },
            headers=taxman,
        )
        assert lacking.status_code == 409 and "adjustment" in lacking.text, lacking.text
        still = (await api.get(f"/cases/{case_no}")).json()
        assert _step(still, "tax_assessment")["status"] == "waiting"  # nothing was decided
        adjusted = await api.post(
            f"/cases/{case_no}/decisions/tax",
            json={
                "approve": True,
                "adjustment": {
                    "lines": [{"code": "deed_tax", "payer": "buyer", "amount": "10000.00"}],
                    "reason": "契税计税依据按评估价核定",
                },
            },
            headers=taxman,
        )
        assert adjusted.status_code == 200, adjusted.text

        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        total = Decimal(due["tax_total"])
        assert total != computed
        view = _view(hall, case_no)
        assert (view.stage, view.step, view.step_status) == (
            "awaiting_payment",
            "payment",
            "waiting",
        )
        assert Decimal(view.progress["tax_total"]) == total
        short = await api.post(
            f"/cases/{case_no}/payment", json={"amount": str(computed), "reference": "T-1"}
        )
        assert short.status_code == 409  # the computed total is no longer what is owed
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": str(total), "reference": "T-1"}
        )
        assert paid.status_code == 200, paid.text

        await wait_for_step(api, case_no, "registration")
        await _claim(api, "registration", case_no, registrar)
        approved = await api.post(
            f"/cases/{case_no}/decisions/registration", json={"approve": True}, headers=registrar
        )
        assert approved.status_code == 200, approved.text
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        done = await collect_at_the_window(api, case_no)

    await record_history(hall, case_no, "transfer_sale_housing_and_tax_by_hand")
    view = _view(hall, case_no)
    assert view.stage == "completed" and view.finished_at is not None
    assert view.progress["certificate_no"] == done["certificate_no"]
    with hall.db.session() as session:
        bill = session.get(TaxBillRecord, case_no)
        assert bill is not None and bill.total == total and bill.status == "paid"
        events = session.exec(
            select(CaseEvent.action, CaseEvent.actor_id, CaseEvent.reason).where(
                CaseEvent.case_no == case_no
            )
        ).all()
    actions = {(action, actor) for action, actor, _ in events}
    assert {("approved", "H-0201"), ("approved", "T-0101"), ("approved", "R-0401")} <= actions
    assert ("bill_adjusted", "T-0101") in actions
    assert any(reason == "契税计税依据按评估价核定" for _, _, reason in events)
    told = _told(hall, case_no)
    assert sum(str(total) in text or f"{total:,}" in text for text in told) >= 1


async def test_housing_refuses_in_writing_and_the_case_ends_before_anyone_is_billed(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    housing = clerk_headers(hall, "H-0201", "房管 周一", Role.HOUSING)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        created = await api.post("/cases", json=sale_body(docs))
        case_no = created.json()["case_no"]
        await wait_for_step(api, case_no, "transaction_check")
        await _claim(api, "housing", case_no, housing)
        refused = await api.post(
            f"/cases/{case_no}/decisions/housing", json=HOUSING_REFUSAL, headers=housing
        )
        assert refused.status_code == 200, refused.text
        ended = await wait_for_stage(api, case_no, {"refused"})
    await record_history(hall, case_no, "transfer_sale_housing_refuses")
    assert HOUSING_REFUSAL["reason"] in ended["reason"]
    assert "第四十一条" in ended["reason"]
    assert _step(ended, "tax_assessment")["status"] == "pending"
    view = _view(hall, case_no)
    assert view.stage == "refused" and view.finished_at is not None
    assert any(HOUSING_REFUSAL["reason"] in text for text in _told(hall, case_no))
    with hall.db.session() as session:
        assert session.get(TaxBillRecord, case_no) is None
