"""The append-only audit (`case_event`), and the collection choice with its EMS address.

`case_event` refuses UPDATE and DELETE by trigger on both databases: an audit row, once
written with its effect, stays as written.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "case_event is append-only: audit rows cannot be changed or deleted"
_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_no", _str(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", _str(), nullable=False),
        sa.Column("actor_name", _str(), nullable=False),
        sa.Column("actor_role", _str(), nullable=False),
        sa.Column("window", _str(), nullable=True),
        sa.Column("action", _str(), nullable=False),
        sa.Column("subject", _str(), nullable=True),
        sa.Column("reason", _str(), nullable=True),
        sa.Column("request_hash", _str(), nullable=True),
    )
    op.create_index("ix_case_event_case_no", "case_event", ["case_no"])
    op.create_index("ix_case_event_action", "case_event", ["action"])
    op.create_table(
        "delivery_address",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_no", _str(), sa.ForeignKey("case.case_no"), nullable=False),
        sa.Column("recipient", _str(), nullable=False),
        sa.Column("phone", _str(), nullable=False),
        sa.Column("address", _str(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_delivery_address_case_no", "delivery_address", ["case_no"])
    op.create_table(
        "collection",
        sa.Column("case_no", _str(), sa.ForeignKey("case.case_no"), primary_key=True),
        sa.Column("method", _str(), nullable=False),
        sa.Column("address_id", sa.Integer(), sa.ForeignKey("delivery_address.id"), nullable=True),
        sa.Column("chosen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("handed_over_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("window", _str(), nullable=True),
        sa.Column("clerk_id", _str(), nullable=True),
        sa.Column("clerk_name", _str(), nullable=True),
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                f"""
                CREATE FUNCTION case_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '{APPEND_ONLY}';
                END $$
                """
            )
        )
        conn.execute(
            sa.text(
                "CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event "
                "FOR EACH ROW EXECUTE FUNCTION case_event_append_only()"
            )
        )
    else:
        for event in ("UPDATE", "DELETE"):
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER case_event_no_{event.lower()} BEFORE {event} ON case_event "
                    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
                )
            )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP TRIGGER IF EXISTS case_event_append_only ON case_event"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS case_event_append_only()"))
    op.drop_table("collection")
    op.drop_index("ix_delivery_address_case_no", table_name="delivery_address")
    op.drop_table("delivery_address")
    op.drop_index("ix_case_event_action", table_name="case_event")
    op.drop_index("ix_case_event_case_no", table_name="case_event")
    op.drop_table("case_event")
