"""A seized flat, repeated requests and bad input, as the intake clerk meets them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlmodel import func, select
from temporalio.worker import Worker

from models.archive import Case, Document, Party, SmsMessage
from models.register import Counter
from tests.conftest import Hall
from tests.e2e.walk import CORE_MATERIALS, sale_body, seized_body, upload_scans, wait_for_stage
from tests.replay.recording import record_history
from workflows.ids import case_workflow_id


async def test_seized_flat_is_refused_at_the_check_with_reason_and_sms(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post("/cases", json=seized_body(docs))
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]
        progress = await wait_for_stage(api, case_no, {"refused"})
        late = await api.post(
            f"/cases/{case_no}/payment", json={"amount": "1.00", "reference": "L"}
        )
        assert late.status_code == 409, late.text
        assert "closed" in late.json()["detail"][0]["msg"]

    steps = {s["name"]: s for s in progress["steps"]}
    assert steps["transaction_check"]["status"] == "failed"
    assert "江汉区人民法院" in progress["reason"] and "seized" in progress["reason"]
    assert steps["tax_assessment"]["status"] == "pending"
    assert progress["certificate_no"] is None
    with hall.db.session() as session:
        texts = session.exec(
            select(SmsMessage.text).where(
                SmsMessage.case_no == case_no, SmsMessage.idempotency_key.contains(":refused:")
            )
        ).all()
        case = session.get(Case, case_no)
    assert len(texts) == 2  # seller and buyer
    assert all("查封" in t for t in texts)
    assert case is not None and case.outcome is not None and case.outcome.startswith("refused")
    await record_history(hall, case_no, "existing_home_sale_seized")


async def test_same_idempotency_key_gives_one_case_and_one_workflow(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        headers = {"Idempotency-Key": "clerk-7-request-42"}
        first = await api.post("/cases", json=sale_body(docs), headers=headers)
        second = await api.post("/cases", json=sale_body(docs), headers=headers)
        other = await api.post("/cases", json=sale_body(docs, price="1999999.00"), headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["case_no"] == second.json()["case_no"]
    assert other.status_code == 409
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    with hall.db.session() as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 1
    workflow_id = case_workflow_id(first.json()["case_no"])
    # Visibility lags the start; wait until it lists the case, then there must be one run.
    runs: list[Any] = []
    for _ in range(100):
        runs = [wf async for wf in hall.client.list_workflows(f"WorkflowId = '{workflow_id}'")]
        if runs:
            break
        await asyncio.sleep(0.1)
    assert len(runs) == 1


def _bad(docs: list[dict[str, str]]) -> list[tuple[str, dict[str, Any], list[Any], str]]:
    good = sale_body(docs)
    missing_buyers = {k: v for k, v in good.items() if k != "buyers"}
    bad_id = sale_body(
        docs, buyers=[{"name": "李四", "id_number": "420106198503150020", "phone": "13800000002"}]
    )
    return [
        ("missing field", missing_buyers, ["body", "buyers"], "Field required"),
        (
            "malformed identity number",
            bad_id,
            ["body", "buyers", 0, "id_number"],
            "check digit should be 6",
        ),
        (
            "unknown business type",
            sale_body(docs, business_type="house_swap_party"),
            ["body", "business_type"],
            "unknown business type 'house_swap_party'",
        ),
        ("negative price", sale_body(docs, price="-1"), ["body", "price"], "greater than 0"),
        (
            "malformed unit number",
            sale_body(docs, unit="42010300100"),
            ["body", "unit_number"],
            "28",
        ),
        (
            "unit not in the register",
            sale_body(docs, unit="420103001009GB00099F00010101"),
            ["body", "unit_number"],
            "not in the register",
        ),
        (
            "materials missing (one-time notice)",
            sale_body(docs[:2]),
            ["body", "documents"],
            "title",
        ),
        (
            "party kind the business type does not admit",
            sale_body(docs, business_type="new_home_sale"),
            ["body", "sellers", 0, "id_kind"],
            "new_home_sale does not admit a person among the sellers",
        ),
        (
            "unknown material code",
            sale_body([{**docs[0], "material": "sales_contrat"}, *docs[1:]]),
            ["body", "documents", 0, "material"],
            "unknown material 'sales_contrat'",
        ),
        (
            "scan never uploaded",
            sale_body([{**docs[0], "blob_key": "sha256/" + "0" * 64}, *docs[1:]]),
            ["body", "documents", 0, "blob_key"],
            "POST /scans",
        ),
    ]


BAD_INPUT_NAMES = [
    "missing field",
    "malformed identity number",
    "unknown business type",
    "negative price",
    "malformed unit number",
    "unit not in the register",
    "materials missing (one-time notice)",
    "party kind the business type does not admit",
    "unknown material code",
    "scan never uploaded",
]


@pytest.mark.parametrize("case", range(len(BAD_INPUT_NAMES)), ids=BAD_INPUT_NAMES)
async def test_bad_input_names_the_field_and_stores_nothing(
    hall: Hall, running_worker: Worker, api_url: str, case: int
) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        name, body, loc, text = _bad(docs)[case]
        assert name == BAD_INPUT_NAMES[case]
        r = await api.post("/cases", json=body, headers={"Idempotency-Key": f"bad-input-{case}"})
    assert r.status_code == 422, (name, r.text)
    errors = r.json()["detail"]
    assert any(e["loc"][: len(loc)] == loc and text in e["msg"] for e in errors), (name, errors)
    with hall.db.session() as session:
        for model in (Case, Party, Document):
            assert session.exec(select(func.count()).select_from(model)).one() == 0, name
        assert session.exec(select(func.count()).select_from(Counter)).one() == 0, name
    started = [wf async for wf in hall.client.list_workflows(f"TaskQueue = '{hall.task_queue}'")]
    assert started == [], name


async def test_unknown_case_is_404(hall: Hall, running_worker: Worker, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
        missing = "420103-20261128-09999-0"
        for method, path, body in (
            ("GET", f"/cases/{missing}", None),
            ("POST", f"/cases/{missing}/payment", {"amount": "1.00", "reference": "R1"}),
            ("POST", f"/cases/{missing}/collection", {"method": "window"}),
        ):
            r = await api.request(method, path, json=body)
            assert r.status_code == 404, (path, r.text)
            assert r.json()["detail"][0]["loc"] == ["path", "case_no"]
