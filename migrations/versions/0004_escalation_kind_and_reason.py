"""Escalations say why: a missed deadline, or a case stopped as failed (with the reason).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default="deadline")
        )
        batch_op.add_column(sa.Column("reason", sa.String(), nullable=True))
        batch_op.drop_constraint("uq_escalation", type_="unique")
        batch_op.create_unique_constraint("uq_escalation", ["case_no", "step", "kind"])


def downgrade() -> None:
    with op.batch_alter_table("escalation") as batch_op:
        batch_op.drop_constraint("uq_escalation", type_="unique")
        batch_op.create_unique_constraint("uq_escalation", ["case_no", "step"])
        batch_op.drop_column("reason")
        batch_op.drop_column("kind")
