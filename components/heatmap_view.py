"""Hour-of-day × weekday heatmaps of offered and service level (for planning), from
`queries.heatmap.weekly_pattern`: the figure builder and the Service level page's panel."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import LAYOUT, empty_figure
from queries.heatmap import WEEKDAYS

HOURS: tuple[str, ...] = tuple(f"{h:02d}:00" for h in range(24))
# Colour-blind-safe scales: offered light to dark blue; service level red (below the goal)
# through white (at the goal) to blue (above), ColorBrewer RdBu's colours.
OFFERED_SCALE = "Blues"
_BELOW, _NEAR_BELOW, _AT = "#b2182b", "#ef8a62", "#f7f7f7"
_NEAR_ABOVE, _ABOVE = "#67a9cf", "#2166ac"


def service_level_scale(goal: float | None) -> list[list]:
    """A 0–100 % colour scale that is white at `goal` (50 % when None)."""
    at = (50.0 if goal is None else min(max(float(goal), 1.0), 99.0)) / 100.0
    return [
        [0.0, _BELOW],
        [at / 2, _NEAR_BELOW],
        [at, _AT],
        [at + (1 - at) / 2, _NEAR_ABOVE],
        [1.0, _ABOVE],
    ]


def _matrix(pattern: pd.DataFrame, column: str) -> list[list[float | None]]:
    """7 rows (Monday first) × 24 hours of `column`; None where there is no value."""
    table = pattern.pivot(index="weekday", columns="hour", values=column)
    table = table.reindex(index=range(7), columns=range(24))
    return [[None if pd.isna(v) else float(v) for v in row] for row in table.to_numpy()]


def pattern_heatmap(pattern: pd.DataFrame, *, title: str, goal: float | None) -> go.Figure:
    """Two heatmaps, weekday (rows) × local hour (columns): mean offered per hour (the total
    and the number of such hours in the hover; blank for an hour that has not come yet), and
    service level % with its n (met + missed) in the hover (blank when nothing was met or
    missed).

    Args:
        pattern: `weekly_pattern` rows (weekday 0 = Monday, hour, hours, offered,
            offered_per_hour, met, missed, pending, service_level_percent).
        title: metric and period.
        goal: the goal %, where the service level colours turn from red to blue (white at it);
            with several goals, the page passes the lowest. None: 50 %.
    """
    if pattern.empty or pattern["offered"].sum() == 0:
        return empty_figure(title)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(
            "Offered per hour (contacts, mean over the period's hours)",
            "Service level (%) = met ÷ (met + missed)",
        ),
    )
    totals = [
        [0 if t is None else int(t) for t in total]
        for total in _matrix(pattern.assign(n=pattern["offered"]), "n")
    ]
    hours = [[0 if h is None else int(h) for h in row] for row in _matrix(pattern, "hours")]
    fig.add_heatmap(
        z=_matrix(pattern, "offered_per_hour"),
        x=list(HOURS),
        y=list(WEEKDAYS),
        customdata=[
            [[t, h] for t, h in zip(trow, hrow, strict=True)]
            for trow, hrow in zip(totals, hours, strict=True)
        ],
        colorscale=OFFERED_SCALE,
        zmin=0,
        colorbar={"title": {"text": "Per hour"}, "y": 0.79, "len": 0.42},
        hovertemplate="%{y} %{x}: %{z:.1f} offered per hour (%{customdata[0]:,} in "
        "%{customdata[1]} hours)<extra></extra>",
        hoverongaps=False,
        row=1,
        col=1,
    )
    measured = _matrix(pattern.assign(n=pattern["met"] + pattern["missed"]), "n")
    measured = [[0 if v is None else int(v) for v in row] for row in measured]
    fig.add_heatmap(
        z=_matrix(pattern, "service_level_percent"),
        x=list(HOURS),
        y=list(WEEKDAYS),
        customdata=measured,
        colorscale=service_level_scale(goal),
        zmin=0,
        zmax=100,
        colorbar={
            "title": {"text": "SL %" if goal is None else f"SL %<br>white:<br>{goal:g} %"},
            "y": 0.21,
            "len": 0.42,
            "ticksuffix": " %",
        },
        hovertemplate="%{y} %{x}: %{z:.1f} % (n = %{customdata:,} met or missed)<extra></extra>",
        hoverongaps=False,
        row=2,
        col=1,
    )
    fig.update_layout(
        title=title,
        **{**LAYOUT, "hovermode": "closest", "height": 560, "margin": {"l": 60, "r": 20, "t": 90}},
    )
    for row in (1, 2):
        fig.update_yaxes(autorange="reversed", row=row, col=1)  # Monday at the top
    fig.update_xaxes(title_text="Hour starting (local time)", dtick=2, row=2, col=1)
    return fig
