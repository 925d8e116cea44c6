"""Weekly trend figures: one line chart builder for any weekly figure(s) and one stacked-bar
builder for offered by channel. Weeks are categories labelled by ISO week; the current week is
marked partial (an open marker and "(partial)" in its label), so a half-counted week never
reads as a drop."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import LAYOUT, empty_figure
from components.plain_text import plotly_text
from components.theme import NEUTRAL, channel_colour

# Units of weekly figures as axis titles.
UNIT_TITLES = {"%": "%", "seconds": "seconds", "contacts": "contacts", "score": "score (0–100)"}
PARTIAL_NOTE = "(partial)"
# Series colours for figures that are not a channel's.
SERIES_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def week_ticks(weeks: pd.DataFrame) -> list[str]:
    """The category label of each week: '2026-W47', the current one '2026-W49 (partial)'."""
    return [
        f"{w} {PARTIAL_NOTE}" if partial else str(w)
        for w, partial in zip(weeks["week"], weeks["partial"], strict=True)
    ]


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(title=plotly_text(title), **LAYOUT)
    fig.update_xaxes(title="ISO week (local time)", type="category")
    fig.update_yaxes(title=y_title, rangemode="tozero")
    return fig


def weekly_trend_chart(
    figures: pd.DataFrame,
    weeks: pd.DataFrame,
    *,
    keys: list[str],
    title: str,
    unit: str,
    scale: float = 1.0,
) -> go.Figure:
    """Lines of the weekly figures `keys` (figures: week, key, label, value, n; weeks: week,
    partial, in order). scale divides the values (3600 shows seconds as hours). Hover gives
    the value and its n. An empty-state message when no week has a value."""
    shown = figures[figures["key"].isin(keys)]
    if shown["value"].dropna().empty:
        return empty_figure(title, "No data in these weeks.")
    ticks = dict(zip(weeks["week"], week_ticks(weeks), strict=True))
    partial = set(weeks.loc[weeks["partial"], "week"])
    fig = go.Figure()
    for number, key in enumerate(keys):
        series = shown[shown["key"] == key].set_index("week").reindex(list(weeks["week"]))
        if series["value"].dropna().empty:
            continue
        label = next(iter(series["label"].dropna()), key)
        channel = key.split(".", 1)[-1]
        colour = (
            channel_colour(channel)
            if channel_colour(channel) != NEUTRAL and key.count(".") == 1
            else SERIES_COLOURS[number % len(SERIES_COLOURS)]
        )
        fig.add_scatter(
            x=[plotly_text(ticks[w]) for w in series.index],
            y=(series["value"] / scale).tolist(),
            customdata=series["n"].fillna(0).astype(int).tolist(),
            mode="lines+markers",
            name=plotly_text(label),
            line={"color": colour},
            marker={
                "color": colour,
                "size": 8,
                "symbol": ["circle-open" if w in partial else "circle" for w in series.index],
            },
            hovertemplate="%{y:,.1f} (n = %{customdata:,})<extra>"
            + plotly_text(label)
            + "</extra>",
        )
    return _layout(fig, title, UNIT_TITLES.get(unit, unit))


def weekly_offered_chart(figures: pd.DataFrame, weeks: pd.DataFrame, *, title: str) -> go.Figure:
    """Offered contacts per week, stacked by channel in the channel colours."""
    shown = figures[figures["key"].str.startswith("offered.") & (figures["key"] != "offered.total")]
    if shown["value"].fillna(0).sum() == 0:
        return empty_figure(title, "No contacts in these weeks.")
    ticks = dict(zip(weeks["week"], week_ticks(weeks), strict=True))
    fig = go.Figure()
    for key, series in shown.groupby("key", sort=False):
        series = series.set_index("week").reindex(list(weeks["week"]))
        label = next(iter(series["label"].dropna()), key).removeprefix("Offered — ")
        fig.add_bar(
            x=[plotly_text(ticks[w]) for w in series.index],
            y=series["value"].fillna(0).tolist(),
            name=plotly_text(label),
            marker={"color": channel_colour(key.split(".", 1)[1])},
            hovertemplate="%{y:,.0f} contacts<extra>" + plotly_text(label) + "</extra>",
        )
    fig.update_layout(barmode="stack")
    return _layout(fig, title, "contacts")


def trend_charts(
    figures: pd.DataFrame, weeks: pd.DataFrame, *, period: str, qa: bool
) -> dict[str, go.Figure]:
    """Every trend chart of the page (and the PDF), by name, titles naming metric and period."""
    channel_sl = [k for k in figures["key"].unique() if k.startswith("sl.") and k != "sl.total"]
    charts = {
        "offered": weekly_offered_chart(figures, weeks, title=f"Offered by channel — {period}"),
        "service_level": weekly_trend_chart(
            figures,
            weeks,
            keys=["sl.total", *channel_sl],
            unit="%",
            title=f"Service level % (met ÷ (met + missed)) — {period}",
        ),
        "frt_live": weekly_trend_chart(
            figures,
            weeks,
            keys=["frt.live.median", "frt.live.p90"],
            unit="seconds",
            title=f"First response time, phone and chat (seconds) — {period}",
        ),
        "frt_async": weekly_trend_chart(
            figures,
            weeks,
            keys=["frt.async.median", "frt.async.p90"],
            unit="hours",
            scale=3600.0,
            title=f"First response time, email and social (hours) — {period}",
        ),
        "abandonment": weekly_trend_chart(
            figures,
            weeks,
            keys=["abandonment.total"],
            unit="%",
            title=f"Abandonment rate % — {period}",
        ),
        "csat": weekly_trend_chart(
            figures,
            weeks,
            keys=["csat.total"],
            unit="%",
            title=f"CSAT % (ratings 4–5 of rated) — {period}",
        ),
        "repeat": weekly_trend_chart(
            figures,
            weeks,
            keys=["repeat.rate"],
            unit="%",
            title=f"Repeat-contact rate % — {period}",
        ),
    }
    if qa:
        charts["qa"] = weekly_trend_chart(
            figures, weeks, keys=["qa.average"], unit="score", title=f"QA average score — {period}"
        )
    return charts
