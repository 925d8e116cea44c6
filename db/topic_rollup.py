"""Rollups of the Topics page and the journey figures, rebuilt with `interval_stats`.

db/rollups.py calls `rebuild_topic_stats(conn, start, end)` for every run of 15-minute UTC
intervals it recounts (start = end = None: everything), in the same transaction, so one
watermark says how far all rollups have caught up.

- `topic_stats`: contacts per local day of the centre's time zone × channel × topic × public or
  private, with negative (sentiment below `negative_sentiment_below`) and scored counts. Local
  days, not 15-minute intervals: at the demo's volume a quarter hour holds about as many
  (channel, topic, visibility) groups as contacts, so a 15-minute rollup is barely smaller than
  the raw rows. A run of intervals recounts the whole local days it touches. The time zone and
  threshold each row was counted with are stored; when either setting changes, the next refresh
  recounts both tables, and until then the reads count raw rows.
- `next_contacts`: each contact of a known customer with the seconds from its resolution to the
  customer's next contact, and whether that one was on another channel / answered by the same
  agent, and its local day. The repeat window is applied when reading, so changing it recounts
  nothing here. A run of intervals recomputes every customer with a contact in it now or before
  (a handle merged into another customer moves contacts between customers).
- `journey_day_stats` (db/journey_day_rollup.py): next_contacts summed per local day for the
  repeat window setting, recounted here for every local day whose sums the recomputed customers
  changed (also days before the run: a contact's next one may be new).

Contacts are counted as everywhere else (db/threads.counts_as_contact); negativity and local
days by the one rule each (queries/sentiment.is_negative, queries/local_buckets).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, and_, case, delete, func, insert, literal, select
from sqlalchemy.sql.expression import ColumnElement

from analytics.periods import day_bounds, local_today
from db import journey_day_rollup
from db.schema import NO_TOPIC, interactions, next_contacts, topic_stats
from db.settings import get_settings
from db.threads import counts_as_contact
from queries.local_buckets import epoch_seconds, period_key_expr
from queries.sentiment import is_negative

# Customers recomputed per statement (IN lists well under SQLite's bound-parameter limit).
CUSTOMER_CHUNK = 500
# Beyond this many customers in one run, recomputing everyone at once is quicker.
FULL_JOURNEY_REBUILD = 20_000
# Arrivals the rollups keep (local days need dates Python and pandas can convert): a stray row
# stamped in year 1 or 9999 by another writer is left to the raw reads, and is still a customer's
# next contact.
KEPT = (datetime(1900, 1, 1), datetime(2200, 1, 1))
# A full rebuild goes in steps (of arrival time; of customer ids) so that no single statement
# runs into the database's statement timeout on a large history.
FULL_REBUILD_STEP = timedelta(days=28)
CUSTOMER_ID_STEP = 20_000
_EPOCH = date(1970, 1, 1)


def rebuild_topic_stats(conn: Connection, start: datetime | None, end: datetime | None) -> None:
    """Recount topic_stats and next_contacts for arrivals in [start, end) (naive UTC; None:
    everything) from raw rows, and journey_day_stats for the days that changed, in the caller's
    transaction. When the time zone or the negative threshold differs from what the rollups were
    counted with, everything is recounted."""
    settings = get_settings()
    wanted = (settings.timezone, settings.negative_sentiment_below)
    counted_with = rollup_settings(conn)
    if counted_with is not None and counted_with != wanted:
        start = end = None
    _rebuild_days(conn, start, end, *wanted)
    window = journey_day_rollup.window_seconds(settings.repeat_window_days)
    changed = _rebuild_next_contacts(conn, start, end, settings.timezone, window)
    journey_day_rollup.recount_days(conn, changed)


def recount_if_settings_changed(conn: Connection) -> bool:
    """Recount the tables when the time zone or negative threshold is not what they were
    counted with, or only journey_day_stats when the repeat window is not (a refresh with no
    changed interactions calls this). Returns whether it recounted anything."""
    settings = get_settings()
    counted_with = rollup_settings(conn)
    if counted_with in (None, (settings.timezone, settings.negative_sentiment_below)):
        return journey_day_rollup.recount_if_window_changed(conn)
    rebuild_topic_stats(conn, None, None)
    return True


def rollup_settings(conn: Connection) -> tuple[str, float] | None:
    """(time zone, negative threshold) the rollups were counted with; None while empty."""
    row = conn.execute(
        # The newest day, by the primary key (see db.day_rollup.rollup_timezone).
        select(topic_stats.c.timezone, topic_stats.c.negative_below)
        .order_by(topic_stats.c.local_day.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], float(row[1]))


def _history_bounds(
    conn: Connection, after: datetime = KEPT[0]
) -> tuple[datetime, datetime] | None:
    """[first, last + 1 s] arrival from `after` on, within KEPT (None: no such arrival)."""
    # Two queries: SQLite answers a lone min() or max() from the index, both at once by a scan.
    created = interactions.c.created_at
    low = conn.scalar(select(func.min(created)).where(created >= after, created < KEPT[1]))
    high = conn.scalar(select(func.max(created)).where(created >= after, created < KEPT[1]))
    return None if low is None else (low, high + timedelta(seconds=1))


# --- topic_stats ---------------------------------------------------------------------------


def day_number(day: date) -> int:
    """A local date as topic_stats.local_day (days since 1970-01-01)."""
    return (day - _EPOCH).days


def whole_days(start: datetime, end: datetime, tz: str) -> tuple[date, date] | None:
    """The first and last local day lying wholly in [start, end) (None: not one does)."""
    first = local_today(start, tz)
    if day_bounds(first, tz)[0] < start:
        first += timedelta(days=1)
    last = local_today(end - timedelta(microseconds=1), tz)
    if day_bounds(last, tz)[1] > end:
        last -= timedelta(days=1)
    return None if first > last else (first, last)


def _rebuild_days(
    conn: Connection, start: datetime | None, end: datetime | None, tz: str, threshold: float
) -> None:
    if start is not None and end is not None:
        start, end = max(start, KEPT[0]), min(end, KEPT[1])
        if start < end:
            _count_days(conn, start, end, tz, threshold)
        return
    conn.execute(delete(topic_stats))
    # Four weeks a statement, so no one statement nears the statement timeout at any size;
    # each step starts at the next arrival, so years without any cost nothing.
    bounds = _history_bounds(conn)
    while bounds is not None:
        high = min(bounds[0] + FULL_REBUILD_STEP, bounds[1])
        _count_days(conn, bounds[0], high, tz, threshold)
        bounds = _history_bounds(conn, after=high)


def _count_days(
    conn: Connection, start: datetime, end: datetime, tz: str, threshold: float
) -> None:
    """Recount the whole local days that [start, end) touches."""
    first, last = local_today(start, tz), local_today(end - timedelta(microseconds=1), tz)
    low, high = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
    conn.execute(
        delete(topic_stats).where(
            topic_stats.c.local_day >= day_number(first),
            topic_stats.c.local_day <= day_number(last),
        )
    )
    i = interactions.c
    day = period_key_expr(i.created_at, start=low, end=high, tz=tz, granularity="day")
    topic = func.coalesce(i.topic, NO_TOPIC)
    counts = (
        select(
            day.label("local_day"),
            i.channel_id,
            topic.label("topic"),
            i.is_public,
            func.count().label("contacts"),
            func.coalesce(func.sum(case((is_negative(), 1), else_=0)), 0).label("negative"),
            func.count(i.sentiment).label("scored"),
            literal(tz).label("timezone"),
            literal(threshold).label("negative_below"),
        )
        .where(counts_as_contact(), i.created_at >= low, i.created_at < high)
        .group_by(day, i.channel_id, topic, i.is_public)
    )
    columns = [
        "local_day",
        "channel_id",
        "topic",
        "is_public",
        "contacts",
        "negative",
        "scored",
        "timezone",
        "negative_below",
    ]
    conn.execute(insert(topic_stats).from_select(columns, counts))


# --- next_contacts -------------------------------------------------------------------------


def next_contact_select(
    customers: ColumnElement[bool], tz: str, history: tuple[datetime, datetime]
):
    """SELECT of next_contacts rows from raw interactions of the `customers` condition: each
    contact of a known customer with its customer's next contact, by arrival then id.
    `history`: the range every arrival is in (for the local-day key's clock changes)."""
    i = interactions.c
    answered_by = case((i.first_response_at.is_not(None), i.agent_id))
    order = (i.created_at, i.id)
    conditions = [counts_as_contact(), i.customer_id.is_not(None), customers]
    ahead = (
        select(
            i.id,
            i.customer_id,
            i.created_at,
            period_key_expr(
                i.created_at, start=history[0], end=history[1], tz=tz, granularity="day"
            ).label("local_day"),
            i.channel_id,
            i.topic,
            i.resolved_at,
            answered_by.label("answered_by"),
            # Seconds from this contact's resolution to the next contact's arrival.
            (
                func.lead(epoch_seconds(i.created_at)).over(
                    partition_by=i.customer_id, order_by=order
                )
                - epoch_seconds(i.resolved_at)
            ).label("gap"),
            func.lead(i.channel_id)
            .over(partition_by=i.customer_id, order_by=order)
            .label("next_ch"),
            func.lead(answered_by)
            .over(partition_by=i.customer_id, order_by=order)
            .label("next_by"),
        )
        .where(*conditions)
        .subquery("ahead")
    )
    a = ahead.c
    pair = and_(a.answered_by.is_not(None), a.next_by.is_not(None))

    def flag(condition):
        return case((condition, True), else_=False)

    kept = and_(a.created_at >= KEPT[0], a.created_at < KEPT[1])
    return select(
        a.id,
        a.customer_id,
        a.created_at,
        a.local_day,
        a.channel_id,
        a.topic,
        flag(a.resolved_at.is_not(None)),
        a.gap,
        flag(and_(a.next_ch.is_not(None), a.next_ch != a.channel_id)),
        flag(pair),
        flag(and_(pair, a.next_by == a.answered_by)),
    ).where(kept)


NEXT_CONTACT_COLUMNS = [
    "interaction_id",
    "customer_id",
    "created_at",
    "local_day",
    "channel_id",
    "topic",
    "resolved",
    "gap_seconds",
    "next_other_channel",
    "answered_pair",
    "same_agent",
]


def _rebuild_next_contacts(
    conn: Connection, start: datetime | None, end: datetime | None, tz: str, window: int
) -> set[int] | None:
    """Recompute the next_contacts rows of every customer with a contact in [start, end) now or
    as stored (None: everyone). Returns the local days whose journey sums for a `window`-second
    repeat window changed (None: everyone was recomputed)."""
    history = _history_bounds(conn)
    i, n = interactions.c, next_contacts.c
    if start is not None and end is not None and history is not None:
        now = conn.scalars(
            select(i.customer_id)
            .where(i.created_at >= start, i.created_at < end, i.customer_id.is_not(None))
            .distinct()
        ).all()
        before = conn.scalars(
            select(n.customer_id).where(n.created_at >= start, n.created_at < end).distinct()
        ).all()
        customers = sorted({*now, *before})
        if len(customers) <= FULL_JOURNEY_REBUILD:
            changed: set[int] = set()
            for chunk in _chunks(customers, CUSTOMER_CHUNK):
                # Any of their contacts may change, however old: compare their day sums.
                owned = n.customer_id.in_(chunk)
                sums_before = journey_day_rollup.day_sums(conn, owned, window)
                conn.execute(delete(next_contacts).where(owned))
                _insert_next_contacts(conn, i.customer_id.in_(chunk), tz, history)
                sums_after = journey_day_rollup.day_sums(conn, owned, window)
                changed |= journey_day_rollup.changed_days(sums_before, sums_after)
            return changed
    conn.execute(delete(next_contacts))
    if history is None:
        return None
    lowest = conn.scalar(select(func.min(i.customer_id)))
    highest = conn.scalar(select(func.max(i.customer_id)))
    for first in range(lowest or 0, (highest or -1) + 1, CUSTOMER_ID_STEP):
        ids = and_(i.customer_id >= first, i.customer_id < first + CUSTOMER_ID_STEP)
        _insert_next_contacts(conn, ids, tz, history)
    return None


def _insert_next_contacts(
    conn: Connection, customers: ColumnElement[bool], tz: str, history: tuple[datetime, datetime]
) -> None:
    statement = next_contact_select(customers, tz, history)
    conn.execute(insert(next_contacts).from_select(NEXT_CONTACT_COLUMNS, statement))


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for first in range(0, len(values), size):
        yield values[first : first + size]
