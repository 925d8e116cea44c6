"""Topic taxonomy priority and patterns, where topic and sentiment came from, stakeholders informed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:10:00

topics.patterns (regular expressions, one per line) and topics.priority (lowest number wins when
several topics match one text) complete the taxonomy that tags contacts at import, in the demo and
by `cli.py retag` (analytics/topic_tagging.py).

interactions.topic_source / sentiment_source say where each value came from: "data" (the row
carried it), "taxonomy" (tagged) or "vader" (scored at import). Rows stored before this revision
that have a value are marked "data", so a retag leaves their topics as they were.

topic_notifications records "stakeholders informed" about a spiking topic (who, when, which
period). ix_interactions_topic_trend covers the Topics page's daily counts;
ix_interactions_customer_journey each customer's contacts in order (journey figures);
ix_customer_handles_handle finds a customer by an exact handle.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_interactions = sa.table(
    "interactions",
    sa.column("topic", sa.String),
    sa.column("sentiment", sa.Float),
    sa.column("topic_source", sa.String),
    sa.column("sentiment_source", sa.String),
)
_topics = sa.table("topics", sa.column("name", sa.String), sa.column("priority", sa.Integer))
# The reference topics' priorities as of this revision (db/reference.py), so an existing
# database tags "cancel my account" as a cancellation, not an account-access question.
_REFERENCE_PRIORITIES = {
    "cancellation": 10,
    "outage": 20,
    "billing": 30,
    "delivery": 40,
    "account access": 50,
    "complaint": 60,
    "product question": 70,
    "praise": 80,
}
_TREND_COLUMNS = [
    "created_at",
    "topic",
    "channel_id",
    "is_public",
    "sentiment",
    "direction",
    "is_thread_start",
]


_JOURNEY_COLUMNS = [
    "customer_id",
    "created_at",
    "id",
    "direction",
    "is_thread_start",
    "resolved_at",
    "channel_id",
    "topic",
    "first_response_at",
    "agent_id",
]


def upgrade() -> None:
    with op.batch_alter_table("topics", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("patterns", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("100"))
        )
    for name, rank in _REFERENCE_PRIORITIES.items():
        op.execute(_topics.update().where(_topics.c.name == name).values(priority=rank))
    with op.batch_alter_table("interactions", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("sentiment_source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("topic_source", sa.String(length=16), nullable=True))
    i = _interactions.c
    op.execute(_interactions.update().where(i.topic.is_not(None)).values(topic_source="data"))
    op.execute(
        _interactions.update().where(i.sentiment.is_not(None)).values(sentiment_source="data")
    )
    op.create_table(
        "topic_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("stakeholders", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("informed_by", sa.String(length=64), nullable=False),
        sa.Column("informed_at", sa.DateTime(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_topic_notifications_idempotency_key")),
    )
    op.create_index(
        "ix_topic_notifications_topic_period", "topic_notifications", ["topic", "period"]
    )
    op.create_index("ix_interactions_topic_trend", "interactions", _TREND_COLUMNS)
    op.create_index("ix_interactions_customer_journey", "interactions", _JOURNEY_COLUMNS)
    op.create_index("ix_customer_handles_handle", "customer_handles", ["handle"])


def downgrade() -> None:
    op.drop_index("ix_customer_handles_handle", table_name="customer_handles")
    op.drop_index("ix_interactions_customer_journey", table_name="interactions")
    op.drop_index("ix_interactions_topic_trend", table_name="interactions")
    op.drop_index("ix_topic_notifications_topic_period", table_name="topic_notifications")
    op.drop_table("topic_notifications")
    with op.batch_alter_table("interactions", recreate="never") as batch_op:
        batch_op.drop_column("topic_source")
        batch_op.drop_column("sentiment_source")
    with op.batch_alter_table("topics", recreate="never") as batch_op:
        batch_op.drop_column("priority")
        batch_op.drop_column("patterns")
