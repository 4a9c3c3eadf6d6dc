"""Refusals at the gate are logged with the route and the staff id, never the token."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.tokens import Staff, issue_token
from config import Settings
from logging_setup import configure_logging
from models.actor import Role


def test_401_and_403_are_logged_without_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(ENVIRONMENT="test")
    configure_logging("json")
    client = TestClient(create_app(settings))  # no lifespan: the gate answers first
    staff = Staff(staff_id="W-0203", name="窗口 赵六", roles=(Role.WINDOW,), hall="420103")
    token = issue_token(settings.AUTH_SECRET, staff)
    capsys.readouterr()

    anonymous = client.post("/cases/420103-20261128-00001-0/payment", json={})
    wrong_role = client.post(
        "/cases/420103-20261128-00001-0/payment",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    lines = [json.loads(x) for x in capsys.readouterr().err.strip().splitlines()]
    configure_logging("console", logging.INFO)

    assert (anonymous.status_code, wrong_role.status_code) == (401, 403)
    refused = [x for x in lines if x["event"].startswith(("401", "403"))]
    assert [(x["event"], x["route"]) for x in refused] == [
        ("401 no token", "POST /cases/{case_no}/payment"),
        ("403 role", "POST /cases/{case_no}/payment"),
    ]
    assert refused[1]["staff_id"] == "W-0203"
    assert all(token not in json.dumps(x) for x in lines)
