"""Day rollup and CSAT in the rollup

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:10:00

interval_stats gains the CSAT counts of its contacts (rated, rated 4–5, sum of ratings), and
day_stats / day_frt_hist hold interval_stats and interval_frt_hist summed per local day of the
centre's time zone (db/day_rollup.py), so a 90-day Service level, Channels or Weekly read sums a
few thousand day rows instead of hundreds of thousands of 15-minute ones. Upgrading clears the
rollup's watermark: the next refresh rebuilds every rollup (until then pages count raw rows).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_job_state = sa.table("job_state", sa.column("name", sa.String))
CSAT_COLUMNS = ("csat_rated", "csat_satisfied", "csat_sum")
KEY = ("local_day", "channel_id", "queue")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("interval_stats", schema=None) as batch_op:
        for name in CSAT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    counts = [
        "offered",
        "answered",
        "met",
        "abandoned",
        "abandoned_short",
        "resolved",
    ]
    op.create_table(
        "day_stats",
        *_key_columns(),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in counts],
        sa.Column("sum_frt_seconds", sa.Float(), nullable=False),
        sa.Column("sum_handle_seconds", sa.Float(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("public_offered", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in CSAT_COLUMNS],
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_day_stats")),
    )
    op.create_table(
        "day_frt_hist",
        *_key_columns(),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "bucket", name=op.f("pk_day_frt_hist")),
    )
    # The rollup rows stored have no CSAT and no day rows: the next refresh rebuilds them all.
    op.execute(_job_state.delete().where(_job_state.c.name == "interval_stats"))


def downgrade() -> None:
    op.drop_table("day_frt_hist")
    op.drop_table("day_stats")
    with op.batch_alter_table("interval_stats", schema=None) as batch_op:
        for name in CSAT_COLUMNS:
            batch_op.drop_column(name)
