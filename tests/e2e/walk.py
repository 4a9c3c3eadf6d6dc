"""What a clerk does through the HTTP API, as small helpers the end-to-end tests share."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from devtools.demo_data import FLAT_SALE, FLAT_SEIZED, LI_SI, QIAN_QI, SUN_BA, ZHANG_SAN

CORE_MATERIALS = ["application_form", "id_document", "title_certificate", "sales_contract"]


async def upload_scans(api: httpx.AsyncClient, materials: list[str]) -> list[dict[str, str]]:
    docs = []
    for material in materials:
        content = f"%PDF-1.4 scan of {material}\n".encode() * 20
        r = await api.post(
            "/scans", files={"file": (f"{material}.pdf", content, "application/pdf")}
        )
        assert r.status_code == 201, r.text
        docs.append(
            {"material": material, "blob_key": r.json()["key"], "filename": f"{material}.pdf"}
        )
    return docs


def sale_body(
    docs: list[dict[str, str]], *, unit: str = FLAT_SALE, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "business_type": "existing_home_sale",
        "unit_number": unit,
        "price": "2000000.00",
        "sellers": [{"name": "张三", "id_number": ZHANG_SAN, "phone": "13800000001"}],
        "buyers": [{"name": "李四", "id_number": LI_SI, "phone": "13800000002"}],
        "documents": docs,
        "facts": {},
        "tax_facts": {"buyer_home_count": 1},
    }
    body.update(overrides)
    return body


def seized_body(docs: list[dict[str, str]]) -> dict[str, Any]:
    return sale_body(
        docs,
        unit=FLAT_SEIZED,
        price="1500000.00",
        sellers=[{"name": "钱七", "id_number": QIAN_QI, "phone": "13800000003"}],
        buyers=[{"name": "孙八", "id_number": SUN_BA, "phone": "13800000004"}],
    )


async def wait_for_stage(
    api: httpx.AsyncClient, case_no: str, stages: set[str], timeout: float = 30
) -> dict[str, Any]:
    """Poll the progress page until the case reaches one of `stages`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: dict[str, Any] = {}
    while loop.time() < deadline:
        r = await api.get(f"/cases/{case_no}")
        if r.status_code == 200:
            last = r.json()
            if last["stage"] in stages:
                return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"case {case_no} never reached {stages}; last seen {last.get('stage')}")


async def wait_for_step(
    api: httpx.AsyncClient,
    case_no: str,
    step: str,
    status: str = "waiting",
    stage: str | None = None,
    timeout: float = 30,
) -> dict[str, Any]:
    """Poll the progress page until `step` has `status` (and the case is in `stage`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: dict[str, Any] = {}
    while loop.time() < deadline:
        r = await api.get(f"/cases/{case_no}")
        if r.status_code == 200:
            last = r.json()
            shown = next(s for s in last["steps"] if s["name"] == step)
            if shown["status"] == status and stage in (None, last["stage"]):
                return last
        await asyncio.sleep(0.1)
    raise AssertionError(
        f"case {case_no}: {step} never became {status}; last seen stage {last.get('stage')}"
    )


async def collect_at_the_window(api: httpx.AsyncClient, case_no: str) -> dict[str, Any]:
    """The applicant collects at the window: choice entered, certificate handed over; the
    case as it stands once completed."""
    chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
    assert chosen.status_code == 200, chosen.text
    await wait_for_stage(api, case_no, {"awaiting_pickup"})
    handed = await api.post(f"/cases/{case_no}/handover", json={})
    assert handed.status_code == 200, handed.text
    return await wait_for_stage(api, case_no, {"completed"})


async def file_sale(api: httpx.AsyncClient) -> str:
    """File the demo flat's sale with the core papers scanned; its case number."""
    docs = await upload_scans(api, CORE_MATERIALS)
    created = await api.post("/cases", json=sale_body(docs))
    assert created.status_code == 201, created.text
    return str(created.json()["case_no"])


async def pay_the_bill(api: httpx.AsyncClient, case_no: str, reference: str) -> dict[str, Any]:
    """Wait for the bill, then confirm its total as paid; the case as it stood billed."""
    due = await wait_for_stage(api, case_no, {"awaiting_payment"})
    paid = await api.post(
        f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": reference}
    )
    assert paid.status_code == 200, paid.text
    return due
