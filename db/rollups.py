"""Incremental refresh of the 15-minute `interval_stats` rollup that the pages read.

Interactions change after they arrive (answered, abandoned, resolved), so every change bumps
`interactions.updated_at`. A refresh finds the arrival intervals touched since the last
watermark and recomputes exactly those intervals from raw rows, in one transaction.

Only thread starts are counted (db/threads.py): a customer's follow-up in a conversation is not
another contact. A row that stops (or starts) being a thread start gets a new updated_at, so
its interval is recounted like any other change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, delete, func, insert, literal, select

from db.policies import load_policies, policy_value_expr
from db.schema import interactions, interval_stats, job_state
from db.sqlfuncs import bucket_15m, seconds_between
from db.threads import counts_as_contact

JOB_NAME = "interval_stats"
INTERVAL = timedelta(minutes=15)
# Writers commit a little after they stamp updated_at; look back this far so none is missed.
WATERMARK_LAG = timedelta(minutes=2)
# Never target policies at this default: every seeded channel has a policy.
FALLBACK_TARGET_SECONDS = 60
FALLBACK_SHORT_ABANDON_SECONDS = 5


def _aggregate_select(conn: Connection, start: datetime | None, end: datetime | None):
    """SELECT producing interval_stats rows for arrivals in [start, end) (all when None)."""
    policies = load_policies(conn)
    i = interactions.c
    frt = seconds_between(i.created_at, i.first_response_at)
    wait_before_abandon = seconds_between(i.created_at, i.abandoned_at)
    target = policy_value_expr(policies, "target_seconds", FALLBACK_TARGET_SECONDS)
    short = policy_value_expr(policies, "short_abandon_seconds", FALLBACK_SHORT_ABANDON_SECONDS)
    answered = i.first_response_at.is_not(None)
    abandoned = and_(i.abandoned_at.is_not(None), i.first_response_at.is_(None))

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
            count_if(and_(answered, frt <= target)).label("met"),
            count_if(abandoned).label("abandoned"),
            count_if(and_(abandoned, wait_before_abandon < short)).label("abandoned_short"),
            count_if(i.resolved_at.is_not(None)).label("resolved"),
            func.coalesce(func.sum(case((answered, frt), else_=literal(0.0))), 0.0).label(
                "sum_frt_seconds"
            ),
            func.coalesce(func.sum(i.handle_seconds), 0).label("sum_handle_seconds"),
            count_if(i.handle_seconds.is_not(None)).label("handled"),
            count_if(i.is_public.is_(True)).label("public_offered"),
        )
        .where(counts_as_contact())  # one contact per conversation: its first message
        .group_by(bucket, i.channel_id, i.queue)
    )
    if start is not None:
        query = query.where(i.created_at >= start)
    if end is not None:
        query = query.where(i.created_at < end)
    return query


def _rebuild(conn: Connection, start: datetime | None, end: datetime | None) -> None:
    stats_delete = delete(interval_stats)
    if start is not None:
        stats_delete = stats_delete.where(interval_stats.c.interval_start >= start)
    if end is not None:
        stats_delete = stats_delete.where(interval_stats.c.interval_start < end)
    conn.execute(stats_delete)
    columns = [
        "interval_start",
        "channel_id",
        "queue",
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
    ]
    conn.execute(insert(interval_stats).from_select(columns, _aggregate_select(conn, start, end)))


def _set_watermark(conn: Connection, watermark: datetime) -> None:
    updated = conn.execute(
        job_state.update().where(job_state.c.name == JOB_NAME).values(watermark=watermark)
    )
    if updated.rowcount == 0:
        conn.execute(job_state.insert().values(name=JOB_NAME, watermark=watermark))


def refresh_interval_stats(engine: Engine, *, full: bool = False) -> int:
    """Recompute the intervals whose interactions changed since the last refresh.

    Returns the number of 15-minute intervals recomputed (all of them on a full rebuild).
    """
    with engine.begin() as conn:
        newest_change = conn.scalar(select(func.max(interactions.c.updated_at)))
        if newest_change is None:
            conn.execute(delete(interval_stats))
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
