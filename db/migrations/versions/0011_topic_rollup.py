"""Topics and journey rollups: topic_stats per local day, next_contacts per contact

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 11:20:00

topic_stats holds contacts per local day (of the centre's time zone) × channel × topic × public
or private, with negative and scored counts; next_contacts holds, per contact of a known
customer, what that customer's next contact was (db/topic_rollup.py). Both are refreshed with
interval_stats. The interval_stats watermark is cleared here, so the next refresh rebuilds every
rollup from the raw rows; until then the pages count raw rows (they do without a watermark).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_job_state = sa.table("job_state", sa.column("name", sa.String))


def upgrade() -> None:
    op.create_table(
        "topic_stats",
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("negative_below", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "local_day", "channel_id", "topic", "is_public", name=op.f("pk_topic_stats")
        ),
    )
    op.create_table(
        "next_contacts",
        sa.Column("interaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("gap_seconds", sa.BigInteger(), nullable=True),
        sa.Column("next_other_channel", sa.Boolean(), nullable=False),
        sa.Column("answered_pair", sa.Boolean(), nullable=False),
        sa.Column("same_agent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("interaction_id", name=op.f("pk_next_contacts")),
    )
    op.create_index("ix_next_contacts_customer_id", "next_contacts", ["customer_id"])
    op.create_index(
        "ix_next_contacts_created_customer", "next_contacts", ["created_at", "customer_id"]
    )
    op.create_index(
        "ix_next_contacts_period",
        "next_contacts",
        [
            "local_day",
            "channel_id",
            "topic",
            "resolved",
            "gap_seconds",
            "next_other_channel",
            "answered_pair",
            "same_agent",
            "created_at",
        ],
    )
    # Existing interval_stats watermark: the new rollups are empty, so rebuild all next refresh.
    op.execute(_job_state.delete().where(_job_state.c.name == "interval_stats"))


def downgrade() -> None:
    op.drop_index("ix_next_contacts_period", table_name="next_contacts")
    op.drop_index("ix_next_contacts_created_customer", table_name="next_contacts")
    op.drop_index("ix_next_contacts_customer_id", table_name="next_contacts")
    op.drop_table("next_contacts")
    op.drop_table("topic_stats")
