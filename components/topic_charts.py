"""The Topics page's chart: contacts per topic per day or ISO week, spikes marked, the spike rule
written beside it. One builder, returning a go.Figure (tested without Streamlit)."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.time_text import format_date
from components.charts import LAYOUT, empty_figure, local_time_axis
from components.plain_text import plotly_text
from components.theme import BAD

MAX_TOPICS = 10  # the chart shows the busiest; the table below lists them all


def topic_trend_figure(
    table: pd.DataFrame, *, granularity: str, title: str, rule_text: str
) -> go.Figure:
    """Lines of contacts per topic over the periods, spikes as red markers, the rule beneath.

    Args:
        table: analytics.topic_trends.mark_spikes output for the periods shown (period, topic,
            count, share, z, is_spike; weekly tables also iso_week).
        granularity: "day" or "week" (axis title and hover).
        title: metric and period, e.g. "Contacts per topic per ISO week — 12 weeks to 2026-W48".
        rule_text: the spike rule in words (shown under the chart).
    """
    if table.empty or not table["count"].any():
        return empty_figure(plotly_text(title), "No contacts in this period.")
    # Periods before the first contact are not zero-count weeks but weeks with no history:
    # leave them off rather than draw every topic at 0 before the data starts.
    totals = table.groupby("period")["count"].sum().sort_index()
    table = table[table["period"] >= totals[totals > 0].index[0]]
    busiest = table.groupby("topic")["count"].sum().sort_values(ascending=False)
    shown = [t for t in busiest.index[:MAX_TOPICS] if busiest[t] > 0]
    colours = px.colors.qualitative.Safe + px.colors.qualitative.Pastel
    fig = go.Figure()
    unit = "ISO week" if granularity == "week" else "day"
    for n, topic in enumerate(shown):
        rows = table[table["topic"] == topic].sort_values("period")
        x = pd.to_datetime(rows["period"])
        labels = rows["iso_week"] if "iso_week" in rows else [f"{d:%a} {format_date(d)}" for d in x]
        fig.add_scatter(
            x=x,
            y=rows["count"],
            mode="lines+markers",
            name=plotly_text(topic),
            line={"color": colours[n % len(colours)], "width": 2},
            customdata=list(zip(labels, rows["share"].fillna(0), strict=True)),
            hovertemplate=f"{plotly_text(topic)}: %{{y:,}} contacts (%{{customdata[1]:.1f}} &#37;)"
            f" — {unit} %{{customdata[0]}}<extra></extra>",
        )
    spikes = table[table["is_spike"].astype(bool) & table["topic"].isin(shown)]
    if len(spikes):
        fig.add_scatter(
            x=pd.to_datetime(spikes["period"]),
            y=spikes["count"],
            mode="markers",
            name="Spike",
            marker={"symbol": "star", "size": 16, "color": BAD, "line": {"width": 1}},
            customdata=list(
                zip([plotly_text(t) for t in spikes["topic"]], spikes["z"], strict=True)
            ),
            hovertemplate="Spike: %{customdata[0]} %{y:,} contacts, z = %{customdata[1]:.1f}"
            "<extra></extra>",
        )
    fig.update_layout(title=plotly_text(title), **{**LAYOUT, "height": 440, "hovermode": "closest"})
    fig.update_layout(margin={**LAYOUT["margin"], "b": 150})
    local_time_axis(
        fig,
        table["period"],
        granularity,
        title=f"{unit[0].upper()}{unit[1:]} (local time; weeks start on Monday)",
    )
    fig.update_yaxes(title_text="Contacts", rangemode="tozero")
    fig.add_annotation(
        # Escaped first, then broken into lines: the rule is a sentence and plotly never wraps.
        text="<br>".join(textwrap.wrap(plotly_text(rule_text), 130)),
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.5,
        xanchor="left",
        align="left",
        font={"size": 11},
    )
    return fig
