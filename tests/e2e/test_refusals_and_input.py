"""A seized flat, repeated requests and bad input, as the intake clerk meets them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlmodel import func, select
from temporalio.worker import Worker

from api.auth.tokens import Staff, issue_token
from devtools.demo_data import LI_SI, WANG_WU, ZHANG_SAN
from models.actor import Role
from models.archive import Case, Document, Party, SmsMessage, TaxBillRecord
from models.register import Counter
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, seized_body, upload_scans, wait_for_stage
from tests.replay.recording import record_history
from workflows.ids import case_workflow_id


async def test_seized_flat_is_refused_at_the_check_with_reason_and_sms(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
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
    await record_history(hall, case_no, "transfer_sale_seized")


async def test_same_idempotency_key_gives_one_case_and_one_workflow(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
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


INF = "@@1e400@@"  # stands in for a JSON number that parses to infinity


def _raw(body: dict[str, Any]) -> str:
    """The body as JSON text, with INF written as the number 1e400 (json.dumps cannot)."""
    return json.dumps(body, ensure_ascii=False).replace(f'"{INF}"', "1e400")


def _party(name: str, id_number: str, phone: str = "13800000002") -> dict[str, str]:
    return {"name": name, "id_number": id_number, "phone": phone}


def _bad(docs: list[dict[str, str]]) -> list[tuple[str, dict[str, Any], list[Any], str]]:
    good = sale_body(docs)
    seller = _party("张三", ZHANG_SAN, "13800000001")
    buyer = _party("李四", LI_SI)
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
        ("price 1e400", sale_body(docs, price=INF), ["body", "price"], "finite"),
        ("price of 40 digits", sale_body(docs, price="9" * 40), ["body", "price"], "13 digits"),
        ("price NaN", sale_body(docs, price="NaN"), ["body", "price"], "decimal number"),
        ("price in fen", sale_body(docs, price="2000000.001"), ["body", "price"], "2 after"),
        (
            "NUL in a name",
            sale_body(docs, sellers=[{**seller, "name": "张\x00三"}]),
            ["body", "sellers", 0, "name"],
            "U+0000",
        ),
        (
            "bidi override in a name",
            sale_body(docs, buyers=[{**buyer, "name": "李\u202e四"}]),
            ["body", "buyers", 0, "name"],
            "U+202E",
        ),
        (
            "zero-width space in a file name",
            sale_body([{**docs[0], "filename": "a\u200b.pdf"}, *docs[1:]]),
            ["body", "documents", 0, "filename"],
            "U+200B",
        ),
        (
            "C1 control in a name",
            sale_body(docs, buyers=[{**buyer, "name": "李\x85四"}]),
            ["body", "buyers", 0, "name"],
            "U+0085",
        ),
        (
            "byte-order mark in a name",
            sale_body(docs, buyers=[{**buyer, "name": "\ufeff李四"}]),
            ["body", "buyers", 0, "name"],
            "U+FEFF",
        ),
        (
            "same buyer twice",
            sale_body(docs, buyers=[buyer, {**buyer, "name": "李 四"}]),
            ["body", "buyers", 1, "id_number"],
            "buyers[0]",
        ),
        (
            "buyer is also the seller",
            sale_body(docs, buyers=[_party("王五", WANG_WU), {**seller, "phone": "13800000009"}]),
            ["body", "buyers", 1, "id_number"],
            "sellers[0]",
        ),
        (
            "same seller twice",
            sale_body(docs, sellers=[seller, seller]),
            ["body", "sellers", 1, "id_number"],
            "sellers[0]",
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
    "price 1e400",
    "price of 40 digits",
    "price NaN",
    "price in fen",
    "NUL in a name",
    "bidi override in a name",
    "zero-width space in a file name",
    "C1 control in a name",
    "byte-order mark in a name",
    "same buyer twice",
    "buyer is also the seller",
    "same seller twice",
]


@pytest.mark.parametrize("case", range(len(BAD_INPUT_NAMES)), ids=BAD_INPUT_NAMES)
async def test_bad_input_names_the_field_and_stores_nothing(
    hall: Hall, running_worker: Worker, api_url: str, case: int
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        name, body, loc, text = _bad(docs)[case]
        assert name == BAD_INPUT_NAMES[case]
        r = await api.post(
            "/cases",
            content=_raw(body).encode(),
            headers={"Idempotency-Key": f"bad-input-{case}", "Content-Type": "application/json"},
        )
    assert r.status_code == 422, (name, r.text)
    errors = r.json()["detail"]
    assert any(e["loc"][: len(loc)] == loc and text in e["msg"] for e in errors), (name, errors)
    await _nothing_stored(hall, name)


async def _nothing_stored(hall: Hall, name: str) -> None:
    with hall.db.session() as session:
        for model in (Case, Party, Document):
            assert session.exec(select(func.count()).select_from(model)).one() == 0, name
        assert session.exec(select(func.count()).select_from(Counter)).one() == 0, name
    started = [wf async for wf in hall.client.list_workflows(f"TaskQueue = '{hall.task_queue}'")]
    assert started == [], name


async def test_idempotency_key_of_invisible_characters_is_422(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post(
            "/cases",
            json=sale_body(docs),
            headers={"Idempotency-Key": "clé 1234".encode("latin-1")},
        )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    await _nothing_stored(hall, "idempotency key")


async def test_unknown_case_is_404(hall: Hall, running_worker: Worker, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        missing = "420103-20261128-09999-0"
        for method, path, body in (
            ("GET", f"/cases/{missing}", None),
            ("POST", f"/cases/{missing}/payment", {"amount": "1.00", "reference": "R1"}),
            ("POST", f"/cases/{missing}/collection", {"method": "window"}),
        ):
            r = await api.request(method, path, json=body)
            assert r.status_code == 404, (path, r.text)
            assert r.json()["detail"][0]["loc"] == ["path", "case_no"]


async def _paid_bill(hall: Hall, case_no: str) -> TaxBillRecord:
    with hall.db.session() as session:
        bill = session.get(TaxBillRecord, case_no)
    assert bill is not None
    return bill


async def test_hostile_payment_is_422_and_a_differing_repeat_is_409(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        case_no = (await api.post("/cases", json=sale_body(docs))).json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        pay = f"/cases/{case_no}/payment"
        json_type = {"Content-Type": "application/json"}
        for raw, loc in (
            ('{"amount": 1e400, "reference": "T-1"}', ["body", "amount"]),
            ('{"amount": "1e400", "reference": "T-1"}', ["body", "amount"]),
            ('{"amount": ' + "9" * 40 + ', "reference": "T-1"}', ["body", "amount"]),
            ('{"amount": "40000.00", "reference": "T\\u0000-1"}', ["body", "reference"]),
            ('{"amount": "40000.00", "reference": "T\\u2067-1"}', ["body", "reference"]),
        ):
            r = await api.post(pay, content=raw.encode(), headers=json_type)
            assert r.status_code == 422, (raw, r.text)
            assert r.json()["detail"][0]["loc"] == loc, (raw, r.text)
        bill = await _paid_bill(hall, case_no)
        assert (bill.status, bill.payment_reference) != ("paid", "T-1")
        assert bill.paid_at is None

        total = due["tax_total"]
        first = await api.post(pay, json={"amount": total, "reference": "T-1"})
        assert first.status_code == 200, first.text
        again = await api.post(pay, json={"amount": total, "reference": "T-1"})
        assert again.status_code == 200 and again.json() == first.json()
        other_amount = await api.post(pay, json={"amount": "1.00", "reference": "T-1"})
        assert other_amount.status_code == 409, other_amount.text
        assert other_amount.json()["detail"][0]["loc"] == ["body", "amount"]
        assert "already recorded" in other_amount.json()["detail"][0]["msg"]
        other_reference = await api.post(pay, json={"amount": total, "reference": "T-2"})
        assert other_reference.status_code == 409, other_reference.text
        assert "already paid" in other_reference.json()["detail"][0]["msg"]
    bill = await _paid_bill(hall, case_no)
    assert (bill.status, bill.payment_reference, str(bill.total)) == ("paid", "T-1", total)


async def test_differing_payments_sent_at_once_record_one_and_refuse_the_others(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        case_no = (await api.post("/cases", json=sale_body(docs))).json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        pay = f"/cases/{case_no}/payment"
        references = ["P-1", "P-2", "P-3", "P-1"]
        answers = await asyncio.gather(
            *(api.post(pay, json={"amount": due["tax_total"], "reference": r}) for r in references)
        )
    bill = await _paid_bill(hall, case_no)
    taken = [r for r, a in zip(references, answers, strict=True) if a.status_code == 200]
    assert taken and set(taken) == {bill.payment_reference}, [a.text for a in answers]
    for reference, answer in zip(references, answers, strict=True):
        if reference != bill.payment_reference:
            assert answer.status_code == 409, answer.text
            assert "already paid" in answer.json()["detail"][0]["msg"]


async def test_a_differing_handover_is_409_and_an_identical_one_gets_the_first_answer(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        case_no = (await api.post("/cases", json=sale_body(docs))).json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "H-1"}
        )
        assert paid.status_code == 200, paid.text
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
        assert chosen.status_code == 200, chosen.text
        await wait_for_stage(api, case_no, {"awaiting_pickup"})
        hand = f"/cases/{case_no}/handover"
        hostile = await api.post(hand, json={"window": "A\u202e01"})
        assert hostile.status_code == 422, hostile.text
        assert hostile.json()["detail"][0]["loc"] == ["body", "window"]
        # All at once, so each reaches the workflow before the handover closes the case;
        # whichever the workflow takes first is the handover, and only its twin is answered.
        # The clerk is the token's holder: a repeat can differ in window or in clerk.
        clerk_4 = _clerk_headers(hall, "clerk-4")
        tries = [
            ("test-clerk", "A01", None),
            ("test-clerk", "A01", None),
            ("test-clerk", "A02", None),
            ("clerk-4", "A01", clerk_4),
        ]
        answers = await asyncio.gather(
            *(api.post(hand, json={"window": window}, headers=h) for _, window, h in tries)
        )
        done = await wait_for_stage(api, case_no, {"completed"})
    accepted = [(c, w) for (c, w, _), r in zip(tries, answers, strict=True) if r.status_code == 200]
    assert accepted, [r.text for r in answers]
    clerk, window = winner = accepted[0]
    assert all(who == winner for who in accepted), [r.text for r in answers]
    assert len({r.text for r in answers if r.status_code == 200}) == 1  # the first answer
    for (c, w, _), r in zip(tries, answers, strict=True):
        if (c, w) != winner:
            assert r.status_code == 409, r.text
            msg = r.json()["detail"][0]["msg"]
            assert f"already handed over at window {window} by {clerk}" in msg, r.text
    assert done["certificate_no"]


def _clerk_headers(hall: Hall, staff_id: str) -> dict[str, str]:
    """A window clerk's token other than the shared test clerk's."""
    staff = Staff(staff_id=staff_id, name=staff_id, roles=(Role.WINDOW,), hall="420103")
    return {"Authorization": f"Bearer {issue_token(hall.settings.AUTH_SECRET, staff)}"}
