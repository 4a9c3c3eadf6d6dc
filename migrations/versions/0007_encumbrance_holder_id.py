"""Whose encumbrance it is: the holder's identity number beside the displayed name.

An advance notice (预告登记) is converted into the transfer only by its holder's own case, so
the register must say whose it is. Rows already stored keep NULL (nobody's, as far as a case
can tell).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: no batch copy, so SQLite keeps the encumbrance table's triggers.
    op.add_column(
        "encumbrance",
        sa.Column("holder_id_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )


def downgrade() -> None:
    # Native DROP COLUMN (SQLite >= 3.35): a batch rebuild would drop the version triggers.
    op.execute("ALTER TABLE encumbrance DROP COLUMN holder_id_number")
