"""GET /catalog/...: the public procedure sheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes.catalog import catalog_dep, router
from domain.catalog import get_catalog
from tests.domain.test_catalog import CODES, write_catalog


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def test_list_of_business_types_with_counts(client: TestClient) -> None:
    response = client.get("/catalog/business-types")
    assert response.status_code == 200
    body = response.json()
    assert [item["code"] for item in body] == CODES
    sale = body[1]
    assert sale["name_zh"] == "存量房买卖转移登记（二手房）"
    assert sale["departments"] == ["housing", "tax", "registration"]
    assert sale["material_counts"] == {"one_window": 8, "separately": 20}


def test_procedure_sheet_of_existing_home_sale(client: TestClient) -> None:
    response = client.get("/catalog/business-types/existing_home_sale")
    assert response.status_code == 200
    sheet = response.json()
    assert sheet["registration_kind"] == "transfer"
    assert sheet["registration_kind_zh"] == "转移登记"
    assert sheet["applicants"] == "joint"
    assert sheet["deadlines"]["overall"] == 5
    assert set(sheet["deadlines"]) == {
        "transaction_check",
        "tax_assessment",
        "payment",
        "registration",
        "collection",
        "overall",
    }
    materials = {item["code"]: item for item in sheet["materials"]}
    assert materials["title_certificate"]["required_when"] is None
    attorney = materials["power_of_attorney"]
    assert attorney["required_when"] == "agent_acts"
    assert attorney["condition_zh"] == "委托代理人办理的"
    assert attorney["name_en"] == "Power of attorney and the agent's identity document"
    assert sheet["material_counts"] == {"one_window": 8, "separately": 20}


def test_procedure_sheet_of_a_type_without_housing_has_no_housing_deadline(
    client: TestClient,
) -> None:
    sheet = client.get("/catalog/business-types/inheritance_transfer").json()
    assert sheet["departments"] == ["tax", "registration"]
    assert "transaction_check" not in sheet["deadlines"]
    assert sheet["applicants"] == "single"


def test_unknown_business_type_is_404_naming_it(client: TestClient) -> None:
    response = client.get("/catalog/business-types/second_hand_sale")
    assert response.status_code == 404
    assert "unknown business type 'second_hand_sale'" in response.json()["detail"]
    assert "existing_home_sale" in response.json()["detail"]


def test_materials_list(client: TestClient) -> None:
    response = client.get("/catalog/materials")
    assert response.status_code == 200
    materials = {item["code"]: item for item in response.json()}
    assert len(materials) == len(get_catalog().materials)
    assert materials["family_housing_record"]["departments"] == ["tax"]
    assert materials["application_form"]["departments"] == ["housing", "tax", "registration"]


def test_catalog_dependency_can_be_overridden(app: FastAPI, tmp_path: Path) -> None:
    bureau_catalog = write_catalog(tmp_path)
    app.dependency_overrides[catalog_dep] = lambda: bureau_catalog
    with TestClient(app) as client:
        body = client.get("/catalog/business-types").json()
    assert [item["code"] for item in body] == ["gift_transfer", "existing_home_sale"]
    assert body[0]["material_counts"] == {"one_window": 3, "separately": 6}
