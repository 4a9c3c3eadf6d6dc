"""Log lines about a case carry its case number and workflow id, as JSON in production."""

from __future__ import annotations

import json
import logging

import pytest
from temporalio.testing import ActivityEnvironment

from logging_setup import configure_logging, get_logger


def test_activity_lines_carry_case_and_workflow_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json")
    env = ActivityEnvironment()
    env.info = env.info.__class__(
        **{**env.info.__dict__, "workflow_id": "case-420103-20261128-00001-7"}
    )

    def act() -> None:
        get_logger("test").info("taxes assessed", total="40000.00")

    env.run(act)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "taxes assessed"
    assert line["workflow_id"] == "case-420103-20261128-00001-7"
    assert line["case_no"] == "420103-20261128-00001-7"
    assert line["total"] == "40000.00"
    configure_logging("console", logging.INFO)


def test_console_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("console")
    get_logger("test").info("case accepted", case_no="420103-20261128-00001-7")
    out = capsys.readouterr().err
    assert "case accepted" in out and "case_no=420103-20261128-00001-7" in out
    assert not out.lstrip().startswith("{")
