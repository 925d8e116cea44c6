"""Service-level frames: from per-kind contact counts or classified rows to the outcome counts
and rates a report shows. Pure pandas on top of `analytics.service_level` (the one rule table):
nothing here decides an outcome on its own.

- `outcomes_from_kinds`: counts of each contact kind (answered in time, answered late, abandoned,
  abandoned short, unanswered past target, open within target, closed within target) per row,
  each with the abandon rule that applies to it, → met / missed / pending / excluded.
- `classify_rows`: one outcome per interaction row, each row with its own target, short-abandon
  threshold, abandon rule and (optionally) business-hours calendar.
- `add_rates`: service level %, answer and abandonment rates, ASA and AHT from counts; NaN where
  the denominator is 0 ("no data", never 0 %).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from analytics.business_hours import business_seconds_series
from analytics.service_level import ABANDON_RULES, KINDS, Policy, classify_contacts, outcome_of

# Per (period, group, channel, rule): the facts behind the rates, and one count per contact
# kind (analytics.service_level.KINDS), named kind_column(kind).
FACT_COLUMNS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "sum_frt_seconds",
    "sum_handle_seconds",
    "handled",
)


def kind_column(kind: str) -> str:
    """The column counting contacts of `kind` in a kind-count frame."""
    return f"n_{kind}"


KIND_COLUMNS: tuple[str, ...] = (*FACT_COLUMNS, *(kind_column(k) for k in KINDS))
# Per (period, group) once the abandon rule is applied.
COUNT_COLUMNS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "met",
    "missed",
    "pending",
    "excluded",
    "sum_frt_seconds",
    "sum_handle_seconds",
    "handled",
)
RATE_COLUMNS: tuple[str, ...] = (
    "service_level_percent",
    "answer_rate",
    "abandonment_rate",
    "asa_seconds",
    "aht_seconds",
)
TIMESTAMP_COLUMNS: tuple[str, ...] = (
    "created_at",
    "first_response_at",
    "abandoned_at",
    "resolved_at",
)


def outcomes_from_kinds(kinds: pd.DataFrame) -> pd.DataFrame:
    """met / missed / pending / excluded per row, each kind sent where `outcome_of` says.

    kinds: KIND_COLUMNS plus period_key, group_key and abandon_rule (the rule for that row).
    Returns period_key, group_key and COUNT_COLUMNS (not yet summed over rows).
    """
    frame = kinds.copy()
    for name in KIND_COLUMNS:
        frame[name] = pd.to_numeric(frame[name]).fillna(0)
    # Rows no policy covers carry a NULL rule but only no_policy counts, whose outcome does not
    # depend on the rule.
    rule = pd.Categorical(frame["abandon_rule"].fillna(ABANDON_RULES[0]), ABANDON_RULES).codes
    counts = frame[[kind_column(kind) for kind in KINDS]].to_numpy(dtype=float)
    out = frame[["period_key", "group_key", *FACT_COLUMNS]].copy()
    for name in ("met", "missed", "pending", "excluded"):
        # goes[r, k]: whether a contact of kind k counts as `name` under rule r.
        goes = np.array([[outcome_of(k, r) == name for k in KINDS] for r in ABANDON_RULES])
        out[name] = (counts * goes[rule]).sum(axis=1)
    return out[["period_key", "group_key", *COUNT_COLUMNS]]


def add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add service level %, answer and abandonment rates, ASA and AHT (NaN = no data, never 0)."""
    out = frame.copy()

    def ratio(part: pd.Series, whole: pd.Series, scale: float = 1.0) -> pd.Series:
        whole = whole.astype(float)
        return (scale * part.astype(float) / whole.where(whole > 0)).astype(float)

    out["service_level_percent"] = ratio(out["met"], out["met"] + out["missed"], 100.0)
    out["answer_rate"] = ratio(out["answered"], out["offered"], 100.0)
    out["abandonment_rate"] = ratio(out["abandoned"], out["answered"] + out["abandoned"], 100.0)
    out["asa_seconds"] = ratio(out["sum_frt_seconds"], out["answered"])
    out["aht_seconds"] = ratio(out["sum_handle_seconds"], out["handled"])
    return out


def _as_datetime64(values: pd.Series) -> pd.Series:
    """datetime64[ns] values; pd.to_datetime only when needed (on a column that already is
    datetime64 it still walks every value to decide on caching)."""
    if not pd.api.types.is_datetime64_dtype(values):
        values = pd.to_datetime(values)
    return values.astype("datetime64[ns]")


def _business_clock(
    frame: pd.DataFrame, now: datetime, calendar: dict[str, Any]
) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Timestamps moved onto a clock that only runs during the calendar's open hours.

    Each instant t becomes origin + (business seconds from origin to t), so any difference of
    two moved instants is the business seconds between the originals; classify() then applies
    the usual rules to business-hours FRT and ages. Rounded to microseconds, the stored
    precision, so float error can never tip a contact exactly at target over it.
    """
    origin = frame["created_at"].min()
    moved = frame.copy()

    def move(values: pd.Series) -> pd.Series:
        seconds = business_seconds_series(
            pd.Series(origin, index=values.index),
            values,
            calendar["weekly_hours"],
            calendar["timezone"],
        )
        micros = np.round(seconds.to_numpy() * 1e6)
        return origin + pd.to_timedelta(pd.Series(micros, index=values.index), unit="us")

    for name in TIMESTAMP_COLUMNS:
        moved[name] = move(frame[name]).astype("datetime64[ns]")
    now_moved = move(pd.Series([pd.Timestamp(now)])).iloc[0]
    return moved, now_moved


def classify_rows(
    rows: pd.DataFrame, *, now: datetime, calendars: dict[str, dict[str, Any]] | None = None
) -> pd.DataFrame:
    """Per row: outcome (met / missed / pending / excluded), state, value_seconds, frt_seconds.

    rows: created_at, first_response_at, abandoned_at, resolved_at (naive UTC), target_seconds,
    short_abandon_seconds, abandon_rule and calendar_id (None = 24/7) per row. With a calendar,
    every duration is counted in that calendar's business hours. state is answered / abandoned /
    closed (no reply) / open; value_seconds is the FRT (answered), the wait before abandoning,
    the age at closure, or the age now (open).
    """
    calendars = calendars or {}
    columns = ["outcome", "state", "value_seconds", "frt_seconds"]
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}, index=rows.index)
    rows = rows.copy()
    for name in TIMESTAMP_COLUMNS:
        # One resolution for every column, so no comparison or choice below falls back to
        # object arrays (slow, and pandas then parses every value again).
        rows[name] = _as_datetime64(rows[name])
    rows["calendar_id"] = rows["calendar_id"].where(rows["calendar_id"].isin(list(calendars)))
    # Rows no policy covers have no rule or threshold; classify gives them no verdict (their
    # target is blank), so any rule groups them.
    rows["abandon_rule"] = rows["abandon_rule"].fillna(ABANDON_RULES[0])
    rows["short_abandon_seconds"] = pd.to_numeric(rows["short_abandon_seconds"]).fillna(0)
    parts = []
    group_keys = ["calendar_id", "abandon_rule", "short_abandon_seconds"]
    for (calendar_id, rule, short), group in rows.groupby(group_keys, dropna=False, sort=False):
        clock_now = pd.Timestamp(now)
        if isinstance(calendar_id, str):
            group, clock_now = _business_clock(group, now, calendars[calendar_id])
        policy = Policy(
            target_seconds=1,  # every row carries its own target_seconds
            goal_percent=100.0,
            abandon_rule=str(rule),
            short_abandon_seconds=int(short),
        )
        facts = classify_contacts(group, policy, clock_now)
        parts.append(
            pd.DataFrame(
                {
                    "outcome": facts["outcome"],
                    "state": facts["state"],
                    "value_seconds": facts["waited_seconds"],
                    "frt_seconds": facts["waited_seconds"].where(facts["state"] == "answered"),
                },
                index=group.index,
            )
        )
    return pd.concat(parts).reindex(rows.index)
