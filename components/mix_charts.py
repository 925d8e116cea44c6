"""Figure builders of the Channels page: channel mix over time (share or count), social public vs
private, and FRT / AHT / service level per channel side by side. Each returns a go.Figure with
a title stating metric and period, axis units, channel colours and an empty state."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import LAYOUT, empty_figure, legend_swatch, local_naive, local_time_axis
from components.plain_text import plotly_text
from components.sl_charts import legend_below, partial_periods
from components.theme import (
    NEUTRAL,
    channel_colour,
    channel_label,
    format_seconds,
    text_colour_on,
)

MIX_MODES: tuple[str, ...] = ("share", "count")
# Log-axis ticks that read as durations (FRT spans seconds on phone to hours on email).
_DURATION_TICKS = [1, 10, 60, 600, 3600, 4 * 3600, 86_400, 7 * 86_400]


RUNNING_PATTERN = "/"  # hatching of a period still running


def channel_mix_chart(
    mix: pd.DataFrame,
    *,
    mode: str,
    granularity: str,
    title: str,
    now: datetime | None = None,
) -> go.Figure:
    """Stacked bars per period: each channel's share of offered (%) or its offered count; each
    legend entry carries the channel's n (offered over the whole range).

    Args:
        mix: `channel_mix` rows (period_start, period_end, channel_id, offered, share_percent).
        mode: "share" (bars of a period add up to 100 %) or "count".
        granularity: "day" or "week" (x-axis title).
        title: metric and period, e.g. "Channel mix — share of offered per day, 24–30 Nov 2026".
        now: naive UTC; a period ending after it (today, this week) is hatched: not final.
    """
    if mode not in MIX_MODES:
        raise ValueError(f"mode must be one of {', '.join(MIX_MODES)}; got {mode!r}")
    if mix.empty or mix["offered"].sum() == 0:
        return empty_figure(title)
    column = "share_percent" if mode == "share" else "offered"
    running = partial_periods(mix, now)
    fig = go.Figure()
    for channel_id, rows in mix.groupby("channel_id", sort=False):
        label = plotly_text(channel_label(str(channel_id)))
        still = running.loc[rows.index]
        fig.add_bar(
            x=local_naive(rows["period_start"]),
            y=rows[column],
            name=f"{label} (n = {int(rows['offered'].sum()):,})",
            marker={
                "color": channel_colour(str(channel_id)),
                "pattern": {"shape": [RUNNING_PATTERN if s else "" for s in still]},
            },
            customdata=rows[["offered", "share_percent"]].to_numpy(),
            hovertemplate=(
                f"{label}: %{{customdata[0]:,}} offered · %{{customdata[1]:.1f}} %<extra></extra>"
            ),
        )
    if running.any():
        fig.add_bar(
            x=[None],
            y=[None],
            name="Hatched: still running (not final)",
            marker={
                "color": "white",
                "line": {"color": NEUTRAL, "width": 1},
                "pattern": {"shape": RUNNING_PATTERN, "fgcolor": NEUTRAL},
            },
            hoverinfo="skip",
        )
    fig.update_layout(title=title, barmode="stack", bargap=0.25, **{**LAYOUT, "height": 420})
    legend_below(fig, margin_bottom=100)
    if mode == "share":
        fig.update_yaxes(title_text="Share of offered (%)", range=[0, 100], ticksuffix=" %")
    else:
        fig.update_yaxes(title_text="Offered (count)", rangemode="tozero")
    x_title = "Week starting Monday (local)" if granularity == "week" else "Day (local)"
    local_time_axis(fig, mix["period_start"], granularity, title=x_title)
    return fig


def social_split_chart(split: pd.DataFrame, *, title: str) -> go.Figure:
    """Horizontal stacked bars per social channel: public posts/comments vs private messages.

    Args:
        split: `social_split` rows (channel_id, public_offered, private_offered,
            public_share_percent).
        title: metric and period.
    """
    if split.empty or split["offered"].sum() == 0:
        return empty_figure(title)
    labels = [plotly_text(channel_label(c)) for c in split["channel_id"]]
    colours = [channel_colour(c) for c in split["channel_id"]]
    fig = go.Figure()
    public_share = split["public_share_percent"].fillna(0)
    fig.add_bar(
        y=labels,
        x=split["public_offered"],
        orientation="h",
        name="Public (posts, comments)",
        marker={"color": colours},
        showlegend=False,
        text=[
            f"{n:,} public ({s:.0f} %)"
            for n, s in zip(split["public_offered"], public_share, strict=True)
        ],
        textposition="inside",
        insidetextanchor="start",
        hovertemplate="%{y}: %{x:,} public<extra></extra>",
    )
    fig.add_bar(
        y=labels,
        x=split["private_offered"],
        orientation="h",
        name="Private (messages)",
        marker={"color": colours, "opacity": 0.4},
        showlegend=False,
        text=[f"{n:,} private" for n in split["private_offered"]],
        textposition="inside",
        insidetextanchor="start",
        hovertemplate="%{y}: %{x:,} private<extra></extra>",
    )
    fig.update_layout(
        title=title,
        barmode="stack",
        **{
            **LAYOUT,
            "hovermode": "closest",
            "height": 300,
            "margin": {"l": 110, "r": 20, "t": 80, "b": 50},
        },
    )
    legend_swatch(fig, "Public (posts, comments)")
    legend_swatch(fig, "Private (messages)", opacity=0.4)
    fig.update_layout(legend={"traceorder": "normal"})
    fig.update_xaxes(title_text="Offered (count)", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return fig


def channel_comparison_chart(table: pd.DataFrame, *, title: str) -> go.Figure:
    """Three panels per channel: service level % (goal as a marker), FRT median (p90 as a marker,
    log scale so seconds and hours both read) and AHT in minutes; each channel's name carries
    its n (offered) when the table has it.

    Args:
        table: `channel_comparison` rows (channel_id, service_level_percent, goal_percent,
            frt_median, frt_p90, aht_seconds, offered; NaN = no data, no bar).
        title: metric and period.
    """
    measured = table[["service_level_percent", "frt_median", "aht_seconds"]].notna().any(axis=1)
    if table.empty or not measured.any():
        return empty_figure(title)
    labels = [plotly_text(channel_label(c)) for c in table["channel_id"]]
    if "offered" in table:  # n under each channel's name
        labels = [
            f"{name}<br>n={int(n):,}" if pd.notna(n) else name
            for name, n in zip(labels, table["offered"], strict=True)
        ]
    colours = [channel_colour(c) for c in table["channel_id"]]
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=[
            "Service level (%)",
            "First response time, median (log scale)",
            "Average handle time (minutes)",
        ],
        horizontal_spacing=0.07,
    )
    sl = table["service_level_percent"]
    fig.add_bar(
        x=labels,
        y=sl,
        marker={"color": colours},
        text=[f"{v:.0f} %" if pd.notna(v) else "" for v in sl],
        # Inside at the foot of the bar: the goal markers sit near the top, where an outside
        # label would collide with them.
        textposition="inside",
        insidetextanchor="start",
        textangle=0,
        textfont={"color": [text_colour_on(c) for c in colours]},
        constraintext="none",
        cliponaxis=False,
        showlegend=False,
        hovertemplate="%{x}: %{y:.1f} %<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=labels,
        y=table["goal_percent"],
        mode="markers",
        name="Goal",
        marker={"symbol": "line-ew-open", "size": 26, "color": NEUTRAL, "line": {"width": 3}},
        hovertemplate="%{x} goal: %{y:g} %<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        x=labels,
        y=table["frt_median"],
        marker={"color": colours},
        customdata=[format_seconds(v) if pd.notna(v) else "" for v in table["frt_median"]],
        showlegend=False,
        # No bar labels here: durations are wider than the bars; the table below has them.
        hovertemplate="%{x}: median %{customdata}<extra></extra>",
        row=1,
        col=2,
    )
    fig.add_scatter(
        x=labels,
        y=table["frt_p90"],
        mode="markers",
        name="FRT p90",
        marker={"symbol": "diamond", "size": 9, "color": NEUTRAL},
        customdata=[format_seconds(v) if pd.notna(v) else "" for v in table["frt_p90"]],
        hovertemplate="%{x}: p90 %{customdata}<extra></extra>",
        row=1,
        col=2,
    )
    aht_minutes = table["aht_seconds"] / 60.0
    fig.add_bar(
        x=labels,
        y=aht_minutes,
        marker={"color": colours},
        text=[f"{v:.1f}" if pd.notna(v) else "" for v in aht_minutes],
        textposition="outside",
        textangle=0,
        constraintext="none",
        cliponaxis=False,
        showlegend=False,
        hovertemplate="%{x}: %{y:.1f} min<extra></extra>",
        row=1,
        col=3,
    )
    fig.update_yaxes(title_text="Service level (%)", range=[0, 112], ticksuffix=" %", row=1, col=1)
    present = pd.concat([table["frt_median"], table["frt_p90"]]).dropna()
    present = present[present > 0]
    ticks = _duration_ticks(present)
    fig.update_yaxes(
        type="log",
        tickvals=ticks,
        ticktext=[format_seconds(t) for t in ticks],
        range=_log_range(present),
        row=1,
        col=2,
    )
    fig.update_yaxes(rangemode="tozero", row=1, col=3)
    # Two-line channel labels (name, n) stay level: rotated they read sideways.
    fig.update_xaxes(tickangle=0, tickfont={"size": 10})
    fig.update_layout(
        title=title,
        **{
            **LAYOUT,
            "hovermode": "closest",
            "height": 420,
            "margin": {"l": 60, "r": 20, "t": 100, "b": 60},
        },
    )
    legend_below(fig)
    return fig


def _duration_ticks(values: pd.Series) -> list[int]:
    if values.empty:
        return _DURATION_TICKS
    low, high = float(values.min()), float(values.max())
    return [t for t in _DURATION_TICKS if low / 10 <= t <= high * 10] or _DURATION_TICKS


def _log_range(values: pd.Series) -> list[float] | None:
    # Room above the tallest bar for its text label.
    if values.empty:
        return None
    return [math.log10(max(float(values.min()) / 3, 0.5)), math.log10(float(values.max()) * 4)]
