"""Topic trends by ISO week and the spike rule.

Spike rule (one implementation, `spike_check`, used for both the weekly trend and the live
"topic spiking in the last hour" alert): a count is a spike when

    count ≥ min_count  and  z = (count − mean(baseline)) / max(std(baseline), 1) ≥ z_threshold

where the baseline is the topic's counts in the prior periods (the 8 weeks before the week, or
the caller's choice of past hours), std is the population standard deviation (divide by n), and
at least `min_baseline` (4) baseline periods are needed. The std is floored at 1 so that a flat
baseline (e.g. 2, 2, 2, 2) does not turn one extra contact into an infinite z.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

NO_TOPIC = "(no topic)"
COUNT_COLUMNS = ["iso_year", "iso_week", "week_start", "topic", "count", "share"]


@dataclass(frozen=True)
class SpikeCheck:
    """The spike rule applied to one count against its baseline.

    baseline_mean / baseline_std: mean and population std of the baseline (None when empty);
    z: (count − mean) / max(std, 1), None with fewer than min_baseline baseline periods;
    is_spike: count ≥ min_count and z ≥ z_threshold.
    """

    count: float
    baseline_n: int
    baseline_mean: float | None
    baseline_std: float | None
    z: float | None
    is_spike: bool


def spike_check(
    count: float,
    baseline: Sequence[float],
    *,
    z_threshold: float = 3.0,
    min_count: float = 10,
    min_baseline: int = 4,
) -> SpikeCheck:
    """Apply the spike rule to `count` against `baseline` (counts of the prior periods).

    z = (count − mean) / max(population std, 1); spike when count ≥ min_count and
    z ≥ z_threshold, with at least min_baseline baseline periods (else z is None, no spike).
    Example: baseline 10, 12, 8, 10, 10, 12, 8, 10 (mean 10, std √2) and count 15
    → z = 5 / 1.414 = 3.54 → spike.
    """
    values = [float(v) for v in baseline if v is not None and not math.isnan(float(v))]
    n = len(values)
    if n == 0:
        return SpikeCheck(float(count), 0, None, None, None, False)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / n)
    if n < min_baseline:
        return SpikeCheck(float(count), n, mean, std, None, False)
    z = (count - mean) / max(std, 1.0)
    return SpikeCheck(float(count), n, mean, std, z, bool(count >= min_count and z >= z_threshold))


def hourly_spike(
    recent_count_last_hour: int,
    baseline_hourly_counts: Sequence[float],
    *,
    z_threshold: float = 3.0,
    min_count: int = 10,
    min_baseline: int = 4,
) -> SpikeCheck:
    """Is a topic spiking in the last hour? The spike rule on hourly counts.

    recent_count_last_hour: the topic's contacts in the last 60 minutes;
    baseline_hourly_counts: its counts in comparable past hours (e.g. the previous 24 hours,
    or the same hour on the previous 7 days). Same rule as the weekly trend (`spike_check`).
    """
    return spike_check(
        recent_count_last_hour,
        baseline_hourly_counts,
        z_threshold=z_threshold,
        min_count=min_count,
        min_baseline=min_baseline,
    )


def _monday(value: object) -> pd.Timestamp:
    day = pd.Timestamp(value).normalize()
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    return day - pd.Timedelta(days=day.weekday())


def weekly_topic_counts(
    frame: pd.DataFrame,
    tz: str,
    *,
    topics: Sequence[str] | None = None,
    first_week: object | None = None,
    last_week: object | None = None,
) -> pd.DataFrame:
    """Contacts per ISO week and topic, zero-filled over every week × topic, with each share.

    frame: created_at (naive UTC; tz-aware is converted) and topic (blank → "(no topic)").
    Arrivals are put in weeks by their local date in `tz` (ISO 8601 weeks, Monday first: e.g.
    2026-12-31 is 2026-W53 and 2027-01-04 is 2027-W01). Weeks run from the first to the last
    week with data, widened to first_week / last_week (any date inside the week) when given;
    topics are `topics` (in that order) plus any others found (alphabetically).
    Columns: iso_year, iso_week, week_start (local Monday, naive), topic, count (int),
    share = count / all contacts of that week × 100 (NaN in a week with no contacts).
    """
    created = pd.to_datetime(frame["created_at"]) if len(frame) else pd.Series(dtype="M8[ns]")
    if getattr(created.dt, "tz", None) is None:
        created = created.dt.tz_localize("UTC")
    local = created.dt.tz_convert(tz).dt.tz_localize(None)
    week_start = (local.dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")).rename(
        "week_start"
    )
    if len(frame):
        topic = frame["topic"].where(frame["topic"].notna() & (frame["topic"] != ""), NO_TOPIC)
    else:
        topic = pd.Series(dtype=object)
    topic = topic.astype(str).rename("topic")

    bounds = [*week_start.dropna().tolist()]
    bounds += [_monday(w) for w in (first_week, last_week) if w is not None]
    if not bounds:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    weeks = pd.date_range(min(bounds), max(bounds), freq="7D")

    found = sorted(set(topic.tolist()) - set(topics or ()))
    all_topics = [*(topics or ()), *found]
    if not all_topics:
        return pd.DataFrame(columns=COUNT_COLUMNS)

    grouped = pd.concat([week_start, topic], axis=1).groupby(["week_start", "topic"]).size()
    full = pd.MultiIndex.from_product([weeks, all_topics], names=["week_start", "topic"])
    counts = grouped.reindex(full, fill_value=0).rename("count").reset_index()
    counts["count"] = counts["count"].astype(int)
    week_totals = counts.groupby("week_start")["count"].transform("sum")
    counts["share"] = (100.0 * counts["count"] / week_totals.replace(0, np.nan)).astype(float)
    iso = counts["week_start"].dt.isocalendar()
    counts["iso_year"] = iso["year"].astype(int)
    counts["iso_week"] = iso["week"].astype(int)
    return counts[COUNT_COLUMNS]


def detect_spikes(
    counts: pd.DataFrame,
    baseline_weeks: int = 8,
    z_threshold: float = 3.0,
    min_count: int = 10,
    *,
    min_baseline: int = 4,
) -> pd.DataFrame:
    """Mark spikes in weekly topic counts (the output of `weekly_topic_counts`).

    For each topic and week, the baseline is the topic's counts in the `baseline_weeks` weeks
    before it (weeks missing from `counts` count as 0, weeks before the first one are not
    there); the rule is `spike_check`: spike when count ≥ min_count and
    z = (count − baseline mean) / max(population std, 1) ≥ z_threshold, with at least
    min_baseline prior weeks. Returns a copy of `counts` with baseline_mean, baseline_std, z
    (NaN where not computed) and is_spike columns added.
    """
    result = counts.copy()
    result["baseline_mean"] = np.nan
    result["baseline_std"] = np.nan
    result["z"] = np.nan
    result["is_spike"] = False
    if result.empty:
        return result
    week_start = pd.to_datetime(result["week_start"])
    for _, rows in result.groupby("topic", sort=False):
        weeks = week_start.loc[rows.index]
        series = pd.Series(rows["count"].to_numpy(dtype=float), index=weeks.to_numpy())
        series = series.groupby(level=0).sum()
        full_range = pd.date_range(series.index.min(), series.index.max(), freq="7D")
        history = series.reindex(full_range, fill_value=0.0)
        position = {stamp: i for i, stamp in enumerate(history.index)}
        values = history.to_numpy()
        for row_index, week in weeks.items():
            i = position[pd.Timestamp(week)]
            check = spike_check(
                values[i],
                values[max(0, i - baseline_weeks) : i],
                z_threshold=z_threshold,
                min_count=min_count,
                min_baseline=min_baseline,
            )
            result.at[row_index, "baseline_mean"] = check.baseline_mean
            result.at[row_index, "baseline_std"] = check.baseline_std
            result.at[row_index, "z"] = np.nan if check.z is None else check.z
            result.at[row_index, "is_spike"] = check.is_spike
    return result
