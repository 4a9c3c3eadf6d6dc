"""A case records one title, and prints one certificate, per unit it changes.

An exchange (互换) moves two units in one case, so `title`'s unique key becomes
(case_no, unit_number) and `certificate`'s (case_no, kind, unit_number).

PostgreSQL swaps the constraints in place. SQLite cannot drop a table constraint, so each
table is rebuilt the way SQLite documents (create the new table, copy, drop, rename), from
its own stored CREATE statement with only the constraint changed, so columns, types and the
partial index `uq_title_open_unit` stay exactly as they were. Two things need care there:

- the rebuild drops the table's triggers: the unit-version triggers of `title` and
  `title_holder` (migration 0003) are created again, exactly as 0003 defines them;
- dropping `title` with enforced foreign keys would delete its rows under `title_holder`'s
  feet: the holders are set aside first and put back once the new `title` is in place.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, old constraint name and columns, new constraint name and columns)
KEYS = (
    ("title", ("uq_title_case", ["case_no"]), ("uq_title_case_unit", ["case_no", "unit_number"])),
    (
        "certificate",
        ("uq_certificate_case_kind", ["case_no", "kind"]),
        ("uq_certificate_case_kind_unit", ["case_no", "kind", "unit_number"]),
    ),
)
# The tables whose SQLite triggers the title rebuild touches (0003's VERSIONED, in part).
REBUILT_VERSIONED = ("title", "title_holder")


def upgrade() -> None:
    for table, old, new in KEYS:
        _swap(table, old, new)


def downgrade() -> None:
    for table, old, new in KEYS:
        _swap(table, new, old)


def _swap(table: str, old: tuple[str, list[str]], new: tuple[str, list[str]]) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        op.drop_constraint(old[0], table, type_="unique")
        op.create_unique_constraint(new[0], table, new[1])
        return
    before = _constraint_sql(*old)
    after = _constraint_sql(*new)
    if table == "title":
        _drop_sqlite_triggers(conn)
        conn.execute(sa.text("CREATE TEMP TABLE _holders_0008 AS SELECT * FROM title_holder"))
        conn.execute(sa.text("DELETE FROM title_holder"))
        _rebuild_sqlite(conn, table, before, after)
        conn.execute(sa.text("INSERT INTO title_holder SELECT * FROM _holders_0008"))
        conn.execute(sa.text("DROP TABLE _holders_0008"))
        _create_sqlite_triggers(conn)
    else:
        _rebuild_sqlite(conn, table, before, after)


def _constraint_sql(name: str, columns: list[str]) -> str:
    """The clause as SQLAlchemy writes it in a CREATE TABLE (how 0001/0003 created them)."""
    return f"CONSTRAINT {name} UNIQUE ({', '.join(columns)})"


def _rebuild_sqlite(conn: sa.Connection, table: str, before: str, after: str) -> None:
    create = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    if create.count(before) != 1:
        raise RuntimeError(
            f"migration 0008: {table} is not as migrations built it ({before!r} not found once)"
        )
    indexes = (
        conn.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
                " AND sql IS NOT NULL ORDER BY name"
            ),
            {"t": table},
        )
        .scalars()
        .all()
    )
    head = create.index("(")
    staged = f"_new_0008_{table}"
    conn.execute(sa.text(f"CREATE TABLE {staged} {create[head:].replace(before, after)}"))
    conn.execute(sa.text(f"INSERT INTO {staged} SELECT * FROM {table}"))
    conn.execute(sa.text(f"DROP TABLE {table}"))
    conn.execute(sa.text(f"ALTER TABLE {staged} RENAME TO {table}"))
    for index in indexes:
        conn.execute(sa.text(index))


def _drop_sqlite_triggers(conn: sa.Connection) -> None:
    for table in REBUILT_VERSIONED:
        for event in ("insert", "update", "delete"):
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_{event}_bumps_unit_version"))


def _create_sqlite_triggers(conn: sa.Connection) -> None:
    """The SQLite unit-version triggers of these tables, exactly as migration 0003 makes them."""
    bump = "UPDATE property SET version = version + 1 WHERE unit_number"
    for table in REBUILT_VERSIONED:
        for event, rows in (
            ("INSERT", f"{bump} = NEW.unit_number;"),
            ("UPDATE", f"{bump} IN (OLD.unit_number, NEW.unit_number);"),
            ("DELETE", f"{bump} = OLD.unit_number;"),
        ):
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER {table}_{event.lower()}_bumps_unit_version "
                    f"AFTER {event} ON {table} BEGIN {rows} END"
                )
            )
