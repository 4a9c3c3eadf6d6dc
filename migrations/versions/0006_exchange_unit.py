"""An exchange case names the second unit: the one the buyers give in return.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: no batch copy, so SQLite keeps the case table's triggers.
    op.add_column("case", sa.Column("exchange_unit_number", sa.String(length=28), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("exchange_unit_number")
