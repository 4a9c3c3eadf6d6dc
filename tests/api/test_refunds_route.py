"""A tax clerk marks a refund paid back; the tax queue lists the refunds owed until then.

The case is a sale paid ¥40,080 and refused at closing (the buyer owed back ¥20,080, the
seller ¥20,000), as the close activity leaves it. The app runs with a Temporal client that
must never be touched: refunds are read and marked in the database only. Each test runs on
SQLite and, when it answers, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier
from typing import Any, cast

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from temporalio.client import Client

from api.app import create_app
from api.auth.tokens import Staff, issue_token
from config import Settings
from integrations.blobs import FileBlobStore
from models.actor import Actor, Role
from models.archive import Case
from models.audit import CaseEvent
from models.database import Database
from tests.activities import Desk, make_desk, store_case
from tests.activities.test_refunds import close, paid_case

TAX_CLERK = Actor(staff_id="T-0107", name="税务 王五", role=Role.TAX)
OTHER_TAX_CLERK = Actor(staff_id="T-0108", name="税务 冯六", role=Role.TAX)
SUPERVISOR = Actor(staff_id="S-0001", name="科长 孙八", role=Role.SUPERVISOR)
INTAKE_CLERK = Actor(staff_id="I-0301", name="收件 钱七", role=Role.INTAKE)
HOUSING_CLERK = Actor(staff_id="H-0101", name="房管 吴一", role=Role.HOUSING)
WINDOW_CLERK = Actor(staff_id="W-0203", name="窗口 赵六", role=Role.WINDOW)
VOUCHER = "WH-TK-2026-000045"


def headers(settings: Settings, actor: Actor) -> dict[str, str]:
    staff = Staff(staff_id=actor.staff_id, name=actor.name, roles=(actor.role,), hall="420103")
    return {"Authorization": f"Bearer {issue_token(settings.AUTH_SECRET, staff)}"}


@pytest.fixture
def settings(demo_db: Database) -> Settings:
    return Settings(ENVIRONMENT="test", DATABASE_URL=demo_db.url)


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


@pytest.fixture
def refused(desk: Desk) -> Case:
    """A sale paid and then refused: two refunds due."""
    case = paid_case(desk)
    close(desk, case)
    return case


@pytest.fixture
def api(demo_db: Database, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    nowhere = cast(Client, object())  # any call on it fails: refunds never ask Temporal
    app = create_app(settings, temporal=nowhere, db=demo_db, blobs=FileBlobStore(tmp_path))
    with TestClient(app) as client:
        yield client


def listed(api: TestClient, settings: Settings, case: Case, actor: Actor = TAX_CLERK) -> Any:
    r = api.get(f"/cases/{case.case_no}/refunds", headers=headers(settings, actor))
    assert r.status_code == 200, r.text
    return r.json()


def mark(
    api: TestClient,
    settings: Settings,
    case_no: str,
    refund_id: int,
    actor: Actor = TAX_CLERK,
    reference: str = VOUCHER,
) -> httpx.Response:
    return api.post(
        f"/cases/{case_no}/refunds/{refund_id}/done",
        json={"reference": reference},
        headers=headers(settings, actor),
    )


def tax_queue(api: TestClient, settings: Settings, **params: Any) -> Any:
    r = api.get("/departments/tax/tasks", params=params, headers=headers(settings, TAX_CLERK))
    assert r.status_code == 200, r.text
    return r.json()


def audit(db: Database, case: Case) -> list[CaseEvent]:
    with db.session() as session:
        return list(
            session.exec(
                select(CaseEvent).where(
                    CaseEvent.case_no == case.case_no, CaseEvent.action == "refund_done"
                )
            )
        )


def test_the_case_lists_its_refunds_per_payer(
    api: TestClient, settings: Settings, refused: Case
) -> None:
    refunds = listed(api, settings, refused)

    assert [(r["payer"], r["amount"], r["status"]) for r in refunds] == [
        ("buyer", "20080.00", "due"),
        ("seller", "20000.00", "due"),
    ]
    assert refunds[0]["legal_basis"].startswith("《中华人民共和国契税法》第十二条")
    assert [x["code"] for x in refunds[0]["lines"]] == ["deed_tax", "registration_fee"]
    assert refunds[0]["refunded_by"] is None and refunds[0]["reference"] is None
    for reader in (SUPERVISOR, INTAKE_CLERK):
        assert listed(api, settings, refused, reader) == refunds


def test_marking_done_records_who_when_and_the_voucher_with_its_audit_row(
    api: TestClient, settings: Settings, demo_db: Database, refused: Case
) -> None:
    buyer = listed(api, settings, refused)[0]

    r = mark(api, settings, refused.case_no, buyer["refund_id"])

    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["reference"]) == ("refunded", VOUCHER)
    assert done["refunded_by"] == {"staff_id": TAX_CLERK.staff_id, "name": TAX_CLERK.name}
    assert done["refunded_at"] is not None
    [event] = audit(demo_db, refused)
    assert (event.actor_id, event.actor_role, event.subject) == ("T-0107", "tax", VOUCHER)
    assert event.request_hash is not None and "20080.00" in (event.reason or "")
    assert listed(api, settings, refused)[0] == done


def test_a_repeat_by_the_same_clerk_answers_the_same_and_anyone_else_gets_a_409(
    api: TestClient, settings: Settings, demo_db: Database, refused: Case
) -> None:
    buyer = listed(api, settings, refused)[0]["refund_id"]
    first = mark(api, settings, refused.case_no, buyer)

    again = mark(api, settings, refused.case_no, buyer)
    other_clerk = mark(api, settings, refused.case_no, buyer, OTHER_TAX_CLERK)
    other_voucher = mark(api, settings, refused.case_no, buyer, reference="WH-TK-2026-000046")

    assert (again.status_code, again.json()) == (200, first.json())
    for refused_mark in (other_clerk, other_voucher):
        assert refused_mark.status_code == 409, refused_mark.text
        [item] = refused_mark.json()["detail"]
        assert TAX_CLERK.name in item["msg"] and VOUCHER in item["msg"]
        assert item["refunded_by"]["staff_id"] == TAX_CLERK.staff_id
        assert item["reference"] == VOUCHER
    assert len(audit(demo_db, refused)) == 1


def test_two_clerks_marking_at_once_one_marks_it_and_the_other_is_told_who(
    api: TestClient, settings: Settings, demo_db: Database, refused: Case
) -> None:
    seller = listed(api, settings, refused)[1]["refund_id"]
    start = Barrier(2)

    def attempt(actor: Actor) -> httpx.Response:
        start.wait()
        return mark(api, settings, refused.case_no, seller, actor, f"{VOUCHER}-{actor.staff_id}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(attempt, (TAX_CLERK, OTHER_TAX_CLERK)))

    assert sorted(a.status_code for a in answers) == [200, 409]
    won = next(a for a in answers if a.status_code == 200).json()
    lost = next(a for a in answers if a.status_code == 409).json()["detail"][0]
    assert lost["refunded_by"] == won["refunded_by"] and lost["reference"] == won["reference"]
    [event] = audit(demo_db, refused)
    assert event.actor_id == won["refunded_by"]["staff_id"]


def test_the_tax_queue_lists_the_refunds_owed_oldest_first_until_marked(
    api: TestClient, settings: Settings, desk: Desk, refused: Case
) -> None:
    later = paid_case(desk)  # the refused case released the unit
    close(desk, later)
    owed = [r["refund_id"] for c in (refused, later) for r in listed(api, settings, c)]

    page = tax_queue(api, settings)

    assert [r["refund_id"] for r in page["refunds_due"]] == owed
    assert page["refunds_total"] == 4
    first = page["refunds_due"][0]
    assert (first["case_no"], first["payer"], first["amount"]) == (
        refused.case_no,
        "buyer",
        "20080.00",
    )
    assert first["legal_basis"].startswith("《中华人民共和国契税法》第十二条")
    assert first["due_since"] is not None
    paged = [tax_queue(api, settings, limit=3, offset=o)["refunds_due"] for o in (0, 3)]
    assert [r["refund_id"] for p in paged for r in p] == owed

    assert mark(api, settings, refused.case_no, owed[0]).status_code == 200

    page = tax_queue(api, settings)
    assert [r["refund_id"] for r in page["refunds_due"]] == owed[1:]
    assert page["refunds_total"] == 3
    housing = api.get("/departments/housing/tasks", headers=headers(settings, HOUSING_CLERK))
    assert (housing.json()["refunds_due"], housing.json()["refunds_total"]) == ([], 0)


def test_only_a_tax_clerk_marks_and_the_desks_read(
    api: TestClient, settings: Settings, refused: Case
) -> None:
    buyer = listed(api, settings, refused)[0]["refund_id"]

    for actor in (SUPERVISOR, INTAKE_CLERK, HOUSING_CLERK, WINDOW_CLERK):
        assert mark(api, settings, refused.case_no, buyer, actor).status_code == 403
    for actor in (HOUSING_CLERK, WINDOW_CLERK):
        r = api.get(f"/cases/{refused.case_no}/refunds", headers=headers(settings, actor))
        assert r.status_code == 403
    assert listed(api, settings, refused)[0]["status"] == "due"


def test_an_unknown_refund_or_another_cases_is_a_404(
    api: TestClient, settings: Settings, desk: Desk, refused: Case
) -> None:
    buyer = listed(api, settings, refused)[0]["refund_id"]
    other = store_case(desk)

    for case_no, refund_id in (
        (refused.case_no, 999_999),
        (other.case_no, buyer),
        ("420103-20261128-99999-0", buyer),
    ):
        r = mark(api, settings, case_no, refund_id)
        assert r.status_code == 404, r.text
        assert r.json()["detail"][0]["loc"] == ["path", "refund_id"]
    assert listed(api, settings, other) == []
    missing = api.get(
        "/cases/420103-20261128-99999-0/refunds", headers=headers(settings, TAX_CLERK)
    )
    assert missing.status_code == 404
    assert listed(api, settings, refused)[0]["status"] == "due"


@pytest.mark.parametrize("reference", ["", "   ", "x" * 65, "WH\u200b-1", "WH\n1"], ids=repr)
def test_a_voucher_number_must_be_printable_and_at_most_64(
    api: TestClient, settings: Settings, refused: Case, reference: str
) -> None:
    buyer = listed(api, settings, refused)[0]["refund_id"]

    r = mark(api, settings, refused.case_no, buyer, reference=reference)

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "reference"]
    for bad_id in ("0", "2147483648", "x"):
        r = api.post(
            f"/cases/{refused.case_no}/refunds/{bad_id}/done",
            json={"reference": VOUCHER},
            headers=headers(settings, TAX_CLERK),
        )
        assert r.status_code == 422, r.text
