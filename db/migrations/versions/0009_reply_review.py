"""Reply review: review rules, and what each reply's review caught and decided

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:15:00

review_rules are the admin's rules for which public replies need review (topic, negative post,
author reach, agent in their first weeks, wording). replies gain the rules that caught them, the
agent's draft when a reviewer edited it, the decision's outcome and comment, and the private
follow-up interaction created when a reviewer moved the conversation to a private channel; an
index on (state, submitted_at) serves the review queue. Existing decided replies get the outcome
their state implies (approved/published → approved, rejected → rejected).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUTCOMES = "outcome IS NULL OR outcome IN ('approved', 'edited', 'rejected', 'moved_private')"


def upgrade() -> None:
    op.create_table(
        "review_rules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("words", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "kind IN ('topic', 'negative', 'reach', 'new_agent', 'wording')",
            name=op.f("ck_review_rules_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_rules")),
        sa.UniqueConstraint("name", name=op.f("uq_review_rules_name")),
    )
    with op.batch_alter_table("replies") as batch_op:
        batch_op.add_column(sa.Column("rules", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("original_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_interaction_id", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_replies_outcome"), _OUTCOMES)
        batch_op.create_index("ix_replies_state_submitted", ["state", "submitted_at"], unique=False)
    replies = sa.table("replies", sa.column("state", sa.String), sa.column("outcome", sa.String))
    for state, outcome in (
        ("approved", "approved"),
        ("published", "approved"),
        ("rejected", "rejected"),
    ):
        op.execute(
            replies.update()
            .where(replies.c.state == state, replies.c.outcome.is_(None))
            .values(outcome=outcome)
        )


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch_op:
        batch_op.drop_index("ix_replies_state_submitted")
        batch_op.drop_constraint(op.f("ck_replies_outcome"), type_="check")
        for column in ("follow_up_interaction_id", "comment", "outcome", "original_body", "rules"):
            batch_op.drop_column(column)
    op.drop_table("review_rules")
