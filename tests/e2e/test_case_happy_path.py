"""A second-hand sale through the HTTP API, from scans to a certificate sent by EMS."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, select
from temporalio.worker import Worker

from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from models.actor import Role
from models.archive import Case, SmsMessage
from models.register import Certificate, FiledContract, Ownership
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, upload_scans, wait_for_stage
from tests.replay.recording import record_history
from workflows.ids import case_workflow_id

CERTIFICATE = re.compile(r"^鄂\(\d{4}\)武汉市不动产权第\d{7}号$")


async def test_sale_ends_with_certificate_and_buyer_in_register(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post("/cases", json=sale_body(docs), headers={"Idempotency-Key": "walk-0001"})
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]

        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        assert due["department"] == "applicant"
        # Held over two years (no VAT), cost unproved: 1 % assessed PIT + 1 % deed tax.
        assert due["tax_total"] == "40080.00"  # taxes, and the buyer's ¥80 registration fee
        steps = {s["name"]: s for s in due["steps"]}
        assert steps["transaction_check"]["status"] == "done"
        assert steps["payment"]["status"] == "waiting"
        assert steps["payment"]["due_at"] is not None
        # The hall's promise (5 working days) comes well before the law's limit (30).
        promised = datetime.fromisoformat(due["completion_due_at"])
        legal = datetime.fromisoformat(due["legal_due_at"])
        assert promised + timedelta(days=25) < legal <= promised + timedelta(days=60)  # holidays

        wrong = await api.post(
            f"/cases/{case_no}/payment", json={"amount": "1.00", "reference": "X1"}
        )
        assert wrong.status_code == 409
        assert "amount" in wrong.json()["detail"][0]["msg"]
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "TAX-0001"}
        )
        assert paid.status_code == 200, paid.text

        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        shipped = await api.post(
            f"/cases/{case_no}/collection",
            json={
                "method": "ems",
                "recipient": "李四",
                "phone": "13800000002",
                "address": "武汉市江汉区新华路 100 号",
            },
        )
        assert shipped.status_code == 200, shipped.text
        tracking = shipped.json()["tracking_no"]
        assert re.fullmatch(r"EA\d{9}CN", tracking)

        done = await wait_for_stage(api, case_no, {"completed"})
        # The clerk's client retries after the case has finished: the same case, no new one.
        again = await api.post(
            "/cases", json=sale_body(docs), headers={"Idempotency-Key": "walk-0001"}
        )
        assert again.status_code == 200 and again.json()["case_no"] == case_no
        assert CERTIFICATE.match(done["certificate_no"]), done["certificate_no"]
        assert done["tracking_no"] == tracking
        assert all(s["status"] == "done" for s in done["steps"]), done["steps"]

    with hall.db.session() as session:
        owners = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
        assert [o.holder_id_number for o in owners] == [LI_SI]
        assert owners[0].certificate_no == done["certificate_no"]
        seller = session.exec(
            select(Ownership).where(Ownership.holder_id_number == ZHANG_SAN)
        ).one()
        assert seller.ended_on is not None
        assert session.exec(select(Certificate)).one().number == done["certificate_no"]
        contract = session.get(FiledContract, "WHCL2026000101")
        assert contract is not None and contract.status == "registered"
        case = session.get(Case, case_no)
        assert case is not None and case.status == "closed" and case.outcome == "completed"
        messages = session.exec(select(SmsMessage).where(SmsMessage.case_no == case_no)).all()
    to_buyer = [m.text for m in messages if m.phone == "13800000002"]
    to_seller = [m.text for m in messages if m.phone == "13800000001"]
    assert any("应缴合计20080.00元" in t for t in to_buyer)  # deed tax and the fee
    assert any("应缴合计20000.00元" in t for t in to_seller)  # assessed PIT
    assert any(tracking in t for t in to_buyer)
    assert not any(tracking in t for t in to_seller)
    # One SMS at every step, each exactly once per recipient: accepted, checked, taxes
    # due, paid (with the receipt number), ready, shipped (the buyer only).
    steps = sorted(m.idempotency_key.split(":")[1] for m in messages if m.phone == "13800000002")
    assert steps == sorted(
        ["accepted", "checked", "pay_taxes_buyer", "paid", "certificate_ready", "shipped"]
    )
    assert any("已收到缴款40080.00元" in t for t in to_seller)
    keys = [m["idempotency_key"] for m in hall.sms.messages()]
    assert len(keys) == len(set(keys))

    # The supervisor reads who did what; the history itself holds no personal data.
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        supervisor = {"Authorization": staff_headers(roles=(Role.SUPERVISOR,))["Authorization"]}
        audit = await api.get(f"/cases/{case_no}/audit", headers=supervisor)
        assert audit.status_code == 200, audit.text
        clerk_only = await api.get(f"/cases/{case_no}/audit", headers=staff_headers())
        assert clerk_only.status_code == 200  # the test clerk also holds supervisor
        window = {"Authorization": staff_headers(roles=(Role.WINDOW,))["Authorization"]}
        assert (await api.get(f"/cases/{case_no}/audit", headers=window)).status_code == 403
    actions = [(e["action"], e["actor_id"], e["actor_role"]) for e in audit.json()]
    assert actions == [
        *[("scan_uploaded", "test-clerk", "intake")] * len(CORE_MATERIALS),
        ("accepted", "test-clerk", "intake"),
        ("approved", "system", "system"),  # housing's check, decided automatically
        ("approved", "system", "system"),  # tax's bill
        ("payment_confirmed", "test-clerk", "tax"),
        ("approved", "system", "system"),  # registration
        ("collection_chosen", "test-clerk", "intake"),
    ]
    automatic = [e["subject"] for e in audit.json() if e["actor_id"] == "system"]
    assert automatic == ["housing", "tax", "registration"]
    history = await hall.client.get_workflow_handle(case_workflow_id(case_no)).fetch_history()
    text = history.to_json()
    for personal in (LI_SI, ZHANG_SAN, "13800000002", "13800000001", "新华路", "李四", "张三"):
        assert personal not in text, personal

    await record_history(hall, case_no, "transfer_sale_ems")
