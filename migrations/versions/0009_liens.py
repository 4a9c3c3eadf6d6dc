"""A lien is a row of the register: the encumbrance row of a mortgage the hall records.

The proof number is the row's `reference`; the new columns say which case recorded it, the
debt it secures and the debt's term, and which case released it. A unique index on (case_no,
unit_number, kind, holder_id_number) lets a case record one lien per lender and unit, so a
retried recording finds its own; rows recorded before (no case) stay distinct (NULLs are).

Plain ADD COLUMN and CREATE INDEX: no batch copy, so SQLite keeps the encumbrance table's
unit-version triggers (migration 0003).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.money

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("case_no", "secured_amount", "term_start", "term_end", "released_by_case")
INDEX = "uq_encumbrance_case_unit_kind_holder"


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.add_column("encumbrance", sa.Column("case_no", text(), nullable=True))
    op.add_column(
        "encumbrance",
        sa.Column("secured_amount", models.money.Money(precision=16, scale=2), nullable=True),
    )
    op.add_column("encumbrance", sa.Column("term_start", sa.Date(), nullable=True))
    op.add_column("encumbrance", sa.Column("term_end", sa.Date(), nullable=True))
    op.add_column("encumbrance", sa.Column("released_by_case", text(), nullable=True))
    op.create_index(
        INDEX,
        "encumbrance",
        ["case_no", "unit_number", "kind", "holder_id_number"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="encumbrance")
    # Native DROP COLUMN (SQLite >= 3.35): a batch rebuild would drop the version triggers.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE encumbrance DROP COLUMN {column}")
