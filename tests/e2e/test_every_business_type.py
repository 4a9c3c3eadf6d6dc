"""Every business type of the catalog runs end to end through the API, on its own flow.

For each entry (the test id is its code): the register it needs is stood up, a clerk files
a valid case with the entry's materials, the case is billed exactly what `POST /tax/estimate`
says for the same facts (taxes and fees), is paid, recorded, printed and handed over, and
the register ends as the flow says: the transferees hold the unit; an exchange swaps two
units; a conversion spends the buyer's advance notice; a lien is recorded for the lender
with its proof, or released. A new catalog entry without a working flow fails here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from temporalio.worker import Worker

from domain.catalog import get_catalog
from domain.flows import Flow
from models.actor import Role
from models.register import Encumbrance, EncumbranceKind, TitleHolder
from tests.conftest import Hall, staff_headers
from tests.e2e.catalog_scenarios import BANK, NEW_LIEN, Scenario
from tests.e2e.walk import upload_scans, wait_for_stage
from workflows.ids import FLOW_WORKFLOW_TYPES, case_workflow_id

CATALOG = get_catalog()
CODES = list(CATALOG.business_types)
ENDED = {"refused", "failed", "lapsed"}


def _holders(hall: Hall, unit: str) -> set[str]:
    with hall.db.session() as session:
        rows = session.exec(
            select(TitleHolder).where(
                TitleHolder.unit_number == unit, col(TitleHolder.ended_on).is_(None)
            )
        ).all()
    return {row.holder_id_number for row in rows}


def _liens(hall: Hall, unit: str) -> list[Encumbrance]:
    with hall.db.session() as session:
        return list(
            session.exec(
                select(Encumbrance).where(
                    Encumbrance.unit_number == unit,
                    Encumbrance.kind == EncumbranceKind.MORTGAGE,
                )
            )
        )


async def _pay(api: httpx.AsyncClient, hall: Hall, case: dict[str, Any], index: int) -> None:
    """The bill's department confirms the payment: tax, or registration for a fee alone."""
    billed_by = next(s for s in case["steps"] if s["name"] == "tax_assessment")["department"]
    role = Role.TAX if billed_by == "tax" else Role.REGISTRATION
    paid = await api.post(
        f"/cases/{case['case_no']}/payment",
        json={"amount": case["tax_total"], "reference": f"E2E-{index}"},
        headers=staff_headers(hall.settings, roles=(role,)),
    )
    assert paid.status_code == 200, paid.text


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

        after_bill = {"awaiting_payment", "awaiting_collection_choice", "completed", *ENDED}
        billed = await wait_for_stage(api, case_no, after_bill)
        assert billed["stage"] not in ENDED, billed
        if bt.billed:
            estimate = await api.post("/tax/estimate", json=scenario.estimate_body())
            assert estimate.status_code == 200, estimate.text
            assert Decimal(billed["tax_total"]) == Decimal(estimate.json()["total"])
        else:
            assert billed["tax_total"] is None

        if billed["stage"] == "awaiting_payment":
            await _pay(api, hall, billed, scenario.index)
        ready = await wait_for_stage(
            api, case_no, {"awaiting_collection_choice", "completed", *ENDED}
        )
        assert ready["stage"] in {"awaiting_collection_choice", "completed"}, ready
        if ready["stage"] == "awaiting_collection_choice":
            chosen = await api.post(f"/cases/{case_no}/collection", json={"method": "window"})
            assert chosen.status_code == 200, chosen.text
            await wait_for_stage(api, case_no, {"awaiting_pickup"})
            handed = await api.post(f"/cases/{case_no}/handover", json={})
            assert handed.status_code == 200, handed.text
        done = await wait_for_stage(api, case_no, {"completed"})

    assert _holders(hall, scenario.unit) == {scenario.transferee.id_number}
    if bt.registration_kind != "mortgage_cancellation":
        assert done["certificate_no"]
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
    if scenario.lender is not None:  # a party like the others: told of the case throughout
        told = {
            m["idempotency_key"].split(":")[1]
            for m in hall.sms.messages()
            if m["idempotency_key"].startswith(case_no) and m["phone"] == scenario.lender.phone
        }
        assert "accepted" in told, told
        if bt.registration_kind in NEW_LIEN:
            assert {"pay_taxes_lender", "certificate_ready"} <= told, told
        else:  # a cancellation prints nothing: nobody is asked to come for it
            assert "certificate_ready" not in told, told
            if bt.registration_kind == "mortgage_cancellation":
                assert "recorded" in told, told  # but they hear the lien is released
    liens = _liens(hall, scenario.unit)
    if scenario.old_lien is not None:
        old = next(lien for lien in liens if lien.reference == scenario.old_lien)
        assert old.released_on is not None  # cancelled, or released with the transfer
    if bt.registration_kind in NEW_LIEN:
        new = [lien for lien in liens if lien.released_on is None]
        assert [lien.holder_id_number for lien in new] == [BANK.id_number]
        assert new[0].reference.startswith("鄂(") and "不动产证明第" in new[0].reference
