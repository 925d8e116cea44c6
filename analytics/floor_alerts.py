"""Which Floor alerts fire: service level below goal, backlog and oldest wait over their
thresholds, negative public posts past target, and topics spiking in the last hour.

Pure: `floor_alerts` returns each alert with the rows that raised it (components/alerts.py
words and draws them); `topic_spikes` applies analytics.spikes.hourly_spike per topic over
`same_hour_windows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from analytics.periods import to_local, to_utc_naive
from analytics.spikes import hourly_spike

# Fewer baseline days than this and no spike is called (too little history to judge).
SPIKE_MIN_BASELINE = 4
SPIKE_COLUMNS = ["topic", "count", "baseline_days", "baseline_mean", "z", "is_spike"]


@dataclass(frozen=True)
class Alert:
    """One alert. severity: 'error' (act now) or 'warning'; kind: which rule raised it
    (service_level, backlog, oldest_wait, social_negative, topic_spike); rows: the channels,
    posts or topics that raised it; threshold: the rule's threshold (points below goal for
    service_level, contacts for backlog, seconds for oldest_wait; None otherwise)."""

    severity: str
    kind: str
    rows: pd.DataFrame
    threshold: float | None = None


def same_hour_windows(as_of: datetime, tz: str, days: int) -> tuple[tuple[datetime, datetime], ...]:
    """UTC [start, end) of the last 60 minutes (window 0) and of the same local clock hour on
    each of the previous `days` days (window k = k days ago). Local wall-clock arithmetic, so
    a clock change in between still compares 09:00–10:00 with 09:00–10:00."""
    local_end = to_local(as_of, tz).replace(tzinfo=None)
    windows = [(as_of - timedelta(hours=1), as_of)]
    for k in range(1, days + 1):
        end = local_end - timedelta(days=k)
        windows.append((to_utc_naive(end - timedelta(hours=1), tz), to_utc_naive(end, tz)))
    return tuple(windows)


def topic_spikes(
    counts: pd.DataFrame,
    windows: tuple[tuple[datetime, datetime], ...],
    *,
    observed_from: datetime | None,
    z_threshold: float,
    min_count: int,
) -> pd.DataFrame:
    """The spike rule (analytics.spikes.hourly_spike) per topic over `same_hour_windows`.

    Args:
        counts: queries.floor.topic_counts_in_windows (topic, window, count).
        windows: the windows those counts are for (window 0 = the last hour).
        observed_from: when the history starts (UTC); baseline windows that start before it are
            left out rather than read as zero. None = no history: no baseline at all.
        z_threshold / min_count: settings.spike_z and settings.spike_min_count.

    Returns SPIKE_COLUMNS per topic seen in any window, spikes first.
    """
    if counts.empty:
        return pd.DataFrame(columns=SPIKE_COLUMNS)
    baseline_windows = [
        n
        for n, (start, _end) in enumerate(windows)
        if n > 0 and observed_from is not None and start >= observed_from
    ]
    table = counts.pivot_table(
        index="topic", columns="window", values="count", aggfunc="sum", fill_value=0
    ).reindex(columns=range(len(windows)), fill_value=0)
    rows = []
    for topic, values in table.iterrows():
        check = hourly_spike(
            int(values[0]),
            [float(values[n]) for n in baseline_windows],
            z_threshold=z_threshold,
            min_count=min_count,
            min_baseline=SPIKE_MIN_BASELINE,
        )
        rows.append(
            {
                "topic": topic,
                "count": int(values[0]),
                "baseline_days": check.baseline_n,
                "baseline_mean": check.baseline_mean,
                "z": check.z,
                "is_spike": check.is_spike,
            }
        )
    frame = pd.DataFrame(rows, columns=SPIKE_COLUMNS)
    return frame.sort_values(["is_spike", "count"], ascending=[False, False], ignore_index=True)


def floor_alerts(
    summary: pd.DataFrame,
    spikes: pd.DataFrame,
    social: pd.DataFrame,
    *,
    warn_points: float,
    backlog_threshold: int,
    oldest_threshold_seconds: int,
) -> list[Alert]:
    """Every alert for the selected channels, errors first.

    Args:
        summary: analytics.floor.channel_summary (its `state` says good / warn / bad).
        spikes: `topic_spikes` output.
        social: analytics.floor.social_watch_frame (reach order): an alert when any negative
            public post is already past its target.
        warn_points: the amber band (settings.sl_warn_points), carried for the wording.
        backlog_threshold / oldest_threshold_seconds: settings.alert_backlog and
            settings.alert_oldest_wait_seconds (an alert when strictly over). A channel whose
            own target is longer (email: 4 h) is judged against that target instead, or it
            would raise the oldest-wait alert all day without anything being wrong; its rows
            carry that limit as `limit_seconds`.
    """
    alerts: list[Alert] = []
    # One alert per severity, not per channel: on a bad day six boxes would push the rest away.
    for state, severity in (("bad", "error"), ("warn", "warning")):
        rows = summary[summary["state"] == state]
        if len(rows):
            alerts.append(Alert(severity, "service_level", rows, warn_points))
    over_backlog = summary[summary["backlog"] > backlog_threshold]
    if len(over_backlog):
        alerts.append(Alert("error", "backlog", over_backlog, backlog_threshold))
    targets = summary.get("target_seconds", pd.Series(0, index=summary.index)).fillna(0)
    limits = targets.clip(lower=oldest_threshold_seconds)
    over_wait = summary[summary["oldest_wait_seconds"] > limits]
    if len(over_wait):
        rows = over_wait.assign(limit_seconds=limits[over_wait.index])
        alerts.append(Alert("warning", "oldest_wait", rows, oldest_threshold_seconds))
    late = social[social["past_target"].astype(bool)] if len(social) else social
    if len(late):
        alerts.append(Alert("error", "social_negative", late))
    spiking = spikes[spikes["is_spike"].astype(bool)] if len(spikes) else spikes
    for n in range(len(spiking)):  # one per topic: each is its own story
        alerts.append(Alert("warning", "topic_spike", spiking.iloc[n : n + 1]))
    return sorted(alerts, key=lambda a: a.severity != "error")
