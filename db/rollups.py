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

from sqlalchemy import Connection, Engine, case, delete, func, insert, literal, select

from analytics.periods import interval_start
from analytics.service_level import ABANDONED_SHORT, ANSWERED_MET
from db.partitions import ensure_months_ahead
from db.policies import Policy, load_policies
from db.schema import interactions, interval_stats, job_state
from db.sla_sql import sla_exprs
from db.sqlfuncs import bucket_15m
from db.threads import counts_as_contact

JOB_NAME = "interval_stats"
INTERVAL = timedelta(minutes=15)
# Writers commit a little after they stamp updated_at; look back this far so none is missed.
WATERMARK_LAG = timedelta(minutes=2)


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
        )
        .where(counts_as_contact())  # one contact per conversation: its first message
        .group_by(bucket, i.channel_id, i.queue)
    )
    if start is not None:
        query = query.where(i.created_at >= start)
    if end is not None:
        query = query.where(i.created_at < end)
    if channel_id is not None:
        query = query.where(i.channel_id == channel_id)
    return query


def _rebuild(
    conn: Connection, start: datetime | None, end: datetime | None, channel_id: str | None = None
) -> None:
    stats_delete = delete(interval_stats)
    if channel_id is not None:
        stats_delete = stats_delete.where(interval_stats.c.channel_id == channel_id)
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
    statement = _aggregate_select(load_policies(conn), start, end, channel_id)
    conn.execute(insert(interval_stats).from_select(columns, statement))


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
    ensure_months_ahead(engine)  # PostgreSQL: new months get their partition before their rows
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


def recount_channel_from(engine: Engine, *, channel_id: str, start: datetime | None) -> int:
    """Recount one channel's intervals from `start` (an SLA policy's active_from) on, after its
    policy changed: earlier arrivals keep the policy that judged them, so their intervals are
    left as they are (None: the channel's whole history). Returns the number of the channel's
    intervals recounted."""
    first = None if start is None else interval_start(start)
    with engine.begin() as conn:
        _rebuild(conn, first, None, channel_id)
        recounted = select(func.count()).where(interval_stats.c.channel_id == channel_id)
        if first is not None:
            recounted = recounted.where(interval_stats.c.interval_start >= first)
        return conn.scalar(recounted) or 0
