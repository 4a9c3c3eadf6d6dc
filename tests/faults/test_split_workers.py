"""Workflow and activity workers as separate processes, the way a busy hall scales out."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, upload_scans, wait_for_stage
from tests.faults.test_worker_killed import spawn_worker


@pytest.fixture
def split_workers(hall: Hall) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = [spawn_worker(hall, "workflows"), spawn_worker(hall, "activities")]
    yield procs
    for proc in procs:
        proc.terminate()
        assert proc.wait(timeout=30) == 0  # a clean, graceful shutdown on SIGTERM


async def test_a_case_runs_on_separate_workflow_and_activity_workers(
    hall: Hall, api_url: str, split_workers: list[subprocess.Popen[bytes]]
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=60) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post("/cases", json=sale_body(docs))
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"}, timeout=60)
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "S-1"}
        )
        assert paid.status_code == 200, paid.text
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"}, timeout=60)
        chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
        assert chosen.status_code == 200, chosen.text
        handed = await api.post(
            f"/cases/{case_no}/handover", json={"window": "A01", "clerk": "clerk-3"}
        )
        assert handed.status_code == 200, handed.text
        done = await wait_for_stage(api, case_no, {"completed"}, timeout=30)
    assert done["certificate_no"]
    assert all(p.poll() is None for p in split_workers)
