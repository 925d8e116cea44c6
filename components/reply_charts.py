"""Figures of the reply review analytics: queue size over time, outcome shares, added FRT."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.reply_review import OUTCOME_LABELS, OUTCOMES
from components.charts import LAYOUT, empty_figure, local_naive
from components.plain_text import plotly_text
from components.theme import BAD, GOOD, NEUTRAL, WARN, channel_colour, channel_label

OUTCOME_COLOURS = {"approved": GOOD, "edited": WARN, "rejected": BAD, "moved_private": NEUTRAL}


def queue_size_figure(sizes: pd.DataFrame, *, period: str, tz: str) -> go.Figure:
    """Replies waiting for review at each sample time (`sizes`: at (local), waiting)."""
    title = f"Replies waiting for review · {period}"
    if sizes.empty or not sizes["waiting"].any():
        return empty_figure(title, "No replies waited for review in this period.")
    fig = go.Figure(
        go.Scatter(
            x=local_naive(sizes["at"]),
            y=sizes["waiting"],
            mode="lines",
            line={"shape": "hv", "color": NEUTRAL},
            name="waiting",
            hovertemplate="%{y} waiting<extra></extra>",
        )
    )
    fig.update_layout(title=title, **LAYOUT)
    fig.update_xaxes(title_text=f"Time ({plotly_text(tz)})")
    fig.update_yaxes(title_text="Replies waiting", rangemode="tozero")
    return fig


def outcome_share_figure(shares: pd.DataFrame, *, by: str, period: str) -> go.Figure:
    """Stacked horizontal bars: share (%) of each outcome per group (reason / rule / reviewer)."""
    title = f"Review outcomes by {by} · {period}"
    if shares.empty:
        return empty_figure(title, "No review decisions in this period.")
    groups = sorted(shares["group"].unique())
    fig = go.Figure()
    for outcome in OUTCOMES:
        part = shares[shares["outcome"] == outcome].set_index("group").reindex(groups)
        fig.add_bar(
            y=[plotly_text(g) for g in groups],
            x=part["share_percent"].fillna(0.0),
            customdata=part["count"].fillna(0).astype(int),
            orientation="h",
            name=OUTCOME_LABELS[outcome],
            marker_color=OUTCOME_COLOURS[outcome],
            hovertemplate=OUTCOME_LABELS[outcome] + ": %{x:.1f} % (%{customdata})<extra></extra>",
        )
    fig.update_layout(title=title, barmode="stack", **{**LAYOUT, "hovermode": "closest"})
    fig.update_xaxes(title_text="Share of decisions (%)", range=[0, 100])
    fig.update_yaxes(title_text=by.capitalize(), automargin=True)
    return fig


def added_frt_figure(weekly: pd.DataFrame, *, period: str) -> go.Figure:
    """Added FRT (minutes) per ISO week and public social channel: median reviewed − direct."""
    title = f"First response time added by review, public social, per week · {period}"
    data = weekly.dropna(subset=["added_seconds"])
    if data.empty:
        return empty_figure(
            title, "No week had public social contacts both with and without review."
        )
    fig = go.Figure()
    for channel, part in data.groupby("channel_id", sort=True):
        fig.add_bar(
            x=pd.to_datetime(part["week"]),
            y=part["added_seconds"] / 60.0,
            customdata=part[["n_reviewed", "n_direct"]].to_numpy(),
            name=plotly_text(channel_label(channel)),
            marker_color=channel_colour(channel),
            hovertemplate="%{y:.1f} min added (reviewed %{customdata[0]}, direct "
            "%{customdata[1]})<extra></extra>",
        )
    fig.update_layout(title=title, barmode="group", **LAYOUT)
    fig.update_xaxes(title_text="ISO week (Monday)", tickformat="%d %b")
    fig.update_yaxes(title_text="Added median FRT (minutes)")
    return fig
