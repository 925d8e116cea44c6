"""Figure builders of the Service level page: service level over time by group (with the goal as
a reference line) and the FRT distribution in buckets. Each returns a go.Figure whose title
states the metric and period, with axis units, channel colours and an empty state.

A period still running at `now` (today, this week) is drawn dotted with an open marker: its
figure is not final. Grouped by agent, contacts no agent is recorded for are not a line (they
are mostly unanswered, a near-0 % line that would squash the axis); the table lists them apart.
Likewise by team.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import LAYOUT, empty_figure, local_naive, local_time_axis
from components.plain_text import plotly_text
from components.theme import GROUP_PALETTE, channel_colour, channel_label
from queries.sl_base import NO_AGENT_KEY

# One distinct colour per line: no more lines than the group palette has colours.
MAX_LINES = len(GROUP_PALETTE)
GOAL_COLOUR = "#444444"
GOAL_DASHES: tuple[str, ...] = ("dash", "dashdot", "longdash", "longdashdot")
RUNNING_DASH = "dot"  # a period still running; no goal line uses it
_X_TITLES = {
    "interval": "15-minute interval starting (local time)",
    "hour": "Hour starting (local time)",
    "day": "Day (local time)",
    "week": "Week starting Monday (local time)",
}


def group_colours(keys: list[str], group_by: str) -> dict[str, str]:
    """A colour per group key: the channel's colour, else the group palette in list order
    (never a channel colour; pass only the keys drawn, so no two lines share a colour)."""
    if group_by == "channel":
        return {key: channel_colour(key) for key in keys}
    return {key: GROUP_PALETTE[n % len(GROUP_PALETTE)] for n, key in enumerate(keys)}


def legend_below(fig: go.Figure, *, margin_bottom: int = 110) -> None:
    """A horizontal legend at the foot of the figure, under the x-axis title (never on it);
    `margin_bottom` keeps room for tick labels, the axis title and the legend rows."""
    fig.update_layout(
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0.0,
            "x": 0,
            "traceorder": "normal",
        },
        margin={"b": margin_bottom},
    )


def partial_periods(series: pd.DataFrame, now: datetime | None) -> pd.Series:
    """True for each row whose period is still running at `now` (naive UTC): it ends after
    now, so its figure is not final. All False without `now` or a period_end column."""
    if now is None or "period_end" not in series or series.empty:
        return pd.Series(False, index=series.index)
    ends = pd.to_datetime(series["period_end"], utc=True)
    return pd.Series(ends > pd.Timestamp(now, tz="UTC"), index=series.index)


def busiest_groups(series: pd.DataFrame, limit: int = MAX_LINES) -> list[str]:
    """The group keys with the most offered contacts (ties in list order), at most `limit`."""
    totals = series.groupby("group_key", sort=False)["offered"].sum()
    totals = totals[totals > 0]
    return list(totals.sort_values(ascending=False, kind="stable").index[:limit])


def service_level_over_time(
    series: pd.DataFrame,
    *,
    goals: pd.DataFrame,
    group_by: str,
    granularity: str,
    title: str,
    subtitle: str,
    tz: str,
    now: datetime | None = None,
) -> go.Figure:
    """Service level % per period, one line per group, with each goal as a dashed line.

    Args:
        series: `service_level_counts` rows (period_start, group_key, group_label, met, missed,
            pending, service_level_percent; NaN = no data, drawn as a gap, never as 0 %).
        goals: channel_id, channel, goal_percent of the selected channels; one reference line
            per distinct goal, labelled with the channels it applies to.
        group_by: "channel" colours lines by channel; other groupings use a fixed palette.
        granularity: "interval" / "hour" / "day" / "week" (axis title).
        title: metric and period, e.g. "Service level % by channel — 20–26 Nov 2026".
        subtitle: how it was counted (abandon rule, clock).
        tz: the centre's time zone, named on the time axis.
        now: naive UTC; a period ending after it is drawn as still running (dotted).
    """
    if group_by in ("team", "agent"):  # listed apart in the table, not a line (module doc)
        series = series[series["group_key"] != NO_AGENT_KEY]
    measured = series[(series["met"] + series["missed"]) > 0]
    if series.empty or measured.empty:
        return empty_figure(title, "No contact was met or missed in this period: no service level.")
    busiest = set(busiest_groups(measured))
    keys = [k for k in series["group_key"].drop_duplicates() if k in busiest]  # list order
    colours = group_colours(keys, group_by)
    running = partial_periods(series, now)
    fig = go.Figure()
    many_points = series["period_key"].nunique() > 60
    for key in keys:
        rows = series[series["group_key"] == key]
        label = plotly_text(rows["group_label"].iloc[0])
        still = running.loc[rows.index]
        hover = (
            f"{label}: %{{y:.1f}} %<br>met %{{customdata[0]:,}} · missed %{{customdata[1]:,}}"
            " · pending %{customdata[2]:,}"
        )
        fig.add_scatter(
            x=local_naive(rows["period_start"]),
            y=rows["service_level_percent"].where(~still),
            name=label,
            legendgroup=str(key),
            mode="lines" if many_points else "lines+markers",
            line={"color": colours[key], "width": 2},
            connectgaps=False,
            customdata=rows[["met", "missed", "pending"]].to_numpy(),
            hovertemplate=hover + "<extra></extra>",
        )
        if still.any():
            # The running period, joined to the last complete one by a dotted segment.
            first = int(still.to_numpy().argmax())
            tail = rows.iloc[max(first - 1, 0) :]
            fig.add_scatter(
                x=local_naive(tail["period_start"]),
                y=tail["service_level_percent"],
                name=f"{label} (still running)",
                legendgroup=str(key),
                showlegend=False,
                mode="lines+markers",
                line={"color": colours[key], "width": 2, "dash": RUNNING_DASH},
                marker={"symbol": "circle-open", "size": 9},
                connectgaps=False,
                customdata=tail[["met", "missed", "pending"]].to_numpy(),
                hovertemplate=hover + " (still running: not final)<extra></extra>",
            )
    if running.any():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines+markers",
            name="Dotted, open marker: period still running (not final)",
            line={"color": GOAL_COLOUR, "dash": RUNNING_DASH, "width": 2},
            marker={"symbol": "circle-open", "size": 9},
            hoverinfo="skip",
        )
    x_span = local_naive(series["period_start"])
    for n, (goal, channels) in enumerate(
        goals.dropna(subset=["goal_percent"]).groupby("goal_percent")
    ):
        names = (
            plotly_text(", ".join(channels["channel"]))
            if len(goals) > len(channels)
            else "all channels"
        )
        fig.add_scatter(
            x=[x_span.min(), x_span.max()],
            y=[float(goal), float(goal)],
            mode="lines",
            name=f"Goal {goal:g} % ({names})",
            line={"color": GOAL_COLOUR, "dash": GOAL_DASHES[n % len(GOAL_DASHES)], "width": 1.5},
            hovertemplate=f"Goal {goal:g} % ({names})<extra></extra>",
        )
    lowest = min(
        [float(measured["service_level_percent"].min())]
        + [float(g) for g in goals["goal_percent"].dropna()]
    )
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        **{**LAYOUT, "height": 460, "margin": {"l": 60, "r": 20, "t": 90, "b": 60}},
    )
    legend_below(fig, margin_bottom=150)  # up to three legend rows: groups, then goals
    fig.update_yaxes(
        title_text="Service level (%)",
        range=[max(0.0, (lowest // 10) * 10 - 10), 102],
        ticksuffix=" %",
    )
    local_time_axis(
        fig,
        series["period_start"],
        granularity,
        title=f"{_X_TITLES.get(granularity, 'Period')} — {tz}",
    )
    return fig


def frt_distribution(buckets: pd.DataFrame, *, title: str, subtitle: str) -> go.Figure:
    """Answered contacts per FRT bucket, grouped by channel: live channels (phone, chat) in
    seconds/minutes, email and social in hours; each bucket includes its lower edge.

    Args:
        buckets: `frt_bucket_table` rows (channel_id, family, bucket, bucket_order, count).
        title: metric and period. subtitle: the clock used (24/7 or business hours).
    """
    if buckets.empty or buckets["count"].sum() == 0:
        return empty_figure(title, "No answered contacts in this period.")
    families = [
        f for f in ("live", "async") if buckets.loc[buckets["family"] == f, "count"].sum() > 0
    ]
    names = {"live": "Phone and chat (seconds)", "async": "Email and social (hours)"}
    fig = make_subplots(
        rows=1,
        cols=len(families),
        subplot_titles=[names[f] for f in families],
        horizontal_spacing=0.08,
    )
    for col, family in enumerate(families, start=1):
        rows = buckets[buckets["family"] == family]
        for channel_id, channel_rows in rows.groupby("channel_id", sort=False):
            if channel_rows["count"].sum() == 0:
                continue
            ordered = channel_rows.sort_values("bucket_order")
            label = plotly_text(channel_label(str(channel_id)))
            fig.add_bar(
                x=ordered["bucket"],
                y=ordered["count"],
                name=label,
                marker={"color": channel_colour(str(channel_id))},
                legendgroup=str(channel_id),
                hovertemplate=f"{label} · %{{x}}: %{{y:,}}<extra></extra>",
                row=1,
                col=col,
            )
        fig.update_xaxes(title_text="First response time", row=1, col=col, type="category")
        fig.update_yaxes(
            title_text="Answered contacts (count)" if col == 1 else None, row=1, col=col
        )
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        barmode="group",
        **{**LAYOUT, "hovermode": "closest", "height": 440, "margin": {"l": 60, "r": 20, "t": 110}},
    )
    legend_below(fig)
    return fig
