"""A gift to a child through the API: the relationship is asked for at intake, the bill is
the desk's estimate (deed tax and stamp duty only), and the child holds the flat at the end."""

from __future__ import annotations

from datetime import date

import httpx
from sqlmodel import col, select
from temporalio.worker import Worker

from devtools.demo_data import FLAT_SALE, LI_SI, ZHANG_SAN
from models.register import Encumbrance, EncumbranceKind, Ownership
from tests.conftest import Hall, staff_headers
from tests.e2e.walk import (
    collect_at_the_window,
    sale_body,
    seized_body,
    upload_scans,
    wait_for_stage,
)
from tests.replay.recording import record_history

GIFT_MATERIALS = [
    "application_form",
    "id_document",
    "title_certificate",
    "gift_contract",
    "kinship_proof",
]


async def test_gift_to_a_child_bills_the_estimate_and_records_the_child(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, GIFT_MATERIALS)
        gift = sale_body(
            docs,
            business_type="gift_transfer",
            price="1000000.00",
            facts={"close_relative_gift": True},
        )
        unnamed = await api.post("/cases", json=gift)
        assert unnamed.status_code == 422, unnamed.text
        assert unnamed.json()["detail"][0]["loc"] == ["body", "tax_facts", "relationship"]

        gift["tax_facts"] = {"buyer_home_count": 1, "relationship": "child"}
        created = await api.post("/cases", json=gift)
        assert created.status_code == 201, created.text
        case_no = created.json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        steps = {s["name"]: s["status"] for s in due["steps"]}
        assert steps["transaction_check"] == "skipped"  # the catalog: tax and registration

        estimate = await api.post(
            "/tax/estimate",
            json={
                "business_type": "gift_transfer",
                "price": "1000000.00",
                "area_m2": 89,
                "buyer_home_count": 1,
                "relationship": "child",
            },
        )
        assert estimate.status_code == 200, estimate.text
        # 3 % deed tax on ¥1,000,000 and 0.05 % stamp duty for each side; no VAT, no income
        # tax (财税〔2009〕78号 art. 1, 财税〔2016〕36号 附件3); the child's ¥80 registration fee.
        assert due["tax_total"] == estimate.json()["total"] == "31080.00"

        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": "31080.00", "reference": "GIFT-1"}
        )
        assert paid.status_code == 200, paid.text
        await wait_for_stage(api, case_no, {"awaiting_collection_choice"})
        done = await collect_at_the_window(api, case_no)
    assert done["certificate_no"]
    await record_history(hall, case_no, "transfer_gratuitous_gift_window")
    told = [m["text"] for m in hall.sms.messages() if m["idempotency_key"].startswith(case_no)]
    assert sum("窗口交付" in t for t in told) == 1  # the child, once: handed over, completed
    with hall.db.session() as session:
        holders = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
    assert [h.holder_id_number for h in holders] == [LI_SI]


async def test_a_seized_flat_is_refused_at_intake_and_a_later_seizure_at_review(
    hall: Hall, running_worker: Worker, api_url: str
) -> None:
    # A gift has no housing check: the desk sees a seizure at intake, the registrar one
    # that arrives later.
    async with httpx.AsyncClient(base_url=api_url, headers=staff_headers(), timeout=30) as api:
        docs = await upload_scans(api, GIFT_MATERIALS)
        declared = {
            "business_type": "gift_transfer",
            "facts": {"close_relative_gift": True},
            "tax_facts": {"buyer_home_count": 1, "relationship": "child"},
        }
        seized = await api.post("/cases", json=seized_body(docs) | declared)
        assert seized.status_code == 422, seized.text
        error = seized.json()["detail"][0]
        assert (error["loc"], error["type"]) == (["body", "unit_number"], "property_seized")

        created = await api.post("/cases", json=sale_body(docs) | declared)
        assert created.status_code == 201, created.text
        case_no = created.json()["case_no"]
        due = await wait_for_stage(api, case_no, {"awaiting_payment"})
        with hall.db.session() as session:
            session.add(
                Encumbrance(
                    unit_number=FLAT_SALE,
                    kind=EncumbranceKind.SEIZURE,
                    holder="武汉市江汉区人民法院",
                    reference="(2026)鄂0103执保0042号",
                    registered_on=date(2026, 11, 28),
                )
            )
        paid = await api.post(
            f"/cases/{case_no}/payment", json={"amount": due["tax_total"], "reference": "G-2"}
        )
        assert paid.status_code == 200, paid.text
        refused = await wait_for_stage(api, case_no, {"refused"})
    assert "(2026)鄂0103执保0042号" in refused["reason"]
    with hall.db.session() as session:
        holders = session.exec(
            select(Ownership).where(
                Ownership.unit_number == FLAT_SALE, col(Ownership.ended_on).is_(None)
            )
        ).all()
    assert [h.holder_id_number for h in holders] == [ZHANG_SAN]
