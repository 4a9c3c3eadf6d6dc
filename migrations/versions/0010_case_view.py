"""The read side: `case_view`, one row per case, written by the activity of each step.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_at = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "case_view",
        sa.Column("case_no", _str(), sa.ForeignKey("case.case_no"), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("business_type", _str(), nullable=False),
        sa.Column("hall", _str(), nullable=False),
        sa.Column("stage", _str(), nullable=False),
        sa.Column("department", _str(), nullable=False),
        sa.Column("step", _str(), nullable=True),
        sa.Column("step_status", _str(), nullable=True),
        sa.Column("started_at", _at(), nullable=True),
        sa.Column("due_at", _at(), nullable=True),
        sa.Column("warn_at", _at(), nullable=True),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("holder_staff_id", _str(), nullable=True),
        sa.Column("holder_name", _str(), nullable=True),
        sa.Column("legal_due_at", _at(), nullable=True),
        sa.Column("completion_due_at", _at(), nullable=True),
        sa.Column("finished_at", _at(), nullable=True),
        sa.Column("updated_at", _at(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
    )
    op.create_index("ix_case_view_hall", "case_view", ["hall"])
    op.create_index("ix_case_view_stage", "case_view", ["stage"])
    op.create_index("ix_case_view_queue", "case_view", ["department", "finished_at", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_case_view_queue", table_name="case_view")
    op.drop_index("ix_case_view_stage", table_name="case_view")
    op.drop_index("ix_case_view_hall", table_name="case_view")
    op.drop_table("case_view")
