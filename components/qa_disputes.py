"""Disputes and coaching on an agent's drill-down: a supervisor opens a dispute on a review with a
reason; a second reviewer resolves it (upheld, or rescored — the old score is kept on the
dispute, the change audited); coaching notes linked to the reviews they came from.

Every form keeps what was typed on an error (keyed widgets) and writes through queries/ under an
idempotency key (new records) or the version it read (resolutions).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from components.plain_text import markdown_text
from components.qa_interaction import local_time
from components.qa_scoring import score_widgets, show_review_errors
from components.record_form import stale_message
from db.settings import get_settings
from queries import qa_disputes
from queries.qa_reviews import ReviewCriterion
from queries.writes import StaleWriteError, ValidationError

FLASH = "qa_quality_flash"


def _token(name: str) -> str:
    """The idempotency key of form `name` for this form instance."""
    key = f"{name}_token"
    if key not in st.session_state:
        st.session_state[key] = uuid.uuid4().hex
    return st.session_state[key]


def _done(name: str, message: str, after: Callable[[], None]) -> None:
    st.session_state.pop(f"{name}_token", None)
    st.session_state[FLASH] = message
    after()
    st.rerun()


def disputes_table(disputes: pd.DataFrame, *, tz: str) -> pd.DataFrame:
    """An agent's disputes, newest first: review, who opened it and why, the outcome, the score
    before and after."""
    return pd.DataFrame(
        {
            "Dispute": disputes["id"],
            "Review": disputes["review_id"],
            "Opened by": disputes["opened_by"],
            "Opened": disputes["opened_at"].map(lambda v: local_time(v, tz)),
            "Reason": disputes["reason"],
            "State": disputes["state"],
            "Score before": pd.to_numeric(disputes["old_total"], errors="coerce").round(1),
            "Score after": pd.to_numeric(disputes["new_total"], errors="coerce").round(1),
            "Resolved by": disputes["resolved_by"],
            "Resolution": disputes["resolution_note"],
        }
    )


def open_dispute_form(
    review_ids: list[int], *, engine: Any, actor: str, after: Callable[[], None]
) -> None:
    """A supervisor disputes one of the agent's reviews, with a reason."""
    name = "qa_dispute_open"
    with st.form(name, enter_to_submit=False):
        review_id = st.selectbox("Review to dispute", review_ids, key=f"{name}_review")
        reason = st.text_area("Reason", key=f"{name}_reason", max_chars=qa_disputes.TEXT_MAX)
        sent = st.form_submit_button("Open dispute", key=f"{name}_submit")
    if not sent:
        return
    try:
        dispute = qa_disputes.open_dispute(
            engine=engine,
            review_id=int(review_id),
            reason=reason,
            actor=actor,
            idempotency_key=_token(name),
        )
    except ValidationError as error:
        show_review_errors(error, [])
        return
    st.session_state.pop(f"{name}_reason", None)
    _done(name, f"Dispute {dispute['id']} opened on review {review_id}.", after)


def resolve_dispute_form(
    dispute: dict[str, Any],
    criteria: list[ReviewCriterion],
    scores: dict[int, float | None],
    *,
    engine: Any,
    actor: str,
    after: Callable[[], None],
) -> None:
    """A second reviewer upholds the score or rescores the review (on its own criteria)."""
    name = f"qa_dispute_resolve_{dispute['id']}"
    held = f"{name}_version"
    st.session_state.setdefault(held, int(dispute["version"]))
    st.markdown(
        f"**Dispute {dispute['id']}** on review {dispute['review_id']} — opened by "
        f"{markdown_text(dispute['opened_by'])}: {markdown_text(dispute['reason'])}"
    )
    outcome = st.radio(
        "Outcome",
        list(qa_disputes.OUTCOMES),
        horizontal=True,
        key=f"{name}_outcome",
        format_func={"upheld": "Upheld (score stands)", "rescored": "Rescored"}.get,
    )
    new_scores = None
    if outcome == "rescored":
        st.caption("Rescore every criterion; the score before is kept on the dispute.")
        new_scores, _ = score_widgets(criteria, key=name, scores=scores, with_comments=False)
    note = st.text_area("Resolution note", key=f"{name}_note", max_chars=qa_disputes.TEXT_MAX)
    if not st.button("Resolve dispute", key=f"{name}_submit", type="primary"):
        return
    try:
        qa_disputes.resolve_dispute(
            engine=engine,
            dispute_id=int(dispute["id"]),
            expected_version=st.session_state[held],
            outcome=outcome,
            note=note,
            actor=actor,
            scores=new_scores,
        )
    except ValidationError as error:
        show_review_errors(error, criteria)
        return
    except StaleWriteError as error:
        message = stale_message(error, get_settings().timezone)
        st.warning(markdown_text(message), icon=":material/sync_problem:")
        st.session_state[held] = int(error.current["version"])
        return
    _done(name, f"Dispute {dispute['id']} resolved: {outcome}.", after)


def coaching_notes_view(notes: pd.DataFrame, *, tz: str) -> None:
    """An agent's coaching notes, newest first, each with the reviews it came from."""
    if notes.empty:
        st.caption("No coaching notes for this agent yet.")
        return
    for note in notes.to_dict("records"):
        linked = ", ".join(str(r) for r in note["review_ids"]) or "none"
        with st.container(border=True, key=f"qa_note_{note['id']}"):
            st.caption(
                f"{markdown_text(note['author'])} · {local_time(note['created_at'], tz)} · "
                f"from reviews {linked}"
            )
            st.text(note["body"])


def coaching_form(
    agent_id: int, review_ids: list[int], *, engine: Any, actor: str, after: Callable[[], None]
) -> None:
    """Write a coaching note for the agent, linked to some of their reviews."""
    name = f"qa_coaching_{agent_id}"
    with st.form(name, enter_to_submit=False):
        body = st.text_area("Coaching note", key=f"{name}_body", max_chars=qa_disputes.TEXT_MAX)
        linked = st.multiselect("From reviews", review_ids, key=f"{name}_reviews")
        sent = st.form_submit_button("Add note", key=f"{name}_submit")
    if not sent:
        return
    try:
        qa_disputes.add_coaching_note(
            engine=engine,
            agent_id=agent_id,
            body=body,
            review_ids=[int(r) for r in linked],
            actor=actor,
            idempotency_key=_token(name),
        )
    except ValidationError as error:
        show_review_errors(error, [])
        return
    for key in (f"{name}_body", f"{name}_reviews"):
        st.session_state.pop(key, None)
    _done(name, "Coaching note added.", after)
