"""One open case per property, through the real HTTP server, on SQLite and PostgreSQL.

Parallel `POST /cases` for one flat: exactly one is accepted, every other gets a 409 naming
it, and nothing of theirs is stored. The hold goes when the case ends, whatever its stage.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import col, func, select
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from api.hold_errors import PropertyHeld, body, live_stage
from devtools.demo_data import FLAT_SALE, FLAT_SEIZED, LI_SI, ZHAO_LIU
from models.archive import Case, Document, Party
from models.enums import Stage
from models.holds import PropertyHold
from models.register import Counter, FiledContract, Ownership
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, seized_body, upload_scans, wait_for_stage
from workflows.ids import case_workflow_id

STAGES = {s.value for s in Stage}
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


async def _race(api: httpx.AsyncClient, body: dict[str, Any], n: int) -> list[httpx.Response]:
    """n requests for one flat at once, each with its own Idempotency-Key."""
    return list(
        await asyncio.gather(
            *(
                api.post("/cases", json=body, headers={"Idempotency-Key": f"race-{n}-{i:03d}"})
                for i in range(n)
            )
        )
    )


async def _started(hall: Hall) -> list[str]:
    """Workflow ids started on the hall's queue, once visibility has caught up."""
    ids: list[str] = []
    for _ in range(50):
        ids = [wf.id async for wf in hall.client.list_workflows(f"TaskQueue = '{hall.task_queue}'")]
        if ids:
            await asyncio.sleep(0.5)  # a second start, had there been one, shows by now
            return [
                wf.id async for wf in hall.client.list_workflows(f"TaskQueue = '{hall.task_queue}'")
            ]
        await asyncio.sleep(0.1)
    return ids


def _count(hall: Hall, model: type, *where: Any) -> int:
    with hall.db.session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


@pytest.mark.parametrize("n", [2, 30])
async def test_parallel_cases_for_one_flat_give_one_case_and_409s_naming_it(
    hall: Hall, running_worker: Worker, api_url: str, n: int
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=60) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        started = time.perf_counter()
        answers = await _race(api, sale_body(docs), n)
        elapsed = time.perf_counter() - started
    codes = sorted(r.status_code for r in answers)
    figures = (
        f"{n} parallel POST /cases on {hall.db.engine.dialect.name}: "
        f"{codes.count(201)}×201 {codes.count(409)}×409 in {elapsed:.2f}s"
    )
    print(f"\n{figures}")  # noqa: T201  (the measurement, shown with -s)
    assert codes == [201] + [409] * (n - 1), [r.text for r in answers if r.status_code >= 500]
    winner = next(r.json()["case_no"] for r in answers if r.status_code == 201)
    for refused in (r for r in answers if r.status_code == 409):
        [item] = refused.json()["detail"]
        assert item["loc"] == ["body", "unit_number"]
        assert item["type"] == "property_held"
        assert item["case_no"] == winner and winner in item["msg"]
        assert item["stage"] in STAGES and f"stage {item['stage']}" in item["msg"]
        assert item["business_type"] == "existing_home_sale"

    # Nothing of the refused requests is stored: one case, its parties, scans, one serial.
    assert _count(hall, Case) == 1
    assert _count(hall, Party) == 2
    assert _count(hall, Document) == len(CORE_MATERIALS)
    assert _count(hall, PropertyHold, col(PropertyHold.released_at).is_(None)) == 1
    with hall.db.session() as session:
        assert [c.value for c in session.exec(select(Counter))] == [1]
    assert await _started(hall) == [case_workflow_id(winner)]


async def test_the_409_gives_the_holding_cases_live_stage(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        first = await api.post("/cases", json=sale_body(docs))
        assert first.status_code == 201, first.text
        case_no = first.json()["case_no"]
        await wait_for_stage(api, case_no, {"awaiting_payment"})
        second = await api.post("/cases", json=sale_body(docs, price="2100000.00"))
    assert second.status_code == 409, second.text
    [item] = second.json()["detail"]
    assert (item["case_no"], item["stage"]) == (case_no, "awaiting_payment")
    assert "awaiting_payment" in item["msg"] and "在办案件" in item["msg"]


async def _complete_by_ems(api: httpx.AsyncClient, case_no: str) -> dict[str, Any]:
    due = await wait_for_stage(api, case_no, {"awaiting_payment"})
    paid = await api.post(
        f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "HOLD-1"}
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
    return await wait_for_stage(api, case_no, {"completed"})


async def test_after_the_sale_completes_the_new_owner_can_sell(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    with hall.db.session() as session:
        session.add(
            FiledContract(
                contract_no="WHCL2026000199",
                unit_number=FLAT_SALE,
                seller_id_number=LI_SI,
                buyer_id_number=ZHAO_LIU,
                price=Decimal("2100000.00"),
                filed_on=date(2026, 11, 25),
            )
        )
    resale: dict[str, Any] = {
        "price": "2100000.00",
        "sellers": [{"name": "李四", "id_number": LI_SI, "phone": "13800000002"}],
        "buyers": [{"name": "赵六", "id_number": ZHAO_LIU, "phone": "13800000005"}],
    }
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        first = await api.post("/cases", json=sale_body(docs))
        assert first.status_code == 201, first.text
        early = await api.post("/cases", json=sale_body(docs, **resale))
        assert early.status_code == 409, early.text
        await _complete_by_ems(api, first.json()["case_no"])

        again = await api.post("/cases", json=sale_body(docs, **resale))
        assert again.status_code == 201, again.text
        # The new owner's case passes the transaction check on the register as recorded.
        await wait_for_stage(api, again.json()["case_no"], {"awaiting_payment"})
    with hall.db.session() as session:
        owners = session.exec(
            select(Ownership.holder_id_number).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
    assert owners == [LI_SI]


async def test_a_refused_case_releases_the_flat_too(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        first = await api.post("/cases", json=seized_body(docs))
        assert first.status_code == 201, first.text
        await wait_for_stage(api, first.json()["case_no"], {"refused"})
        second = await api.post("/cases", json=seized_body(docs))
    assert second.status_code == 201, second.text
    with hall.db.session() as session:
        open_holds = session.exec(
            select(PropertyHold.case_no).where(
                PropertyHold.unit_number == FLAT_SEIZED, col(PropertyHold.released_at).is_(None)
            )
        ).all()
    assert open_holds == [second.json()["case_no"]]


class _TemporalDown:
    """A client whose server does not answer."""

    def get_workflow_handle(self, workflow_id: str) -> _TemporalDown:
        return self

    async def describe(self, **_: Any) -> None:
        raise RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")


async def test_without_temporal_the_409_still_names_the_case_with_stage_unknown() -> None:
    held = PropertyHeld(FLAT_SALE, "420103-20261128-00001-0", "existing_home_sale", NOW)
    stage = await live_stage(_TemporalDown(), held.case_no)  # type: ignore[arg-type]
    [item] = body(held, stage)["detail"]
    assert item["stage"] is None and item["case_no"] == held.case_no
    assert "stage unknown" in str(item["msg"])
