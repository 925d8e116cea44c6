"""Today's arrivals per 15 minutes against the expected curve: the figure builder.

Rollup intervals are UTC; the chart and the expected curve work in the centre's local wall-clock
time, so a supervisor reads 10:15 as 10:15 local. The expected curve
(analytics.expected_volume.expected_by_channel) is the same weekday in each of the previous 4
weeks, mean with a lowest–highest band, leaving out reference days before the history starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from analytics.expected_volume import EXPECTED_WEEKS, local_wall_clock
from components.charts import LAYOUT, empty_figure
from components.plain_text import plotly_text
from components.theme import channel_colour, channel_label

# AHT for staffing comes from the same recent history the expected curve uses.
AHT_WEEKS = timedelta(weeks=EXPECTED_WEEKS)
VOLUME_HELP = (
    "Offered: inbound contacts (conversations; follow-up messages are not counted again) by "
    "arrival time, per 15-minute interval of today (local time), stacked by channel. "
    "Expected: for each 15 minutes, the mean over the same weekday "
    f"in the previous {EXPECTED_WEEKS} weeks (days before the history starts are left out); the "
    "band runs from the lowest to the highest of those days."
)
EXPECTED_COLOUR = "#444444"
BAND_COLOUR = "rgba(120, 120, 120, 0.18)"
NOW_COLOUR = "#c62828"


def volume_title(day: date, weeks: int = EXPECTED_WEEKS) -> str:
    """Chart title: the metric, unit, period and what it is compared with."""
    return (
        f"Offered per 15 minutes by channel — today, {day:%a %d %b}"
        f"<br><sup>vs expected: mean of the same weekday in the previous {weeks} weeks "
        "(band: lowest–highest)</sup>"
    )


def volume_figure(
    today: pd.DataFrame,
    expected: pd.DataFrame,
    *,
    day: date,
    tz: str,
    now_local: datetime | None = None,
    weeks: int = EXPECTED_WEEKS,
    channel_order: Sequence[str] | None = None,
) -> go.Figure:
    """Stacked bars of today's arrivals per 15-minute local slot by channel, with the expected
    total as a dashed line inside its lowest–highest band.

    Args:
        today: offered per interval today (UTC interval_start, channel_id, offered).
        expected: the "all" rows of `expected_by_channel` (slot_start local, mean, low, high,
            days); empty or days == 0 when there is no history yet.
        day: the local day shown; tz: the centre's time zone (for the axis and conversion).
        now_local: draws a "now" marker when given.
        channel_order: stacking and legend order (e.g. the centre's channel order).
    """
    title = volume_title(day, weeks)
    has_expected = len(expected) > 0 and int(expected["days"].max()) > 0
    if (today.empty or int(today["offered"].sum()) == 0) and not has_expected:
        return empty_figure(
            title, "No interactions yet today, and no earlier weeks to compare with."
        )

    fig = go.Figure()
    if has_expected:
        days_used = int(expected["days"].max())
        # Steps ("hv") span each slot's 15 minutes like the bars; one more point closes the day.
        steps = pd.concat(
            [expected, expected.tail(1).assign(slot_start=pd.Timestamp(day) + timedelta(days=1))],
            ignore_index=True,
        )
        fig.add_scatter(
            x=steps["slot_start"],
            y=steps["high"],
            mode="lines",
            line={"width": 0, "shape": "hv"},
            hoverinfo="skip",
            showlegend=False,
        )
        fig.add_scatter(
            x=steps["slot_start"],
            y=steps["low"],
            mode="lines",
            line={"width": 0, "shape": "hv"},
            fill="tonexty",
            fillcolor=BAND_COLOUR,
            name=f"Expected range ({days_used} day{'s' if days_used != 1 else ''})",
            hoverinfo="skip",
        )

    if not today.empty:
        local = today.assign(slot_start=local_wall_clock(today["interval_start"], tz))
        present = list(dict.fromkeys(local["channel_id"]))
        # Stack and legend in the centre's channel order (first = bottom of the stack).
        ordered = [c for c in (channel_order or []) if c in present]
        ordered += [c for c in present if c not in ordered]
        for channel_id in ordered:
            rows = local[local["channel_id"] == channel_id]
            per_slot = rows.groupby("slot_start")["offered"].sum()
            label = plotly_text(channel_label(str(channel_id)))
            fig.add_bar(
                x=per_slot.index,
                y=per_slot.to_numpy(),
                name=label,
                marker={"color": channel_colour(str(channel_id))},
                # Bars sit on the slot's 15 minutes, not centred on its start.
                offset=0,
                width=15 * 60 * 1000,
                hovertemplate=f"{label}: %{{y}}<extra></extra>",
            )

    if has_expected:
        # Drawn last so the bars never hide it.
        fig.add_scatter(
            x=steps["slot_start"],
            y=steps["mean"],
            mode="lines",
            line={"color": EXPECTED_COLOUR, "dash": "dash", "width": 2, "shape": "hv"},
            name="Expected (mean)",
            hovertemplate="Expected: %{y:.1f}<extra></extra>",
        )

    start = pd.Timestamp(day)
    fig.update_layout(
        title=title,
        barmode="stack",
        bargap=0.1,
        **{**LAYOUT, "height": 440, "margin": {"l": 60, "r": 20, "t": 90, "b": 40}},
    )
    # Below the axis title: the top is taken by the two-line title and the "now" marker.
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0, "traceorder": "normal"}
    )
    fig.update_xaxes(
        title_text=f"Local time ({tz})",
        range=[start, start + timedelta(days=1)],
        tickformat="%H:%M",
        dtick=2 * 3600 * 1000,
    )
    fig.update_yaxes(title_text="Interactions per 15 min", rangemode="tozero")
    if now_local is not None:
        fig.add_vline(x=now_local, line={"color": NOW_COLOUR, "width": 1, "dash": "dot"})
        fig.add_annotation(
            x=now_local,
            y=1,
            yref="paper",
            text="now",
            showarrow=False,
            yanchor="bottom",
            font={"color": NOW_COLOUR, "size": 11},
        )
    return fig
