"""Offered volume by channel from the 15-minute rollup, joined onto every channel (zero-filled),
and the span of arrivals in the database (which bounds the report period pickers)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from db.schema import channels, interactions, interval_stats


def offered_by_channel(*, engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Offered (inbound arrivals) per channel in [start, end) UTC; every channel listed, 0 if none.

    Columns: channel_id, channel, offered, public_offered.
    """
    s = interval_stats.c
    totals = (
        select(
            s.channel_id,
            func.sum(s.offered).label("offered"),
            func.sum(s.public_offered).label("public_offered"),
        )
        .where(and_(s.interval_start >= start, s.interval_start < end))
        .group_by(s.channel_id)
        .subquery()
    )
    query = (
        select(
            channels.c.id.label("channel_id"),
            channels.c.name.label("channel"),
            func.coalesce(totals.c.offered, 0).label("offered"),
            func.coalesce(totals.c.public_offered, 0).label("public_offered"),
        )
        .select_from(channels.outerjoin(totals, totals.c.channel_id == channels.c.id))
        .order_by(channels.c.sort_order)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=["channel_id", "channel", "offered", "public_offered"])
    return frame.astype({"offered": "int64", "public_offered": "int64"})


def arrival_span(*, engine: Engine) -> tuple[datetime | None, datetime | None]:
    """(earliest, latest) arrival in the database, naive UTC; (None, None) when it is empty.

    Over every stored message, not only contacts: two separate MIN / MAX subqueries each read one
    end of the created_at index (one SELECT MIN(), MAX() would scan it on SQLite), and a period
    picker a message wider than the contacts loses nothing.
    """
    created = interactions.c.created_at
    query = select(
        select(func.min(created)).scalar_subquery(), select(func.max(created)).scalar_subquery()
    )
    with engine.connect() as conn:
        earliest, latest = conn.execute(query).one()
    return earliest, latest
