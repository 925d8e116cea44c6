"""Approval analytics on the Reply review page: what review costs and how it decides."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.reply_review import added_frt, outcome_shares, queue_size, turnaround
from components.reply_charts import added_frt_figure, outcome_share_figure, queue_size_figure
from components.theme import format_seconds

HELP = (
    "**Turnaround** = decision time − submitted for review (median and p90 over the decisions "
    "in the period). **Queue size** = replies submitted and not yet decided, sampled every hour. "
    "**Outcome shares** = share approved / edited / rejected / moved to private among the "
    "decisions, per reason, rule (a reply caught by two rules counts under each) or reviewer. "
    "**FRT added by review** = median FRT of public social contacts whose reply went out "
    "after review − median FRT of those answered without review, same channel and ISO week; "
    "empty when either group has no contact that week."
)
GROUPINGS = {"reason": "reason", "rule": "rule", "reviewer": "reviewer"}


def render_review_analytics(
    reviewed: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    start: datetime,
    end: datetime,
    tz: str,
    period: str,
) -> None:
    """Turnaround tiles, queue size over time, outcome shares and the weekly added FRT."""
    st.markdown("**How review is doing**", help=HELP)
    decided = reviewed[reviewed["reviewed_at"].notna() & (reviewed["reviewed_at"] >= start)]
    times = turnaround(decided)
    cols = st.columns(3)
    cols[0].metric("Decisions", f"{times.n:,}")
    cols[1].metric("Turnaround, median", format_seconds(times.median))
    cols[2].metric("Turnaround, p90", format_seconds(times.p90))
    hours = pd.date_range(pd.Timestamp(start).ceil("h"), pd.Timestamp(end), freq="h")
    sizes = queue_size(reviewed, list(hours))
    sizes["at"] = sizes["at"].dt.tz_localize("UTC").dt.tz_convert(tz)
    st.plotly_chart(
        queue_size_figure(sizes, period=period, tz=tz), key="reply_analytics_queue_chart"
    )
    by = st.segmented_control(
        "Outcome shares by",
        list(GROUPINGS),
        default="rule",
        key="reply_analytics_by",
    )
    st.plotly_chart(
        outcome_share_figure(outcome_shares(decided, by or "rule"), by=by or "rule",
                             period=period),
        key="reply_analytics_outcome_chart",
    )  # fmt: skip
    weekly = added_frt(contacts, tz)
    st.plotly_chart(added_frt_figure(weekly, period=period), key="reply_analytics_frt_chart")
    if not weekly.empty:
        st.dataframe(
            weekly.rename(
                columns={
                    "channel_id": "Channel",
                    "week": "Week (Monday)",
                    "median_reviewed": "Median FRT reviewed (s)",
                    "n_reviewed": "Reviewed",
                    "median_direct": "Median FRT direct (s)",
                    "n_direct": "Direct",
                    "added_seconds": "Added (s)",
                }
            ),
            hide_index=True,
            key="reply_analytics_frt_table",
        )
