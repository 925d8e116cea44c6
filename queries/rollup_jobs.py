"""Rollup maintenance the app triggers after a write that changes how rows are counted."""

from __future__ import annotations

from sqlalchemy import Engine

from db.rollups import refresh_interval_stats


def rebuild_after_policy_change(*, engine: Engine) -> int:
    """Recount every interval: `met` depends on the SLA policy in force at each arrival."""
    return refresh_interval_stats(engine, full=True)
