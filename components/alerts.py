"""Floor alerts in words: each alert of analytics.floor_alerts as one line, worst first; more
than a couple (and always on the wallboard) as one line of counts with the lines on demand, so
the list never pushes the channel figures below the fold. The rules that raise them are the
help."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.floor_alerts import SPIKE_MIN_BASELINE, Alert, floor_alerts, topic_spikes
from components.journey_links import link_to_page
from components.plain_text import markdown_text as escape_markdown
from components.theme import format_seconds
from db.settings import Settings

TOPICS_PAGE = "pages/topics.py"
ALERTS_IN_FULL = 2  # more alerts than this are summed up as counts, details on demand


def alert_rules(settings: Settings) -> str:
    """The rules behind the alerts, in words (shown with them), with this centre's settings."""
    warn = settings.sl_warn_points
    return (
        "Alerts are raised when a channel's service level today is below its goal (red more "
        f"than {warn:g} points below, amber within {warn:g}; not on fewer than "
        f"{settings.min_sample_contacts} closed contacts); when a channel's "
        f"backlog is over {settings.alert_backlog:,}; when its oldest waiting contact has waited "
        f"over {format_seconds(settings.alert_oldest_wait_seconds)} (or over the channel's "
        "target, where that is longer); when a negative public social post is past "
        "its target; and when a topic spikes: its contacts in the last 60 minutes are at least "
        f"{settings.spike_min_count} and at least {settings.spike_z:g} standard "
        "deviations (floored at 1) above its mean for the same 60 minutes of the day over the "
        f"previous {settings.spike_baseline_days} days (days before the history starts are left "
        f"out; at least {SPIKE_MIN_BASELINE} days are needed)."
    )


def alert_message(alert: Alert) -> str:
    """One alert as a line of Markdown (user-supplied names escaped)."""
    rows = alert.rows
    if alert.kind == "service_level":
        points = alert.threshold or 0
        wording = (
            f"more than {points:g} points below goal"
            if alert.severity == "error"
            else f"below goal by {points:g} points or less"
        )
        listed = " · ".join(
            f"**{escape_markdown(r.channel)}** {r.service_level_percent:.1f} % "
            f"(goal {r.goal_percent:g} %, n = {int(r.met + r.missed):,})"
            for r in rows.itertuples(index=False)
        )
        return f"Service level today {wording}: {listed}"
    if alert.kind == "backlog":
        listed = ", ".join(
            f"{escape_markdown(r.channel)} {int(r.backlog):,}" for r in rows.itertuples()
        )
        return f"Backlog over {int(alert.threshold or 0):,}: {listed}."
    if alert.kind == "oldest_wait":
        threshold = alert.threshold or 0
        listed = ", ".join(
            f"{escape_markdown(r.channel)} {format_seconds(r.oldest_wait_seconds)}"
            + (
                f" (target {format_seconds(r.limit_seconds)})"
                if r.limit_seconds > threshold
                else ""
            )
            for r in rows.itertuples()
        )
        return f"Waiting over {format_seconds(threshold)}: {listed}."
    if alert.kind == "social_negative":
        top = rows.iloc[0]
        reach = "" if pd.isna(top["reach"]) else f", {int(top['reach']):,} followers"
        return (
            f"{len(rows):,} negative public social post{'s' if len(rows) != 1 else ''} past "
            f"target — widest reach: {escape_markdown(top['author'])}{reach}. "
            "See the list below."
        )
    row = rows.iloc[0]
    return (
        f"Topic **{escape_markdown(row['topic'])}** is spiking: {row['count']:,} contacts in "
        f"the last hour vs {row['baseline_mean']:.1f} on average at this hour over the last "
        f"{row['baseline_days']} days (z = {row['z']:.1f})."
    )


KIND_LABELS = {
    "service_level": "service level",
    "backlog": "backlog",
    "oldest_wait": "oldest wait",
    "social_negative": "negative public posts",
    "topic_spike": "topic spike",
}


def alert_counts(alerts: list[Alert]) -> str:
    """The alerts as counts in one line: how many, how many to act on now, and of which kind."""
    errors = sum(a.severity == "error" for a in alerts)
    kinds: dict[str, int] = {}
    for alert in alerts:
        kinds[alert.kind] = kinds.get(alert.kind, 0) + 1
    listed = ", ".join(f"{KIND_LABELS.get(k, k)} ({n})" for k, n in kinds.items())
    plural = "s" if len(alerts) != 1 else ""
    return (
        f"**{len(alerts)} alert{plural}** — {errors} to act on now, "
        f"{len(alerts) - errors} warning{'s' if len(alerts) - errors != 1 else ''}: {listed}"
    )


def _alert_line(alert: Alert, *, boxed: bool) -> None:
    """One alert: a coloured box (or a line with its icon), and for a topic spike the way to
    its playbook, stakeholders and contacts on the Topics page."""
    icon = ":material/error:" if alert.severity == "error" else ":material/warning:"
    if boxed:
        (st.error if alert.severity == "error" else st.warning)(alert_message(alert), icon=icon)
    else:
        st.markdown(f"{icon} {alert_message(alert)}")
    if alert.kind == "topic_spike":
        topic = str(alert.rows.iloc[0]["topic"])
        link_to_page(
            TOPICS_PAGE,
            label=f"Whom to tell about {escape_markdown(topic)}, playbook and contacts",
            icon=":material/campaign:",
            params={"topic": topic},
        )


def render_alerts(alerts: list[Alert], *, compact: bool = False) -> None:
    """The alerts, worst first, or a calm line when there are none. Up to ALERTS_IN_FULL are
    shown in full; more, or any when `compact` (the wallboard), become one line of counts with
    the alerts in an expander (keyed, so a refresh leaves it open)."""
    if not alerts:
        st.success("No alerts right now.", icon=":material/check_circle:")
        return
    if not compact and len(alerts) <= ALERTS_IN_FULL:
        for alert in alerts:
            _alert_line(alert, boxed=True)
        return
    worst = alerts[0].severity == "error"
    (st.error if worst else st.warning)(
        alert_counts(alerts), icon=":material/error:" if worst else ":material/warning:"
    )
    with st.expander("Alert details", key="floor_alert_details"):
        for alert in alerts:
            _alert_line(alert, boxed=False)


def render_floor_alerts(
    summary: pd.DataFrame,
    social: pd.DataFrame,
    topics: pd.DataFrame,
    windows: tuple[tuple[datetime, datetime], ...],
    *,
    history_start: datetime | None,
    settings: Settings,
    compact: bool = False,
) -> None:
    """The Floor's alerts: the spike rule over `topics`, then every alert (as counts with
    details on demand when `compact`). The rules are the section's help (`alert_rules`)."""
    spikes = topic_spikes(
        topics,
        windows,
        observed_from=history_start,
        z_threshold=settings.spike_z,
        min_count=settings.spike_min_count,
    )
    alerts = floor_alerts(
        summary,
        spikes,
        social,
        warn_points=settings.sl_warn_points,
        backlog_threshold=settings.alert_backlog,
        oldest_threshold_seconds=settings.alert_oldest_wait_seconds,
    )
    render_alerts(alerts, compact=compact)
