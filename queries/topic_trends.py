"""Topics page reads: contacts per local day and topic (with their negative share), a topic's
contacts for the drill-down, and the first arrival (where spike baselines may start).

Days are the centre's local calendar days (queries/local_buckets.py: one period key in SQL,
DST-correct); the page builds ISO weeks from them (analytics/topic_trends.py). Only contacts
count (an inbound message that opens its conversation, db/threads.py); contacts without a topic
are counted under "(no topic)".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, case, func, select

from db.schema import agents, customers, interactions
from db.threads import counts_as_contact
from queries.frames import read_frame
from queries.local_buckets import period_key_expr
from queries.sentiment import is_negative

NO_TOPIC = "(no topic)"
DAILY_COLUMNS = ["day", "topic", "count", "negative", "scored"]
_EPOCH_DAY = date(1970, 1, 1)


def _filters(
    start: datetime,
    end: datetime,
    channel_ids: Sequence[str] | None,
    visibility: bool | None,
) -> list:
    i = interactions.c
    conditions = [i.created_at >= start, i.created_at < end, counts_as_contact()]
    if channel_ids is not None:
        conditions.append(i.channel_id.in_(list(channel_ids)))
    if visibility is not None:
        conditions.append(i.is_public.is_(visibility))
    return conditions


def daily_topic_counts(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    channel_ids: Sequence[str] | None = None,
    visibility: bool | None = None,
) -> pd.DataFrame:
    """Contacts per local day and topic in [start, end) (naive UTC bounds).

    visibility: None = public and private, True = public posts and comments only, False =
    private only. Returns DAILY_COLUMNS: day (local date), topic ("(no topic)" for none), count,
    negative (`queries.sentiment.is_negative`), scored (with a sentiment). Only (day, topic)
    pairs with contacts.
    """
    i = interactions.c
    day_key = period_key_expr(i.created_at, start=start, end=end, tz=tz, granularity="day")
    key = day_key.label("day_key")
    topic = func.coalesce(i.topic, NO_TOPIC).label("topic")
    statement = (
        select(
            key,
            topic,
            func.count().label("count"),
            func.sum(case((is_negative(), 1), else_=0)).label("negative"),
            func.count(i.sentiment).label("scored"),
        )
        .where(*_filters(start, end, channel_ids, visibility))
        .group_by(day_key, func.coalesce(i.topic, NO_TOPIC))
    )
    frame = read_frame(engine=engine, statement=statement)
    if frame.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame["day"] = [_EPOCH_DAY + timedelta(days=int(k)) for k in frame["day_key"]]
    for column in ("count", "negative", "scored"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame[DAILY_COLUMNS].sort_values(["day", "topic"], ignore_index=True)


def first_contact_at(*, engine: Engine) -> datetime | None:
    """When the stored history starts (earliest contact, naive UTC); None when there is none."""
    with engine.connect() as conn:
        return conn.scalar(select(func.min(interactions.c.created_at)))


def topic_contacts(
    *,
    engine: Engine,
    topic: str,
    start: datetime,
    end: datetime,
    channel_ids: Sequence[str] | None = None,
    visibility: bool | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The contacts of `topic` ("(no topic)" for none) in [start, end), newest first, at most
    `limit`: id, created_at, channel_id, is_public, customer_id, customer, agent, sentiment,
    status, first_response_at, body."""
    i = interactions.c
    topic_condition = i.topic.is_(None) if topic == NO_TOPIC else i.topic == topic
    statement = (
        select(
            i.id,
            i.created_at,
            i.channel_id,
            i.is_public,
            i.customer_id,
            customers.c.name.label("customer"),
            agents.c.name.label("agent"),
            i.sentiment,
            i.status,
            i.first_response_at,
            i.body,
        )
        .select_from(
            interactions.outerjoin(customers, customers.c.id == i.customer_id).outerjoin(
                agents, agents.c.id == i.agent_id
            )
        )
        .where(topic_condition, *_filters(start, end, channel_ids, visibility))
        .order_by(i.created_at.desc(), i.id.desc())
        .limit(limit)
    )
    return read_frame(engine=engine, statement=statement)
