"""Plotly figure builders. Each returns a go.Figure (testable without Streamlit) with a title
that states the metric and period, axis units, fixed channel colours, and an empty-state
annotation instead of an empty plot."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from components.plain_text import plotly_text
from components.theme import NEUTRAL, channel_colour, channel_label

LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    "hovermode": "x unified",
    "height": 380,
}


# Tick labels per granularity; weeks are labelled with their Monday (ISO weeks, local time).
TICK_FORMATS: dict[str, str] = {
    "interval": "%a %d %b %H:%M",
    "hour": "%a %d %b %H:%M",
    "day": "%a %d %b",
    "week": "%a %d %b",
}
MAX_TICKS = 12


def local_naive(values: pd.Series) -> pd.Series:
    """Local wall-clock times without a zone: plotly has no time zones, so a period starting at
    local midnight must reach it as midnight (the axis title names the zone)."""
    stamps = pd.to_datetime(values)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps


def period_ticks(
    starts: pd.Series, granularity: str, max_ticks: int = MAX_TICKS
) -> tuple[list[pd.Timestamp], list[str]]:
    """Tick positions and labels at period starts (local), at most `max_ticks`, evenly thinned.

    Explicit ticks, because plotly's own weekly ticks fall on Sundays (its date ticks start from
    2000-01-02) while our weeks start on Monday. The year is added when the periods span two.
    """
    stamps = sorted(local_naive(pd.Series(starts)).dropna().unique())
    if not stamps:
        return [], []
    step = max(1, math.ceil(len(stamps) / max_ticks))
    chosen = [pd.Timestamp(s) for s in stamps[::step]]
    fmt = TICK_FORMATS[granularity]
    if chosen[0].year != pd.Timestamp(stamps[-1]).year:
        fmt += " %Y"
    return chosen, [s.strftime(fmt) for s in chosen]


def local_time_axis(
    fig: go.Figure, starts: pd.Series, granularity: str, *, title: str, **where: int
) -> None:
    """A time x-axis labelled at the period starts in local time (see `period_ticks`); hover
    reads the same format. `where` is plotly's row= / col= of a subplot."""
    tickvals, ticktext = period_ticks(starts, granularity)
    fig.update_xaxes(
        title_text=title,
        tickmode="array",
        tickvals=tickvals,
        ticktext=ticktext,
        hoverformat=TICK_FORMATS[granularity],
        **where,
    )


def empty_figure(title: str, message: str = "No interactions in this period.") -> go.Figure:
    """A titled figure that says there is nothing to show."""
    fig = go.Figure()
    fig.update_layout(title=title, **{**LAYOUT, "height": 240})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=message, showarrow=False, font={"size": 16}, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    return fig


def legend_swatch(
    fig: go.Figure, name: str, *, opacity: float = 1.0, colour: str = NEUTRAL
) -> None:
    """A legend-only entry (a square in `colour` at `opacity`) for traces coloured per channel.

    A bar trace whose bars carry each channel's colour shows its *first* bar's colour in the
    legend, which reads as "Phone"; series told apart by shade get this neutral swatch instead.
    """
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker={"symbol": "square", "size": 12, "color": colour, "opacity": opacity},
        hoverinfo="skip",
    )


def channel_bars(
    frame: pd.DataFrame,
    *,
    value_columns: dict[str, str],
    title: str,
    y_title: str,
) -> go.Figure:
    """Bars per channel (x) for each value column (grouped), channel-coloured.

    Args:
        frame: one row per channel with `channel_id` and the value columns.
        value_columns: column -> legend label; the first is drawn solid, others lighter.
        title: metric and period, e.g. "Offered by channel — today".
        y_title: axis title with unit, e.g. "Interactions".
    """
    if frame.empty or not frame[list(value_columns)].to_numpy().any():
        return empty_figure(title)
    labels = [plotly_text(channel_label(c)) for c in frame["channel_id"]]
    colours = [channel_colour(c) for c in frame["channel_id"]]
    fig = go.Figure()
    for i, (column, legend) in enumerate(value_columns.items()):
        fig.add_bar(
            x=labels,
            y=frame[column],
            name=legend,
            marker={"color": colours, "opacity": 1.0 if i == 0 else 0.45},
            text=frame[column],
            textposition="outside",
            hovertemplate=f"%{{x}}<br>{legend}: %{{y:,}}<extra></extra>",
            showlegend=False,
        )
        legend_swatch(fig, legend, opacity=1.0 if i == 0 else 0.45)
    fig.update_layout(title=title, barmode="group", **{**LAYOUT, "hovermode": "closest"})
    fig.update_yaxes(title_text=y_title, rangemode="tozero")
    fig.update_xaxes(title_text="Channel")
    return fig
