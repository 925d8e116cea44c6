"""Agent quality figures: the QA score per agent or team with its 95 % interval as error bars
(never a bare ranking), and the weekly trend. Each returns a go.Figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import LAYOUT, empty_figure
from components.plain_text import plotly_text
from components.sl_charts import legend_below

RANKED_COLOUR = "#1f77b4"
TOO_FEW_COLOUR = "#9e9e9e"
TREND_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
MAX_TREND_GROUPS = 8


def group_names(frame: pd.DataFrame, by: str) -> pd.Series:
    """How a group is named on charts and tables: 'Ada (Blue)' per agent, the team per team."""
    if by == "agent":
        return frame["agent"].astype(str) + " (" + frame["team"].astype(str) + ")"
    return frame["team"].astype(str)


def qa_score_chart(scores: pd.DataFrame, *, by: str, title: str) -> go.Figure:
    """Mean QA score per group as a dot with its 95 % interval, ranked groups top-down, then
    groups with too few reviews in grey (their dot, no rank); n beside each.

    Args:
        scores: queries.qa_quality.quality_scores rows in rank order.
        by: "agent" or "team".
        title: metric and period.
    """
    shown = scores[scores["n"] > 0]
    if shown.empty:
        return empty_figure(title, "No submitted reviews in this period.")
    names = group_names(shown, by).map(plotly_text)
    ranked = shown["rank"].notna().to_numpy()
    labels = [
        f"{rank}. {name}" if ok else f"{name} — too few"
        for rank, name, ok in zip(shown["rank"], names, ranked, strict=True)
    ]
    fig = go.Figure()
    for mask, colour, legend in (
        (ranked, RANKED_COLOUR, "QA score with 95 % interval"),
        (~ranked, TOO_FEW_COLOUR, "Too few reviews (fewer than 5): not ranked"),
    ):
        part = shown[mask]
        if part.empty:
            continue
        high = (part["ci_high"] - part["mean"]).fillna(0).round(2).tolist()
        low = (part["mean"] - part["ci_low"]).fillna(0).round(2).tolist()
        fig.add_scatter(
            x=part["mean"].round(2).tolist(),
            y=[label for label, keep in zip(labels, mask, strict=True) if keep],
            mode="markers+text",
            name=legend,
            marker={"color": colour, "size": 10},
            error_x={"type": "data", "array": high, "arrayminus": low, "color": colour},
            text=[f"n={n}" for n in part["n"]],
            textposition="middle right",
            customdata=part[["n", "ci_low", "ci_high"]].round(2).to_numpy().tolist(),
            hovertemplate="%{y}<br>QA score %{x:.1f}<br>95 % interval %{customdata[1]:.1f}–"
            "%{customdata[2]:.1f}<br>n = %{customdata[0]} reviews<extra></extra>",
        )
    height = max(260, 60 + 28 * len(shown))
    fig.update_layout(title=title, **{**LAYOUT, "hovermode": "closest", "height": height})
    fig.update_xaxes(title_text="QA score (0–100, mean of review scores)", range=[0, 105])
    fig.update_yaxes(
        title_text="", autorange="reversed", categoryorder="array", categoryarray=labels
    )
    return fig


def qa_trend_chart(trend: pd.DataFrame, *, by: str, title: str) -> go.Figure:
    """Weekly mean QA score per group (the groups with most reviews, at most 8), n in hover.

    Args:
        trend: queries.qa_quality.weekly_trend rows (week_start local, group columns, n, mean).
        by: "agent" or "team".
        title: metric and period.
    """
    if trend.empty:
        return empty_figure(title, "No submitted reviews in this period.")
    trend = trend.assign(group=group_names(trend, by))
    busiest = trend.groupby("group")["n"].sum().sort_values(ascending=False)
    fig = go.Figure()
    for colour, group in zip(TREND_COLOURS, busiest.index[:MAX_TREND_GROUPS], strict=False):
        part = trend[trend["group"] == group].sort_values("week_start")
        weeks = pd.to_datetime(part["week_start"])
        if getattr(weeks.dt, "tz", None) is not None:
            weeks = weeks.dt.tz_localize(None)
        fig.add_scatter(
            x=weeks,
            y=part["mean"],
            mode="lines+markers",
            name=plotly_text(group),
            line={"color": colour},
            customdata=part[["n"]].to_numpy(),
            hovertemplate=plotly_text(group)
            + "<br>week of %{x|%d %b %Y}: %{y:.1f} (n = %{customdata[0]})<extra></extra>",
        )
    fig.update_layout(title=title, **{**LAYOUT, "hovermode": "closest", "height": 440})
    legend_below(fig, margin_bottom=130)
    fig.update_xaxes(title_text="Week (starting Monday)", tickformat="%d %b", dtick=7 * 86400000)
    fig.update_yaxes(title_text="QA score (0–100)", range=[0, 105])
    return fig
