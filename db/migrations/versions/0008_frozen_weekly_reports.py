"""frozen weekly reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:30:00

A weekly report, once published, must never change silently. weekly_reports holds one row per
issue of a week (issue 1 as first frozen; an admin's re-issue adds the next number and keeps the
earlier ones); weekly_report_figures holds every figure of an issue as it was reported, so the
page can show it beside today's live value and mark the ones since restated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("issue", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.UniqueConstraint("week", "issue"),
    )
    op.create_table(
        "weekly_report_figures",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("weekly_reports.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(64), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("n", sa.Integer()),
        sa.Column("goal", sa.Float()),
    )


def downgrade() -> None:
    op.drop_table("weekly_report_figures")
    op.drop_table("weekly_reports")
