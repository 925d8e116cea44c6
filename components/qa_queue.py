"""The reviewer's work lists: the open queue (due date, oldest first, overdue marked) and the
reviews they submitted (to edit after submit), each with a picker."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.qa_interaction import local_time
from components.qa_pickers import pick_row
from components.theme import channel_label

OVERDUE = "OVERDUE"


def queue_table(queue: pd.DataFrame, *, tz: str) -> pd.DataFrame:
    """The queue as shown: one row per open assignment, in queue order."""
    return pd.DataFrame(
        {
            "Assignment": queue["assignment_id"],
            "Due": queue["due_at"].map(lambda v: local_time(v, tz)),
            "Overdue": queue["overdue"].map({True: OVERDUE, False: ""}),
            "Interaction": queue["interaction_id"],
            "Channel": queue["channel_id"].map(channel_label),
            "Public": queue["is_public"].map({True: "public", False: "private"}),
            "Agent": queue["agent"],
            "Team": queue["team"],
            "Arrived": queue["created_at"].map(lambda v: local_time(v, tz)),
            "Draft": queue["review_id"].notna().map({True: "draft saved", False: ""}),
        }
    )


def pick_assignment(queue: pd.DataFrame, *, tz: str) -> dict | None:
    """The queue table and a picker opened on the first (most urgent) assignment."""
    if queue.empty:
        st.success("Your queue is empty: nothing is waiting for your review.")
        return None
    overdue = int(queue["overdue"].sum())
    st.caption(
        f"{len(queue)} open assignments, by due date then oldest contact first"
        + (f" · **{overdue} overdue**" if overdue else "")
    )
    st.dataframe(queue_table(queue, tz=tz), hide_index=True, key="qa_queue_table")
    return pick_row(
        queue,
        "assignment_id",
        label="Assignment to review",
        key="qa_queue_pick",
        describe=lambda row: (
            f"{row['assignment_id']} · {channel_label(row['channel_id'])} · "
            f"{row['agent'] or 'no agent'} · due {local_time(row['due_at'], tz)}"
            + (" · OVERDUE" if row["overdue"] else "")
        ),
    )


def pick_submitted(reviews: pd.DataFrame, *, tz: str) -> dict | None:
    """The reviewer's submitted reviews and a picker of the one to edit."""
    if reviews.empty:
        st.info("You have not submitted a review yet.")
        return None

    def describe(row: dict) -> str:
        score = "—" if pd.isna(row["total"]) else f"{row['total']:.1f}"
        fail = " (auto-fail)" if row["auto_failed"] else ""
        return (
            f"Review {row['review_id']} · interaction {row['interaction_id']} · {row['agent']} · "
            f"score {score}{fail} · submitted {local_time(row['submitted_at'], tz)}"
        )

    return pick_row(
        reviews, "review_id", label="Submitted review to edit", key="qa_submitted_pick",
        describe=describe,
    )  # fmt: skip
