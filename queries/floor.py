"""Reads behind the Floor (live) page: today's service level, volumes, the open backlog and the
agents.

Today's service level per channel is the Service level report's own read (one SLA rule, one
route); volumes and handle times come from the 15-minute `interval_stats` rollup, so the page
never scans history; intervals the rollup has not caught up with yet are counted from raw rows,
so nothing a writer stores waits for a refresh. A contact is a conversation: only inbound
thread starts count (db/threads.py), here as in the rollup. Raw interaction rows are read only
where the rollup cannot answer: the open, unanswered contacts (the backlog, whenever they
arrived), the negative public social posts waiting for a reply (each with the target of the
policy in force at its arrival), and topic counts for the spike alert.

Every function is keyword-only, takes the engine explicitly and returns a DataFrame whose
columns exist even when nothing matched. `channel_ids=None` means every channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import (
    Engine,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
)

from analytics.sl_frames import COUNT_COLUMNS, add_rates
from db.policies import load_policies, policy_for, policy_value_expr
from db.rollups import INTERVAL
from db.schema import (
    agent_skills,
    agent_states,
    agents,
    channels,
    customers,
    interactions,
    interval_stats,
)
from db.sqlfuncs import bucket_15m
from db.threads import counts_as_contact
from queries.authors import author_expr
from queries.frames import read_frame
from queries.sentiment import is_negative
from queries.service_level import service_level_counts
from queries.sl_kinds import stale_intervals

OPEN_STATUSES = ("open", "pending")
TODAY_COLUMNS = [
    "channel_id",
    "channel",
    "offered",
    "answered",
    "abandoned",
    "met",
    "missed",
    "pending",
    "excluded",
    "service_level_percent",
]


def _channel_filter(column, channel_ids: Sequence[str] | None):
    """A WHERE condition limiting `column` to `channel_ids` (no condition for None)."""
    if channel_ids is None:
        return true()
    if not channel_ids:
        return false()
    return column.in_(list(channel_ids))


def _open_unanswered(now: datetime):
    """Contacts not answered, not abandoned, not closed, and arrived by `now`: the backlog.

    A contact is an inbound thread start (db/threads.py): a conversation waits once, timed from
    the customer's first message, however many times the customer wrote since.
    The status test lets the (status, first_response_at) index find the few open rows.
    """
    i = interactions.c
    return and_(
        counts_as_contact(),
        i.status.in_(OPEN_STATUSES),
        i.first_response_at.is_(None),
        i.abandoned_at.is_(None),
        i.resolved_at.is_(None),
        i.created_at <= now,
    )


def channel_catalogue(*, engine: Engine) -> pd.DataFrame:
    """Every channel in display order. Columns: channel_id, channel, kind, is_social."""
    c = channels.c
    statement = select(
        c.id.label("channel_id"),
        c.name.label("channel"),
        c.kind,
        c.is_social,
    ).order_by(c.sort_order, c.id)
    return read_frame(engine=engine, statement=statement)


def todays_service_level(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    now: datetime,
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Service level per channel for arrivals in [start, end) UTC at `now`, every channel listed.

    The Service level report's own route (`queries.service_level.service_level_counts`: the
    rollup plus raw rows where it cannot know, each contact judged by the one SLA rule), so the
    Floor and the report can never disagree about a contact. Columns: channel_id, channel,
    offered, answered, abandoned, met, missed, pending, excluded, service_level_percent (NaN
    when met + missed = 0).
    """
    return _levels_by_channel(engine, start, end, tz, now, channel_ids, source="auto")


def recent_service_level(
    *,
    engine: Engine,
    now: datetime,
    minutes: int,
    tz: str,
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Service level per channel for arrivals in the last `minutes` before `now`, judged at
    `now` (the rolling figures beside today's); columns as `todays_service_level`.

    Read from the raw rows: the window does not start on a 15-minute boundary, so the rollup
    cannot answer it, and half an hour of arrivals is a small read.
    """
    start = now - timedelta(minutes=minutes)
    return _levels_by_channel(engine, start, now, tz, now, channel_ids, source="raw")


def _levels_by_channel(
    engine: Engine,
    start: datetime,
    end: datetime,
    tz: str,
    now: datetime,
    channel_ids: Sequence[str] | None,
    *,
    source: str,
) -> pd.DataFrame:
    """Service level per channel over arrivals in [start, end), every channel listed."""
    if channel_ids is not None and not channel_ids:
        return pd.DataFrame(columns=TODAY_COLUMNS)
    counts = service_level_counts(
        engine=engine,
        start=start,
        end=end,
        tz=tz,
        granularity="day",
        group_by="channel",
        now=now,
        channels=None if channel_ids is None else list(channel_ids),
        source=source,
    )
    # Summed over the period(s) of [start, end): one for a local day.
    per_channel = add_rates(
        counts.groupby(["group_key", "group_label"], sort=False)[list(COUNT_COLUMNS)]
        .sum()
        .reset_index()
    )
    names = {"group_key": "channel_id", "group_label": "channel"}
    return per_channel.rename(columns=names)[TODAY_COLUMNS]


def offered_per_interval(
    *,
    engine: Engine,
    ranges: Sequence[tuple[datetime, datetime]],
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Offered per 15-minute interval and channel (summed over queues) inside any of `ranges`.

    ranges: [start, end) pairs in UTC, e.g. today, or the same weekday in previous weeks.
    From the rollup, except intervals with rows changed since its watermark, which are counted
    from raw rows (`queries.sl_kinds.stale_intervals`, as the Service level report does): a
    contact any writer stores shows on the next read, refreshed or not.
    Only intervals with arrivals are returned. Columns: interval_start (UTC), channel_id, offered.
    """
    columns = ["interval_start", "channel_id", "offered"]
    if not ranges:
        return pd.DataFrame(columns=columns)
    with engine.connect() as conn:
        wanted = list(channel_ids) if channel_ids is not None else _all_channel_ids(conn)
        stale = stale_intervals(
            conn,
            start=min(lo for lo, _ in ranges),
            end=max(hi for _, hi in ranges),
            channel_ids=wanted,
        )
        rolled = read_frame(engine=conn, statement=_rollup_offered(ranges, wanted, stale))
        raw = (
            read_frame(engine=conn, statement=_raw_offered(ranges, wanted, stale))
            if stale is None or stale
            else None
        )
    parts = [part for part in (rolled, raw) if part is not None and not part.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else rolled
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    frame["offered"] = pd.to_numeric(frame["offered"]).astype("int64")
    frame = frame.groupby(["interval_start", "channel_id"], as_index=False)["offered"].sum()
    return frame.sort_values(["interval_start", "channel_id"], ignore_index=True)[columns]


def _all_channel_ids(conn) -> list[str]:
    return list(conn.scalars(select(channels.c.id)))


def _rollup_offered(
    ranges: Sequence[tuple[datetime, datetime]],
    channel_ids: Sequence[str],
    stale: Sequence[datetime] | None,
) -> Select:
    """Offered per interval and channel from the rollup, leaving out the `stale` intervals
    (all of them when None: the rollup was never built or is far behind)."""
    s = interval_stats.c
    in_ranges = or_(*[and_(s.interval_start >= lo, s.interval_start < hi) for lo, hi in ranges])
    fresh = false() if stale is None else s.interval_start.not_in(list(stale)) if stale else true()
    return (
        select(s.interval_start, s.channel_id, func.sum(s.offered).label("offered"))
        .where(in_ranges, fresh, _channel_filter(s.channel_id, channel_ids))
        .group_by(s.interval_start, s.channel_id)
    )


def _raw_offered(
    ranges: Sequence[tuple[datetime, datetime]],
    channel_ids: Sequence[str],
    stale: Sequence[datetime] | None,
) -> Select:
    """Offered per interval and channel counted from raw rows: the contacts (thread starts) of
    the `stale` intervals inside `ranges` (every interval of `ranges` when None)."""
    i = interactions.c
    bucket = bucket_15m(i.created_at)
    if stale is None:
        windows = list(ranges)
        only_stale = true()
    else:
        # Tight created_at bounds so the index narrows the rows before the bucket test.
        windows = [(max(lo, min(stale)), min(hi, max(stale) + INTERVAL)) for lo, hi in ranges]
        only_stale = bucket.in_(list(stale))
    in_ranges = or_(*[and_(i.created_at >= lo, i.created_at < hi) for lo, hi in windows])
    return (
        select(bucket.label("interval_start"), i.channel_id, func.count().label("offered"))
        .where(
            counts_as_contact(),
            in_ranges,
            only_stale,
            _channel_filter(i.channel_id, channel_ids),
        )
        .group_by(bucket, i.channel_id)
    )


def first_interval(*, engine: Engine) -> datetime | None:
    """The earliest interval in the rollup (UTC): when the history starts; None when empty."""
    with engine.connect() as conn:
        value = conn.scalar(select(func.min(interval_stats.c.interval_start)))
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def handle_time_by_channel(
    *, engine: Engine, start: datetime, end: datetime, channel_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Average handle time per channel over arrivals in [start, end) UTC, from the rollup.

    AHT = Σ handle_seconds / number of contacts that have a handle time (docs/metrics.md: mean of
    handled contacts). Every channel is listed. Columns: channel_id, handled,
    sum_handle_seconds, aht_seconds (NaN when nothing was handled).
    """
    s = interval_stats.c
    totals = (
        select(
            s.channel_id,
            func.sum(s.handled).label("handled"),
            func.sum(s.sum_handle_seconds).label("sum_handle_seconds"),
        )
        .where(s.interval_start >= start, s.interval_start < end)
        .group_by(s.channel_id)
        .subquery()
    )
    statement = (
        select(
            channels.c.id.label("channel_id"),
            func.coalesce(totals.c.handled, 0).label("handled"),
            func.coalesce(totals.c.sum_handle_seconds, 0.0).label("sum_handle_seconds"),
        )
        .select_from(channels.outerjoin(totals, totals.c.channel_id == channels.c.id))
        .where(_channel_filter(channels.c.id, channel_ids))
        .order_by(channels.c.sort_order, channels.c.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame = frame.astype({"handled": "int64", "sum_handle_seconds": "float64"})
    frame["aht_seconds"] = frame["sum_handle_seconds"] / frame["handled"].where(
        frame["handled"] > 0
    )
    return frame


def _target_expr(engine: Engine):
    """The target of the policy in force at each row's arrival (NULL: no policy covers it)."""
    with engine.connect() as conn:
        policies = load_policies(conn)
    return policy_value_expr(policies, "target_seconds")


def open_unanswered(
    *, engine: Engine, now: datetime, channel_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """The backlog at `now`: inbound contacts not answered, abandoned or closed, one row each.

    target_seconds is the target of the policy in force at each contact's arrival (e.g. social
    public 1,800 s, private 3,600 s), so the caller can tell pending from already missed.
    Columns: id, channel_id, is_public, priority, queue, topic, created_at, target_seconds.
    """
    i = interactions.c
    statement = (
        select(
            i.id,
            i.channel_id,
            i.is_public,
            i.priority,
            i.queue,
            i.topic,
            i.created_at,
            _target_expr(engine).label("target_seconds"),
        )
        .where(_open_unanswered(now), _channel_filter(i.channel_id, channel_ids))
        .order_by(i.created_at, i.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame.astype({"target_seconds": "float64", "is_public": "bool"})


def negative_public_posts(
    *,
    engine: Engine,
    now: datetime,
    channel_ids: Sequence[str] | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """Unanswered negative (`queries.sentiment.is_negative`) public social posts, widest reach
    first.

    One row per waiting conversation: its first message (the thread start, which the wait is
    timed from), with `messages` = how many of the thread's inbound messages are waiting.
    The author is the customer's handle on that channel (else the customer's name). Posts with
    no reach recorded come last. Columns: id, external_id, conversation_id, channel_id, author,
    reach, sentiment, topic, priority, queue, created_at, target_seconds, body, messages.
    """
    i = interactions.c
    thread = interactions.alias("thread")
    t = thread.c
    waiting_in_thread = (
        select(func.count())
        .where(
            t.source == i.source,
            t.conversation_id == i.conversation_id,
            t.direction == "inbound",
            t.status.in_(OPEN_STATUSES),
            t.first_response_at.is_(None),
            t.abandoned_at.is_(None),
            t.resolved_at.is_(None),
            t.created_at <= now,
        )
        .scalar_subquery()
    )
    messages = case((i.conversation_id.is_(None), 1), else_=waiting_in_thread)
    author = author_expr()
    statement = (
        select(
            i.id,
            i.external_id,
            i.conversation_id,
            i.channel_id,
            author.label("author"),
            i.reach,
            i.sentiment,
            i.topic,
            i.priority,
            i.queue,
            i.created_at,
            _target_expr(engine).label("target_seconds"),
            i.body,
            messages.label("messages"),
        )
        .select_from(
            interactions.join(channels, channels.c.id == i.channel_id).outerjoin(
                customers, customers.c.id == i.customer_id
            )
        )
        .where(
            _open_unanswered(now),
            channels.c.is_social.is_(True),
            i.is_public.is_(True),
            is_negative(),
            _channel_filter(i.channel_id, channel_ids),
        )
        .order_by(func.coalesce(i.reach, -1).desc(), i.created_at, i.id)
        .limit(limit)
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame.astype({"target_seconds": "float64", "sentiment": "float64", "messages": "int64"})


def latest_agent_states(
    *,
    engine: Engine,
    now: datetime,
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each active agent's current state (latest agent_states row at or before `now`) and skills.

    An agent with no state row yet is offline. With channel_ids, only agents skilled on at least
    one of them. Columns: agent_id, name, team, state, since (NaT when never seen), skills
    (tuple of channel ids, sorted), current_contacts (contacts the agent is working now:
    assigned to the agent, arrived by `now`, status `open` — the centre's move — and not
    resolved or abandoned; a `pending` contact waits on the customer, not on the agent).
    """
    states = agent_states.c
    # Per agent, the id of its latest row: one (agent_id, since) index probe per agent, so the
    # cost stays flat however long the state history grows (a window over every row would not).
    latest_id = (
        select(states.id)
        .where(states.agent_id == agents.c.id, states.since <= now)
        .order_by(states.since.desc(), states.id.desc())
        .limit(1)
        .correlate(agents)
        .scalar_subquery()
    )
    latest = agent_states.alias("latest")
    roster: Select = (
        select(
            agents.c.id.label("agent_id"),
            agents.c.name,
            agents.c.team,
            func.coalesce(latest.c.state, literal("offline")).label("state"),
            latest.c.since,
        )
        .select_from(agents.outerjoin(latest, latest.c.id == latest_id))
        .where(agents.c.active.is_(True))
        .order_by(agents.c.name, agents.c.id)
    )
    if channel_ids is not None:
        skilled = select(agent_skills.c.agent_id).where(
            _channel_filter(agent_skills.c.channel_id, channel_ids)
        )
        roster = roster.where(agents.c.id.in_(skilled))
    skills_statement = select(agent_skills.c.agent_id, agent_skills.c.channel_id).order_by(
        agent_skills.c.agent_id, agent_skills.c.channel_id
    )
    i = interactions.c
    # Served by the (status, first_response_at) index: open work is a small slice of history.
    current_statement = (
        select(i.agent_id, func.count().label("current_contacts"))
        .where(
            i.status == "open",
            i.agent_id.is_not(None),
            i.resolved_at.is_(None),
            i.abandoned_at.is_(None),
            i.created_at <= now,
            counts_as_contact(),
        )
        .group_by(i.agent_id)
    )
    with engine.connect() as conn:
        frame = read_frame(engine=conn, statement=roster)
        skills = read_frame(engine=conn, statement=skills_statement)
        current = read_frame(engine=conn, statement=current_statement)
    by_agent = skills.groupby("agent_id")["channel_id"].agg(tuple).to_dict()
    frame["skills"] = [by_agent.get(a, ()) for a in frame["agent_id"]]
    working = dict(zip(current["agent_id"], current["current_contacts"], strict=True))
    frame["current_contacts"] = [int(working.get(a, 0)) for a in frame["agent_id"]]
    frame["since"] = pd.to_datetime(frame["since"])
    return frame


def topic_counts_in_windows(
    *,
    engine: Engine,
    windows: Sequence[tuple[datetime, datetime]],
    channel_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Contacts (inbound thread starts) per topic in each [start, end) UTC window (contacts
    without a topic left out). Window n is `windows[n]`; only (topic, window) pairs with
    arrivals are returned. Columns: topic, window, count.
    """
    columns = ["topic", "window", "count"]
    if not windows:
        return pd.DataFrame(columns=columns)
    i = interactions.c
    window = case(
        *[
            (and_(i.created_at >= lo, i.created_at < hi), literal(n))
            for n, (lo, hi) in enumerate(windows)
        ],
        else_=literal(-1),
    ).label("window")
    statement = (
        select(i.topic, window, func.count().label("count"))
        .where(
            counts_as_contact(),
            i.topic.is_not(None),
            # The outer bound lets SQLite range-scan the arrival index: given only the OR of
            # the windows, it read every row of the table (1.1 s at 1M contacts).
            i.created_at >= min(lo for lo, _ in windows),
            i.created_at < max(hi for _, hi in windows),
            or_(*[and_(i.created_at >= lo, i.created_at < hi) for lo, hi in windows]),
            _channel_filter(i.channel_id, channel_ids),
        )
        .group_by(i.topic, window)
        .order_by(i.topic, window)
    )
    frame = read_frame(engine=engine, statement=statement)
    return frame.astype({"window": "int64", "count": "int64"})[columns]


def channel_policies(
    *, engine: Engine, at: datetime, channel_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """The policy each channel's live figures are judged by: the one in force at `at` for a
    normal-priority contact, public or private, whichever has the tighter target (on social
    channels that is the public-post policy). Channels without a policy are left out.

    Columns: channel_id, policy_id, target_seconds, goal_percent, abandon_rule,
    short_abandon_seconds, is_public (the policy's scope: True, False or None for both).
    """
    columns = [
        "channel_id",
        "policy_id",
        "target_seconds",
        "goal_percent",
        "abandon_rule",
        "short_abandon_seconds",
        "is_public",
    ]
    with engine.connect() as conn:
        policies = load_policies(conn)
        ids = list(conn.scalars(select(channels.c.id).order_by(channels.c.sort_order)))
    rows = []
    for channel_id in ids:
        if channel_ids is not None and channel_id not in channel_ids:
            continue
        candidates = [
            policy_for(policies, channel_id=channel_id, priority="normal", is_public=p, at=at)
            for p in (True, False)
        ]
        found = [c for c in candidates if c is not None]
        if not found:
            continue
        chosen = min(found, key=lambda p: p["target_seconds"])
        rows.append(
            {
                "channel_id": channel_id,
                "policy_id": chosen["id"],
                "target_seconds": float(chosen["target_seconds"]),
                "goal_percent": float(chosen["goal_percent"]),
                "abandon_rule": chosen["abandon_rule"],
                "short_abandon_seconds": int(chosen["short_abandon_seconds"]),
                "is_public": chosen["is_public"],
            }
        )
    return pd.DataFrame(rows, columns=columns)
