"""The rollup refresher: keeps `interval_stats` caught up with whatever writes interactions.

Run as its own process (`cli.py refresh-rollups --follow`, started by `make run`; in production
one per database, under a process supervisor). The pages never wait for it: intervals it has not
caught up with yet are counted from raw rows. It keeps that raw work small, and refreshes safely
next to any other refresh (db/rollups.py takes a lock). A refresh it cannot run (the database is
restarting) is reported and retried on the next round; Ctrl-C or SIGTERM lets the refresh in
hand commit, then returns.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from db.rollups import refresh_interval_stats
from ingest.signals import stop_on_signals


def follow_rollups(
    engine: Engine,
    *,
    every_seconds: float,
    stop: threading.Event | None = None,
    report: Callable[[str], None] = print,
    max_rounds: int | None = None,
) -> int:
    """Refresh every `every_seconds` (from the start of one round to the next) until `stop`,
    Ctrl-C / SIGTERM, or `max_rounds`. Returns the number of rounds that failed."""
    stop = stop or threading.Event()
    restore_signals = stop_on_signals(stop)
    rounds = failures = 0
    try:
        while not stop.is_set() and (max_rounds is None or rounds < max_rounds):
            started = time.monotonic()
            try:
                intervals = refresh_interval_stats(engine)
            except (OperationalError, InterfaceError) as exc:  # unreachable, restarting, busy
                failures += 1
                engine.dispose()  # a restarted server gets fresh connections next round
                report(f"{_stamp()} refresh failed ({type(exc.orig or exc).__name__}); retrying")
            else:
                if intervals:
                    report(f"{_stamp()} recomputed {intervals:,} 15-minute intervals")
            rounds += 1
            if max_rounds is None or rounds < max_rounds:
                stop.wait(max(0.0, every_seconds - (time.monotonic() - started)))
    finally:
        restore_signals()
    return failures


def _stamp() -> str:
    return f"{datetime.now(UTC):%H:%M:%S}"
