"""The real-estate register: units, rights, encumbrances, filed contracts, certificates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.money import Money


class EncumbranceKind(StrEnum):
    MORTGAGE = "mortgage"
    SEIZURE = "seizure"
    ADVANCE_NOTICE = "advance_notice"
    OBJECTION = "objection"


class Property(SQLModel, table=True):
    """A registered unit (不动产单元), keyed by its 28-character unit number."""

    unit_number: str = Field(primary_key=True, max_length=28)
    address: str
    area_m2: Decimal = Field(sa_column=Column(Money, nullable=False))
    usage: str = "residential"
    division: str = Field(max_length=6)


class Ownership(SQLModel, table=True):
    """Who holds title to a unit; the current owners are the rows with `ended_on` unset."""

    # One title per holder per case: a second, overlapping recording attempt fails here.
    __table_args__ = (
        UniqueConstraint("case_no", "holder_id_number", name="uq_ownership_case_holder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    holder_name: str
    holder_id_number: str = Field(index=True)
    share: str = "100%"
    since: date
    ended_on: date | None = None
    certificate_no: str | None = None
    acquired_price: Decimal | None = Field(default=None, sa_column=Column(Money))
    case_no: str | None = Field(default=None, index=True)


class Encumbrance(SQLModel, table=True):
    """A mortgage, seizure, advance notice or objection weighing on a unit."""

    id: int | None = Field(default=None, primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    kind: EncumbranceKind
    holder: str
    reference: str
    registered_on: date
    released_on: date | None = None


class FiledContract(SQLModel, table=True):
    """A sales contract signed online and filed with the housing department (网签备案)."""

    contract_no: str = Field(primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    seller_id_number: str
    buyer_id_number: str
    price: Decimal = Field(sa_column=Column(Money, nullable=False))
    filed_on: date
    status: str = "filed"


class Certificate(SQLModel, table=True):
    """A printed title certificate; one per case and kind, so a retried print allocates nothing."""

    __table_args__ = (UniqueConstraint("case_no", "kind", name="uq_certificate_case_kind"),)

    number: str = Field(primary_key=True)
    case_no: str = Field(index=True)
    kind: str = "title"
    year: int
    serial: int
    unit_number: str = Field(foreign_key="property.unit_number")
    holder_name: str
    issued_at: datetime


class Counter(SQLModel, table=True):
    """Gap-free serials (case numbers per day, certificate numbers per year)."""

    name: str = Field(primary_key=True)
    value: int = 0
