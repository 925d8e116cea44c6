"""Topic trends from daily contact counts: zero-filled daily and ISO-weekly tables with shares and
negative shares, spikes by the one spike rule, and rising / falling topics week over week.

The spike rule is `analytics.spikes.spike_check` — the rule the Floor's live alert uses — with
the same z threshold, minimum count and minimum baseline (SPIKE_MIN_BASELINE); only the periods
differ: here a day against the previous days, or an ISO week against the previous weeks.
Baseline periods that start before the stored history are left out (not read as zero), so the
first periods of the history have too little baseline and are never called spikes.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.floor_alerts import SPIKE_MIN_BASELINE
from analytics.spikes import spike_check

TABLE_COLUMNS = [
    "period",
    "topic",
    "count",
    "negative",
    "scored",
    "share",
    "negative_share",
]


def iso_label(day: date) -> str:
    """ISO week of a date as "2026-W53" (the ISO year, which can differ from the calendar's)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def _finish(grouped: pd.DataFrame, periods: list[date], topics: list[str]) -> pd.DataFrame:
    full = pd.MultiIndex.from_product([periods, topics], names=["period", "topic"])
    table = grouped.reindex(full, fill_value=0).reset_index()
    for column in ("count", "negative", "scored"):
        table[column] = table[column].astype("int64")
    totals = table.groupby("period")["count"].transform("sum")
    table["share"] = 100.0 * table["count"] / totals.replace(0, np.nan)
    table["negative_share"] = 100.0 * table["negative"] / table["scored"].replace(0, np.nan)
    return table[TABLE_COLUMNS]


def _topics(daily: pd.DataFrame, topics: list[str] | None) -> list[str]:
    found = sorted(set(daily["topic"]) - set(topics or ()))
    return [*(topics or ()), *found]


def daily_table(
    daily: pd.DataFrame, first: date, last: date, topics: list[str] | None = None
) -> pd.DataFrame:
    """Every local day first..last × topic: count, negative, scored, share (% of the day's
    contacts; NaN on a day without any) and negative_share (% of scored contacts; NaN when none
    was scored). `daily`: queries.topic_trends.daily_topic_counts."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    grouped = daily.groupby(["day", "topic"])[["count", "negative", "scored"]].sum()
    grouped.index = grouped.index.set_names(["period", "topic"])
    return _finish(grouped, days, _topics(daily, topics))


def weekly_table(
    daily: pd.DataFrame, first: date, last: date, topics: list[str] | None = None
) -> pd.DataFrame:
    """The same per ISO week (Monday to Sunday, local days): period = the week's Monday, from
    the week of `first` to the week of `last`, plus iso_week ("2027-W01")."""
    weeks = [
        monday(first) + timedelta(weeks=n)
        for n in range((monday(last) - monday(first)).days // 7 + 1)
    ]
    frame = daily.assign(period=[monday(d) for d in daily["day"]])
    grouped = frame.groupby(["period", "topic"])[["count", "negative", "scored"]].sum()
    table = _finish(grouped, weeks, _topics(daily, topics))
    table["iso_week"] = [iso_label(d) for d in table["period"]]
    return table


def mark_spikes(
    table: pd.DataFrame,
    *,
    baseline_periods: int,
    z_threshold: float,
    min_count: int,
    history_start: date | None,
) -> pd.DataFrame:
    """`table` (daily_table / weekly_table, periods evenly spaced) with baseline_n,
    baseline_mean, z and is_spike per row, by the spike rule over the `baseline_periods`
    periods before each one. Periods before `history_start` are not baseline (days: the first
    stored contact's local day; weeks: `first_full_week` of it); None = no history (no spikes)."""
    result = table.copy()
    result["baseline_n"] = 0
    result["baseline_mean"] = np.nan
    result["z"] = np.nan
    result["is_spike"] = False
    if result.empty:
        return result
    for _topic, rows in result.groupby("topic", sort=False):
        rows = rows.sort_values("period")
        periods = list(rows["period"])
        counts = rows["count"].to_numpy(dtype=float)
        for n, index in enumerate(rows.index):
            baseline = [
                counts[k]
                for k in range(max(0, n - baseline_periods), n)
                if history_start is not None and periods[k] >= history_start
            ]
            check = spike_check(
                counts[n],
                baseline,
                z_threshold=z_threshold,
                min_count=min_count,
                min_baseline=SPIKE_MIN_BASELINE,
            )
            result.at[index, "baseline_n"] = check.baseline_n
            result.at[index, "baseline_mean"] = (
                np.nan if check.baseline_mean is None else check.baseline_mean
            )
            result.at[index, "z"] = np.nan if check.z is None else check.z
            result.at[index, "is_spike"] = check.is_spike
    return result


def first_full_week(history_start: date | None) -> date | None:
    """The Monday of the first ISO week wholly inside the history (a history that starts on a
    Wednesday has a partial first week, which would understate a baseline)."""
    if history_start is None:
        return None
    if history_start.weekday() == 0:
        return history_start
    return monday(history_start) + timedelta(weeks=1)


def week_over_week(weekly: pd.DataFrame, week: date) -> pd.DataFrame:
    """Each topic's contacts in the ISO week starting `week` against the week before: topic,
    count, previous, change (count − previous) and change_percent (NaN when previous is 0),
    rising first (largest change), falling last."""
    this = weekly[weekly["period"] == week].set_index("topic")["count"]
    before = weekly[weekly["period"] == week - timedelta(weeks=1)].set_index("topic")["count"]
    frame = pd.DataFrame({"count": this, "previous": before.reindex(this.index, fill_value=0)})
    frame["change"] = frame["count"] - frame["previous"]
    frame["change_percent"] = 100.0 * frame["change"] / frame["previous"].replace(0, np.nan)
    frame = frame[(frame["count"] > 0) | (frame["previous"] > 0)]
    frame = frame.reset_index().rename(columns={"index": "topic"})
    return frame.sort_values(["change", "topic"], ascending=[False, True], ignore_index=True)


def spiking_topics(marked: pd.DataFrame, periods: list[date]) -> list[str]:
    """Topics with a spike in any of `periods`, biggest z first."""
    rows = marked[marked["period"].isin(periods) & marked["is_spike"].astype(bool)]
    return list(dict.fromkeys(rows.sort_values("z", ascending=False)["topic"]))


def focus_period(marked: pd.DataFrame, topic: str, periods: list[date]) -> date:
    """The first of `periods` (newest first) in which `topic` spiked, else the newest."""
    spiked = marked[(marked["topic"] == topic) & marked["is_spike"].astype(bool)]
    return next((p for p in periods if p in set(spiked["period"])), periods[0])
