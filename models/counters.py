"""Gap-free serial numbers kept in the `counter` table.

The increment is one `UPDATE ... RETURNING` inside the caller's transaction: PostgreSQL
holds the row lock until commit and SQLite holds the database write lock, so concurrent
callers wait rather than share a number, and a rolled-back caller gives its number back.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def next_serial(session: Session, name: str) -> int:
    """Allocate the next value of the named counter (1 for a new counter)."""
    session.execute(
        text("INSERT INTO counter (name, value) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING"),
        {"name": name},
    )
    value = session.execute(
        text("UPDATE counter SET value = value + 1 WHERE name = :name RETURNING value"),
        {"name": name},
    ).scalar_one()
    return int(value)
