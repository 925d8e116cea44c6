"""Re-mark thread starts: a conversation the centre started is no contact

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 08:00:00

A contact is a conversation whose first message is the customer's. Until now a thread start was
the first *inbound* row, so the customer's reply to a brand's opening post (or an outbound call's
return) counted as an offered contact with its own FRT. The rule is now: a row is a thread start
unless another row of its (source, conversation_id) came before it, in either direction — earlier
created_at; at the same instant the customer's message first, then the lower id — and a contact
is an inbound thread start (db/threads.py).

This migration applies that rule to the rows already stored (a CSV/JSONL import may have stored
outbound openers). Rows whose flag changes get updated_at = now, so the next incremental refresh
of interval_stats recounts their intervals. Downgrade restores the old inbound-only marking.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this migration reads and writes, as they are at this revision.
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


def _mark(starts: sa.ColumnElement) -> None:
    """Set is_thread_start = `starts` on every row of a conversation whose flag differs."""
    i = _interactions.c
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(
        _interactions.update()
        .where(i.conversation_id.is_not(None), i.is_thread_start != starts)
        .values(is_thread_start=starts, updated_at=now)
    )


def upgrade() -> None:
    i = _interactions.c
    e = _interactions.alias("earlier").c
    _mark(
        ~sa.exists().where(
            e.source == i.source,
            e.conversation_id == i.conversation_id,
            sa.or_(
                e.created_at < i.created_at,
                sa.and_(
                    e.created_at == i.created_at,
                    sa.or_(
                        sa.and_(e.direction == "inbound", i.direction != "inbound"),
                        sa.and_(e.direction == i.direction, e.id < i.id),
                    ),
                ),
            ),
        )
    )


def downgrade() -> None:
    i = _interactions.c
    e = _interactions.alias("earlier").c
    _mark(
        ~sa.exists().where(
            e.source == i.source,
            e.conversation_id == i.conversation_id,
            e.direction == "inbound",
            sa.or_(e.created_at < i.created_at, sa.and_(e.created_at == i.created_at, e.id < i.id)),
        )
    )
