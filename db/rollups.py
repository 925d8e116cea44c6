"""Incremental refresh of the 15-minute `interval_stats` rollup that the pages read.

Interactions change after they arrive (answered, abandoned, resolved), so every change bumps
`interactions.updated_at`. A refresh finds the arrival intervals touched since the last
watermark and recomputes exactly those intervals from raw rows, in one transaction.

Only thread starts are counted (db/threads.py): a customer's follow-up in a conversation is not
another contact. A row that stops (or starts) being a thread start gets a new updated_at, so
its interval is recounted like any other change.

Refreshes may run at once (the refresher process, the simulator, an import, a policy change):
each takes the rollup's write lock first (`_rollup_transaction`), so they run one after the
other and the later one starts from what the earlier one committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, case, delete, func, insert, literal, select, text

from analytics.csat import SATISFIED_FROM
from analytics.periods import interval_start
from analytics.service_level import ABANDONED_SHORT, ANSWERED_MET
from db.day_rollup import SUMMED, rebuild_day_stats, recount_if_timezone_changed
from db.frt_buckets import frt_bucket_expr
from db.partitions import ensure_months_ahead
from db.policies import Policy, load_policies
from db.schema import (
    day_frt_hist,
    day_stats,
    interactions,
    interval_frt_hist,
    interval_stats,
    job_state,
)
from db.sla_sql import sla_exprs
from db.sqlfuncs import bucket_15m
from db.threads import counts_as_contact
from db.topic_rollup import rebuild_topic_stats, recount_if_settings_changed

JOB_NAME = "interval_stats"
INTERVAL = timedelta(minutes=15)
# Writers commit a little after they stamp updated_at; look back this far so none is missed.
WATERMARK_LAG = timedelta(minutes=2)
# PostgreSQL advisory lock key of the interval_stats rewrite (any fixed bigint, ours alone).
ROLLUP_LOCK_KEY = 7_215_001


@contextmanager
def _rollup_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the rollup's write lock from its first statement to its end.

    Two refreshes rewriting the same intervals at once would both delete the old rows and both
    insert new ones (PostgreSQL: a unique-key violation on interval_stats). PostgreSQL takes a
    transaction-scoped advisory lock; SQLite takes its write lock up front (BEGIN IMMEDIATE).
    Either way a second refresh waits (up to the statement or busy timeout) and then reads the
    watermark the first one committed. Readers are never blocked.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # The driver would start the transaction only at the first write, after our reads.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLLUP_LOCK_KEY})
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _aggregate_select(
    policies: list[Policy],
    start: datetime | None,
    end: datetime | None,
    channel_id: str | None = None,
):
    """SELECT producing interval_stats rows for arrivals in [start, end) (all when None).

    met and abandoned_short come from `db.sla_sql` (the one SLA rule); a contact no policy
    covers is answered or abandoned but never met (its channel is counted raw: see
    `db.policies.channels_fully_covered`).
    """
    i = interactions.c
    sla = sla_exprs(policies, now=None)
    answered = sla.state["answered"]
    abandoned = sla.state["abandoned"]

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    bucket = bucket_15m(i.created_at).label("interval_start")
    query = (
        select(
            bucket,
            i.channel_id,
            i.queue,
            func.count().label("offered"),
            count_if(answered).label("answered"),
            count_if(sla.kind[ANSWERED_MET]).label("met"),
            count_if(abandoned).label("abandoned"),
            count_if(sla.kind[ABANDONED_SHORT]).label("abandoned_short"),
            count_if(i.resolved_at.is_not(None)).label("resolved"),
            func.coalesce(
                func.sum(case((answered, sla.waited["answered"]), else_=literal(0.0))), 0.0
            ).label("sum_frt_seconds"),
            func.coalesce(func.sum(i.handle_seconds), 0).label("sum_handle_seconds"),
            count_if(i.handle_seconds.is_not(None)).label("handled"),
            count_if(i.is_public.is_(True)).label("public_offered"),
            func.count(i.csat).label("csat_rated"),
            count_if(i.csat >= SATISFIED_FROM).label("csat_satisfied"),
            func.coalesce(func.sum(i.csat), 0).label("csat_sum"),
        )
        .where(counts_as_contact())  # one contact per conversation: its first message
        .group_by(bucket, i.channel_id, i.queue)
        # Stored in time order, so a period's rows sit together on disk (a full rebuild in
        # hash order made a 3-day read touch 26k pages of a 10M-contact histogram).
        .order_by(bucket)
    )
    if start is not None:
        query = query.where(i.created_at >= start)
    if end is not None:
        query = query.where(i.created_at < end)
    if channel_id is not None:
        query = query.where(i.channel_id == channel_id)
    return query


def _histogram_select(
    policies: list[Policy],
    start: datetime | None,
    end: datetime | None,
    channel_id: str | None = None,
):
    """SELECT producing interval_frt_hist rows (answered contacts per FRT bucket) for arrivals
    in [start, end): the same contacts and FRT as `_aggregate_select`'s sum_frt_seconds."""
    i = interactions.c
    sla = sla_exprs(policies, now=None)
    # FRT in a subquery, its bucket in the next: the grouping is over plain labelled columns.
    answered = select(
        bucket_15m(i.created_at).label("interval_start"),
        i.channel_id.label("channel_id"),
        i.queue.label("queue"),
        sla.waited["answered"].label("frt"),
    ).where(counts_as_contact(), sla.state["answered"])
    if start is not None:
        answered = answered.where(i.created_at >= start)
    if end is not None:
        answered = answered.where(i.created_at < end)
    if channel_id is not None:
        answered = answered.where(i.channel_id == channel_id)
    # Materialized: else the FRT expression is inlined into each of the bucket's ~8 nested
    # comparisons and computed that many times a row (5x slower on SQLite).
    a = answered.cte("answered_frt").prefix_with("MATERIALIZED")
    bucketed = select(
        a.c.interval_start,
        a.c.channel_id,
        a.c.queue,
        frt_bucket_expr(a.c.frt).label("bucket"),
        a.c.frt,
    ).subquery()
    b = bucketed.c
    keys = [b.interval_start, b.channel_id, b.queue, b.bucket]
    summed = select(*keys, func.count().label("n"), func.sum(b.frt).label("sum_seconds"))
    return summed.group_by(*keys).order_by(b.interval_start)  # time order, as above


def _rebuild(
    conn: Connection, start: datetime | None, end: datetime | None, channel_id: str | None = None
) -> None:
    for table in (interval_stats, interval_frt_hist):
        stats_delete = delete(table)
        if channel_id is not None:
            stats_delete = stats_delete.where(table.c.channel_id == channel_id)
        if start is not None:
            stats_delete = stats_delete.where(table.c.interval_start >= start)
        if end is not None:
            stats_delete = stats_delete.where(table.c.interval_start < end)
        conn.execute(stats_delete)
    columns = ["interval_start", "channel_id", "queue", *SUMMED]
    policies = load_policies(conn)
    statement = _aggregate_select(policies, start, end, channel_id)
    conn.execute(insert(interval_stats).from_select(columns, statement))
    histogram = _histogram_select(policies, start, end, channel_id)
    conn.execute(
        insert(interval_frt_hist).from_select(
            ["interval_start", "channel_id", "queue", "bucket", "n", "sum_seconds"], histogram
        )
    )
    rebuild_day_stats(conn, start, end)
    if channel_id is None:  # a policy change (one channel) leaves topics and journeys as they are
        rebuild_topic_stats(conn, start, end)


def _set_watermark(conn: Connection, watermark: datetime) -> None:
    updated = conn.execute(
        job_state.update().where(job_state.c.name == JOB_NAME).values(watermark=watermark)
    )
    if updated.rowcount == 0:
        conn.execute(job_state.insert().values(name=JOB_NAME, watermark=watermark))


def refresh_interval_stats(engine: Engine, *, full: bool = False) -> int:
    """Recompute the intervals whose interactions changed since the last refresh.

    Returns the number of 15-minute intervals recomputed (all of them on a full rebuild). Safe
    to run from several processes at once (`_rollup_transaction`).
    """
    ensure_months_ahead(engine)  # PostgreSQL: new months get their partition before their rows
    with _rollup_transaction(engine) as conn:
        newest_change = conn.scalar(select(func.max(interactions.c.updated_at)))
        if newest_change is None:
            for table in (interval_stats, interval_frt_hist, day_stats, day_frt_hist):
                conn.execute(delete(table))
            return 0
        watermark = (
            None
            if full
            else conn.scalar(select(job_state.c.watermark).where(job_state.c.name == JOB_NAME))
        )
        if watermark is None:
            _rebuild(conn, None, None)
            _set_watermark(conn, newest_change)
            return conn.scalar(select(func.count()).select_from(interval_stats)) or 0
        since = watermark - WATERMARK_LAG
        touched = conn.scalars(
            select(bucket_15m(interactions.c.created_at))
            .where(interactions.c.updated_at > since)
            .distinct()
        ).all()
        if not touched:
            # A new time zone or negative threshold recounts the local-day rollups.
            recount_if_settings_changed(conn)
            recount_if_timezone_changed(conn)
            return 0
        # Rebuild runs of adjacent intervals, so an answer to a weeks-old email recounts its
        # interval alone rather than everything between it and today.
        for start, end in _runs(sorted(_as_datetime(b) for b in touched)):
            _rebuild(conn, start, end)
        _set_watermark(conn, max(newest_change, watermark))
        return len(touched)


def _as_datetime(value) -> datetime:
    # SQLite hands the computed bucket back as text.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _runs(starts: list[datetime]) -> list[tuple[datetime, datetime]]:
    """[start, end) ranges covering sorted interval starts, merging adjacent intervals."""
    runs: list[tuple[datetime, datetime]] = []
    for start in starts:
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + INTERVAL)
        else:
            runs.append((start, start + INTERVAL))
    return runs


def recount_channel_from(engine: Engine, *, channel_id: str, start: datetime | None) -> int:
    """Recount one channel's intervals from `start` (an SLA policy's active_from) on, after its
    policy changed: earlier arrivals keep the policy that judged them, so their intervals are
    left as they are (None: the channel's whole history). Returns the number of the channel's
    intervals recounted."""
    first = None if start is None else interval_start(start)
    with _rollup_transaction(engine) as conn:
        _rebuild(conn, first, None, channel_id)
        recounted = select(func.count()).where(interval_stats.c.channel_id == channel_id)
        if first is not None:
            recounted = recounted.where(interval_stats.c.interval_start >= first)
        return conn.scalar(recounted) or 0
