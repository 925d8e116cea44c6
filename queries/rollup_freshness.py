"""What the rollups may not have caught up with yet: the inbound rows changed since the refresh
watermark (db/rollups.py), for reads that take the rollups for the rest and raw rows for these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from db.rollups import JOB_NAME, WATERMARK_LAG
from db.schema import interactions, job_state

# More changed rows than this and the rollup is far behind: count everything raw.
MAX_STALE_ROWS = 20_000


@dataclass(frozen=True)
class ChangedRow:
    """An inbound row changed since the watermark: its id, arrival and (current) customer."""

    id: int
    created_at: datetime
    customer_id: int | None


def changed_since_refresh(conn: Connection) -> list[ChangedRow] | None:
    """Inbound rows changed since the last rollup refresh (less WATERMARK_LAG, as it looks back).

    None when the rollups were never built or are so far behind that a raw count is sensible.
    Only the updated_at condition in SQL: it walks the few recently changed rows by their index.
    """
    watermark = conn.scalar(select(job_state.c.watermark).where(job_state.c.name == JOB_NAME))
    if watermark is None:
        return None
    i = interactions.c
    rows = conn.execute(
        select(i.id, i.created_at, i.customer_id)
        .where(i.updated_at > watermark - WATERMARK_LAG, i.direction == "inbound")
        .limit(MAX_STALE_ROWS + 1)
    ).all()
    if len(rows) > MAX_STALE_ROWS:
        return None
    return [ChangedRow(r.id, r.created_at, r.customer_id) for r in rows]
