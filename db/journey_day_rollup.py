"""The journey day rollup: `next_contacts` summed per local day × channel × topic for the repeat
window setting, so the journey figures of a period sum a few rows per day instead of one row per
contact (queries/journey.py).

db/topic_rollup.py keeps it in step with next_contacts, in the same transaction: a run of
intervals recomputes the next_contacts rows of every customer with a contact in it, and the
rows of a contact can change although it arrived long before the run (its customer's next
contact is new: it may now be a repeat). So the sums of those customers' rows are taken before
and after (`day_sums`), and every local day whose sums differ is recounted whole from
next_contacts (`recount_days`). A full rebuild of next_contacts recounts every day.

Each row stores the time zone and window it was counted with. When the window setting changes,
the next refresh recounts the table (next_contacts keeps every gap, so nothing else is
recounted); a time-zone change recounts next_contacts and this table. Until then, and for any
read with another window or zone, the reads sum next_contacts. Days outside db.topic_rollup.KEPT
have no next_contacts rows, so no day rows either.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, case, delete, func, insert, literal, select
from sqlalchemy.sql.expression import ColumnElement

from db.schema import NO_TOPIC, journey_day_stats, next_contacts
from db.settings import get_settings

JOURNEY_COUNTS = ["resolved", "repeated", "switched", "answered_pairs", "same_agent"]
# Days recounted per statement: IN lists well under SQLite's bound-parameter limit, and a full
# rebuild's steps small enough that no statement nears the statement timeout at any size.
DAY_CHUNK = 28


def window_seconds(window_days: float) -> int:
    """The repeat window in whole seconds, as next_contacts.gap_seconds is compared with it."""
    return int(window_days * 86_400)


def journey_sums(window: int) -> list[ColumnElement]:
    """The JOURNEY_COUNTS of next_contacts rows (analytics/journey.py's rule on the stored gaps)
    for a repeat window of `window` seconds, as labelled SUM expressions."""
    n = next_contacts.c
    repeated = n.gap_seconds <= literal(window)  # NULL (no next, unresolved): no

    def count_if(condition) -> ColumnElement:
        return func.sum(case((condition, 1), else_=0))

    return [
        count_if(n.resolved.is_(True)).label("resolved"),
        count_if(repeated).label("repeated"),
        count_if(repeated & n.next_other_channel.is_(True)).label("switched"),
        count_if(repeated & n.answered_pair.is_(True)).label("answered_pairs"),
        count_if(repeated & n.same_agent.is_(True)).label("same_agent"),
    ]


def counted_with(conn: Connection) -> tuple[str, int] | None:
    """(time zone, window seconds) the day rows were counted with; None while there are none."""
    j = journey_day_stats.c
    # The newest day, by the primary key (see db.day_rollup.rollup_timezone).
    row = conn.execute(
        select(j.timezone, j.window_seconds).order_by(j.local_day.desc()).limit(1)
    ).first()
    return None if row is None else (row[0], int(row[1]))


def wanted() -> tuple[str, int]:
    """(time zone, window seconds) of the settings: what the day rows should be counted with."""
    settings = get_settings()
    return settings.timezone, window_seconds(settings.repeat_window_days)


def day_sums(conn: Connection, customers: ColumnElement[bool], window: int) -> set[tuple]:
    """The next_contacts rows of the `customers` condition summed per local day, channel and
    topic: (local_day, channel_id, topic, *JOURNEY_COUNTS) tuples, to compare before and after
    their rows are recomputed."""
    n = next_contacts.c
    keys = (n.local_day, n.channel_id, n.topic)
    statement = select(*keys, *journey_sums(window)).where(customers).group_by(*keys)
    return {tuple(row) for row in conn.execute(statement)}


def changed_days(before: set[tuple], after: set[tuple]) -> set[int]:
    """Local days with a group whose sums `day_sums` gave differently (or only once)."""
    return {int(row[0]) for row in before ^ after}


def recount_days(conn: Connection, days: Iterable[int] | None) -> None:
    """Recount the day rows of `days` (None: every day) from next_contacts, in the caller's
    transaction; every day when the rows were counted in another zone or window (or there are
    none yet, while next_contacts may have rows)."""
    tz, window = wanted()
    if days is None or counted_with(conn) != (tz, window):
        _rebuild_all(conn, tz, window)
        return
    ordered = sorted(set(days))
    for first in range(0, len(ordered), DAY_CHUNK):
        chunk = ordered[first : first + DAY_CHUNK]
        conn.execute(delete(journey_day_stats).where(journey_day_stats.c.local_day.in_(chunk)))
        _insert_days(conn, next_contacts.c.local_day.in_(chunk), tz, window)


def recount_if_window_changed(conn: Connection) -> bool:
    """Recount every day when the rows were counted with another window (or zone) than the
    settings', or there are none while next_contacts has rows (a database just upgraded to
    this table); a refresh with no changed interactions calls this. Returns whether it did."""
    found = counted_with(conn)
    if found == wanted():
        return False
    if found is None and conn.scalar(select(next_contacts.c.local_day).limit(1)) is None:
        return False
    _rebuild_all(conn, *wanted())
    return True


def _rebuild_all(conn: Connection, tz: str, window: int) -> None:
    conn.execute(delete(journey_day_stats))
    day = next_contacts.c.local_day
    # DAY_CHUNK days a statement, each step starting at the next stored day.
    low = conn.scalar(select(func.min(day)))
    while low is not None:
        high = low + DAY_CHUNK
        _insert_days(conn, (day >= low) & (day < high), tz, window)
        low = conn.scalar(select(func.min(day)).where(day >= high))


def _insert_days(conn: Connection, days: ColumnElement[bool], tz: str, window: int) -> None:
    n = next_contacts.c
    topic = func.coalesce(n.topic, NO_TOPIC)
    summed = (
        select(
            n.local_day,
            n.channel_id,
            topic.label("topic"),
            *journey_sums(window),
            literal(window).label("window_seconds"),
            literal(tz).label("timezone"),
        )
        .where(days)
        .group_by(n.local_day, n.channel_id, topic)
    )
    columns = ["local_day", "channel_id", "topic", *JOURNEY_COUNTS, "window_seconds", "timezone"]
    conn.execute(insert(journey_day_stats).from_select(columns, summed))
