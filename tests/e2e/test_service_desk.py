"""The service desk's endpoints are served by the real app, from the same rules intake uses."""

from __future__ import annotations

import httpx

from tests.conftest import Hall, staff_headers


async def test_procedure_sheet_pre_review_and_tax_estimate(hall: Hall, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        types = (await api.get("/catalog/business-types")).json()
        assert len(types) >= 23
        sheet = (await api.get("/catalog/business-types/existing_home_sale")).json()
        assert sheet["code"] == "existing_home_sale" and sheet["name_zh"]
        assert (await api.get("/catalog/business-types/nope")).status_code == 404

        notice = (
            await api.post(
                "/pre-review",
                json={
                    "business_type": "existing_home_sale",
                    "presented": ["application_form", "id_document"],
                    "facts": {"agent_acts": True},
                },
            )
        ).json()
        assert notice["complete"] is False
        missing = {m["code"] for m in notice["missing"]}
        assert {"title_certificate", "sales_contract", "power_of_attorney"} <= missing

        estimate = await api.post(
            "/tax/estimate",
            json={
                "business_type": "existing_home_sale",
                "price": "2000000",
                "area_m2": "120",
                "buyer_home_count": 1,
                "seller_acquired_on": "2024-09-10",
                "seller_original_price": "1600000",
                "seller_original_taxes": "16000",
                "sale_date": "2026-03-15",
            },
        )
        assert estimate.status_code == 200, estimate.text
        bill = estimate.json()
        lines = {(line["tax"], line["payer"]): line for line in bill["lines"]}
        # Reference §3.3, case A.
        assert lines[("vat", "seller")]["amount"] == "58252.43"
        assert lines[("deed_tax", "buyer")]["amount"] == "19417.48"
        assert lines[("individual_income_tax", "seller")]["amount"] == "63751.46"
