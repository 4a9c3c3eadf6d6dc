"""Record a finished case's history as a replay fixture when RECORD_HISTORY=1.

Record before changing workflow code (`RECORD_HISTORY=1 make test`), commit the JSON,
then change the code behind `workflow.patched(...)`: the replay test keeps old cases safe.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Hall
from workflows.ids import case_workflow_id

HISTORIES = Path(__file__).parent / "histories"


async def record_history(hall: Hall, case_no: str, name: str) -> None:
    """Write the case's history to `histories/<name>.json` if recording is switched on."""
    if not os.environ.get("RECORD_HISTORY") or "postgres" in hall.db.url:
        return
    history = await hall.client.get_workflow_handle(case_workflow_id(case_no)).fetch_history()
    HISTORIES.mkdir(parents=True, exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())
