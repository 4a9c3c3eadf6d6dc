"""The case archive: cases, parties, documents, bills, messages, hand-offs between departments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.money import Money


class Case(SQLModel, table=True):
    """One accepted application; where it stands lives in Temporal, this is the record."""

    case_no: str = Field(primary_key=True)
    idempotency_key: str = Field(unique=True, index=True)
    request_fingerprint: str
    business_type: str = Field(index=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    # An exchange (互换): the unit the buyers give the sellers in return; None otherwise.
    exchange_unit_number: str | None = Field(default=None, max_length=28)
    contract_no: str | None = None
    # {"conditions": catalog facts for pre-review, "tax": facts for the assessment}
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    price: Decimal = Field(sa_column=Column(Money, nullable=False))
    hall: str
    accepted_at: datetime
    # The unit's register version the case was last checked against: taken at intake,
    # refreshed by the transaction check; recording refuses if the unit has moved on since.
    unit_version: int | None = None
    status: str = "open"
    outcome: str | None = None
    closed_at: datetime | None = None


class Party(SQLModel, table=True):
    """A buyer, seller or agent named in a case."""

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(foreign_key="case.case_no", index=True)
    role: str
    name: str
    id_kind: str
    id_number: str
    phone: str


class Document(SQLModel, table=True):
    """A scanned material, classified by material code; the bytes live in the blob store."""

    __table_args__ = (UniqueConstraint("case_no", "material", "sha256", name="uq_document"),)

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(foreign_key="case.case_no", index=True)
    material: str
    blob_key: str
    sha256: str
    size: int
    filename: str | None = None
    content_type: str | None = None


class Handoff(SQLModel, table=True):
    """What one department pushed to another for a case (documents, check result, paid status)."""

    __table_args__ = (UniqueConstraint("case_no", "to_department", "subject", name="uq_handoff"),)

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(index=True)
    from_department: str
    to_department: str
    subject: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime


class TaxBillRecord(SQLModel, table=True):
    """The assessed bill of a case and its payment."""

    case_no: str = Field(primary_key=True)
    total: Decimal = Field(sa_column=Column(Money, nullable=False))
    bill: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = "assessed"
    assessed_at: datetime
    paid_at: datetime | None = None
    payment_reference: str | None = None


class SmsMessage(SQLModel, table=True):
    """The SMS outbox; the idempotency key (case and step) makes a retried send a no-op."""

    idempotency_key: str = Field(primary_key=True)
    case_no: str = Field(index=True)
    phone: str
    text: str
    status: str = "pending"
    provider_message_id: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class Escalation(SQLModel, table=True):
    """A case raised to the supervisors once per step and kind.

    `deadline`: the step missed its working-time deadline. `failed`: broken data stopped
    the case at that step; `reason` says what broke (no personal data).
    """

    __table_args__ = (UniqueConstraint("case_no", "step", "kind", name="uq_escalation"),)

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(index=True)
    step: str
    department: str
    due_at: datetime
    escalated_at: datetime
    kind: str = Field(default="deadline", sa_column_kwargs={"server_default": "deadline"})
    reason: str | None = None


class Shipment(SQLModel, table=True):
    """An EMS consignment carrying a certificate to the applicant."""

    case_no: str = Field(primary_key=True)
    tracking_no: str = Field(unique=True)
    recipient: str
    phone: str
    address: str
    created_at: datetime
