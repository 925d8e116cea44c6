"""One agent's drill-down on Agent quality: their reviews, disputes (open / resolve) and coaching
notes. What a user may do follows their role: executives read only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from components import cache_qa
from components.qa_disputes import (
    coaching_form,
    coaching_notes_view,
    disputes_table,
    open_dispute_form,
    resolve_dispute_form,
)
from components.qa_pickers import pick_row
from components.qa_quality_tables import reviews_table
from queries.qa_reviews import get_review


@dataclass(frozen=True)
class QualityRights:
    """What the viewer may write on Agent quality."""

    dispute: bool  # supervisors (and admins) open disputes
    resolve: bool  # QA reviewers (and admins) resolve them — never their own review
    coach: bool  # supervisors and QA reviewers write coaching notes


def _after_dispute() -> None:
    cache_qa.clear_quality_readers()


def _after_note() -> None:
    cache_qa.clear_coaching_readers()


def pick_agent(scores: pd.DataFrame) -> dict[str, Any] | None:
    """The agent to drill into, among those with reviews in the period."""
    reviewed = scores[scores["n"] > 0]
    if reviewed.empty:
        return None
    return pick_row(
        reviewed,
        "agent_id",
        label="Agent",
        key="qa_quality_drill_agent",
        describe=lambda a: f"{a['agent']} ({a['team']}) — {a['n']} reviews",
    )


def agent_drill_down(
    agent: dict[str, Any],
    reviews: pd.DataFrame,
    *,
    rights: QualityRights,
    engine: Any,
    actor: str,
    tz: str,
) -> None:
    """Reviews, disputes and coaching notes of `agent` (a quality_scores row)."""
    agent_id = int(agent["agent_id"])
    own = reviews[reviews["agent_id"] == agent_id]
    st.dataframe(reviews_table(own, tz=tz), hide_index=True, key="qa_drill_reviews")
    review_ids = own["review_id"].astype(int).tolist()
    disputes = cache_qa.disputes(agent_id)
    st.markdown("**Disputes**")
    if disputes.empty:
        st.caption("No disputes on this agent's reviews.")
    else:
        st.dataframe(disputes_table(disputes, tz=tz), hide_index=True, key="qa_drill_disputes")
    if rights.dispute and review_ids:
        open_dispute_form(review_ids, engine=engine, actor=actor, after=_after_dispute)
    if rights.resolve:
        for dispute in disputes[disputes["state"] == "open"].to_dict("records"):
            if dispute["reviewer"] == actor:
                st.caption(
                    f"Dispute {dispute['id']} is on your own review: a second reviewer resolves it."
                )
                continue
            review = get_review(engine=engine, review_id=int(dispute["review_id"]))
            with st.container(border=True, key=f"qa_resolve_box_{dispute['id']}"):
                resolve_dispute_form(
                    dispute,
                    review["criteria"],
                    review["scores"],
                    engine=engine,
                    actor=actor,
                    after=_after_dispute,
                )
    st.markdown("**Coaching notes**")
    coaching_notes_view(cache_qa.coaching_notes(agent_id), tz=tz)
    if rights.coach:
        coaching_form(agent_id, review_ids, engine=engine, actor=actor, after=_after_note)
