"""How the certificate reaches the applicant: the choice, the EMS address, the handover.

The EMS recipient, phone and address are personal data: the API stores them here and the
workflow carries only the row's id, as scans travel by blob key.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class DeliveryAddress(SQLModel, table=True):
    """Where EMS takes a certificate; entered at the window, referenced by id elsewhere."""

    __tablename__ = "delivery_address"

    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(foreign_key="case.case_no", index=True)
    recipient: str
    phone: str
    address: str
    created_at: datetime


class Collection(SQLModel, table=True):
    """The applicant's choice (window or EMS) and, at the window, who handed it over."""

    case_no: str = Field(foreign_key="case.case_no", primary_key=True)
    method: str
    address_id: int | None = Field(default=None, foreign_key="delivery_address.id")
    chosen_at: datetime
    handed_over_at: datetime | None = None
    window: str | None = None
    clerk_id: str | None = None
    clerk_name: str | None = None
