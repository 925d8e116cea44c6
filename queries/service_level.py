"""Service level reports: counts per local period × group, the per-group table and the FRT
figures, under the abandon rule and the clock (24/7 or business hours) chosen. (The breaches
list and the drill-down are in `queries.breaches`.)

Definitions are those of docs/metrics.md and `analytics.service_level` (the one rule table). A
contact is a conversation: only inbound thread starts count (`sl_base.range_filter`; the rollup
counts the same rows), so FRT runs from the customer's first message and a follow-up message
is neither offered again nor another FRT sample.
met = answered with FRT ≤ target of the policy in force at arrival; missed = answered late,
unanswered and past target (open: counted now; closed without a reply: at closure), and abandons
under the rule (fail: all; exclude: none; exclude_short: those that waited at least the policy's
short-abandon threshold); still open within target is pending and outside the denominator.

Three ways to count, which give the same numbers (tests hold them to it):
- "rollup": the 15-minute `interval_stats` for offered / answered / met / abandons / sums, plus
  one small aggregate of the unanswered-and-not-abandoned rows (pending vs breached depends on
  `now`, which no rollup can know). Intervals with rows changed since the rollup's watermark are
  counted from raw rows instead, so a rollup a few seconds behind never shows stale figures.
  Used for channel/queue grouping on the wall clock when each selected channel's policies share
  one abandon rule (or the user picked a rule).
- "raw": the same conditional aggregate over raw rows in SQL (team/agent grouping; channels whose
  policies mix abandon rules).
- "rows": rows read into pandas and classified by `analytics.sl_frames.classify_rows` (on top
  of `analytics.service_level.classify`): business-hours FRT, where seconds outside the
  policy's calendar do not count.
Percentiles come from the FRT values of the selected slice when it is small, else from the
FRT histogram kept with the rollup (`queries.sl_frt`, within the bound of `analytics.percentiles`).

The modules, one job each: `queries.sl_kinds` (the rollup and raw SQL kind counts),
`queries.sl_read` (choosing the route, counts and FRT values, the zero-filled grid),
`queries.sl_tables` (per-group table, overall KPIs, FRT buckets); this one puts them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

import pandas as pd
from sqlalchemy import Connection, Engine

from analytics.clock_kpis import frt_by_clock
from analytics.distributions import FrtSummary
from queries.csat import add_csat, csat_counts, csat_overall
from queries.local_buckets import check_granularity
from queries.sl_base import GROUP_BY_LABELS, GROUP_BY_OPTIONS, NO_AGENT_KEY, channel_policies
from queries.sl_kinds import stale_intervals
from queries.sl_read import (
    MAX_STALE_INTERVALS,
    SOURCES,
    Request,
    Scope,
    make_scope,
    read,
    zero_filled_counts,
)
from queries.sl_tables import frt_bucket_table, overall_totals, totals_by_group

# Re-exported so pages and tests import the filter vocabulary from the module they query.
__all__ = [
    "GROUP_BY_LABELS",
    "GROUP_BY_OPTIONS",
    "MAX_STALE_INTERVALS",
    "NO_AGENT_KEY",
    "SOURCES",
    "Filters",
    "ServiceLevelReport",
    "channel_policies",
    "frt_bucket_table",
    "frt_values",
    "overall_totals",
    "service_level_counts",
    "service_level_report",
    "stale_intervals",
    "totals_by_group",
]


class _RequiredFilters(TypedDict):
    start: datetime
    end: datetime
    tz: str
    granularity: str
    group_by: str
    now: datetime


class Filters(_RequiredFilters, total=False):
    """The keyword filters of `service_level_counts` and `service_level_report` (see the former
    for their meaning); the optional ones default to None, None, False and "auto"."""

    channels: Sequence[str] | None
    abandon_rule: str | None
    business_hours: bool
    source: str


def _request(filters: Filters) -> Request:
    """The request of `filters`; TypeError for a missing or unknown filter, as a plain keyword
    signature would raise (before any connection is opened)."""
    missing = _RequiredFilters.__required_keys__ - filters.keys()
    unknown = filters.keys() - Filters.__annotations__.keys()
    if missing or unknown:
        names = ", ".join(sorted(missing | unknown))
        problem = "missing" if missing else "unexpected"
        raise TypeError(f"{problem} keyword argument(s): {names}")
    return Request(
        filters["start"],
        filters["end"],
        filters["tz"],
        filters["granularity"],
        filters["group_by"],
        filters["now"],
        filters.get("abandon_rule"),
        filters.get("business_hours", False),
    )


def _scope(conn: Connection, req: Request, filters: Filters) -> Scope:
    channels, source = filters.get("channels"), filters.get("source", "auto")
    return make_scope(conn, req, channels_selected=channels, source=source)


def service_level_counts(*, engine: Engine, **filters: Unpack[Filters]) -> pd.DataFrame:
    """Service level per local period × group over arrivals in [start, end) (naive UTC).

    Args:
        start, end: the period, naive UTC (e.g. local day bounds from analytics.periods).
        tz: the centre's time zone; periods are local (a DST day is 23 or 25 hours).
        granularity: "interval" (15 min), "hour", "day" or "week" (ISO, Monday first).
        group_by: "channel", "queue", "team" or "agent" (anything else: ValueError).
        now: naive UTC instant at which open contacts are judged (past target = missed now).
        channels: channel ids to include (None = all).
        abandon_rule: None = each contact's policy rule; "fail" / "exclude" / "exclude_short"
            overrides it for every channel.
        business_hours: count FRT and ages only inside the policy's calendar (channels whose
            policy has no calendar stay 24/7).
        source: "auto" (rollup where it can, else raw), or force "rollup" / "raw" / "rows".

    Returns one row per period and group — every period, every group, zero-filled — with
    period_key, period_start, period_end (local, tz-aware), group_key, group_label,
    offered, answered, abandoned, met, missed, pending, excluded, sum_frt_seconds,
    sum_handle_seconds, handled and the rates of `add_rates` (NaN where there is no data).
    """
    req = _request(filters)
    with engine.connect() as conn:
        scope = _scope(conn, req, filters)
        counts, _ = read(conn, scope, req, frt=False)
        return zero_filled_counts(conn, scope, req, counts)


def frt_values(
    *,
    engine: Engine,
    start: datetime,
    end: datetime,
    group_by: str,
    now: datetime,
    channels: Sequence[str] | None = None,
    business_hours: bool = False,
    per: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """FRT of the answered contacts that arrived in [start, end), as an FRT frame
    (`queries.sl_frt`): group_key, channel_id, frt_seconds, n (contacts at that value) and
    sum_seconds (their exact summed FRT) — one row per contact (n = 1) when the selection has
    at most `analytics.percentiles.EXACT_MAX_CONTACTS` answered, else one per histogram bucket.
    With business_hours, seconds outside the policy's calendar do not count (channels without
    a calendar: 24/7; always exact).
    per: (time zone, granularity) to key the frame by local period as well (a period_key
    column of `queries.local_buckets`), exact or histogram chosen period by period.
    """
    tz, granularity = per or ("UTC", "day")
    if per is not None:
        check_granularity(granularity)
    req = Request(start, end, tz, granularity, group_by, now, None, business_hours, per is not None)
    with engine.connect() as conn:
        scope = make_scope(conn, req, channels_selected=channels, source="auto")
        _, frt = read(conn, scope, req, counts=False)
    return frt.reset_index(drop=True)


@dataclass(frozen=True)
class ServiceLevelReport:
    """Everything the Service level page draws for one filter set.

    series: per period × group (see `service_level_counts`); by_group: `totals_by_group` with
    the CSAT columns of `queries.csat.add_csat`; overall: `overall_totals` with csat_rated,
    csat_satisfied, csat_sum, csat_percent, csat_mean (None when nothing was rated);
    frt_buckets: `frt_bucket_table` of the selected channels; policies: `channel_policies` of
    the selected channels; source: how counts were made; by_clock: FRT median / p90 / mean
    (ASA) / n per clock ('live' = phone and chat, 'async' = email and social) of the selected
    channels (`analytics.clock_kpis.frt_by_clock`).
    """

    series: pd.DataFrame
    by_group: pd.DataFrame
    overall: dict[str, Any]
    frt_buckets: pd.DataFrame
    policies: pd.DataFrame
    source: str
    by_clock: dict[str, FrtSummary]


def service_level_report(*, engine: Engine, **filters: Unpack[Filters]) -> ServiceLevelReport:
    """The Service level page's figures for one filter set (arguments as `service_level_counts`)."""
    req = _request(filters)
    with engine.connect() as conn:
        scope = _scope(conn, req, filters)
        policies = channel_policies(engine=conn, at=min(req.now, req.end))
        counts, frt = read(conn, scope, req)
        series = zero_filled_counts(conn, scope, req, counts)
        csat = csat_counts(
            conn=conn,
            start=req.start,
            end=req.end,
            channel_ids=scope.channel_ids,
            group_by=req.group_by,
        )
    selected = policies[policies["channel_id"].isin(scope.channel_ids)].reset_index(drop=True)
    kinds = dict(zip(selected["channel_id"], selected["kind"], strict=True))
    return ServiceLevelReport(
        series=series,
        by_group=add_csat(totals_by_group(series, frt), csat),
        overall=overall_totals(series, frt) | csat_overall(csat),
        frt_buckets=frt_bucket_table(frt, selected),
        policies=selected,
        source=scope.source,
        by_clock=frt_by_clock(frt, kinds),
    )
