"""Floor alerts: service level below goal, backlog and oldest wait over their thresholds, and
topics spiking in the last hour.

`floor_alerts` and `topic_spikes` are pure (testable without Streamlit) and return plain
values; `render_alerts` draws them, worst first, with the rules that raise them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from analytics.periods import to_local, to_utc_naive
from analytics.spikes import hourly_spike
from components.floor_tiles import WARN_POINTS
from components.plain_text import markdown_text as escape_markdown
from components.theme import format_seconds
from db.settings import get_settings

SPIKE_BASELINE_DAYS = get_settings().spike_baseline_days
SPIKE_Z = get_settings().spike_z
SPIKE_MIN_COUNT = get_settings().spike_min_count
SPIKE_MIN_BASELINE = 4
SPIKE_COLUMNS = ["topic", "count", "baseline_days", "baseline_mean", "z", "is_spike"]


@dataclass(frozen=True)
class Alert:
    """One alert line. severity: 'error' (act now) or 'warning'; kind: what raised it."""

    severity: str
    kind: str
    message: str


def alert_rules(backlog_threshold: int, oldest_threshold_seconds: int) -> str:
    """The rules behind the alerts, in words (shown with them)."""
    return (
        "Alerts are raised when a channel's service level today is below its goal (red more "
        f"than {WARN_POINTS:g} points below, amber within {WARN_POINTS:g}); when a channel's "
        f"backlog is over {backlog_threshold:,}; when its oldest waiting contact has waited over "
        f"{format_seconds(oldest_threshold_seconds)} (or over the channel's target, where that "
        "is longer); when a negative public social post is past "
        "its target; and when a topic spikes: its contacts in the last 60 minutes are at least "
        f"{SPIKE_MIN_COUNT} and at least {SPIKE_Z:g} standard "
        "deviations (floored at 1) above its mean for the same 60 minutes of the day over the "
        f"previous {SPIKE_BASELINE_DAYS} days (days before the history starts are left out; at "
        f"least {SPIKE_MIN_BASELINE} days are needed)."
    )


def same_hour_windows(
    as_of: datetime, tz: str, days: int = SPIKE_BASELINE_DAYS
) -> tuple[tuple[datetime, datetime], ...]:
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
) -> pd.DataFrame:
    """The spike rule (analytics.spikes.hourly_spike) per topic over `same_hour_windows`.

    Args:
        counts: queries.floor.topic_counts_in_windows (topic, window, count).
        windows: the windows those counts are for (window 0 = the last hour).
        observed_from: when the history starts (UTC); baseline windows that start before it are
            left out rather than read as zero. None = no history: no baseline at all.

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
            z_threshold=SPIKE_Z,
            min_count=SPIKE_MIN_COUNT,
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
    backlog_threshold: int,
    oldest_threshold_seconds: int,
) -> list[Alert]:
    """Every alert for the selected channels, errors first.

    Args:
        summary: components.floor_tiles.channel_summary.
        spikes: `topic_spikes` output.
        social: components.social_watch.social_watch_frame (reach order): an alert when any
            negative public post is already past its target.
        backlog_threshold / oldest_threshold_seconds: settings.alert_backlog and
            settings.alert_oldest_wait_seconds (an alert when strictly over).
    """
    alerts: list[Alert] = []
    # One line per severity, not per channel: on a bad day six boxes would push the rest away.
    for state, severity, wording in (
        ("bad", "error", f"more than {WARN_POINTS:g} points below goal"),
        ("warn", "warning", f"below goal by {WARN_POINTS:g} points or less"),
    ):
        rows = summary[summary["state"] == state]
        if len(rows):
            listed = " · ".join(
                f"**{escape_markdown(r.channel)}** {r.service_level_percent:.1f} % "
                f"(goal {r.goal_percent:g} %)"
                for r in rows.itertuples(index=False)
            )
            alerts.append(
                Alert(severity, "service_level", f"Service level today {wording}: {listed}")
            )
    over_backlog = summary[summary["backlog"] > backlog_threshold]
    if len(over_backlog):
        listed = ", ".join(
            f"{escape_markdown(r.channel)} {int(r.backlog):,}" for r in over_backlog.itertuples()
        )
        alerts.append(Alert("error", "backlog", f"Backlog over {backlog_threshold:,}: {listed}."))
    # A channel whose own target is longer (email: 4 h) is judged against that target, or it
    # would raise this alert all day without anything being wrong.
    targets = summary.get("target_seconds", pd.Series(0, index=summary.index)).fillna(0)
    limits = targets.clip(lower=oldest_threshold_seconds)
    over_wait = summary[summary["oldest_wait_seconds"] > limits]
    if len(over_wait):
        listed = ", ".join(
            f"{escape_markdown(r.channel)} {format_seconds(r.oldest_wait_seconds)}"
            + (f" (target {format_seconds(limit)})" if limit > oldest_threshold_seconds else "")
            for r, limit in zip(over_wait.itertuples(), limits[over_wait.index], strict=True)
        )
        alerts.append(
            Alert(
                "warning",
                "oldest_wait",
                f"Waiting over {format_seconds(oldest_threshold_seconds)}: {listed}.",
            )
        )
    late = social[social["time_left_seconds"] < 0] if len(social) else social
    if len(late):
        top = late.iloc[0]
        reach = "" if pd.isna(top["reach"]) else f", reach {int(top['reach']):,}"
        alerts.append(
            Alert(
                "error",
                "social_negative",
                f"{len(late):,} negative public social post{'s' if len(late) != 1 else ''} past "
                f"target — widest reach: {escape_markdown(top['author'])}{reach}. "
                "See the list below.",
            )
        )
    for row in spikes[spikes["is_spike"]].itertuples(index=False):
        alerts.append(
            Alert(
                "warning",
                "topic_spike",
                f"Topic **{escape_markdown(row.topic)}** is spiking: {row.count:,} contacts in "
                f"the last hour vs {row.baseline_mean:.1f} on average at this hour over the last "
                f"{row.baseline_days} days (z = {row.z:.1f}).",
            )
        )
    return sorted(alerts, key=lambda a: a.severity != "error")


def render_alerts(alerts: list[Alert], rules: str) -> None:
    """The alerts, worst first, or a calm line when there are none; the rules underneath."""
    if not alerts:
        st.success("No alerts right now.", icon=":material/check_circle:")
    for alert in alerts:
        icon = ":material/error:" if alert.severity == "error" else ":material/warning:"
        (st.error if alert.severity == "error" else st.warning)(alert.message, icon=icon)
    st.caption(rules)
