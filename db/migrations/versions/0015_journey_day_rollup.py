"""Journey day rollup

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:05:00

journey_day_stats holds next_contacts summed per local day (of the centre's time zone) × channel
× topic for the repeat window setting (db/journey_day_rollup.py), so the journey figures of 12
weeks sum a few thousand day rows instead of every contact's row. The table starts empty: the
next rollup refresh fills it from next_contacts (the other rollups are left as they are; until
then journey figures are summed from next_contacts, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("resolved", "repeated", "switched", "answered_pairs", "same_agent")


def upgrade() -> None:
    op.create_table(
        "journey_day_stats",
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.Column("window_seconds", sa.BigInteger(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "local_day", "channel_id", "topic", name=op.f("pk_journey_day_stats")
        ),
    )


def downgrade() -> None:
    op.drop_table("journey_day_stats")
