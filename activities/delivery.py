"""Delivery (领证): booking an EMS consignment for the certificate, once per case."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from activities.errors import invariants_are_final
from integrations.ems import EmsGateway
from logging_setup import get_logger
from models.archive import Shipment
from models.database import Database
from models.payloads import ShipmentInput, ShipmentResult

log = get_logger(__name__)


class DeliveryActivities:
    """Books EMS through the gateway; the case number is the idempotency key."""

    def __init__(self, db: Database, gateway: EmsGateway) -> None:
        self.db = db
        self.gateway = gateway

    @activity.defn(name="ship_certificate")
    @invariants_are_final
    def ship_certificate(self, inp: ShipmentInput) -> ShipmentResult:
        """Book the consignment and store its tracking number."""
        with self.db.session() as session:
            existing = session.get(Shipment, inp.case_no)
            if existing is not None:
                return ShipmentResult(tracking_no=existing.tracking_no)
        tracking_no = self.gateway.create_consignment(
            recipient=inp.recipient,
            phone=inp.phone,
            address=inp.address,
            idempotency_key=f"{inp.case_no}:certificate",
        )
        with self.db.session() as session:
            if session.get(Shipment, inp.case_no) is None:
                session.add(
                    Shipment(
                        case_no=inp.case_no,
                        tracking_no=tracking_no,
                        recipient=inp.recipient,
                        phone=inp.phone,
                        address=inp.address,
                        created_at=datetime.now(UTC),
                    )
                )
        log.info("certificate shipped", case_no=inp.case_no, tracking_no=tracking_no)
        return ShipmentResult(tracking_no=tracking_no)
