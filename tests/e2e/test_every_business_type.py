"""Every business type of the catalog runs end to end through the API, on its own flow.

For each entry (the test id is its code): the register it needs is stood up, a clerk files
a valid case with the entry's materials, the case is billed exactly what `POST /tax/estimate`
says for the same facts, is paid, recorded, printed and handed over, and the register ends
as the flow says (the transferees hold the unit; an exchange swaps two units; a conversion
spends the buyer's advance notice). A new catalog entry without a working flow fails here.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select
from temporalio.worker import Worker

from domain.catalog import get_catalog
from domain.flows import Flow
from models.register import Encumbrance, TitleHolder
from tests.conftest import Hall, staff_headers
from tests.e2e.catalog_scenarios import Scenario
from tests.e2e.walk import upload_scans, wait_for_stage
from workflows.ids import FLOW_WORKFLOW_TYPES, case_workflow_id

CATALOG = get_catalog()
CODES = list(CATALOG.business_types)


def _holders(hall: Hall, unit: str) -> set[str]:
    with hall.db.session() as session:
        rows = session.exec(
            select(TitleHolder).where(
                TitleHolder.unit_number == unit, col(TitleHolder.ended_on).is_(None)
            )
        ).all()
    return {row.holder_id_number for row in rows}


@pytest.mark.parametrize("code", CODES, ids=CODES)
async def test_every_business_type_runs_to_its_register_entry(
    code: str, hall: Hall, running_worker: Worker, api_url: str
) -> None:
    bt = CATALOG.business_type(code)
    scenario = Scenario.of(bt, CODES.index(code) + 1)
    scenario.stand_up(hall.db)
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        listed = {b["code"]: b for b in (await api.get("/catalog/business-types")).json()}
        assert listed[code]["flow"] == bt.flow.value

        documents = await upload_scans(api, scenario.materials)
        created = await api.post("/cases", json=scenario.case_body(documents))
        assert created.status_code == 201, created.text
        case_no = created.json()["case_no"]
        handle = hall.client.get_workflow_handle(case_workflow_id(case_no))
        assert (await handle.describe()).workflow_type == FLOW_WORKFLOW_TYPES[bt.flow]

        billed = await wait_for_stage(
            api, case_no, {"awaiting_payment", "awaiting_collection_choice", "refused", "failed"}
        )
        assert billed["stage"] in {"awaiting_payment", "awaiting_collection_choice"}, billed
        estimate = await api.post("/tax/estimate", json=scenario.estimate_body())
        assert estimate.status_code == 200, estimate.text
        assert Decimal(billed["tax_total"]) == Decimal(estimate.json()["total"])

        if billed["stage"] == "awaiting_payment":
            paid = await api.post(
                f"/cases/{case_no}/payment",
                json={"amount": billed["tax_total"], "reference": f"E2E-{scenario.index}"},
            )
            assert paid.status_code == 200, paid.text
        ready = await wait_for_stage(
            api, case_no, {"awaiting_collection_choice", "refused", "failed"}
        )
        assert ready["stage"] == "awaiting_collection_choice", ready
        chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
        assert chosen.status_code == 200, chosen.text
        await wait_for_stage(api, case_no, {"awaiting_pickup"})
        handed = await api.post(f"/cases/{case_no}/handover", json={})
        assert handed.status_code == 200, handed.text
        done = await wait_for_stage(api, case_no, {"completed"})

    assert done["certificate_no"]
    assert _holders(hall, scenario.unit) == {scenario.buyer.id_number}
    if bt.flow is Flow.EXCHANGE:
        assert scenario.exchange_unit is not None and scenario.seller is not None
        assert _holders(hall, scenario.exchange_unit) == {scenario.seller.id_number}
        # One certificate per unit, the case's own first, both on the registration step.
        registration = next(s for s in done["steps"] if s["name"] == "registration")
        printed = registration["detail"].split("、")
        assert len(set(printed)) == 2 and printed[0] == done["certificate_no"]
    if bt.flow is Flow.ADVANCE_NOTICE:
        with hall.db.session() as session:
            notice = session.exec(
                select(Encumbrance).where(Encumbrance.reference == scenario.notice_reference)
            ).one()
        assert notice.released_on is not None
