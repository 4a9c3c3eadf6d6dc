"""The hold on a unit: taken with the case at intake, released with it at closing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select
from temporalio.testing import ActivityEnvironment

from api.hold_errors import PropertyHeld
from api.schemas import CaseCreate
from api.services import case_intake
from devtools.demo_data import FLAT_SALE
from models import holds
from models.archive import Case, Document, Party
from models.database import Database
from models.enums import TERMINAL_STAGES, Stage
from models.holds import PropertyHold
from models.payloads import CloseCaseInput
from models.register import Counter
from tests.activities import Desk, make_desk, store_case


@pytest.fixture
def desk(demo_db: Database, tmp_path: Path) -> Desk:
    return make_desk(demo_db, tmp_path)


def count(db: Database, model: type, *where: Any) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def open_holds(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as session:
        rows = session.exec(select(PropertyHold).where(col(PropertyHold.released_at).is_(None)))
        return [(h.unit_number, h.lane, h.case_no) for h in rows]


def test_a_case_holds_its_unit_and_a_second_is_refused_storing_nothing(desk: Desk) -> None:
    first = store_case(desk)
    assert open_holds(desk.db) == [(FLAT_SALE, "title", first.case_no)]
    with pytest.raises(PropertyHeld) as caught:
        store_case(desk, price="2100000.00")
    held = caught.value
    assert (held.unit_number, held.case_no, held.business_type) == (
        FLAT_SALE,
        first.case_no,
        "existing_home_sale",
    )
    assert count(desk.db, Case) == 1 and count(desk.db, Party) == 2
    assert count(desk.db, Document) == 4
    with desk.db.session() as session:
        assert [c.value for c in session.exec(select(Counter))] == [1]  # the serial went back


def test_the_unique_index_alone_refuses_a_second_hold(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that both looked before either wrote: the database decides."""
    first = store_case(desk)
    real = holds.holder
    looks: list[str] = []

    def blind_once(session: Any, unit: str, lanes: Any) -> holds.PropertyHold | None:
        looks.append(unit)  # the first look, inside the insert, misses the first case
        return None if len(looks) == 1 else real(session, unit, lanes)

    monkeypatch.setattr(holds, "holder", blind_once)
    with pytest.raises(PropertyHeld) as caught:
        store_case(desk, price="2100000.00")
    assert caught.value.case_no == first.case_no
    assert len(looks) == 2  # the insert hit the unique index; the second look named the case
    assert count(desk.db, Case) == 1 and count(desk.db, Party) == 2


def test_a_repeat_of_the_holding_request_gets_its_case_not_a_409(desk: Desk) -> None:
    first = store_case(desk)
    with desk.db.session() as session:
        stored = session.get(Case, first.case_no)
    assert stored is not None
    # The same key again while the case holds the unit: the key answers before the hold.
    body = _body_of(desk, first)
    again = case_intake.store(
        desk.db, desk.blobs, body, stored.idempotency_key, "420103", "Asia/Shanghai"
    )
    assert (again.created, again.case.case_no) == (False, first.case_no)


def _body_of(desk: Desk, case: Case) -> CaseCreate:
    """Rebuild the request a stored case came from (its fingerprint must match)."""
    with desk.db.session() as session:
        parties = session.exec(select(Party).where(Party.case_no == case.case_no)).all()
        docs = session.exec(select(Document).where(Document.case_no == case.case_no)).all()
    return CaseCreate.model_validate(
        {
            "business_type": case.business_type,
            "unit_number": case.unit_number,
            "price": str(case.price),
            "sellers": [
                {"name": p.name, "id_number": p.id_number, "phone": p.phone}
                for p in parties
                if p.role == "seller"
            ],
            "buyers": [
                {"name": p.name, "id_number": p.id_number, "phone": p.phone}
                for p in parties
                if p.role == "buyer"
            ],
            "documents": [
                {"material": d.material, "blob_key": d.blob_key, "filename": d.filename}
                for d in docs
            ],
            "tax_facts": {"buyer_home_count": 1},
        }
    )


@pytest.mark.parametrize("outcome", sorted(TERMINAL_STAGES))
def test_closing_releases_the_hold_once_whatever_the_outcome(desk: Desk, outcome: Stage) -> None:
    first = store_case(desk)
    env = ActivityEnvironment()
    close = CloseCaseInput(case_no=first.case_no, outcome=outcome)
    env.run(desk.archive.close_case, close)
    env.run(desk.archive.close_case, close)  # a retry: nothing more to release
    assert open_holds(desk.db) == []
    assert count(desk.db, PropertyHold, PropertyHold.case_no == first.case_no) == 1
    second = store_case(desk, price="2100000.00")
    assert open_holds(desk.db) == [(FLAT_SALE, "title", second.case_no)]


def test_a_case_withdrawn_before_its_workflow_started_leaves_no_hold(desk: Desk) -> None:
    first = store_case(desk)
    case_intake.forget(desk.db, first.case_no)
    assert count(desk.db, PropertyHold) == 0 and count(desk.db, Case) == 0
    store_case(desk, price="2100000.00")


def test_a_transfer_with_its_mortgage_conflicts_with_an_open_sale(desk: Desk) -> None:
    sale = store_case(desk)
    combined = ["application_form", "id_document", "title_certificate", "sales_contract"]
    with pytest.raises(PropertyHeld) as caught:
        # 带押过户 changes the title as well as the mortgage: the open sale holds the title.
        store_case(desk, business_type="transfer_with_mortgage", materials=combined)
    assert caught.value.case_no == sale.case_no
    assert open_holds(desk.db) == [(FLAT_SALE, "title", sale.case_no)]
