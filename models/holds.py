"""One open case per property: the hold a case takes on its unit at intake.

A hold is one row per lane (see `domain.business_types.hold_lanes`); the database refuses a
second open row for the same unit and lane, so two conflicting cases cannot both be stored,
however many requests race. The row is taken in the transaction that stores the case and
released in the one that closes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Index, text, update
from sqlmodel import Field, Session, SQLModel, col, delete, select

OPEN = text("released_at IS NULL")


class PropertyHold(SQLModel, table=True):
    """A case's claim on one lane of a unit while the case is open."""

    __tablename__ = "property_hold"
    __table_args__ = (
        Index(
            "uq_property_hold_open_lane",
            "unit_number",
            "lane",
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_number: str = Field(foreign_key="property.unit_number", index=True)
    lane: str
    case_no: str = Field(foreign_key="case.case_no", index=True)
    taken_at: datetime
    released_at: datetime | None = None


def holder(session: Session, unit_number: str, lanes: Iterable[str]) -> PropertyHold | None:
    """The open hold on any of these lanes of the unit, if a case has one."""
    wanted = sorted(lanes)
    if not wanted:
        return None
    return session.exec(
        select(PropertyHold)
        .where(
            PropertyHold.unit_number == unit_number,
            col(PropertyHold.lane).in_(wanted),
            col(PropertyHold.released_at).is_(None),
        )
        .order_by(col(PropertyHold.id))
    ).first()


def take(
    session: Session, case_no: str, unit_number: str, lanes: Iterable[str], at: datetime
) -> None:
    """Hold the lanes for the case; the flush raises IntegrityError if another case holds one."""
    for lane in sorted(lanes):
        session.add(PropertyHold(unit_number=unit_number, lane=lane, case_no=case_no, taken_at=at))
    session.flush()


def release(session: Session, case_no: str, at: datetime) -> int:
    """Release the case's open holds (a repeat releases nothing); returns how many."""
    result = session.execute(
        update(PropertyHold)
        .where(col(PropertyHold.case_no) == case_no, col(PropertyHold.released_at).is_(None))
        .values(released_at=at)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def forget(session: Session, case_no: str) -> None:
    """Delete the case's holds, for a case withdrawn before its workflow started."""
    session.execute(delete(PropertyHold).where(col(PropertyHold.case_no) == case_no))
