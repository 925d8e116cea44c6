"""The Customer journey page's pieces — the customer's handles, one timeline of every contact and
follow-up across channels (chart and table), the customer's own repeat figures — and the journey
figures table shown on Topics and Service level."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.journey import journey_rates, next_contacts, overall_rates, rates_by
from analytics.time_text import format_date, format_datetime
from components.charts import LAYOUT, empty_figure
from components.plain_text import markdown_text, plotly_text
from components.theme import channel_colour, channel_label, format_seconds

JOURNEY_HELP = (
    "**Repeat-contact rate** = resolved contacts after which the same customer (any handle, any "
    "channel) started another contact within {days:g} days of the resolution ÷ resolved "
    "contacts. **Channel switching** = repeat contacts on another channel ÷ repeat contacts. "
    "**Same-agent rate** = repeat contacts answered by the agent who answered the previous one ÷ "
    "repeat contacts where both were answered by an agent. Each pair counts under the earlier "
    "contact (its week, channel and topic)."
)
GROUP_LABELS = {"channel_id": "Channel", "topic": "Topic", "week": "Week (Mon)"}
KIND_SYMBOLS = {"Contact": "circle", "Follow-up": "circle-open", "Centre": "diamond"}


def message_kind(direction: str, is_contact: bool) -> str:
    """Contact (the customer opened a conversation), Follow-up (a later customer message, or
    any in a conversation the centre started) or Centre (an outbound message)."""
    if direction == "outbound":
        return "Centre"
    return "Contact" if is_contact else "Follow-up"


def timeline_table(timeline: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The timeline as shown: When, Channel, Kind, Public, Agent, Topic, Sentiment, FRT,
    Outcome, CSAT, Text, ID (oldest first). FRT only for contacts (follow-ups have none)."""
    if timeline.empty:
        return pd.DataFrame(
            columns=["When", "Channel", "Kind", "Public", "Agent", "Topic", "Sentiment", "FRT",
                     "Outcome", "CSAT", "Text", "ID"]
        )  # fmt: skip
    kinds = [
        message_kind(d, bool(c))
        for d, c in zip(timeline["direction"], timeline["is_contact"], strict=True)
    ]
    created = pd.to_datetime(timeline["created_at"])
    frt = (pd.to_datetime(timeline["first_response_at"]) - created).dt.total_seconds()
    frt_text = [
        format_seconds(s) if k == "Contact" and pd.notna(s) else "—"
        for k, s in zip(kinds, frt, strict=True)
    ]
    return pd.DataFrame(
        {
            "When": [format_datetime(t, tz) for t in created],
            "Channel": [channel_label(c) for c in timeline["channel_id"]],
            "Kind": kinds,
            "Public": timeline["is_public"].astype(bool),
            "Agent": timeline["agent"].fillna("—"),
            "Topic": timeline["topic"].fillna("—"),
            "Sentiment": timeline["sentiment"].round(2),
            "FRT": frt_text,
            "Outcome": [_outcome(r) for r in timeline.itertuples()],
            "CSAT": timeline["csat"].astype("Int64"),
            "Text": timeline["body"].fillna("").str.slice(0, 160),
            "ID": timeline["id"],
        }
    )


def _outcome(row) -> str:
    if row.direction == "outbound":
        return "sent"
    if pd.notna(row.abandoned_at) and pd.isna(row.first_response_at):
        return "abandoned"
    if pd.notna(row.resolved_at):
        return "resolved"
    return "answered, open" if pd.notna(row.first_response_at) else str(row.status)


def journey_figure(timeline: pd.DataFrame, tz: str, title: str) -> go.Figure:
    """Every message of the customer on one time axis, one row per channel, contacts filled,
    follow-ups hollow, the centre's messages as diamonds; hover gives agent, topic, text."""
    if timeline.empty:
        return empty_figure(plotly_text(title), "No interactions for this customer.")
    local = pd.to_datetime(timeline["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz)
    frame = timeline.assign(
        when=local.dt.tz_localize(None),
        kind=[
            message_kind(d, bool(c))
            for d, c in zip(timeline["direction"], timeline["is_contact"], strict=True)
        ],
    )
    fig = go.Figure()
    for (channel, kind), rows in frame.groupby(["channel_id", "kind"], sort=False):
        hover = [
            plotly_text(
                f"{format_datetime(r.created_at, tz)}: {kind} · {r.agent or 'no agent'} · "
                f"{r.topic or 'no topic'} · "
            )
            + plotly_text((r.body or "")[:80])
            for r in rows.itertuples()
        ]
        fig.add_scatter(
            x=rows["when"],
            y=[plotly_text(channel_label(channel))] * len(rows),
            mode="markers",
            name=plotly_text(f"{channel_label(channel)} — {kind}"),
            marker={
                "symbol": KIND_SYMBOLS[kind],
                "size": 13,
                "color": channel_colour(channel),
                "line": {"width": 2, "color": channel_colour(channel)},
            },
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_layout(title=plotly_text(title), **{**LAYOUT, "hovermode": "closest", "height": 320})
    fig.update_xaxes(title_text=f"Time ({tz})")
    fig.update_yaxes(title_text="Channel")
    return fig


def customer_rates(timeline: pd.DataFrame, window_days: float) -> pd.Series:
    """The customer's own repeat figures (analytics.journey) from their contacts."""
    contacts = timeline[timeline["is_contact"].astype(bool)].assign(customer_id=1)
    answered = contacts["agent"].where(contacts["first_response_at"].notna())
    flags = next_contacts(contacts.assign(answered_by=answered), window_days)
    return journey_rates(flags).iloc[0]


def rates_table(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Journey figures per `by` (channel_id, topic or week) as shown: the group, Resolved,
    Repeat %, Switched %, Same agent %, and the counts behind each rate."""
    table = rates_by(counts, by)
    label = GROUP_LABELS[by]
    groups = (
        [channel_label(c) for c in table[by]]
        if by == "channel_id"
        else [format_date(w) for w in table[by]]
        if by == "week"
        else list(table[by])
    )
    return pd.DataFrame(
        {
            label: groups,
            "Resolved": table["resolved"],
            "Repeat %": table["repeat_rate"].round(1),
            "Repeats": table["repeated"],
            "Switched %": table["switch_rate"].round(1),
            "Same agent %": table["same_agent_rate"].round(1),
            "Pairs answered": table["answered_pairs"],
        }
    )


def render_journey_figures(counts: pd.DataFrame, by: str, *, window_days: float, key: str) -> None:
    """The overall journey figures as metrics and the table per `by`."""
    total = overall_rates(counts)
    cols = st.columns(3)
    figures = (
        ("Repeat-contact rate", "repeat_rate", "resolved", "resolved"),
        ("Channel switching", "switch_rate", "repeated", "repeats"),
        ("Same-agent rate", "same_agent_rate", "answered_pairs", "answered pairs"),
    )
    for col, (label, rate, base, base_label) in zip(cols, figures, strict=True):
        value = total[rate]
        col.metric(
            label,
            "no data" if pd.isna(value) else f"{value:.1f} %",
            help=JOURNEY_HELP.format(days=window_days),
        )
        col.caption(f"of {int(total[base]):,} {base_label}")
    st.dataframe(rates_table(counts, by), hide_index=True, key=key)


def render_customer_header(name: str | None, customer_id: int, handles: pd.DataFrame) -> None:
    """The customer's name and every handle, per channel."""
    st.subheader(f"{markdown_text(name or 'Unnamed customer')} (customer #{customer_id})")
    if handles.empty:
        st.caption("No handles recorded.")
        return
    st.markdown(
        " · ".join(
            f"{markdown_text(channel_label(h.channel_id))}: {markdown_text(h.handle)}"
            for h in handles.itertuples()
        )
    )
