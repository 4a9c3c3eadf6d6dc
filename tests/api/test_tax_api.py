"""POST /tax/estimate: the service desk's estimate, and 422s that name the field."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes.tax import TaxEstimateRequest, hall_today, router
from domain.tax import TaxDeclaration, TaxInput


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[hall_today] = lambda: date(2026, 3, 16)
    with TestClient(app) as c:
        yield c


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "business_type": "existing_home_sale",
        "price": "2000000",
        "area_m2": 120,
        "buyer_home_count": 1,
        "seller_acquired_on": "2024-09-10",
        "seller_original_price": "1600000",
        "seller_original_taxes": "16000",
        "sale_date": "2026-03-16",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not ...}


def line(bill: dict[str, Any], tax: str, payer: str | None = None) -> dict[str, Any]:
    (found,) = [x for x in bill["lines"] if x["tax"] == tax and payer in (None, x["payer"])]
    return found


def test_worked_example_case_a(client: TestClient) -> None:
    response = client.post("/tax/estimate", json=body())

    assert response.status_code == 200
    bill = response.json()
    assert line(bill, "vat")["amount"] == "58252.43"
    assert line(bill, "individual_income_tax")["amount"] == "63751.46"
    deed = line(bill, "deed_tax")
    assert (deed["payer"], deed["base"], deed["rate"], deed["amount"]) == (
        "buyer",
        "1941747.57",
        "0.01",
        "19417.48",
    )
    assert deed["rule_version"] == "deed-2024-12-01"
    # the reference's taxes; the buyer pays the ¥80 registration fee on top
    assert bill["totals"] == {"buyer": "19497.48", "seller": "128994.18", "lender": "0.00"}
    assert bill["rules_as_of"] == "2026-03-16"


def test_exempt_lines_say_why(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate", json=body(seller_acquired_on="2019-01-01", seller_family_only_home=True)
    ).json()

    pit = line(bill, "individual_income_tax")
    assert pit["exempt"] is True and pit["amount"] == "0.00"
    assert "满五唯一" in pit["exemption_reason"]
    assert line(bill, "deed_tax")["amount"] == "20000.00"


def test_sale_date_defaults_to_today_in_shanghai(client: TestClient) -> None:
    bill = client.post("/tax/estimate", json=body(sale_date=...)).json()

    assert bill["rules_as_of"] == "2026-03-16"


def test_sale_date_decides_the_rates(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate", json=body(sale_date="2025-12-31", seller_acquired_on="2024-09-10")
    ).json()

    assert line(bill, "vat")["rate"] == "0.05"


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"price": "-1"}, "price", "price: must be greater than 0"),
        ({"area_m2": "abc"}, "area_m2", "decimal"),
        ({"seller_acquired_on": "2026-04-01"}, "seller_acquired_on", "after the sale date"),
        ({"seller_acquired_on": None}, "seller_acquired_on", "required"),
        ({"buyer_home_count": ...}, "buyer_home_count", "Field required"),
        ({"usage": "office"}, "usage", "residential"),
        ({"business_type": "moon_sale"}, "business_type", "no tax treatment for 'moon_sale'"),
        ({"relationship": "cousin"}, "relationship", "'spouse'"),
        ({"buyer_home_count": 0}, "buyer_home_count", "counts this home too"),
        (
            {"business_type": "exchange_transfer"},
            "exchange_price_difference",
            "required for an exchange",
        ),
        ({"seller_invoice_vat": "10"}, "seller_invoice_vat", "computed here"),
        ({"sale_date": "2010-01-01", "seller_acquired_on": "2005-01-01"}, "sale_date", "2010"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, changes: dict[str, Any], field: str, text: str
) -> None:
    response = client.post("/tax/estimate", json=body(**changes))

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert text in error["msg"]


def test_gift_to_a_child_is_deed_tax_and_stamp_duty_only(client: TestClient) -> None:
    # Issue 9: this estimate said ¥30,000 while the case billed ¥256,621.35.
    bill = client.post(
        "/tax/estimate",
        json=body(business_type="gift_transfer", price="1000000", relationship="child"),
    ).json()

    assert line(bill, "deed_tax")["amount"] == "30000.00"
    assert line(bill, "stamp_duty", "buyer")["amount"] == "500.00"
    assert line(bill, "stamp_duty", "seller")["amount"] == "500.00"
    assert line(bill, "individual_income_tax", "buyer")["exempt"] is True
    assert bill["totals"] == {"buyer": "30580.00", "seller": "500.00", "lender": "0.00"}
    assert bill["total"] == "31080.00"  # ¥31,000 of taxes and the ¥80 registration fee


def test_new_home_with_the_invoice_vat(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate",
        json=body(
            business_type="new_home_sale",
            seller_kind="enterprise",
            seller_acquired_on=None,
            seller_original_price=None,
            seller_original_taxes="0",
            seller_invoice_vat="165137.61",
        ),
    ).json()

    assert line(bill, "deed_tax")["base"] == "1834862.39"
    assert bill["total"] == "18428.62"  # with the ¥80 registration fee


def test_request_carries_every_field_of_the_engine_input() -> None:
    assert set(TaxEstimateRequest.model_fields) == set(TaxInput.model_fields)


def test_request_carries_every_fact_a_case_declares() -> None:
    assert set(TaxDeclaration.model_fields) <= set(TaxEstimateRequest.model_fields)


def test_the_estimate_shows_the_fees_as_their_own_lines(client: TestClient) -> None:
    bill = client.post("/tax/estimate", json=body(transferees=2)).json()

    assert [(f["fee"], f["payer"], f["quantity"], f["amount"]) for f in bill["fees"]] == [
        ("registration_fee", "buyer", 1, "80.00"),
        ("certificate_fee", "buyer", 1, "10.00"),
    ]
    assert "2559号" in bill["fees"][0]["source"]
    assert not any(x["tax"] in ("registration_fee", "certificate_fee") for x in bill["lines"])
    assert bill["totals"]["buyer"] == "19507.48"  # deed tax 19,417.48 + 80 + 10


def test_a_mortgage_estimate_is_the_lenders_fee(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate",
        json=body(business_type="mortgage_registration", transferees=0, lender_kind="enterprise"),
    ).json()

    assert (bill["lines"], bill["referrals"]) == ([], [])
    assert bill["totals"] == {"buyer": "0.00", "seller": "0.00", "lender": "80.00"}


def test_a_transfer_with_a_new_mortgage_bills_two_fees(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate",
        json=body(business_type="existing_home_sale_with_new_mortgage", lender_kind="enterprise"),
    ).json()

    assert [(f["payer"], f["registration"]) for f in bill["fees"]] == [
        ("buyer", "title"),
        ("lender", "mortgage"),
    ]
    assert bill["totals"]["lender"] == "80.00"


def test_an_individuals_shop_is_computed_with_land_vat_referred(client: TestClient) -> None:
    bill = client.post(
        "/tax/estimate",
        json=body(business_type="individual_non_residential_sale", usage="non_residential"),
    ).json()

    assert line(bill, "vat")["rate"] == "0.05"
    assert [r["code"] for r in bill["referrals"]] == ["land_vat_assessment"]
    assert [f["amount"] for f in bill["fees"]] == ["550.00"]


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"lender_kind": "enterprise"}, "lender_kind", "records no mortgage"),
        ({"transferees": -1}, "transferees", "greater than or equal to 0"),
    ],
)
def test_fee_facts_that_do_not_fit_are_422_naming_the_field(
    client: TestClient, changes: dict[str, Any], field: str, text: str
) -> None:
    response = client.post("/tax/estimate", json=body(**changes))

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert text in error["msg"]
