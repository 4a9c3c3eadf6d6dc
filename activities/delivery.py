"""Delivery (领证): the applicant's choice, the EMS consignment, the handover at the window.

Each write lands in the database with its audit row, once per case; the EMS address is
read here by its id, so it never passes through workflow history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from activities.errors import invariants_are_final
from integrations.ems import EmsGateway
from logging_setup import get_logger
from models.actor import SYSTEM_ACTOR
from models.archive import Shipment
from models.audit import record_event
from models.collection import Collection, DeliveryAddress
from models.database import Database
from models.payloads import (
    CollectionRecordInput,
    HandoverRecordInput,
    ShipmentInput,
    ShipmentResult,
)

log = get_logger(__name__)


class DeliveryActivities:
    """Books EMS through the gateway; the case number is the idempotency key."""

    def __init__(self, db: Database, gateway: EmsGateway) -> None:
        self.db = db
        self.gateway = gateway

    @activity.defn(name="record_collection_choice")
    @invariants_are_final
    def record_collection_choice(self, inp: CollectionRecordInput) -> None:
        """Store the applicant's choice (and the EMS address it names) with its audit row."""
        with self.db.session() as session:
            if session.get(Collection, inp.case_no) is not None:
                return  # a retry: the first attempt stored it and its audit row
            if inp.address_id is not None:
                address = session.get(DeliveryAddress, inp.address_id)
                if address is None or address.case_no != inp.case_no:
                    raise ValueError(f"address {inp.address_id} is not this case's")
            session.add(
                Collection(
                    case_no=inp.case_no,
                    method=inp.method.value,
                    address_id=inp.address_id,
                    chosen_at=inp.chosen_at,
                )
            )
            record_event(
                session,
                case_no=inp.case_no,
                actor=inp.actor or SYSTEM_ACTOR,
                action="collection_chosen",
                subject=inp.method.value,
                request=inp,
            )

    @activity.defn(name="record_handover")
    @invariants_are_final
    def record_handover(self, inp: HandoverRecordInput) -> None:
        """Store who handed the certificate over at which window, with its audit row."""
        actor = inp.actor or SYSTEM_ACTOR
        with self.db.session() as session:
            collection = session.get(Collection, inp.case_no)
            if collection is None:
                collection = Collection(
                    case_no=inp.case_no, method="window", chosen_at=inp.handed_over_at
                )
            if collection.handed_over_at is not None:
                return  # a retry
            collection.handed_over_at = inp.handed_over_at
            collection.window = inp.window
            collection.clerk_id = actor.staff_id if inp.actor else inp.clerk
            collection.clerk_name = actor.name if inp.actor else inp.clerk
            session.add(collection)
            record_event(
                session,
                case_no=inp.case_no,
                actor=actor,
                action="handed_over",
                subject=f"window {inp.window}",
                request=inp,
            )

    @activity.defn(name="ship_certificate")
    @invariants_are_final
    def ship_certificate(self, inp: ShipmentInput) -> ShipmentResult:
        """Book the consignment and store its tracking number."""
        with self.db.session() as session:
            existing = session.get(Shipment, inp.case_no)
            if existing is not None:
                return ShipmentResult(tracking_no=existing.tracking_no)
            recipient, phone, address = inp.recipient, inp.phone, inp.address
            if inp.address_id is not None:
                stored = session.get(DeliveryAddress, inp.address_id)
                if stored is None or stored.case_no != inp.case_no:
                    raise ValueError(f"address {inp.address_id} is not this case's")
                recipient, phone, address = stored.recipient, stored.phone, stored.address
        tracking_no = self.gateway.create_consignment(
            recipient=recipient,
            phone=phone,
            address=address,
            idempotency_key=f"{inp.case_no}:certificate",
        )
        with self.db.session() as session:
            if session.get(Shipment, inp.case_no) is None:
                session.add(
                    Shipment(
                        case_no=inp.case_no,
                        tracking_no=tracking_no,
                        recipient=recipient,
                        phone=phone,
                        address=address,
                        created_at=datetime.now(UTC),
                    )
                )
        log.info("certificate shipped", case_no=inp.case_no, tracking_no=tracking_no)
        return ShipmentResult(tracking_no=tracking_no)
