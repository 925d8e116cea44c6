"""Customer journey figures: repeat contacts, channel switching and same-agent rate (pure).

Definitions (docs/metrics.md, "Customer journeys"), for each contact C of a customer, with N the
same customer's next contact (any handle, any channel, by arrival):
- C is *repeated* when C was resolved and N arrived after C and no later than C's resolution +
  the window (setting `repeat_window_days`, 7). Repeat-contact rate = repeated ÷ resolved
  contacts of known customers (a contact without a customer cannot be followed).
- *Channel switching* = repeated contacts whose N is on another channel ÷ repeated.
- *Same-agent rate* = among repeated contacts where C and N were both answered by an agent, the
  share where N's agent is C's agent.
Each pair is counted under C: C's week, channel and topic. queries/journey.py computes the same
in SQL for whole periods; this module serves a customer's own journey and pins the rule in tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATE_COLUMNS = [
    "resolved",
    "repeated",
    "switched",
    "answered_pairs",
    "same_agent",
    "repeat_rate",
    "switch_rate",
    "same_agent_rate",
]


def next_contacts(contacts: pd.DataFrame, window_days: float) -> pd.DataFrame:
    """`contacts` (customer_id, id, created_at, resolved_at, channel_id, answered_by: the agent
    who answered or None) with next_id, next_channel, next_answered_by, repeated, switched,
    answered_pair and same_agent columns, by the rules above. Contacts without a customer are
    never repeated."""
    frame = contacts.sort_values(["customer_id", "created_at", "id"]).copy()
    grouped = frame.groupby("customer_id", sort=False, dropna=True)
    frame["next_id"] = grouped["id"].shift(-1)
    frame["next_created_at"] = grouped["created_at"].shift(-1)
    frame["next_channel"] = grouped["channel_id"].shift(-1)
    frame["next_answered_by"] = grouped["answered_by"].shift(-1)
    window = pd.Timedelta(days=window_days)
    resolved = pd.to_datetime(frame["resolved_at"])
    next_at = pd.to_datetime(frame["next_created_at"])
    frame["repeated"] = (
        frame["customer_id"].notna()
        & resolved.notna()
        & next_at.notna()
        & (next_at <= resolved + window)
    )
    frame["switched"] = frame["repeated"] & (frame["next_channel"] != frame["channel_id"])
    frame["answered_pair"] = (
        frame["repeated"] & frame["answered_by"].notna() & frame["next_answered_by"].notna()
    )
    frame["same_agent"] = frame["answered_pair"] & (
        frame["next_answered_by"] == frame["answered_by"]
    )
    return frame.sort_index()


def journey_rates(flags: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Counts and rates (percent, NaN with a zero denominator) of `next_contacts` output,
    overall or per `by` columns: RATE_COLUMNS."""
    counts = flags.assign(resolved=flags["resolved_at"].notna() & flags["customer_id"].notna())
    sums = ["resolved", "repeated", "switched", "answered_pair", "same_agent"]
    table = (
        counts.groupby(by)[sums].sum()
        if by
        else pd.DataFrame([counts[sums].sum()], index=pd.RangeIndex(1))
    )
    table = table.rename(columns={"answered_pair": "answered_pairs"}).astype("int64")
    return with_rates(table.reset_index() if by else table)


def rates_by(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum journey counts (queries.journey.journey_counts) per `by` (week, channel_id or
    topic) and add the rates; an empty frame gives an empty table."""
    sums = ["resolved", "repeated", "switched", "answered_pairs", "same_agent"]
    if counts.empty:
        return with_rates(pd.DataFrame(columns=[by, *sums]).astype({c: "int64" for c in sums}))
    table = counts.groupby(by, sort=True)[sums].sum().reset_index()
    return with_rates(table)


def overall_rates(counts: pd.DataFrame) -> pd.Series:
    """The rates over all of `counts` (one row of RATE_COLUMNS)."""
    sums = ["resolved", "repeated", "switched", "answered_pairs", "same_agent"]
    total = pd.DataFrame([counts[sums].sum() if len(counts) else pd.Series(0, index=sums)])
    return with_rates(total.astype("int64")).iloc[0]


def with_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Add repeat_rate, switch_rate and same_agent_rate (percent) to a table of the counts."""
    table = table.copy()
    table["repeat_rate"] = _percent(table["repeated"], table["resolved"])
    table["switch_rate"] = _percent(table["switched"], table["repeated"])
    table["same_agent_rate"] = _percent(table["same_agent"], table["answered_pairs"])
    return table


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    return 100.0 * part.astype(float) / whole.astype(float).replace(0, np.nan)
