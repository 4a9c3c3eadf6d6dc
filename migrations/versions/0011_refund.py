"""Refunds due: `refund`, one row per payer of a paid case that ended unregistered.

A case refused, withdrawn or stopped after its bill was paid owes each payer what they paid
(契税法 art. 12 for the deed tax); the row waits on the tax queue until a clerk marks it
refunded with the voucher number. Unique (case_no, payer): a retried close writes no second.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.money

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_at = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "refund",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_no", _str(), sa.ForeignKey("case.case_no"), nullable=False),
        sa.Column("payer", _str(), nullable=False),
        sa.Column("amount", models.money.Money(precision=16, scale=2), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("legal_basis", _str(), nullable=False),
        sa.Column("reason", _str(), nullable=False),
        sa.Column("status", _str(), nullable=False),
        sa.Column("due_since", _at(), nullable=False),
        sa.Column("refunded_at", _at(), nullable=True),
        sa.Column("refunded_by_id", _str(), nullable=True),
        sa.Column("refunded_by_name", _str(), nullable=True),
        sa.Column("reference", _str(), nullable=True),
        sa.UniqueConstraint("case_no", "payer", name="uq_refund_case_payer"),
        sa.CheckConstraint("status IN ('due', 'refunded')", name="ck_refund_status"),
    )
    op.create_index("ix_refund_case_no", "refund", ["case_no"])
    op.create_index("ix_refund_queue", "refund", ["status", "due_since"])


def downgrade() -> None:
    op.drop_index("ix_refund_queue", table_name="refund")
    op.drop_index("ix_refund_case_no", table_name="refund")
    op.drop_table("refund")
