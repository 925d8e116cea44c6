"""The Floor page's tiles: today's totals, service level (today and the last 30 / 60 minutes),
backlog and abandons per channel, agents by state.

The numbers come from analytics.floor.channel_summary (one row per channel) with the rolling
columns of analytics.floor_recent.add_recent_levels; the `render_*` functions draw them. Each
tile's help states the metric's definition (docs/metrics.md).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.floor import agent_state_counts, agents_on_floor
from analytics.floor_recent import RECENT_WINDOWS, recent_columns
from components.exports import csv_download
from components.plain_text import markdown_text
from components.theme import AGENT_STATE_LABELS, format_seconds
from db.settings import get_settings

# Amber band: below goal by at most this many percentage points.
WARN_POINTS = get_settings().sl_warn_points
METRIC_COLOURS = {"good": "green", "warn": "orange", "bad": "red", "small": "gray", "none": "gray"}

HELP_OFFERED = (
    "Offered: inbound contacts that arrived today (local day, by arrival time), whatever "
    "happened to them since. A conversation is one contact: a customer's follow-up message in "
    "the same thread is not counted again."
)
HELP_ANSWERED = (
    "Answered: today's arrivals that have had a first agent response (by arrival time, so a "
    "contact that arrived yesterday and was answered today is not in it)."
)
HELP_BACKLOG = (
    "Backlog: inbound contacts open and unanswered now (not answered, abandoned or closed), "
    "whenever they arrived."
)
HELP_OLDEST = "Oldest waiting: age now of the oldest open, unanswered contact."
HELP_ABANDONED = (
    "Abandons today: today's arrivals the customer gave up on before an answer (voice and chat)."
)
HELP_ON_FLOOR = (
    "Agents on the floor: active agents whose latest state is available, busy or after-contact "
    "work. Agents on a break or offline are not counted."
)


def abandon_rule_text(rule: str, short_seconds: int | None) -> str:
    """The abandon rule in words, for tile help and chart captions."""
    if rule == "exclude":
        return "abandons are left out of the denominator (rule `exclude`)"
    if rule == "exclude_short":
        return (
            f"abandons after waiting under {short_seconds} s are left out, longer ones are "
            "misses (rule `exclude_short`)"
        )
    return "every abandon is a miss (rule `fail`)"


def service_level_help(row: pd.Series) -> str:
    """The definition and the rule used, for one channel's service-level tile."""
    if pd.isna(row["goal_percent"]):
        policy = (
            "No SLA policy is set for this channel, so its contacts get no verdict (they are "
            "neither met nor missed) until an admin adds one in Settings."
        )
    else:
        policy = (
            f"Target {format_seconds(row['target_seconds'])}, goal {row['goal_percent']:g} %; "
            f"{abandon_rule_text(row['abandon_rule'], row['short_abandon_seconds'])}."
        )
    return (
        "Service level today = met ÷ (met + missed) × 100 over today's arrivals. Met: answered "
        "within the target of the policy in force at arrival. Missed: answered late, or still "
        "unanswered and already past target (counted now, not when answered), or closed without "
        "a reply after the target passed, or abandoned per the abandon rule. Still open within "
        "target: pending, not in the denominator. " + policy + " Green at or above goal, amber "
        f"within {WARN_POINTS:g} points below it, red further below; 'no data' when nothing is "
        "in the denominator yet. n = met + missed; with fewer than "
        f"{get_settings().min_sample_contacts} closed contacts the figure stays grey and raises "
        "no alert (too few to judge). Last 30 / 60 min: the same rule over the contacts that "
        "arrived in the last 30 or 60 minutes, judged at the start of the current minute (with a "
        "long target, such as email's, most of them are still pending)."
    )


def render_totals(summary: pd.DataFrame, agents: pd.DataFrame) -> None:
    """Headline tiles over the selected channels: offered, answered, backlog, oldest, on floor
    (and a line saying so when the floor is empty)."""
    if summary["offered"].sum() == 0 and summary["backlog"].sum() == 0 and agents.empty:
        st.info(
            "Nothing on the floor yet: no interactions today, nothing waiting and no agents. "
            "The figures fill in as soon as contacts arrive.",
            icon=":material/hourglass_empty:",
        )
    oldest = summary["oldest_wait_seconds"].max() if len(summary) else None
    on_floor = agents_on_floor(agents)
    columns = st.columns(5)
    columns[0].metric("Offered today", f"{int(summary['offered'].sum()):,}", help=HELP_OFFERED)
    columns[1].metric("Answered today", f"{int(summary['answered'].sum()):,}", help=HELP_ANSWERED)
    columns[2].metric("Backlog now", f"{int(summary['backlog'].sum()):,}", help=HELP_BACKLOG)
    columns[3].metric(
        "Oldest waiting",
        format_seconds(None if pd.isna(oldest) else float(oldest)),
        help=HELP_OLDEST,
    )
    columns[4].metric("Agents on the floor", f"{on_floor:,}", help=HELP_ON_FLOOR)


def sample_text(closed: int) -> str:
    """The n of a service level, as shown beside it."""
    return f"n = {int(closed):,}"


def service_level_text(row: pd.Series) -> tuple[str, str | None]:
    """(value, delta) of a channel's service-level tile: the gap to goal with its n, or the n
    alone and "small sample" when too few contacts are closed to judge."""
    if pd.isna(row["service_level_percent"]):
        return "no data", None
    value = f"{row['service_level_percent']:.1f} %"
    n = sample_text(row["closed"])
    if pd.isna(row["goal_percent"]):
        return value, f"no goal set · {n}"
    if row["state"] == "small":
        return value, f"{n} · small sample"
    gap = row["service_level_percent"] - row["goal_percent"]
    return value, f"{gap:+.1f} pts · {n}"


def compact_wait(seconds: float) -> str:
    """A wait short enough for a tile's small print: no seconds from 10 minutes on, no minutes
    from 10 hours on."""
    if 600 <= seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds >= 10 * 3600:
        return f"{int(seconds // 3600)} h"
    return format_seconds(seconds)


def wall_wait(seconds: float) -> str:
    """A wait in at most six characters, for the wallboard's large type: seconds under a
    minute, whole minutes under 100 minutes, then hours (one decimal under 10 h)."""
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 100 * 60:
        return f"{int(seconds // 60)} min"
    hours = seconds / 3600
    return f"{int(hours * 10) / 10:g} h" if hours < 10 else f"{int(hours)} h"


def recent_text(row: pd.Series, minutes: int) -> str:
    """The rolling service level of the last `minutes` with its n, for a card's small print:
    three short lines (a card is narrow)."""
    level, n = recent_columns(minutes)
    if level not in row or pd.isna(row[level]):
        return f"{minutes} min  \nno data  \n{sample_text(0)}"
    return f"{minutes} min  \n**{row[level]:.1f} %**  \n{sample_text(row[n])}"


def _service_level_tile(row: pd.Series, *, recent: bool = False) -> None:
    """A channel's service level today (label: its name) coloured by state, with its n, and
    its goal under it (and the last 30 / 60 minutes' when `recent`)."""
    value, delta = service_level_text(row)
    st.metric(
        markdown_text(row["channel"]),
        value,
        delta=delta,
        delta_color=METRIC_COLOURS[row["state"]],
        delta_arrow="off",
        help=service_level_help(row),
    )
    goal = row["goal_percent"]
    goal_text = "No goal set" if pd.isna(goal) else f"Goal {goal:g} %"
    st.caption(f"{goal_text} · last:" if recent else goal_text)
    if recent:
        for column, minutes in zip(st.columns(len(RECENT_WINDOWS)), RECENT_WINDOWS, strict=True):
            column.caption(recent_text(row, minutes))


def _abandoned(row: pd.Series) -> int:
    return int(0 if pd.isna(row["abandoned"]) else row["abandoned"])


def render_channel_tiles(summary: pd.DataFrame, per_row: int = 6) -> None:
    """One card per channel: service level today against goal with its n, coloured by state
    (label: the channel's name), the last 30 and 60 minutes', the backlog now with its oldest
    wait (label: "Backlog now") and today's abandons."""
    rows = [summary.iloc[i : i + per_row] for i in range(0, len(summary), per_row)]
    for chunk in rows:
        columns = st.columns(per_row)
        for column, (_, row) in zip(columns, chunk.iterrows(), strict=False):
            oldest = row["oldest_wait_seconds"]
            with column.container(border=True):
                _service_level_tile(row, recent=True)
                st.metric(
                    "Backlog now",
                    f"{int(row['backlog']):,}",
                    delta=f"oldest {compact_wait(float(oldest))}" if row["backlog"] else None,
                    delta_color="gray",
                    delta_arrow="off",
                    help=f"{HELP_BACKLOG} {HELP_OLDEST} {HELP_ABANDONED}",
                )
                st.caption(f"Abandons today: {_abandoned(row):,}")


def render_wallboard_tiles(summary: pd.DataFrame) -> None:
    """Wallboard cards, one per channel in one row: service level today against goal with its
    n (coloured by state, grey on a small sample), backlog now, oldest waiting, abandons today."""
    if summary.empty:
        st.info("No channels to show.", icon=":material/hourglass_empty:")
        return
    columns = st.columns(len(summary))
    for column, (_, row) in zip(columns, summary.iterrows(), strict=True):
        oldest = row["oldest_wait_seconds"]
        with column.container(border=True):
            _service_level_tile(row)
            st.metric("Backlog now", f"{int(row['backlog']):,}", help=HELP_BACKLOG)
            st.metric(
                "Oldest waiting",
                wall_wait(float(oldest)) if row["backlog"] else "—",
                help=HELP_OLDEST,
            )
            st.metric("Abandons today", f"{_abandoned(row):,}", help=HELP_ABANDONED)


def render_channel_details(summary: pd.DataFrame) -> None:
    """The numbers behind the channel cards, in a collapsed table (the cards stay scannable);
    keyed, so a refresh never closes it."""
    with st.expander("Numbers behind the cards", key="floor_channel_details_open"):
        table = pd.DataFrame(
            {
                "Channel": summary["channel"],
                "Service level %": summary["service_level_percent"].round(1),
                "Goal %": summary["goal_percent"],
                "Met": summary["met"],
                "Missed": summary["missed"],
                "Pending": summary["pending"],
                "n (met + missed)": summary["closed"],
                "Offered": summary["offered"],
                "Answered": summary["answered"],
                "Abandoned": summary["abandoned"],
                "Backlog": summary["backlog"],
                "Oldest waiting": [
                    format_seconds(None if pd.isna(v) else float(v))
                    for v in summary["oldest_wait_seconds"]
                ],
                "Target": [
                    format_seconds(None if pd.isna(v) else float(v))
                    for v in summary["target_seconds"]
                ],
                "Abandon rule": summary["abandon_rule"],
            }
        )
        position = table.columns.get_loc("Goal %") + 1
        for minutes in RECENT_WINDOWS:
            level, n = recent_columns(minutes)
            if level in summary:
                table.insert(position, f"SL last {minutes} min %", summary[level].round(1))
                table.insert(position + 1, f"n last {minutes} min", summary[n])
                position += 2
        st.dataframe(table, hide_index=True, key="floor_channel_details")
        csv_download(table, key="floor_channel_details_csv", file_name="floor-channels.csv")
        st.caption(
            "Met, missed and pending cover today's arrivals; backlog and oldest waiting cover "
            "every open contact. Abandon rules: fail = every abandon is a miss; exclude = "
            "abandons leave the denominator; exclude_short = abandons under the policy's short "
            "threshold leave it, longer ones are misses."
        )


def render_agent_states(agents: pd.DataFrame) -> None:
    """Agents by current state (latest state row per active agent; never seen = offline)."""
    counts = agent_state_counts(agents, list(AGENT_STATE_LABELS))
    columns = st.columns(len(counts))
    for column, (state, n) in zip(columns, counts.items(), strict=True):
        column.metric(
            AGENT_STATE_LABELS[state],
            f"{n:,}",
            help=(
                f"Active agents whose latest state is {AGENT_STATE_LABELS[state].lower()} "
                "(with the channel filter: agents skilled on a selected channel). An agent with "
                "no state recorded yet counts as offline."
            ),
        )
