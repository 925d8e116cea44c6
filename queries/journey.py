"""Customer journey reads: find a customer by handle, name or interaction id; one customer's
every message across channels; and journey figures (repeat contacts, channel switching,
same-agent rate) for a period in SQL, by the rule of analytics/journey.py."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, and_, case, func, literal, or_, select

from analytics.periods import day_bounds, local_today
from db.journey_day_rollup import JOURNEY_COUNTS, counted_with, journey_sums, window_seconds
from db.schema import (
    NO_TOPIC,
    agents,
    customer_handles,
    customers,
    interactions,
    journey_day_stats,
    next_contacts,
)
from db.threads import counts_as_contact
from db.topic_rollup import day_number, rollup_settings, whole_days
from queries.frames import concat_parts, read_frame
from queries.local_buckets import epoch_seconds, period_key_expr
from queries.rollup_freshness import changed_since_refresh

_FIRST_MONDAY = date(1970, 1, 5)


def find_customers(*, engine: Engine, term: str, limit: int = 20) -> pd.DataFrame:
    """Customers with a handle exactly `term`, or who sent the interaction whose id is `term`
    (indexed lookups); when none, those whose handle or name contains `term`
    (case-insensitive; a scan). Columns: id, name, handles (comma-separated),
    matched_interaction (the interaction id matched, else None). At most `limit`, by name."""
    term = term.strip()
    columns = ["id", "name", "handles", "matched_interaction"]
    if not term:
        return pd.DataFrame(columns=columns)
    c, h, i = customers.c, customer_handles.c, interactions.c
    matched: dict[int, int] = {}
    if term.lstrip("#").isdigit() and len(term) < 19:
        hits = read_frame(
            engine=engine,
            statement=select(i.id, i.customer_id).where(
                i.id == int(term.lstrip("#")), i.customer_id.is_not(None)
            ),
        )
        matched = dict(zip(hits["customer_id"], hits["id"], strict=True))
    # Ids first, then the customers: one IN list keeps both lookups on their indexes (an OR of
    # two subqueries made PostgreSQL scan every customer).
    exact = read_frame(engine=engine, statement=select(h.customer_id).where(h.handle == term))
    ids = sorted({*exact["customer_id"].tolist(), *matched})
    found = _customers(engine, c.id.in_(ids), limit) if ids else pd.DataFrame()
    if found.empty:
        like = f"%{term.lower()}%"
        contains = select(h.customer_id).where(func.lower(h.handle).like(like))
        found = _customers(engine, or_(func.lower(c.name).like(like), c.id.in_(contains)), limit)
    if found.empty:
        return pd.DataFrame(columns=columns)
    handles = customer_handle_list(engine=engine, customer_ids=list(found["id"]))
    joined = handles.groupby("customer_id")["handle"].agg(", ".join)
    found["handles"] = found["id"].map(joined).fillna("")
    found["matched_interaction"] = found["id"].map(matched)
    return found[columns]


def _customers(engine: Engine, condition, limit: int) -> pd.DataFrame:
    c = customers.c
    statement = select(c.id, c.name).where(condition).order_by(c.name, c.id).limit(limit)
    return read_frame(engine=engine, statement=statement)


def customer_handle_list(*, engine: Engine, customer_ids: Sequence[int]) -> pd.DataFrame:
    """Handles of these customers: customer_id, channel_id, handle."""
    h = customer_handles.c
    return read_frame(
        engine=engine,
        statement=select(h.customer_id, h.channel_id, h.handle)
        .where(h.customer_id.in_(list(customer_ids)))
        .order_by(h.customer_id, h.channel_id, h.id),
    )


def customer_of_interaction(*, engine: Engine, interaction_id: int) -> int | None:
    """The customer who sent interaction `interaction_id` (None: unknown id or no customer)."""
    with engine.connect() as conn:
        return conn.scalar(
            select(interactions.c.customer_id).where(interactions.c.id == interaction_id)
        )


def customer_name(*, engine: Engine, customer_id: int) -> str | None:
    """The customer's name (None when there is no such customer)."""
    with engine.connect() as conn:
        return conn.scalar(select(customers.c.name).where(customers.c.id == customer_id))


def customer_timeline(*, engine: Engine, customer_id: int, limit: int = 1000) -> pd.DataFrame:
    """Every message of the customer's conversations, across channels, oldest first (at most
    the newest `limit`): id, created_at, channel_id, direction, is_public, conversation_id,
    is_contact (a contact rather than a follow-up), agent, topic, sentiment, first_response_at,
    resolved_at, abandoned_at, status, csat, body."""
    i = interactions.c
    statement = (
        select(
            i.id,
            i.created_at,
            i.channel_id,
            i.direction,
            i.is_public,
            i.conversation_id,
            and_(i.direction == "inbound", i.is_thread_start.is_(True)).label("is_contact"),
            agents.c.name.label("agent"),
            i.topic,
            i.sentiment,
            i.first_response_at,
            i.resolved_at,
            i.abandoned_at,
            i.status,
            i.csat,
            i.body,
        )
        .select_from(interactions.outerjoin(agents, agents.c.id == i.agent_id))
        .where(i.customer_id == customer_id)
        .order_by(i.created_at.desc(), i.id.desc())
        .limit(limit)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["is_contact"] = frame["is_contact"].astype(bool)
    return frame.iloc[::-1].reset_index(drop=True)


# More customers than this with changes since the last refresh: count everything raw.
MAX_STALE_CUSTOMERS = 5_000


def journey_counts(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    window_days: float,
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Repeat contacts, channel switching and same-agent pairs of the contacts that arrived in
    [start, end) on `channel_ids`, per local ISO week (its Monday), channel and topic;
    analytics.journey.rates_by sums them per any of the three. The next contact may be on any
    channel and arrive after `end`. Columns: week, channel_id, topic, resolved, repeated,
    switched, answered_pairs, same_agent (groups with no resolved contact are left out).

    Whole local days are summed from the day rollup (`journey_day_stats`,
    db/journey_day_rollup.py) when it was counted in `tz` for this window, the partial days at
    the edges (and every day, when it was not) from the stored next contacts (`next_contacts`,
    db/topic_rollup.py); less the stored rows of the customers with rows changed since the last
    refresh, who are followed in the raw rows instead (everyone is, when the rollup is missing,
    far behind or in another time zone)."""
    window = window_seconds(window_days)
    raw = functools.partial(
        _raw_counts, start=start, end=end, tz=tz, window=window, channel_ids=channel_ids
    )
    with engine.connect() as conn:
        stale = _stale_customers(conn, tz)
        if stale is None:
            frame = raw(conn)
        else:
            period = {"start": start, "end": end, "tz": tz, "window": window}
            parts = _everyones_stored_counts(conn, **period, channel_ids=channel_ids)
            if stale:
                theirs = _stored_counts(conn, **period, channel_ids=channel_ids, customer_ids=stale)
                parts += [_negated(theirs), raw(conn, customer_ids=stale)]
            frame = concat_parts(parts)
            frame["topic"] = frame["topic"].fillna(NO_TOPIC)
            frame = frame.groupby(["week", "channel_id", "topic"], as_index=False)[
                JOURNEY_COUNTS
            ].sum()
    for column in JOURNEY_COUNTS:
        frame[column] = frame[column].fillna(0).astype("int64")
    # A group none of whose contacts was resolved counts nothing (either route alike).
    frame = frame[frame[JOURNEY_COUNTS].ne(0).any(axis=1)]
    frame["week"] = [_FIRST_MONDAY + timedelta(weeks=int(k)) for k in frame["week"]]
    frame["topic"] = frame["topic"].fillna(NO_TOPIC)
    return frame.reset_index(drop=True)


def _negated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{c: -pd.to_numeric(frame[c]).fillna(0) for c in JOURNEY_COUNTS})


def _stale_customers(conn: Connection, tz: str) -> list[int] | None:
    """Customers whose stored next contacts may be out of date: those of rows changed since
    the refresh, now and as stored (a merge moves a contact from one customer to another).
    None: follow everyone in the raw rows (no rollup yet, far behind, or counted in another
    time zone)."""
    counted_with = rollup_settings(conn)
    if counted_with is not None and counted_with[0] != tz:
        return None
    changed = changed_since_refresh(conn)
    if changed is None:
        return None
    customers = {row.customer_id for row in changed if row.customer_id is not None}
    ids = [row.id for row in changed]
    for first in range(0, len(ids), 500):
        customers.update(
            conn.scalars(
                select(next_contacts.c.customer_id).where(
                    next_contacts.c.interaction_id.in_(ids[first : first + 500])
                )
            ).all()
        )
    if len(customers) > MAX_STALE_CUSTOMERS:
        return None
    return sorted(customers)


def _everyones_stored_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    window: int,
    channel_ids: Sequence[str] | None,
) -> list[pd.DataFrame]:
    """journey_counts of everyone as stored, in parts: the whole local days of [start, end)
    from journey_day_stats when it was counted in `tz` for `window`, the rest from
    next_contacts (all of it, when the day rows were counted otherwise)."""
    stored = functools.partial(_stored_counts, conn, tz=tz, window=window, channel_ids=channel_ids)
    days = whole_days(start, end, tz) if counted_with(conn) == (tz, window) else None
    if days is None:
        return [stored(start=start, end=end)]
    # Weeks are unions of whole local days, so summing day rows per week loses nothing.
    low, high = day_bounds(days[0], tz)[0], day_bounds(days[1], tz)[1]
    parts = [_day_counts(conn, days=days, channel_ids=channel_ids)]
    if start < low:
        parts.append(stored(start=start, end=low))
    if high < end:
        parts.append(stored(start=high, end=end))
    return parts


def _day_counts(
    conn: Connection, *, days: tuple[date, date], channel_ids: Sequence[str] | None
) -> pd.DataFrame:
    """journey_counts of the local days `days` (first, last) from journey_day_stats."""
    j = journey_day_stats.c
    conditions = [j.local_day >= day_number(days[0]), j.local_day <= day_number(days[1])]
    if channel_ids is not None:
        conditions.append(j.channel_id.in_(list(channel_ids)))
    statement = select(
        j.local_day, j.channel_id, j.topic, *[j[name] for name in JOURNEY_COUNTS]
    ).where(*conditions)
    frame = read_frame(engine=conn, statement=statement)
    frame["week"] = _week_key(frame.pop("local_day"))
    return frame


def _week_key(local_days: pd.Series) -> pd.Series:
    """Local days to ISO-week keys as queries.local_buckets counts them (weeks from 1970-01-05)."""
    return (local_days.astype("int64") - 4) // 7


def _stored_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    window: int,
    channel_ids: Sequence[str] | None,
    customer_ids: list[int] | None = None,
) -> pd.DataFrame:
    """journey_counts from next_contacts (of `customer_ids` only, or everyone's)."""
    n = next_contacts.c
    first, last = local_today(start, tz), local_today(end - timedelta(microseconds=1), tz)
    # The local-day range finds the rows by the covering index; created_at trims the edges.
    conditions = [
        n.local_day >= day_number(first),
        n.local_day <= day_number(last),
        n.created_at >= start,
        n.created_at < end,
    ]
    if channel_ids is not None:
        conditions.append(n.channel_id.in_(list(channel_ids)))
    if customer_ids is not None:
        conditions.append(n.customer_id.in_(customer_ids))
    keys = (n.local_day, n.channel_id, n.topic)
    statement = select(*keys, *journey_sums(window)).where(*conditions).group_by(*keys)
    frame = read_frame(engine=conn, statement=statement)
    frame["week"] = _week_key(frame.pop("local_day"))
    return frame


def _raw_counts(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    window: int,
    channel_ids: Sequence[str] | None,
    customer_ids: list[int] | None = None,
) -> pd.DataFrame:
    """journey_counts from raw rows, each contact's next found by a window function (of
    `customer_ids` only, or everyone's)."""
    i = interactions.c
    answered_by = case((i.first_response_at.is_not(None), i.agent_id)).label("answered_by")
    order = (i.created_at, i.id)
    where = [counts_as_contact(), i.customer_id.is_not(None), i.created_at >= start]
    if customer_ids is not None:
        where.append(i.customer_id.in_(customer_ids))
    ahead = select(
        i.created_at,
        i.resolved_at,
        i.channel_id,
        i.topic,
        answered_by,
        # Seconds from this contact's resolution to the next contact's arrival.
        (
            func.lead(epoch_seconds(i.created_at)).over(partition_by=i.customer_id, order_by=order)
            - epoch_seconds(i.resolved_at)
        ).label("gap"),
        func.lead(i.channel_id).over(partition_by=i.customer_id, order_by=order).label("next_ch"),
        func.lead(answered_by).over(partition_by=i.customer_id, order_by=order).label("next_by"),
    ).where(*where)
    a = ahead.subquery("ahead")
    repeated = a.c.gap <= literal(window)  # NULL (no next, unresolved): no
    pair = and_(repeated, a.c.answered_by.is_not(None), a.c.next_by.is_not(None))
    week = period_key_expr(a.c.created_at, start=start, end=end, tz=tz, granularity="week")
    conditions = [a.c.created_at < end]
    if channel_ids is not None:
        conditions.append(a.c.channel_id.in_(list(channel_ids)))
    statement = (
        select(
            week.label("week"),
            a.c.channel_id,
            a.c.topic,
            func.count(a.c.resolved_at).label("resolved"),
            func.sum(case((repeated, 1), else_=0)).label("repeated"),
            func.sum(case((and_(repeated, a.c.next_ch != a.c.channel_id), 1), else_=0)).label(
                "switched"
            ),
            func.sum(case((pair, 1), else_=0)).label("answered_pairs"),
            func.sum(case((and_(pair, a.c.next_by == a.c.answered_by), 1), else_=0)).label(
                "same_agent"
            ),
        )
        .where(*conditions)
        .group_by(week, a.c.channel_id, a.c.topic)
    )
    return read_frame(engine=conn, statement=statement)
