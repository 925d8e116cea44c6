"""Reading service level figures for one filter set: which route counts (rollup, raw SQL or
rows classified in pandas), the per (period, group) counts and FRT values it gives, and the
zero-filled period × group grid (every group, with no traffic too). See `queries.service_level`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, distinct, func, or_, select

from analytics.periods import on_interval_grid
from analytics.sl_frames import COUNT_COLUMNS, add_rates, classify_rows, outcomes_from_kinds
from db.policies import channels_fully_covered, load_policies
from db.schema import agent_skills, agents, interactions, interval_stats
from db.schema import channels as channel_table
from queries.frames import concat_parts
from queries.local_buckets import check_granularity, period_keys, period_table
from queries.rollup_split import RollupSplit, split_period
from queries.sl_base import (
    NO_AGENT_KEY,
    channel_ids_for,
    check_abandon_rule,
    check_group_by,
    load_calendars,
    normalise_group_keys,
    read_rows,
    rules_by_channel,
    unindexed,
)
from queries.sl_frt import Periods, exact_frame, read_frt
from queries.sl_kinds import raw_kind_counts, rollup_kind_counts, stale_intervals

SOURCES: tuple[str, ...] = ("auto", "rollup", "raw", "rows")
# Contacts with no agent recorded: unanswered ones, and abandons an imported log names no agent
# for (an abandon that names one is grouped under that agent, as docs/metrics.md says).
NO_AGENT_LABEL = "No agent recorded"
# Beyond this many recently changed intervals, counting the whole range raw is simpler and as fast.
MAX_STALE_INTERVALS = 400


def _rows_counts(
    rows: pd.DataFrame,
    classified: pd.DataFrame,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    granularity: str,
) -> pd.DataFrame:
    """Per (period, group) counts from classified rows (same columns as `outcomes_from_kinds`)."""
    if rows.empty:
        return pd.DataFrame(columns=["period_key", "group_key", *COUNT_COLUMNS])
    frame = pd.DataFrame(
        {
            "period_key": period_keys(
                rows["created_at"], start=start, end=end, tz=tz, granularity=granularity
            ),
            "group_key": rows["group_key"],
            "offered": 1,
            "answered": (classified["state"] == "answered").astype(int),
            "abandoned": (classified["state"] == "abandoned").astype(int),
            "sum_frt_seconds": classified["frt_seconds"].fillna(0.0),
            "sum_handle_seconds": pd.to_numeric(rows["handle_seconds"]).fillna(0),
            "handled": rows["handle_seconds"].notna().astype(int),
        }
    )
    for outcome in ("met", "missed", "pending", "excluded"):
        frame[outcome] = (classified["outcome"] == outcome).astype(int)
    return (
        frame.groupby(["period_key", "group_key"], dropna=False, sort=False)[list(COUNT_COLUMNS)]
        .sum()
        .reset_index()
    )


def _known_queues(channel_ids: Sequence[str]):
    """SELECT of every queue the rollup has seen on `channel_ids`, as a loose index scan: one
    probe of ix_interval_stats_queue_channel per distinct queue (a recursive CTE stepping to
    the next larger queue), where SELECT DISTINCT read the whole rollup (0.8 s cold at 10M
    contacts) for a handful of names."""
    s = interval_stats.c
    # Unindexed, or SQLite probes ix_interval_stats_channel_interval and reads every row of
    # each channel per step (372 ms at 1M contacts against a few ms).
    on_channels = unindexed(s.channel_id).in_(list(channel_ids))
    first = select(func.min(s.queue).label("queue")).where(on_channels)
    found = first.cte("known_queues", recursive=True)
    following = (
        select(func.min(s.queue)).where(on_channels, s.queue > found.c.queue).scalar_subquery()
    )
    found = found.union_all(select(following).where(found.c.queue.is_not(None)))
    return select(found.c.queue).where(found.c.queue.is_not(None))


def _group_universe(
    conn: Connection, group_by: str, channel_ids: Sequence[str], found: Sequence[str]
) -> pd.DataFrame:
    """Every group to list (with no traffic too): group_key, group_label, in display order."""
    if group_by == "channel":
        rows = conn.execute(
            select(channel_table.c.id, channel_table.c.name)
            .where(channel_table.c.id.in_(list(channel_ids)))
            .order_by(channel_table.c.sort_order, channel_table.c.id)
        ).all()
        return pd.DataFrame(rows, columns=["group_key", "group_label"])
    if group_by == "queue":
        known = set(conn.scalars(_known_queues(channel_ids)))
        keys = sorted(known | set(found))
        return pd.DataFrame({"group_key": keys, "group_label": keys})
    if group_by == "team":
        teams = set(conn.scalars(select(distinct(agents.c.team)).where(agents.c.active)))
        keys = sorted((teams | set(found)) - {NO_AGENT_KEY})
        labels = list(keys)
    else:
        skilled = select(agent_skills.c.agent_id).where(
            agent_skills.c.channel_id.in_(list(channel_ids))
        )
        found_ids = [int(k) for k in found if k != NO_AGENT_KEY]
        roster = conn.execute(
            select(agents.c.id, agents.c.name, agents.c.team)
            .where(or_(and_(agents.c.active, agents.c.id.in_(skilled)), agents.c.id.in_(found_ids)))
            .order_by(agents.c.team, agents.c.name)
        ).all()
        keys = [str(r.id) for r in roster]
        labels = [f"{r.name} ({r.team})" for r in roster]
    if NO_AGENT_KEY in found:
        keys.append(NO_AGENT_KEY)
        labels.append(NO_AGENT_LABEL)
    return pd.DataFrame({"group_key": keys, "group_label": labels})


def _zero_filled(counts: pd.DataFrame, periods: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    grid = periods.merge(groups, how="cross")
    summed = (
        counts.groupby(["period_key", "group_key"], sort=False)[list(COUNT_COLUMNS)]
        .sum()
        .reset_index()
        if not counts.empty
        else pd.DataFrame(columns=["period_key", "group_key", *COUNT_COLUMNS])
    )
    summed["period_key"] = summed["period_key"].astype("int64")
    out = grid.merge(summed, on=["period_key", "group_key"], how="left")
    for name in COUNT_COLUMNS:
        kind = float if name.startswith("sum_") else "int64"
        out[name] = pd.to_numeric(out[name]).fillna(0).astype(kind)
    return add_rates(out)


@dataclass(frozen=True)
class Scope:
    """Validated filters and what the database said about them."""

    channel_ids: list[str]
    policies: list[dict[str, Any]]
    calendars: dict[str, dict[str, Any]]
    source: str


def _choose_source(
    policies,
    channel_ids,
    *,
    group_by: str,
    abandon_rule,
    business_hours: bool,
    source: str,
    aligned: bool = True,
) -> str:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}; got {source!r}")
    rules = rules_by_channel(policies)
    uniform = abandon_rule is not None or all(len(rules.get(c, {"fail"})) == 1 for c in channel_ids)
    # The rollup has no "no policy" column: a channel some contacts of which no policy covers
    # is counted raw, where those contacts get no verdict.
    covered = channels_fully_covered(policies, channel_ids)
    # A period that starts or ends inside a 15-minute interval (the Floor's last 30 minutes)
    # would count whole intervals the rollup cannot split: such periods are counted raw.
    rollup_ok = (
        group_by in ("channel", "queue") and not business_hours and uniform and covered and aligned
    )
    if source == "rollup" and not rollup_ok:
        raise ValueError(
            "the rollup counts channel/queue on the wall clock with one abandon rule per channel, "
            "over periods made of whole 15-minute intervals"
        )
    if source == "raw" and business_hours:
        raise ValueError("business-hours FRT is counted from rows (source 'rows' or 'auto')")
    if source != "auto":
        return source
    if business_hours:
        return "rows"
    return "rollup" if rollup_ok else "raw"


def make_scope(
    conn: Connection, req: Request, *, channels_selected: Sequence[str] | None, source: str
) -> Scope:
    check_group_by(req.group_by)
    check_granularity(req.granularity)
    check_abandon_rule(req.abandon_rule)
    channel_ids = channel_ids_for(conn, channels_selected)
    policies = load_policies(conn)
    chosen = _choose_source(
        policies,
        channel_ids,
        group_by=req.group_by,
        abandon_rule=req.abandon_rule,
        business_hours=req.business_hours,
        source=source,
        aligned=on_interval_grid(req.start) and on_interval_grid(req.end),
    )
    calendars = load_calendars(conn) if req.business_hours else {}
    return Scope(channel_ids, policies, calendars, chosen)


@dataclass(frozen=True)
class Request:
    """The filters of one read (validated by `make_scope`)."""

    start: datetime
    end: datetime
    tz: str
    granularity: str
    group_by: str
    now: datetime
    abandon_rule: str | None
    business_hours: bool
    # Key the FRT frame by period too (one read for every week of a report).
    frt_per_period: bool = False

    def periods(self) -> Periods | None:
        """The FRT frame's period keying, if asked for."""
        if not self.frt_per_period:
            return None
        return Periods(self.start, self.end, self.tz, self.granularity)

    def common(self, scope: Scope) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "tz": self.tz,
            "granularity": self.granularity,
            "group_by": self.group_by,
            "channel_ids": scope.channel_ids,
        }


def _stale(conn: Connection, scope: Scope, req: Request) -> list[datetime] | None:
    """Intervals the rollup may be behind on (count them raw); None: do not use the rollup."""
    if req.group_by not in ("channel", "queue") or scope.source == "rows":
        return None
    stale = stale_intervals(conn, start=req.start, end=req.end, channel_ids=scope.channel_ids)
    return None if stale is None or len(stale) > MAX_STALE_INTERVALS else stale


def _split(conn: Connection, req: Request, stale: list[datetime], *, keyed: bool) -> RollupSplit:
    """Which days of the request the day rollup answers; keyed: figures per period (then
    only days and weeks of the zone the day rollup was counted in can use it)."""
    if keyed and req.granularity not in ("day", "week"):
        return RollupSplit((), ((req.start, req.end),))
    keyed_in = req.tz if keyed else None
    return split_period(conn, start=req.start, end=req.end, stale=stale, keyed_in=keyed_in)


def _sql_counts(
    conn: Connection, scope: Scope, req: Request, stale: list[datetime] | None
) -> pd.DataFrame:
    """Per (period, group) counts from the rollup (plus raw rows where it cannot know) or raw
    SQL, the abandon rule applied; not zero-filled."""
    common = req.common(scope)
    rule = req.abandon_rule
    if scope.source == "raw" or stale is None:
        kinds = raw_kind_counts(conn, scope.policies, **common, now=req.now, abandon_rule=rule)
    else:
        rule_of = rules_by_channel(scope.policies)
        parts = [
            rollup_kind_counts(
                conn, **common, exclude=stale, split=_split(conn, req, stale, keyed=True)
            ),
            raw_kind_counts(
                conn,
                scope.policies,
                **common,
                now=req.now,
                abandon_rule=rule,
                only_unanswered=True,
                intervals_not_in=stale,
            ),
        ]
        if stale:
            parts.append(
                raw_kind_counts(
                    conn,
                    scope.policies,
                    **common,
                    now=req.now,
                    abandon_rule=rule,
                    intervals_in=stale,
                )
            )
        kinds = concat_parts(parts)
        # One rule per channel here (checked when the source was chosen).
        kinds["abandon_rule"] = rule or kinds["channel_id"].map(
            lambda c: next(iter(rule_of.get(c, {"fail"})))
        )
    if kinds.empty:
        return pd.DataFrame(columns=["period_key", "group_key", *COUNT_COLUMNS])
    return normalise_group_keys(outcomes_from_kinds(kinds))


def read(
    conn: Connection, scope: Scope, req: Request, *, counts: bool = True, frt: bool = True
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(counts per period and group, FRT frame of `queries.sl_frt`) as asked; the rows path
    reads rows once."""
    if scope.source != "rows":
        stale = _stale(conn, scope, req)
        frt_frame = None
        if frt:
            frt_frame = read_frt(
                conn,
                scope.policies,
                start=req.start,
                end=req.end,
                group_by=req.group_by,
                channel_ids=scope.channel_ids,
                stale=stale,
                split=None if stale is None else _split(conn, req, stale, keyed=req.frt_per_period),
                periods=req.periods(),
            )
        return (_sql_counts(conn, scope, req, stale) if counts else None), frt_frame
    rows = read_rows(
        conn,
        scope.policies,
        start=req.start,
        end=req.end,
        group_by=req.group_by,
        channel_ids=scope.channel_ids,
        abandon_rule=req.abandon_rule,
        business_hours=req.business_hours,
        extra=None if counts else interactions.c.first_response_at.is_not(None),
    )
    classified = classify_rows(rows, now=req.now, calendars=scope.calendars)
    rows = normalise_group_keys(rows)
    answered = classified["state"] == "answered"
    values = rows.loc[answered, ["group_key", "channel_id"]].assign(
        frt_seconds=classified.loc[answered, "frt_seconds"].astype(float)
    )
    periods = req.periods()
    if periods is not None:
        values.insert(0, "period_key", periods.keys(rows.loc[answered, "created_at"]))
    frt_frame = exact_frame(values)
    count_frame = _rows_counts(
        rows, classified, start=req.start, end=req.end, tz=req.tz, granularity=req.granularity
    )
    return (count_frame if counts else None), (frt_frame if frt else None)


def zero_filled_counts(
    conn: Connection, scope: Scope, req: Request, counts: pd.DataFrame
) -> pd.DataFrame:
    found = counts["group_key"].unique().tolist() if not counts.empty else []
    groups = _group_universe(conn, req.group_by, scope.channel_ids, found)
    periods = period_table(start=req.start, end=req.end, tz=req.tz, granularity=req.granularity)
    return _zero_filled(counts, periods, groups)
