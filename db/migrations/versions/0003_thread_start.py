"""interactions.is_thread_start: one contact per conversation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:00:00

First response time is measured per conversation from the customer's first message, so a
thread where the customer writes three times is one offered contact with one FRT sample, not
three. The new flag marks the row that is the contact: false when another inbound row of the
same (source, conversation_id) arrived earlier (ties broken by id); rows without a
conversation_id are always starts. Every metric counts thread starts only (db/threads.py).

ix_interactions_conversation (conversation_id) becomes ix_interactions_thread (source,
conversation_id, created_at): marking looks up each row's conversation within its source, and
with only the old index SQLite's planner preferred the (source, external_id) index and walked
every row of the source for each batch an import marked.

Existing rows are marked here with the same rule; the rows whose flag turns false get
updated_at = now, so the next incremental refresh of interval_stats recounts their intervals.

SQLite: the column is added with a plain ALTER TABLE ADD COLUMN (recreate="never"). A batch
"recreate" would copy the table and, as SQLAlchemy does not reflect SQLite partial-index
predicates, turn ix_interactions_unanswered into a full index. The downgrade relies on ALTER
TABLE DROP COLUMN (SQLite 3.35+) for the same reason.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this migration reads and writes, as they are at this revision (not db.schema,
# which moves on).
_interactions = sa.table(
    "interactions",
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("conversation_id", sa.String),
    sa.column("direction", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("is_thread_start", sa.Boolean),
    sa.column("updated_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("interactions", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("is_thread_start", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.drop_index("ix_interactions_conversation")
        batch_op.create_index(
            "ix_interactions_thread", ["source", "conversation_id", "created_at"], unique=False
        )
    i = _interactions.c
    earlier = _interactions.alias("earlier")
    e = earlier.c
    starts = ~sa.exists().where(
        e.source == i.source,
        e.conversation_id == i.conversation_id,
        e.direction == "inbound",
        sa.or_(e.created_at < i.created_at, sa.and_(e.created_at == i.created_at, e.id < i.id)),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(
        _interactions.update()
        .where(i.conversation_id.is_not(None), sa.not_(starts))
        .values(is_thread_start=False, updated_at=now)
    )


def downgrade() -> None:
    with op.batch_alter_table("interactions", recreate="never") as batch_op:
        batch_op.drop_index("ix_interactions_thread")
        batch_op.create_index("ix_interactions_conversation", ["conversation_id"], unique=False)
        batch_op.drop_column("is_thread_start")
