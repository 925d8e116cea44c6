"""The reply review queue (most urgent first) and the waiting-replies line on the Floor page.

Urgency is the time left to the post's SLA target (policy in force at its arrival): the reply
that will miss first is reviewed first, because the response-time clock keeps running while a
reply waits. The pick is a select box keyed on the reply id, so a refresh that re-ranks the
queue never swaps the reply being reviewed.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.reply_review import split_rules, time_left
from components.plain_text import markdown_text
from components.social_watch import signed_duration
from components.theme import channel_label, format_seconds

PICK_KEY = "reply_review_pick"
HELP = (
    "Replies waiting for review, most urgent first: time left = the post's SLA target (policy in "
    "force at its arrival) − its age now; negative means the target is already missed. Rule = "
    "the review rules that caught the reply when the agent wrote it."
)


def ranked_queue(queue: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """The queue with time_left_seconds and age_seconds, least time left first (no target last)."""
    frame = queue.copy()
    frame["time_left_seconds"] = time_left(frame["created_at"], frame["target_seconds"], now)
    frame["age_seconds"] = (pd.Timestamp(now) - frame["created_at"]).dt.total_seconds()
    return frame.sort_values(
        ["time_left_seconds", "submitted_at", "reply_id"], na_position="last"
    ).reset_index(drop=True)


def _label(row: pd.Series) -> str:
    left = row["time_left_seconds"]
    when = "no target" if pd.isna(left) else f"{signed_duration(left)} left"
    return f"#{row['reply_id']} · {row['author']} · {channel_label(row['channel_id'])} · {when}"


def render_reply_queue(ranked: pd.DataFrame) -> int | None:
    """The ranked queue as a table and a pick box; returns the chosen reply id (None: empty)."""
    if ranked.empty:
        st.session_state.pop(PICK_KEY, None)
        st.success("No replies are waiting for review.", icon=":material/task_alt:")
        return None
    shown = pd.DataFrame(
        {
            "Reply": ranked["reply_id"],
            "Time left": [
                "—" if pd.isna(s) else signed_duration(s) for s in ranked["time_left_seconds"]
            ],
            "Channel": [channel_label(c) for c in ranked["channel_id"]],
            "Author": ranked["author"],
            "Reach": ranked["reach"],
            "Sentiment": ranked["sentiment"].round(2),
            "Topic": ranked["topic"],
            "Age": [format_seconds(s) for s in ranked["age_seconds"]],
            "Rule": [", ".join(split_rules(r)) for r in ranked["rules"]],
            "Agent": ranked["agent"],
        }
    )
    st.dataframe(shown, hide_index=True, key="reply_review_queue_table")
    labels = {int(r["reply_id"]): _label(r) for _, r in ranked.iterrows()}
    if st.session_state.get(PICK_KEY) not in labels:
        st.session_state[PICK_KEY] = next(iter(labels))
    return st.selectbox("Reply to review", list(labels), format_func=labels.get, key=PICK_KEY)


def render_waiting_replies(count: int, oldest: datetime | None, now: datetime) -> None:
    """One line for the Floor page: replies waiting for review and how long the oldest waited."""
    if not count:
        st.caption("Reply review: no replies waiting.")
        return
    # `now` is the Floor's refresh tick, which may fall just before a fresh submission.
    waited = format_seconds(max((now - oldest).total_seconds(), 0.0)) if oldest else "—"
    st.caption(
        f"Reply review: **{count}** {'reply' if count == 1 else 'replies'} waiting · oldest "
        f"submitted {markdown_text(waited)} ago."
    )
