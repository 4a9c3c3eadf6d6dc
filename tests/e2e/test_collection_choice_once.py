"""Two collection choices sent at once (two clerks entering EMS to different addresses, or
"window" and EMS): one is taken and carried out, the other is told it was already chosen,
and an address the case did not take is not kept (real dev server, real worker, real HTTP)."""

from __future__ import annotations

import asyncio
import json

import httpx
from sqlmodel import select
from temporalio.worker import Worker

from models.collection import DeliveryAddress
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import (
    file_sale,
    pay_the_bill,
    wait_for_stage,
)

EMS = {
    "method": "ems",
    "recipient": "李四",
    "phone": "13800000002",
    "address": "武汉市江汉区新华路 100 号",
}
EMS_ELSEWHERE = EMS | {"address": "武汉市江岸区沿江大道 8 号"}


async def test_two_choices_at_once_one_is_carried_out_and_the_other_told(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await pay_the_bill(api, case_no, "T-21")
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        window, ems = await asyncio.gather(
            api.post(f"/cases/{case_no}/collection", json={"method": "window"}),
            api.post(f"/cases/{case_no}/collection", json=EMS),
        )
        codes = sorted([window.status_code, ems.status_code])
        assert codes == [200, 409], (window.text, ems.text)
        refused = window if window.status_code == 409 else ems
        assert "already chosen" in refused.text
        taken = ems if refused is window else window
        shown = await wait_for_stage(api, case_no, {"awaiting_pickup", "completed"})
    assert shown["collection"] == taken.json()["method"]
    with hall.db.session() as session:
        kept = session.exec(select(DeliveryAddress).where(DeliveryAddress.case_no == case_no)).all()
    assert len(kept) == (1 if taken is ems else 0)


async def test_two_addresses_at_once_one_is_shipped_to_and_the_other_discarded(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        case_no = await file_sale(api)
        await pay_the_bill(api, case_no, "T-22")
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        answers = await asyncio.gather(
            api.post(f"/cases/{case_no}/collection", json=EMS),
            api.post(f"/cases/{case_no}/collection", json=EMS_ELSEWHERE),
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        taken = EMS if answers[0].status_code == 200 else EMS_ELSEWHERE
    with hall.db.session() as session:
        kept = session.exec(
            select(DeliveryAddress.address).where(DeliveryAddress.case_no == case_no)
        ).all()
    assert kept == [taken["address"]]
    # The hall's own EMS book holds this case's consignments only: one, to the address taken.
    shipped = [json.loads(line) for line in hall.ems.path.read_text().splitlines()]
    assert [c["address"] for c in shipped] == [taken["address"]]
