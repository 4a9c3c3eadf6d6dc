"""The real-estate register: units, titles and their holders, encumbrances, contracts, certificates.

Every change to a unit's titles, holders, encumbrances or filed contracts bumps the unit's
`version` (database triggers, migration 0003), so a recording can tell that nothing changed
since the case was checked.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKeyConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, Session, SQLModel, col, select

# The rules' vocabulary (domain.register_rules), re-exported: the register stores its names.
from domain.register_rules import EncumbranceKind as EncumbranceKind
from models.money import Money


class Property(SQLModel, table=True):
    """A registered unit (不动产单元), keyed by its 28-character unit number."""

    unit_number: str = Field(primary_key=True, max_length=28)
    address: str
    area_m2: Decimal = Field(sa_column=Column(Money, nullable=False))
    usage: str = "residential"
    division: str = Field(max_length=6)
    # Bumped by the database on every change to the unit's register entries (see above).
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


OPEN = text("closed_at IS NULL")


class Title(SQLModel, table=True):
    """One title to a unit (不动产权); co-owners share it, each a `TitleHolder` beneath it.

    The open title (`closed_at` unset) says who holds the unit now. The database allows one
    open title per unit, so the register can never show two owners of one flat, whatever
    the code above it does.
    """

    __table_args__ = (
        Index(
            "uq_title_open_unit",
            "unit_number",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
        # The holders' foreign key points at (id, unit_number): a holder's unit is its title's.
        UniqueConstraint("id", "unit_number", name="uq_title_id_unit"),
        # A case records at most one title per unit (an exchange records two units), so a
        # retried recording finds its own (migration 0008).
        UniqueConstraint("case_no", "unit_number", name="uq_title_case_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    since: date
    case_no: str | None = None  # the case that recorded it; None before onewindow
    acquired_price: Decimal | None = Field(default=None, sa_column=Column(Money))
    certificate_no: str | None = None
    closed_at: datetime | None = None
    closed_by_case: str | None = None


class TitleHolder(SQLModel, table=True):
    """One holder of a title and their share ("1", "1/2"); all holders of a title end with it.

    `unit_number`, `ended_on` and `certificate_no` repeat the title's, so readers that ask
    "who holds this unit now" need no join (`activities.tax` reads it under its old name,
    `Ownership`); they are written only with the title (`models.titles`).
    """

    __tablename__ = "title_holder"
    __table_args__ = (
        ForeignKeyConstraint(
            ["title_id", "unit_number"],
            ["title.id", "title.unit_number"],
            name="fk_title_holder_title",
        ),
        UniqueConstraint("title_id", "holder_id_number", name="uq_title_holder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title_id: int = Field(index=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    holder_name: str
    holder_id_number: str = Field(index=True)
    share: str = "1"
    since: date
    ended_on: date | None = None
    certificate_no: str | None = None
    acquired_price: Decimal | None = Field(default=None, sa_column=Column(Money))


Ownership = TitleHolder
"""The old name of a title's holder row (one row per holder and title)."""


class Encumbrance(SQLModel, table=True):
    """A mortgage, seizure, advance notice or objection weighing on a unit.

    A lien the hall records (抵押权) is a row with its registration proof's number as its
    `reference`, the lender as its holder, the recording case, the secured debt and its term;
    released, it keeps its row and says when and by which case. A case records at most one
    lien per lender and unit, so a retried recording finds its own (migration 0009).
    """

    __table_args__ = (
        Index(
            "uq_encumbrance_case_unit_kind_holder",
            "case_no",
            "unit_number",
            "kind",
            "holder_id_number",
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    kind: EncumbranceKind
    holder: str  # the holder's name, as shown
    reference: str
    # Whose right it is, by identity number: an advance notice is converted only by its
    # holder's own case. None for rows recorded before the register kept it (migration 0007).
    holder_id_number: str | None = None
    registered_on: date
    released_on: date | None = None
    # The case that recorded it (None: recorded before onewindow, or by another office).
    case_no: str | None = None
    # A lien's secured debt (被担保主债权数额) and the debt's term (债务履行期限).
    secured_amount: Decimal | None = Field(default=None, sa_column=Column(Money))
    term_start: date | None = None
    term_end: date | None = None
    # The case that released it (a cancellation, a 带押过户).
    released_by_case: str | None = None


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
    """A printed title certificate or registration proof; one per case, kind and unit (an
    exchange prints two titles, a lien its lender's proof), so a retried print allocates
    nothing. A proof's number is its lien's `reference`, allocated when the lien is recorded.
    """

    __table_args__ = (
        UniqueConstraint("case_no", "kind", "unit_number", name="uq_certificate_case_kind_unit"),
    )

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


def lien(session: Session, unit_number: str, reference: str) -> Encumbrance | None:
    """The unit's mortgage recorded under this proof number (in force or released)."""
    return session.exec(
        select(Encumbrance).where(
            Encumbrance.unit_number == unit_number,
            Encumbrance.kind == EncumbranceKind.MORTGAGE,
            Encumbrance.reference == reference,
        )
    ).first()


def seizure_in_force(session: Session, unit_number: str) -> Encumbrance | None:
    """The unit's seizure (查封) that has not been released, if there is one."""
    return session.exec(
        select(Encumbrance).where(
            Encumbrance.unit_number == unit_number,
            Encumbrance.kind == EncumbranceKind.SEIZURE,
            col(Encumbrance.released_on).is_(None),
        )
    ).first()
