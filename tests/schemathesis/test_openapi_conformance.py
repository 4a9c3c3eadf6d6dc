"""schemathesis over the whole OpenAPI schema, against the real app, database and worker.

No answer may be a 5xx, and every answer must be one the schema documents (status code,
content type, headers, body). Two real cases are handed to it as path parameters, one
waiting for payment and one refused (its workflow closed), so the update routes reach
the workflow and not only the 404. Bounded per operation so the suite stays short; set
SCHEMATHESIS_MAX_EXAMPLES or SCHEMATHESIS_SEED to search wider or elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
from temporalio.worker import Worker

from api.auth.tokens import Staff, issue_token
from config import Settings
from models.actor import Role
from tests.conftest import Hall
from tests.e2e.walk import CORE_MATERIALS, sale_body, seized_body, upload_scans, wait_for_stage

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def _bearer(settings: Settings) -> dict[str, str]:
    """A token holding every staff role, so the fuzzing reaches each route's own checks."""
    staff = Staff(
        staff_id="schemathesis",
        name="schemathesis",
        roles=tuple(r for r in Role if r is not Role.SYSTEM),
        hall=settings.HALL_DIVISION,
        window="A01",
    )
    return {"Authorization": f"Bearer {issue_token(settings.AUTH_SECRET, staff)}"}


async def _real_cases(api_url: str, auth: dict[str, str]) -> list[str]:
    async with httpx.AsyncClient(base_url=api_url, headers=auth, timeout=30) as api:
        docs = await upload_scans(api, CORE_MATERIALS)
        live = (await api.post("/cases", json=sale_body(docs))).json()["case_no"]
        refused = (await api.post("/cases", json=seized_body(docs))).json()["case_no"]
        await wait_for_stage(api, live, {"awaiting_payment"})
        await wait_for_stage(api, refused, {"refused"})
    return [live, refused]


def _config(path: Path, cases: list[str]) -> Path:
    # TOML strings are JSON strings; json.dumps quotes them safely.
    path.write_text(
        f"[dictionaries.cases]\nvalues = {json.dumps(cases)}\n\n"
        '[parameters]\n"path.case_no" = { dictionary = "cases", probability = 0.7 }\n'
    )
    return path


async def test_no_5xx_and_every_answer_documented(
    hall: Hall, running_worker: Worker, api_url: str, tmp_path: Path
) -> None:
    auth = _bearer(hall.settings)
    config = _config(tmp_path / "schemathesis.toml", await _real_cases(api_url, auth))
    report = Path(os.environ.get("SCHEMATHESIS_REPORT", tmp_path / "schemathesis.json"))
    command = [
        str(SCHEMATHESIS),
        f"--config-file={config}",
        "--no-color",
        "run",
        f"{api_url}/openapi.json",
        f"--header=Authorization:{auth['Authorization']}",
        f"--checks={','.join(CHECKS)}",
        f"--max-examples={os.environ.get('SCHEMATHESIS_MAX_EXAMPLES', '30')}",
        f"--seed={os.environ.get('SCHEMATHESIS_SEED', '20260101')}",
        # One worker: hypothesis' lambda-source cache is not thread-safe (runtime errors).
        "--workers=1",
        "--request-timeout=30",
        "--suppress-health-check=all",
        "--report=json",
        f"--report-json-path={report}",
    ]
    # A subprocess, so this test's event loop keeps serving the API and the worker.
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    print(text)  # noqa: T201 - the run's summary belongs in the test log
    summary = json.loads(report.read_text())
    assert process.returncode == 0, text[-8000:]
    assert summary["failures"] == [] and summary["errors"] == [], text[-8000:]
    assert summary["operations"]["tested"] == summary["operations"]["total"], summary
