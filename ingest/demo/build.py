"""`build_demo`: fill an initialised database with the whole demo centre in one transaction,
then refresh the rollup."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, func, select

from db.rollups import refresh_interval_stats
from db.schema import agent_states, customer_handles, customers, interactions
from db.settings import get_settings
from db.threads import mark_thread_starts
from ingest.bulk import bulk_insert, reset_id_sequence
from ingest.demo.arrivals import incident_window
from ingest.demo.clock import naive_utc, utc_now
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.interactions import DemoInteractions, generate_interactions
from ingest.demo.proactive import generate_centre_started
from ingest.demo.states import generate_agent_states
from ingest.demo.store import (
    active_topic_names,
    delete_demo,
    ensure_demo_agents,
    next_id,
    store_qa_and_replies,
)
from ingest.retag import retag_interactions

CENTRE_STARTED_STREAM = 81  # the random stream of the centre-started conversations


def build_demo(
    engine: Engine,
    *,
    weeks: int = 8,
    seed: int = 7,
    now: datetime | None = None,
    progress: bool = False,
    replace: bool = False,
) -> dict[str, int]:
    """Fill the database with a demo centre covering `weeks` weeks up to `now` (naive UTC).

    Refuses when demo interactions exist unless `replace`, which deletes the demo data first
    (in the same transaction). Returns the number of rows written per table. Login users are
    not created here.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    now = naive_utc(now or utc_now())
    log = _Progress(progress)
    rng = np.random.default_rng(seed)
    tz = ZoneInfo(get_settings().timezone)
    with engine.begin() as conn:
        existing = conn.scalar(
            select(func.count()).select_from(interactions).where(interactions.c.source == SOURCE)
        )
        if existing and not replace:
            raise ValueError(
                f"the database already holds {existing} demo interactions; "
                "pass replace=True to delete them and build again"
            )
        delete_demo(conn)
        ctx = GenerationContext(
            start=now - timedelta(weeks=weeks),
            now=now,
            tz=tz,
            topic_names=active_topic_names(conn),
            agents=tuple(ensure_demo_agents(conn)),
            id_base=next_id(conn, interactions),
            customer_id_base=next_id(conn, customers),
            handle_id_base=next_id(conn, customer_handles),
        )
        data = generate_interactions(rng, ctx)
        log(f"generated {len(data):,} interactions")
        counts = {"agents": len(ctx.agents)}
        # Drawn from a stream of their own, so adding them left the rest of the centre as it was.
        centre_started = generate_centre_started(
            np.random.default_rng([seed, CENTRE_STARTED_STREAM]),
            ctx,
            _customers_by_channel(data),
            incident_window(ctx.start, ctx.now, ctx.tz)[0],
            id_base=ctx.id_base + len(data),
        )
        # The agents' states follow the work they did, so both kinds of rows go in.
        counts["agent_states"] = bulk_insert(
            conn, agent_states, generate_agent_states(rng, ctx, data.columns, centre_started)
        )
        counts["customers"] = bulk_insert(conn, customers, data.customers)
        counts["customer_handles"] = bulk_insert(conn, customer_handles, data.handles)
        counts["interactions"] = bulk_insert(conn, interactions, data.rows())
        counts["interactions"] += bulk_insert(conn, interactions, centre_started)
        for table in (customers, customer_handles, interactions):
            reset_id_sequence(conn, table)
        # The rows carry their thread-start flags already; this confirms them (changing nothing)
        # under the one rule every writer applies.
        mark_thread_starts(conn, source=SOURCE, now=now)
        log(f"stored {counts['interactions']:,} interactions")
        counts.update(store_qa_and_replies(conn, rng, ctx, data))
    retag_interactions(
        engine=engine, since=ctx.start, as_written=True
    )  # contacts tagged by the taxonomy
    refresh_interval_stats(engine, full=True)  # historic rows predate any incremental watermark
    log("refreshed interval_stats")
    return counts


def _customers_by_channel(data: DemoInteractions) -> dict[str, np.ndarray]:
    """The ids of the customers who contacted each channel."""
    channel, customer = data.columns["channel_id"], data.columns["customer_id"]
    return {name: np.unique(customer[channel == name]) for name in np.unique(channel)}


class _Progress:
    """Prints one line per stage with the time since the build started, when enabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"demo: {message} ({time.perf_counter() - self.started:.1f} s)", flush=True)
