"""The worker registers the supervisors' search attributes on a cluster that lacks them."""

from __future__ import annotations

import sys
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from models.enums import SearchAttr
from temporal_client import ensure_search_attributes


async def test_missing_attributes_are_added_once() -> None:
    cli = Path(sys.executable).parent / "temporal"
    assert cli.exists()
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(cli), data_converter=pydantic_data_converter
    ) as env:
        added = await ensure_search_attributes(env.client, "default")
        assert added == sorted(k.name for k in SearchAttr.ALL)
        assert await ensure_search_attributes(env.client, "default") == []
