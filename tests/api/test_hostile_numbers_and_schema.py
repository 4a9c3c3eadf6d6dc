"""Out-of-range numbers on the tax estimate, and what the OpenAPI schema promises.

The estimate stores nothing, so the app's own router is enough here; the case routes are
checked end to end in tests/e2e/test_refusals_and_input.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.tax import hall_today
from api.schemas import CLEAN_TEXT_PATTERN, DecimalShape

ESTIMATE = (
    '{"business_type": "existing_home_sale", "price": %s, "area_m2": %s, '
    '"buyer_home_count": 1, "seller_acquired_on": "2010-01-01", "sale_date": "2026-03-16"}'
)


@pytest.fixture(scope="module")
def app_client() -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[hall_today] = lambda: date(2026, 3, 16)
    yield TestClient(app)  # no lifespan: the estimate needs neither database nor Temporal


@pytest.mark.parametrize(
    ("price", "area", "field", "text"),
    [
        ("1e400", "120", "price", "finite"),
        ("-1e400", "120", "price", "finite"),
        ('"1e400"', "120", "price", "decimal number"),
        ("9" * 40, "120", "price", "digits"),
        ('"' + "9" * 40 + '"', "120", "price", "decimal number"),
        ('"NaN"', "120", "price", "decimal number"),
        ('"Infinity"', "120", "price", "decimal number"),
        ('"2000000"', "1e400", "area_m2", "finite"),
        ('"2000000"', "12345678.5", "area_m2", "digits"),
    ],
)
def test_out_of_range_estimate_is_422_naming_the_field(
    app_client: TestClient, price: str, area: str, field: str, text: str
) -> None:
    r = app_client.post(
        "/tax/estimate",
        content=(ESTIMATE % (price, area)).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", field]
    assert text in error["msg"]


def test_largest_price_is_estimated() -> None:
    app = create_app()
    app.dependency_overrides[hall_today] = lambda: date(2026, 3, 16)
    r = TestClient(app).post(
        "/tax/estimate",
        content=(ESTIMATE % ('"9999999999999.99"', '"9999999.99"')).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app().openapi()


def _operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_body_route_documents_413_and_422(openapi: dict[str, Any]) -> None:
    for method, path, operation in _operations(openapi):
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)


def test_case_routes_document_404_and_409(openapi: dict[str, Any]) -> None:
    for method, path, operation in _operations(openapi):
        codes = set(operation["responses"])
        if path.startswith("/cases/{case_no}"):
            assert {"404", "422"} <= codes, (method, path)
        if method == "POST" and path.startswith("/cases"):
            assert "409" in codes, (method, path)


def test_errors_have_one_model(openapi: dict[str, Any]) -> None:
    for method, path, operation in _operations(openapi):
        for code, answer in operation["responses"].items():
            if code in {"400", "409", "413", "422"}:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)


def test_decimals_are_typed_with_a_pattern(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for model, field in (
        ("CaseCreate", "price"),
        ("PaymentIn", "amount"),
        ("TaxFacts", "seller_original_taxes"),
        ("TaxEstimateRequest", "price"),
        ("TaxEstimateRequest", "area_m2"),
    ):
        branches = schemas[model]["properties"][field]["anyOf"]
        (text,) = [b for b in branches if b["type"] == "string"]
        (number,) = [b for b in branches if b["type"] == "number"]
        assert re.fullmatch(text["pattern"], "1234.56"), (model, field)
        assert not re.fullmatch(text["pattern"], "1e400"), (model, field)
        assert "maximum" in number, (model, field)


def test_pattern_of_the_money_string_is_the_one_enforced() -> None:
    money = DecimalShape(integer_digits=13)
    assert money.pattern == r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
    assert money.top == money.top.__class__("9999999999999.99")


def test_free_text_publishes_what_it_refuses(openapi: dict[str, Any]) -> None:
    name = openapi["components"]["schemas"]["PartyIn"]["properties"]["name"]
    assert name["pattern"] == CLEAN_TEXT_PATTERN
    for bad in ("\x00", "\u202e", "\u200b", "\ufeff", "\u2028", "\x85", "\u2066"):
        assert not re.fullmatch(CLEAN_TEXT_PATTERN, f"a{bad}b"), repr(bad)
    assert re.fullmatch(CLEAN_TEXT_PATTERN, "武汉市江汉区新华路 100 号")
