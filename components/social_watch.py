"""The live list of unanswered negative public social posts, widest reach first, with a
drill-down to read one and its next step (playbook entry, whom to tell, the customer's
contacts: components.post_next_step).

A public complaint from an author with many followers does the most damage while it waits, so
the list ranks by reach and shows the time left before the target (negative = already missed).
The drill-down is a select box keyed on the interaction id, not a table row position: the list
re-ranks on every refresh and the chosen post must stay the chosen post.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.time_text import format_datetime
from components.exports import csv_download
from components.plain_text import markdown_text
from components.post_next_step import render_next_step
from components.theme import BAD, channel_label, format_seconds
from db.settings import get_settings

OPEN_KEY = "floor_social_open"
HELP = (
    "Public posts and comments on social channels with negative sentiment (below the "
    f"`negative_sentiment_below` setting, now {get_settings().negative_sentiment_below:g}), "
    "still open and unanswered, ranked by the author's reach (followers); the 50 widest-reach "
    "are read. A thread is one row, timed from the customer's first message (FRT per "
    "conversation). "
    "Time left = the post's target (policy in force at arrival) − time waited; negative means "
    "the target has already been missed."
)


def signed_duration(seconds: float) -> str:
    """'12 min' left, or '−5 min' when past target."""
    text = format_seconds(abs(seconds))
    return f"−{text}" if seconds < 0 else text


def _time_left_style(seconds: object) -> str:
    if seconds is None or pd.isna(seconds) or seconds >= 0:
        return ""
    return f"color: {BAD}; font-weight: 600"


def _label(row: pd.Series) -> str:
    """The post's name in the select box. Nothing in it changes between refreshes (no time
    left): Streamlit keeps a select box's choice by its label, so a label that moves with the
    clock would drop the open post on the next tick."""
    reach = "reach unknown" if pd.isna(row["reach"]) else f"{int(row['reach']):,} followers"
    return f"{row['author']} · {channel_label(row['channel_id'])} · {reach} · #{int(row['id'])}"


TopicReader = Callable[[str], pd.DataFrame]


def render_social_watch(
    frame: pd.DataFrame,
    tz: str,
    *,
    playbook_for: TopicReader,
    stakeholders_for: TopicReader,
) -> None:
    """The ranked table and, for the post chosen in the select box, its text, details and next
    step. playbook_for / stakeholders_for: a topic's playbook entries and stakeholders
    (queries.topic_people, cached), read only for the chosen post."""
    if frame.empty:
        st.session_state.pop(OPEN_KEY, None)
        st.success(
            "No unanswered negative public posts right now.", icon=":material/sentiment_satisfied:"
        )
        return
    shown = pd.DataFrame(
        {
            "Channel": [channel_label(c) for c in frame["channel_id"]],
            "Author": frame["author"],
            "Reach (followers)": frame["reach"].astype("Int64"),
            "Sentiment": frame["sentiment"],
            "Topic": frame["topic"].fillna("—"),
            "Waiting": [format_seconds(s) for s in frame["waited_seconds"]],
            "Time left": frame["time_left_seconds"],
            "Messages": frame["messages"],
        }
    )
    if (frame["messages"] <= 1).all():
        shown = shown.drop(columns="Messages")
    st.dataframe(
        shown.style.map(_time_left_style, subset=["Time left"]).format(
            {"Time left": signed_duration, "Sentiment": "{:+.2f}", "Reach (followers)": "{:,}"},
            na_rep="—",
        ),
        hide_index=True,
        key="floor_social_table",
        column_config={
            "Reach (followers)": st.column_config.NumberColumn(
                "Reach (followers)", help="Author's followers."
            ),
            "Time left": st.column_config.TextColumn(
                "Time left", help="Target − waited; negative = target already missed."
            ),
            "Messages": st.column_config.NumberColumn(
                "Messages", help="Unanswered messages in this thread; the wait is the first's."
            ),
        },
    )
    csv_download(shown, key="floor_social_csv", file_name="social-waiting.csv")
    by_id = {int(row["id"]): row for _, row in frame.iterrows()}
    previous = st.session_state.get(OPEN_KEY)
    if previous is not None and previous not in by_id:
        # Answered, closed or pushed off the list since it was chosen: say so, don't show another.
        # (A choice whose option is gone comes back as its label, not its id.)
        st.session_state[OPEN_KEY] = None
        post = f"Post #{previous}" if isinstance(previous, int) else "The post you were reading"
        st.info(f"{post} is no longer waiting (answered or closed).")
    chosen = st.selectbox(
        "Read a post",
        options=list(by_id),
        index=None,
        format_func=lambda i: _label(by_id[i]),
        placeholder="Choose a post to read it and see its details",
        key=OPEN_KEY,
    )
    if chosen is None:
        return
    row = by_id[chosen]
    with st.container(border=True):
        st.markdown(
            f"**{markdown_text(channel_label(row['channel_id']))}** post, "
            f"interaction #{int(row['id'])}"
        )
        st.text(row["body"] or "(no text)")
        details = pd.DataFrame(
            {
                "Field": [
                    "Author",
                    "Reach",
                    "Sentiment",
                    "Topic",
                    "Priority / queue",
                    "Arrived",
                    "Waiting",
                    "Target",
                    "Time left",
                    "Messages waiting",
                    "External id",
                ],
                "Value": [
                    str(row["author"]),
                    "—" if pd.isna(row["reach"]) else f"{int(row['reach']):,} followers",
                    f"{row['sentiment']:+.2f}",
                    row["topic"] or "—",
                    f"{row['priority']} / {row['queue']}",
                    format_datetime(row["created_at"], tz, seconds=True),
                    format_seconds(row["waited_seconds"]),
                    format_seconds(row["target_seconds"]),
                    signed_duration(row["time_left_seconds"])
                    + (" (target missed)" if row["time_left_seconds"] < 0 else ""),
                    f"{int(row['messages'])} (timed from the first)"
                    if row["messages"] > 1
                    else "1",
                    str(row["external_id"]),
                ],
            }
        )
        st.dataframe(details, hide_index=True, key="floor_social_details")
        csv_download(details, key="floor_social_details_csv", file_name="social-post.csv")
        topic = None if pd.isna(row["topic"]) else str(row["topic"]) or None
        render_next_step(
            topic=topic,
            interaction_id=int(row["id"]),
            playbook=playbook_for(topic) if topic else pd.DataFrame(),
            stakeholders=stakeholders_for(topic) if topic else pd.DataFrame(),
        )
