"""The worker process is killed in the middle of a case and another one takes over.

The case must complete once: one certificate number, one ownership change, and no SMS
text sent twice (the gateway's outbox holds each idempotency key once).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter as Tally
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import col, select

from config import ROOT
from devtools.demo_data import FLAT_SALE, LI_SI
from models.register import Certificate, Ownership
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import CORE_MATERIALS, sale_body, upload_scans, wait_for_stage


def spawn_worker(hall: Hall, role: str = "all") -> subprocess.Popen[bytes]:
    """`python worker.py` as production runs it, configured for this test's hall."""
    s = hall.settings
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "TEMPORAL_ADDRESS": hall.client.service_client.config.target_host,
        "TASK_QUEUE": hall.task_queue,
        "DATABASE_URL": hall.db.url,
        "BLOB_DIR": str(s.BLOB_DIR),
        "SMS_OUTBOX_FILE": str(s.SMS_OUTBOX_FILE),
        "EMS_LOCAL_DIR": str(s.EMS_LOCAL_DIR),
        "HALL_DIVISION": s.HALL_DIVISION,
        "WORKER_ROLE": role,
    }
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT)


@pytest.fixture
def workers(hall: Hall) -> Iterator[list[subprocess.Popen[bytes]]]:
    spawned: list[subprocess.Popen[bytes]] = []
    yield spawned
    for proc in spawned:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def test_killed_worker_loses_nothing_and_repeats_nothing(
    hall: Hall, api_url: str, workers: list[subprocess.Popen[bytes]]
) -> None:
    workers.append(spawn_worker(hall))
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=90) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        r = await api.post(
            "/cases", json=sale_body(docs), headers={"Idempotency-Key": "kill-worker-1"}
        )
        assert r.status_code == 201, r.text
        case_no = r.json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"}, timeout=60)

        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        workers.append(spawn_worker(hall))
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "K-1"}
        )
        assert paid.status_code == 200, paid.text

        # Kill again right away: registration is running or about to run.
        workers[1].send_signal(signal.SIGKILL)
        workers[1].wait()
        workers.append(spawn_worker(hall))
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"}, timeout=90)
        chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
        assert chosen.status_code == 200, chosen.text
        await wait_for_stage(api, case_no, {"awaiting_pickup"}, timeout=30)
        handed = await api.post(
            f"/cases/{case_no}/handover", json={"window": "A03", "clerk": "clerk-17"}
        )
        assert handed.status_code == 200, handed.text
        done = await wait_for_stage(api, case_no, {"completed"}, timeout=30)

    with hall.db.session() as session:
        certificates = session.exec(select(Certificate)).all()
        owners = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
    assert [c.number for c in certificates] == [done["certificate_no"]]
    assert [o.holder_id_number for o in owners] == [LI_SI]
    keys = Tally(m["idempotency_key"] for m in hall.sms.messages())
    assert keys and max(keys.values()) == 1, keys
    assert f"{case_no}:certificate_ready:13800000002" in keys
