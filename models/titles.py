"""Writing titles: open one with its holders, close one, and who holds what after a transfer.

Titles and their holder rows change only through these functions, so the holder rows'
copies of the title's unit, end date and certificate number never drift from the title.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from sqlmodel import Session, col, select

from models.register import Title, TitleHolder


@dataclass(frozen=True)
class Holding:
    """One holder to put on a new title."""

    name: str
    id_number: str
    share: Fraction
    since: date
    acquired_price: Decimal | None = None


def parse_share(share: str) -> Fraction:
    """A stored share ("1", "1/2") as a fraction."""
    return Fraction(share)


def format_share(share: Fraction) -> str:
    """A share as stored: "1", "1/2", "2/3"."""
    return str(share)


def open_title(session: Session, unit_number: str) -> Title | None:
    """The unit's open title (at most one: the database sees to it)."""
    return session.exec(
        select(Title).where(Title.unit_number == unit_number, col(Title.closed_at).is_(None))
    ).first()


def holders(session: Session, title: Title) -> list[TitleHolder]:
    """The title's holders in the order they were recorded."""
    return list(
        session.exec(
            select(TitleHolder)
            .where(TitleHolder.title_id == title.id)
            .order_by(col(TitleHolder.id))
        )
    )


def record_title(
    session: Session,
    *,
    unit_number: str,
    since: date,
    holdings: Iterable[Holding],
    case_no: str | None = None,
    acquired_price: Decimal | None = None,
    certificate_no: str | None = None,
) -> Title:
    """Open a title with its holders; the unit's current open title must be closed first."""
    title = Title(
        unit_number=unit_number,
        since=since,
        case_no=case_no,
        acquired_price=acquired_price,
        certificate_no=certificate_no,
    )
    session.add(title)
    session.flush()
    assert title.id is not None
    for holding in holdings:
        session.add(
            TitleHolder(
                title_id=title.id,
                unit_number=unit_number,
                holder_name=holding.name,
                holder_id_number=holding.id_number,
                share=format_share(holding.share),
                since=holding.since,
                acquired_price=holding.acquired_price,
                certificate_no=certificate_no,
            )
        )
    session.flush()
    return title


def close_title(
    session: Session, title: Title, at: datetime, on: date, by_case: str | None
) -> None:
    """End the title and each of its holdings (`on` is `at` as a date in the hall)."""
    title.closed_at = at
    title.closed_by_case = by_case
    session.add(title)
    for holder in holders(session, title):
        holder.ended_on = on
        session.add(holder)
    session.flush()


def set_certificate(session: Session, title: Title, certificate_no: str) -> None:
    """Attach the printed certificate to the title and its holders."""
    title.certificate_no = certificate_no
    session.add(title)
    for holder in holders(session, title):
        holder.certificate_no = certificate_no
        session.add(holder)


def after_transfer(
    shares: Mapping[str, Fraction], sellers: Iterable[str], buyers: Sequence[str]
) -> dict[str, Fraction]:
    """Who holds what once the sellers' shares have passed to the buyers.

    The sellers' shares are pooled and split equally among the buyers, added to any share a
    buyer already holds (a co-owner buying the other out); holders who neither sell nor buy
    keep theirs. With no sellers (a first registration) the buyers share the whole unit.
    """
    if not buyers:
        raise ValueError("a transfer needs at least one buyer")
    selling = set(sellers)
    kept = {holder: share for holder, share in shares.items() if holder not in selling}
    passing = sum((shares[s] for s in selling if s in shares), Fraction(0)) if selling else 1
    each = Fraction(passing) / len(buyers)
    for buyer in buyers:
        kept[buyer] = kept.get(buyer, Fraction(0)) + each
    return kept
