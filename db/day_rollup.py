"""The day rollup: `interval_stats` and `interval_frt_hist` summed per local day of the centre's
time zone, so a long period is read as one row per day × channel × queue instead of 96.

db/rollups.py calls `rebuild_day_stats(conn, start, end)` right after it rebuilt the 15-minute
rows of [start, end), in the same transaction: the whole local days that range touches are
summed again from the 15-minute rows, so a day row always equals the sum of its intervals.
Every real UTC offset is a whole number of 15 minutes, so each interval lies in one local day.
The time zone the days were counted in is stored on each row; when the setting changes, the next
refresh recounts everything (and until then readers use the 15-minute rows: `rollup_timezone`).
Days outside `KEPT` (a stray row stamped in year 1 or 9999 by another writer) have no day row;
readers take them from the 15-minute rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, literal, select

from analytics.periods import day_bounds, local_today
from db.schema import day_frt_hist, day_stats, interval_frt_hist, interval_stats
from db.settings import get_settings
from db.topic_rollup import KEPT, day_number
from queries.local_buckets import period_key_expr

# The summed columns of interval_stats, which day_stats sums again per day.
SUMMED = (
    "offered",
    "answered",
    "met",
    "abandoned",
    "abandoned_short",
    "resolved",
    "sum_frt_seconds",
    "sum_handle_seconds",
    "handled",
    "public_offered",
    "csat_rated",
    "csat_satisfied",
    "csat_sum",
)
# A full rebuild sums four weeks a statement, so no statement nears the statement timeout.
FULL_REBUILD_STEP = timedelta(days=28)


def rollup_timezone(conn: Connection) -> str | None:
    """The time zone the day rollup was counted in; None while it is empty."""
    # The newest day, by the primary key: a plain LIMIT 1 scan first wades through the dead
    # rows the refreshes leave at the table's start on PostgreSQL (65 ms at 10M contacts).
    newest = select(day_stats.c.timezone).order_by(day_stats.c.local_day.desc()).limit(1)
    return conn.scalar(newest)


def rebuild_day_stats(conn: Connection, start: datetime | None, end: datetime | None) -> None:
    """Recount the local days [start, end) touches (None: every day) from the 15-minute rows,
    in the caller's transaction; everything when the time zone setting has changed."""
    tz = get_settings().timezone
    counted_in = rollup_timezone(conn)
    if start is None or end is None or counted_in not in (None, tz):
        _rebuild_all(conn, tz)
    elif max(start, KEPT[0]) < min(end, KEPT[1]):
        _count_days(conn, max(start, KEPT[0]), min(end, KEPT[1]), tz)


def recount_if_timezone_changed(conn: Connection) -> bool:
    """Recount every day when the time zone setting is not the one the days were counted in
    (a refresh with no changed interactions calls this). Returns whether it did."""
    if rollup_timezone(conn) in (None, get_settings().timezone):
        return False
    _rebuild_all(conn, get_settings().timezone)
    return True


def _rebuild_all(conn: Connection, tz: str) -> None:
    conn.execute(delete(day_stats))
    conn.execute(delete(day_frt_hist))
    s = interval_stats.c
    kept = (s.interval_start >= KEPT[0], s.interval_start < KEPT[1])
    low = conn.scalar(select(func.min(s.interval_start)).where(*kept))
    high = conn.scalar(select(func.max(s.interval_start)).where(*kept))
    while low is not None and low <= high:
        step_end = low + FULL_REBUILD_STEP
        _count_days(conn, low, step_end, tz)
        # The next step starts at the next interval after this one's last whole day.
        low = conn.scalar(
            select(func.min(s.interval_start)).where(
                s.interval_start >= _days_end(step_end, tz), *kept
            )
        )


def _days_end(moment: datetime, tz: str) -> datetime:
    """End (UTC) of the local day holding the instant just before `moment`."""
    return day_bounds(local_today(moment - timedelta(microseconds=1), tz), tz)[1]


def _count_days(conn: Connection, start: datetime, end: datetime, tz: str) -> None:
    """Recount the whole local days that [start, end) touches."""
    first, last = local_today(start, tz), local_today(end - timedelta(microseconds=1), tz)
    low, high = day_bounds(first, tz)[0], day_bounds(last, tz)[1]
    for table, source, keys, sums in (
        (day_stats, interval_stats, (), SUMMED),
        (day_frt_hist, interval_frt_hist, ("bucket",), ("n", "sum_seconds")),
    ):
        conn.execute(
            delete(table).where(
                table.c.local_day >= day_number(first), table.c.local_day <= day_number(last)
            )
        )
        src = source.c
        day = period_key_expr(src.interval_start, start=low, end=high, tz=tz, granularity="day")
        group = [day, src.channel_id, src.queue, *[src[k] for k in keys]]
        extra = [literal(tz).label("timezone")] if table is day_stats else []
        summed = select(
            day.label("local_day"),
            src.channel_id,
            src.queue,
            *[src[k] for k in keys],
            *[func.sum(src[name]).label(name) for name in sums],
            *extra,
        ).where(src.interval_start >= low, src.interval_start < high)
        columns = ["local_day", "channel_id", "queue", *keys, *sums]
        columns += ["timezone"] if extra else []
        conn.execute(insert(table).from_select(columns, summed.group_by(*group)))
