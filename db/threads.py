"""Thread starts: which row of a conversation opens it, and so whether it is a contact at all.

docs/metrics.md: a contact is a conversation the customer started — its first message is inbound —
and first response time is measured per conversation from the customer's first message. A
social thread where the customer writes three times is one contact, not three; a conversation
the centre started (a proactive post, an outbound call, a brand tweet the customer answered) is
no contact at all. The other messages are follow-ups: stored (the drill-down shows the whole
conversation) but neither offered nor given FRT samples of their own.

`interactions.is_thread_start` marks the first message of each conversation, whatever its
direction: a row is a thread start unless another row of the same (source, conversation_id)
came before it — earlier `created_at`; at the same instant the customer's message before ours
(a reply in the same second answers it), then the row stored first (lower id). Rows without a
conversation_id are always starts. A contact is an inbound thread start
(`counts_as_contact()`), so a customer reply to an outbound opener counts nowhere. Every writer
that can add a message to an existing conversation calls `mark_thread_starts` for the
conversations it touched, in the same transaction; every metric counts with
`counts_as_contact()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, exists, or_
from sqlalchemy.sql.expression import ColumnElement

from db.schema import interactions

# Keeps IN (...) lists well under SQLite's bound-parameter limit.
CONVERSATION_CHUNK = 500


def counts_as_contact() -> ColumnElement[bool]:
    """WHERE condition for rows that count as contacts: inbound messages that open their thread."""
    i = interactions.c
    return and_(i.direction == "inbound", i.is_thread_start.is_(True))


def thread_start_expr() -> ColumnElement[bool]:
    """True for an `interactions` row that no other row of its conversation precedes.

    Order: created_at, then inbound before outbound, then id. Correlated to the outer
    `interactions`: usable in a SELECT or UPDATE of that table. A NULL conversation_id matches
    nothing, so such rows are starts.
    """
    i = interactions.c
    earlier = interactions.alias("earlier")
    e = earlier.c
    return ~exists().where(
        e.source == i.source,
        e.conversation_id == i.conversation_id,
        or_(
            e.created_at < i.created_at,
            and_(
                e.created_at == i.created_at,
                or_(
                    and_(e.direction == "inbound", i.direction != "inbound"),
                    and_(e.direction == i.direction, e.id < i.id),
                ),
            ),
        ),
    )


def mark_thread_starts(
    conn: Connection,
    *,
    source: str | None = None,
    conversation_ids: Iterable[str | None] | None = None,
    now: datetime | None = None,
) -> int:
    """Recompute `is_thread_start` for the rows of `source` / `conversation_ids` (None = all).

    One set-based UPDATE (per chunk of CONVERSATION_CHUNK conversations) that touches only the
    rows whose flag changes, and stamps their `updated_at` with `now` (naive UTC; default the
    current time) so the incremental rollup refresh recounts their intervals. Idempotent: a
    second call changes nothing. Returns the number of rows changed.
    """
    stamp = now if now is not None else datetime.now(UTC).replace(tzinfo=None)
    i = interactions.c
    starts = thread_start_expr()
    scope: list[ColumnElement[bool]] = []
    if source is not None:
        scope.append(i.source == source)
    if conversation_ids is None:
        chunks: list[list[str] | None] = [None]
    else:
        wanted = sorted({c for c in conversation_ids if c is not None})
        chunks = [
            wanted[start : start + CONVERSATION_CHUNK]
            for start in range(0, len(wanted), CONVERSATION_CHUNK)
        ]
    changed = 0
    for chunk in chunks:
        conditions = list(scope)
        if chunk is not None:
            conditions.append(i.conversation_id.in_(chunk))
        conditions.append(i.is_thread_start != starts)
        statement = (
            interactions.update()
            .where(*conditions)
            .values(is_thread_start=starts, updated_at=stamp)
        )
        changed += conn.execute(statement).rowcount
    return changed
