"""Import every table so `SQLModel.metadata` is complete (Alembic and tests import this)."""

from sqlmodel import SQLModel

from models.archive import (
    Case,
    Document,
    Escalation,
    Handoff,
    Party,
    Shipment,
    SmsMessage,
    TaxBillRecord,
)
from models.audit import CaseEvent
from models.case_view import CaseView
from models.collection import Collection, DeliveryAddress
from models.holds import PropertyHold
from models.refund import Refund
from models.register import (
    Certificate,
    Counter,
    Encumbrance,
    FiledContract,
    Ownership,
    Property,
    Title,
    TitleHolder,
)

metadata = SQLModel.metadata

__all__ = [
    "Case",
    "CaseEvent",
    "CaseView",
    "Certificate",
    "Collection",
    "Counter",
    "DeliveryAddress",
    "Document",
    "Encumbrance",
    "Escalation",
    "FiledContract",
    "Handoff",
    "Ownership",
    "Party",
    "Property",
    "PropertyHold",
    "Refund",
    "Shipment",
    "SmsMessage",
    "TaxBillRecord",
    "Title",
    "TitleHolder",
    "metadata",
]
