"""FRT histogram per rollup interval

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-30 11:20:00

interval_frt_hist holds, for each interval_stats row (15 minutes × channel × queue), the answered
contacts per FRT bucket (analytics/percentiles.py: log-spaced edges from 1 s to 30 days) and their
summed FRT, so the Service level, Channels and Weekly pages merge p50/p90 from the rollup.
ix_interval_stats_queue_channel lets the queue list of the Service level page probe the rollup
once per queue instead of reading all of it. Upgrading clears the rollup's watermark: the next
refresh rebuilds interval_stats and the histogram together (until then percentiles are computed
from the contacts' own FRTs).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_job_state = sa.table("job_state", sa.column("name", sa.String))


def upgrade() -> None:
    op.create_table(
        "interval_frt_hist",
        sa.Column("interval_start", sa.DateTime(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "interval_start", "channel_id", "queue", "bucket", name=op.f("pk_interval_frt_hist")
        ),
    )
    with op.batch_alter_table("interval_stats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interval_stats_queue_channel", ["queue", "channel_id"], unique=False
        )
    # The rollup rows already stored have no histogram: the next refresh rebuilds them all.
    op.execute(_job_state.delete().where(_job_state.c.name == "interval_stats"))


def downgrade() -> None:
    with op.batch_alter_table("interval_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_interval_stats_queue_channel")
    op.drop_table("interval_frt_hist")
