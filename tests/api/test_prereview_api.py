"""POST /pre-review: the one-time notice at the service desk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes.catalog import catalog_dep
from api.routes.prereview import router
from tests.domain.test_catalog import write_catalog

ALWAYS = ["application_form", "id_document", "title_certificate", "sales_contract"]


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def test_complete_papers(client: TestClient) -> None:
    response = client.post(
        "/pre-review", json={"business_type": "existing_home_sale", "presented": ALWAYS}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["complete"] is True
    assert body["missing"] == []
    assert body["required"] == ALWAYS


def test_missing_papers_all_in_one_notice(client: TestClient) -> None:
    response = client.post(
        "/pre-review",
        json={
            "business_type": "existing_home_sale",
            "presented": ["id_document", "gift_contract"],
            "facts": {"agent_acts": True},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["complete"] is False
    assert [issue["code"] for issue in body["missing"]] == [
        "application_form",
        "title_certificate",
        "sales_contract",
        "power_of_attorney",
    ]
    assert body["unexpected"][0]["code"] == "gift_contract"
    assert body["unexpected"][0]["reason"] == "not needed for this business type"
    assert "尚缺以下4项材料" in body["notice_zh"]
    assert "4 materials are missing" in body["notice_en"]


def test_unknown_business_type_is_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/pre-review", json={"business_type": "second_hand", "presented": []})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "business_type"]
    assert "unknown business type 'second_hand'" in error["msg"]
    assert "existing_home_sale" in error["msg"]


def test_unknown_fact_is_422_naming_the_fact(client: TestClient) -> None:
    response = client.post(
        "/pre-review",
        json={"business_type": "existing_home_sale", "presented": [], "facts": {"agent_act": True}},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "facts", "agent_act"]
    assert "unknown fact 'agent_act'" in error["msg"]


def test_fact_that_is_not_a_boolean_is_422(client: TestClient) -> None:
    response = client.post(
        "/pre-review",
        json={"business_type": "existing_home_sale", "facts": {"agent_acts": "yes"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "facts", "agent_acts"]


def test_missing_business_type_is_422(client: TestClient) -> None:
    response = client.post("/pre-review", json={"presented": ALWAYS})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "business_type"]


def test_pre_review_uses_the_overridden_catalog(app: FastAPI, tmp_path: Path) -> None:
    app.dependency_overrides[catalog_dep] = lambda: write_catalog(tmp_path)
    with TestClient(app) as client:
        response = client.post(
            "/pre-review",
            json={"business_type": "gift_transfer", "presented": ["application_form"]},
        )
    assert response.status_code == 200
    assert [issue["code"] for issue in response.json()["missing"]] == ["gift_contract"]
