"""Topics page reads: contacts per local day and topic (with their negative share), a topic's
contacts for the drill-down, and the first arrival (where spike baselines may start).

Days are the centre's local calendar days (queries/local_buckets.py: one period key in SQL,
DST-correct); the page builds ISO weeks from them (analytics/topic_trends.py). Only contacts
count (an inbound message that opens its conversation, db/threads.py); contacts without a topic
are counted under "(no topic)". Whole days come from the `topic_stats` rollup (db/topic_rollup.py)
where it is up to date; the drill-down reads raw rows, at most `limit`, with the total matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, or_, select

from analytics.periods import day_bounds, local_today
from db.schema import agents, customers, interactions, topic_stats
from db.settings import get_settings
from db.threads import counts_as_contact
from db.topic_rollup import NO_TOPIC, day_number, rollup_settings, whole_days
from queries.frames import concat_parts, read_frame
from queries.local_buckets import period_key_expr
from queries.rollup_freshness import changed_since_refresh
from queries.sentiment import is_negative

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

    Whole local days the rollup is up to date for are summed from `topic_stats`; the partial
    days at either end and the days with rows changed since the last refresh are counted from
    raw rows (everything is, when the rollup is missing, far behind or was counted with another
    time zone or negative threshold).
    """
    with engine.connect() as conn:
        plan = _rollup_plan(conn, start, end, tz)
        if plan is None:
            frame = _raw_counts(conn, start, end, tz, channel_ids, visibility, None)
        else:
            days, raw_ranges = plan
            parts = [_rollup_counts(conn, days, channel_ids, visibility)]
            if raw_ranges:
                parts.append(_raw_counts(conn, start, end, tz, channel_ids, visibility, raw_ranges))
            frame = concat_parts(parts)
            frame = frame.groupby(["day_key", "topic"], as_index=False)[COUNTED].sum()
    if frame.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame["day"] = [_EPOCH_DAY + timedelta(days=int(k)) for k in frame["day_key"]]
    for column in COUNTED:
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame[DAILY_COLUMNS].sort_values(["day", "topic"], ignore_index=True)


COUNTED = ["count", "negative", "scored"]
Ranges = list[tuple[datetime, datetime]]


def _rollup_plan(
    conn: Connection, start: datetime, end: datetime, tz: str
) -> tuple[tuple[int, int, list[int]], Ranges] | None:
    """((first day, last day, stale days) to read from topic_stats, raw [from, to) ranges) —
    None when the rollup cannot serve this read at all."""
    changed = changed_since_refresh(conn)
    if changed is None:
        return None
    counted_with = rollup_settings(conn)
    if counted_with not in (None, (tz, get_settings().negative_sentiment_below)):
        return None
    whole = whole_days(start, end, tz)
    if whole is None:
        return None
    first, last = whole
    stale = sorted(
        {d for row in changed if first <= (d := local_today(row.created_at, tz)) <= last}
    )
    ranges = [(start, day_bounds(first, tz)[0]), (day_bounds(last, tz)[1], end)]
    ranges += [day_bounds(d, tz) for d in stale]
    raw = _merged([(a, b) for a, b in ranges if a < b])
    return (day_number(first), day_number(last), [day_number(d) for d in stale]), raw


def _merged(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _rollup_counts(
    conn: Connection,
    days: tuple[int, int, list[int]],
    channel_ids: Sequence[str] | None,
    visibility: bool | None,
) -> pd.DataFrame:
    s = topic_stats.c
    first, last, stale = days
    conditions = [s.local_day >= first, s.local_day <= last]
    if stale:
        conditions.append(s.local_day.not_in(stale))
    if channel_ids is not None:
        conditions.append(s.channel_id.in_(list(channel_ids)))
    if visibility is not None:
        conditions.append(s.is_public.is_(visibility))
    statement = (
        select(
            s.local_day.label("day_key"),
            s.topic,
            func.sum(s.contacts).label("count"),
            func.sum(s.negative).label("negative"),
            func.sum(s.scored).label("scored"),
        )
        .where(*conditions)
        .group_by(s.local_day, s.topic)
    )
    return read_frame(engine=conn, statement=statement)


def _raw_counts(
    conn: Connection,
    start: datetime,
    end: datetime,
    tz: str,
    channel_ids: Sequence[str] | None,
    visibility: bool | None,
    ranges: Ranges | None,
) -> pd.DataFrame:
    """Contacts per local day and topic from raw rows in [start, end) (and in `ranges`)."""
    i = interactions.c
    day_key = period_key_expr(i.created_at, start=start, end=end, tz=tz, granularity="day")
    topic = func.coalesce(i.topic, NO_TOPIC)
    if ranges is None:
        conditions = _filters(start, end, channel_ids, visibility)
    else:
        # One tight created_at range first: SQLite walks the index over the single range it is
        # given (here from the first listed day to the last), never over an OR of ranges.
        low, high = max(start, ranges[0][0]), min(end, ranges[-1][1])
        conditions = _filters(low, high, channel_ids, visibility)
        conditions.append(or_(*[and_(i.created_at >= a, i.created_at < b) for a, b in ranges]))
    statement = (
        select(
            day_key.label("day_key"),
            topic.label("topic"),
            func.count().label("count"),
            func.sum(case((is_negative(), 1), else_=0)).label("negative"),
            func.count(i.sentiment).label("scored"),
        )
        .where(*conditions)
        .group_by(day_key, topic)
    )
    return read_frame(engine=conn, statement=statement)


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
    status, first_response_at, body, total (how many match without the limit)."""
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
            # Every contact the filters match, before the limit: "500 of 2,140".
            func.count().over().label("total"),
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
