"""Rollup maintenance the app triggers after a write that changes how rows are counted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from db.rollups import recount_channel_from


def recount_after_policy_change(*, engine: Engine, channel_id: str, start: datetime | None) -> int:
    """Recount one channel's 15-minute intervals from `start` (the first arrival a policy change
    re-judges, from queries.sla_policies.save_policy_version) on: `met` depends on the policy in
    force at each arrival, and nothing before `start` changed. None: nothing to recount."""
    if start is None:
        return 0
    return recount_channel_from(engine, channel_id=channel_id, start=start)
