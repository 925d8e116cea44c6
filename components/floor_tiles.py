"""The Floor page's tiles: today's totals, service level and backlog per channel, agents by state.

`channel_summary` (pure, testable without Streamlit) turns the rollup counts, the open backlog
rows and the channel policies into one row per channel with every tile's number; the
`render_*` functions draw them. Each tile's help states the metric's definition (DESIGN).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import streamlit as st

from analytics.service_level import service_level_from_counts
from components.plain_text import markdown_text
from components.theme import AGENT_STATE_LABELS, CHANNEL_LABELS, format_seconds
from db.settings import get_settings

# Amber band: below goal by at most this many percentage points.
WARN_POINTS = get_settings().sl_warn_points
ON_FLOOR_STATES = ("available", "busy", "after_call")
METRIC_COLOURS = {"good": "green", "warn": "orange", "bad": "red", "none": "gray"}

SUMMARY_COLUMNS = [
    "channel_id",
    "channel",
    "offered",
    "answered",
    "backlog",
    "oldest_wait_seconds",
    "met",
    "missed",
    "pending",
    "service_level_percent",
    "goal_percent",
    "target_seconds",
    "abandon_rule",
    "short_abandon_seconds",
    "state",
]

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
HELP_ON_FLOOR = (
    "Agents on the floor: active agents whose latest state is available, busy or after-contact "
    "work. Agents on a break or offline are not counted."
)


def service_level_state(service_level: float | None, goal: float | None) -> str:
    """'good' at or above goal, 'warn' below it by at most 5 points, 'bad' further below,
    'none' when there is no service level (nothing in the denominator) or no goal."""
    if service_level is None or goal is None or pd.isna(service_level) or pd.isna(goal):
        return "none"
    if service_level >= goal:
        return "good"
    if service_level >= goal - WARN_POINTS:
        return "warn"
    return "bad"


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
        policy = "No SLA policy is set for this channel; the default target of 60 s is used."
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
        "in the denominator yet."
    )


def channel_summary(
    counts: pd.DataFrame,
    backlog: pd.DataFrame,
    closed_breached: pd.DataFrame,
    policies: pd.DataFrame,
    *,
    as_of: datetime,
    day_start: datetime,
) -> pd.DataFrame:
    """One row per channel of `counts` with today's tile numbers at `as_of` (naive UTC).

    Args:
        counts: queries.floor.todays_counts (rollup counts of today's arrivals per channel).
        backlog: queries.floor.open_unanswered at `as_of` (created_at, target_seconds).
        closed_breached: queries.floor.closed_unanswered_breached for today.
        policies: queries.floor.channel_policies (goal and abandon rule per channel).
        as_of: the moment the figures are for; day_start: start of today (local) in UTC.

    Returns columns SUMMARY_COLUMNS: backlog and oldest_wait_seconds cover every open contact;
    met / missed / pending / service_level_percent cover today's arrivals only (see
    `service_level_help`); state is 'good' / 'warn' / 'bad' / 'none'.
    """
    if counts.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    now = pd.Timestamp(as_of)
    waiting = backlog.assign(
        age=(now - pd.to_datetime(backlog["created_at"])).dt.total_seconds().clip(lower=0)
    )
    today = waiting[pd.to_datetime(waiting["created_at"]) >= pd.Timestamp(day_start)]
    per_channel = pd.DataFrame(
        {
            "backlog": waiting.groupby("channel_id").size(),
            "oldest_wait_seconds": waiting.groupby("channel_id")["age"].max(),
            "open_breached": (today["age"] > today["target_seconds"])
            .groupby(today["channel_id"])
            .sum(),
            "pending": (today["age"] <= today["target_seconds"]).groupby(today["channel_id"]).sum(),
        }
    )
    frame = (
        counts.merge(per_channel, left_on="channel_id", right_index=True, how="left")
        .merge(closed_breached, on="channel_id", how="left")
        .merge(
            policies[
                [
                    "channel_id",
                    "target_seconds",
                    "goal_percent",
                    "abandon_rule",
                    "short_abandon_seconds",
                ]
            ],
            on="channel_id",
            how="left",
        )
    )
    for column in ("backlog", "open_breached", "pending", "closed_breached"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0).astype("int64")
    frame["abandon_rule"] = frame["abandon_rule"].fillna("fail")

    met, missed, level = [], [], []
    for row in frame.itertuples(index=False):
        m, x, sl = service_level_from_counts(
            met=int(row.met),
            answered_missed=int(row.answered) - int(row.met),
            abandoned=int(row.abandoned),
            abandoned_short=int(row.abandoned_short),
            open_breached=int(row.open_breached) + int(row.closed_breached),
            rule=row.abandon_rule,
        )
        met.append(m)
        missed.append(x)
        level.append(np.nan if sl is None else sl)
    frame["met"] = met
    frame["missed"] = missed
    frame["service_level_percent"] = pd.Series(level, index=frame.index, dtype="float64")
    frame["state"] = [
        service_level_state(sl, goal)
        for sl, goal in zip(frame["service_level_percent"], frame["goal_percent"], strict=True)
    ]
    # The theme's label where it has one, else the channel's name in the database (a channel
    # an admin added after the theme was written).
    frame["channel"] = [
        CHANNEL_LABELS.get(c, name)
        for c, name in zip(frame["channel_id"], frame["channel"], strict=True)
    ]
    return frame[SUMMARY_COLUMNS]


def agent_state_counts(agents: pd.DataFrame) -> dict[str, int]:
    """Agents per state, in the theme's order (available, busy, after_call, break, offline)."""
    found = agents["state"].value_counts() if len(agents) else pd.Series(dtype="int64")
    return {state: int(found.get(state, 0)) for state in AGENT_STATE_LABELS}


def render_totals(summary: pd.DataFrame, agents: pd.DataFrame) -> None:
    """Headline tiles over the selected channels: offered, answered, backlog, oldest, on floor."""
    oldest = summary["oldest_wait_seconds"].max() if len(summary) else None
    on_floor = sum(agent_state_counts(agents)[s] for s in ON_FLOOR_STATES)
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


def _service_level_text(row: pd.Series) -> tuple[str, str | None]:
    """(value, delta against goal) of a channel's service-level tile."""
    if pd.isna(row["service_level_percent"]):
        return "no data", None
    value = f"{row['service_level_percent']:.1f} %"
    if pd.isna(row["goal_percent"]):
        return value, "no goal set"
    gap = row["service_level_percent"] - row["goal_percent"]
    return value, f"{gap:+.1f} pts"


def compact_wait(seconds: float) -> str:
    """A wait short enough for a tile's small print: no seconds from 10 minutes on, no minutes
    from 10 hours on."""
    if 600 <= seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds >= 10 * 3600:
        return f"{int(seconds // 3600)} h"
    return format_seconds(seconds)


def render_channel_tiles(summary: pd.DataFrame, per_row: int = 6) -> None:
    """One card per channel: service level today against goal, coloured by state (label: the
    channel's name), and the backlog now with its oldest wait (label: "Backlog now")."""
    rows = [summary.iloc[i : i + per_row] for i in range(0, len(summary), per_row)]
    for chunk in rows:
        columns = st.columns(per_row)
        for column, (_, row) in zip(columns, chunk.iterrows(), strict=False):
            value, delta = _service_level_text(row)
            oldest = row["oldest_wait_seconds"]
            with column.container(border=True):
                st.metric(
                    markdown_text(row["channel"]),
                    value,
                    delta=delta,
                    delta_color=METRIC_COLOURS[row["state"]],
                    delta_arrow="off",
                    help=service_level_help(row),
                )
                st.caption(
                    "No goal set"
                    if pd.isna(row["goal_percent"])
                    else f"Goal {row['goal_percent']:g} %"
                )
                st.metric(
                    "Backlog now",
                    f"{int(row['backlog']):,}",
                    delta=f"oldest {compact_wait(float(oldest))}" if row["backlog"] else None,
                    delta_color="gray",
                    delta_arrow="off",
                    help=HELP_BACKLOG + " " + HELP_OLDEST,
                )


def render_channel_details(summary: pd.DataFrame) -> None:
    """The numbers behind the channel cards, in a collapsed table (the cards stay scannable)."""
    with st.expander("Numbers behind the cards"):
        table = pd.DataFrame(
            {
                "Channel": summary["channel"],
                "Service level %": summary["service_level_percent"].round(1),
                "Goal %": summary["goal_percent"],
                "Met": summary["met"],
                "Missed": summary["missed"],
                "Pending": summary["pending"],
                "Offered": summary["offered"],
                "Answered": summary["answered"],
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
        st.dataframe(table, hide_index=True, key="floor_channel_details")
        st.caption(
            "Met, missed and pending cover today's arrivals; backlog and oldest waiting cover "
            "every open contact. Abandon rules: fail = every abandon is a miss; exclude = "
            "abandons leave the denominator; exclude_short = abandons under the policy's short "
            "threshold leave it, longer ones are misses."
        )


def render_agent_states(agents: pd.DataFrame) -> None:
    """Agents by current state (latest state row per active agent; never seen = offline)."""
    counts = agent_state_counts(agents)
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
