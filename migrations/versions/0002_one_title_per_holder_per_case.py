"""One title per holder per case.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ownership") as batch_op:
        batch_op.create_unique_constraint(
            "uq_ownership_case_holder", ["case_no", "holder_id_number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ownership") as batch_op:
        batch_op.drop_constraint("uq_ownership_case_holder", type_="unique")
