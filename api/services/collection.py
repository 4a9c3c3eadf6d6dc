"""The EMS address entered at the window: stored here, referenced by id in the workflow."""

from __future__ import annotations

from datetime import UTC, datetime

from api.schemas import CollectionIn
from models.collection import DeliveryAddress
from models.database import Database


def store_address(db: Database, case_no: str, body: CollectionIn) -> int:
    """Keep the recipient, phone and address; the update carries only the returned id."""
    assert body.recipient and body.phone and body.address  # CollectionIn checks this for EMS
    with db.session() as session:
        row = DeliveryAddress(
            case_no=case_no,
            recipient=body.recipient,
            phone=body.phone,
            address=body.address,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def discard_address(db: Database, address_id: int) -> None:
    """Remove an address whose collection choice the case refused (nothing half-stored)."""
    with db.session() as session:
        row = session.get(DeliveryAddress, address_id)
        if row is not None:
            session.delete(row)
