"""QA review: my queue (due first, overdue marked), the interaction in full, the scorecard with a
live total; save a draft, submit, or edit a submitted review under optimistic locking."""

import pandas as pd
import streamlit as st

from components import cache_qa
from components.db import app_engine, database_errors
from components.guard import require_page
from components.plain_text import markdown_text
from components.qa_help import REVIEW_SCORE, qa_help
from components.qa_interaction import interaction_view
from components.qa_queue import pick_assignment, pick_submitted
from components.qa_scoring import review_editor
from db.settings import get_settings
from queries import qa_people, qa_reviews

user = require_page(__file__)
engine = app_engine()
tz = get_settings().timezone
FLASH = "qa_review_flash"

st.title("QA review")
qa_help(REVIEW_SCORE, key="qa_review_help")
if flash := st.session_state.pop(FLASH, None):
    st.success(flash, icon=":material/check_circle:")  # numbers and fixed words only


def _saved(review: dict) -> None:
    cache_qa.clear_quality_readers()
    if review["status"] == "submitted":
        score = "no score" if review["total"] is None else f"score {review['total']:.1f}"
        fail = ", auto-failed" if review["auto_failed"] else ""
        st.session_state[FLASH] = (
            f"Review {review['id']} submitted ({score}{fail}, version {review['version']})."
        )
    else:
        st.session_state[FLASH] = f"Draft of review {review['id']} saved."


mode = st.segmented_control(
    "Work on",
    ["My queue", "My submitted reviews"],
    default="My queue",
    key="qa_review_mode",
)
with database_errors():
    if mode == "My submitted reviews":
        chosen = pick_submitted(
            qa_people.submitted_reviews_of(engine=engine, reviewer=user.username), tz=tz
        )
        review = (
            qa_reviews.get_review(engine=engine, review_id=chosen["review_id"]) if chosen else None
        )
        interaction_id = chosen["interaction_id"] if chosen else None
        target: dict = {}
        form_key = f"qa_rev_edit_{chosen['review_id']}" if chosen else ""
    else:
        chosen = pick_assignment(
            qa_reviews.review_queue(engine=engine, reviewer=user.username), tz=tz
        )
        review = None
        if chosen and pd.notna(chosen["review_id"]):  # a saved draft
            review = qa_reviews.get_review(engine=engine, review_id=int(chosen["review_id"]))
        interaction_id = chosen["interaction_id"] if chosen else None
        target = {"assignment_id": chosen["assignment_id"]} if chosen else {}
        form_key = f"qa_rev_assign_{chosen['assignment_id']}" if chosen else ""
    if chosen is None:
        st.stop()
    detail = qa_reviews.interaction_detail(engine=engine, interaction_id=int(interaction_id))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("The interaction")
    interaction_view(detail, tz=tz, key=f"{form_key}_view")
with right, database_errors():
    st.subheader("Scorecard")
    if review is not None and review["criteria"]:
        criteria = review["criteria"]
    else:
        card = qa_reviews.default_scorecard_id(engine=engine)
        if card is None or detail is None:
            st.error("There is no active scorecard: ask an admin to add one in Settings.")
            st.stop()
        criteria = qa_reviews.scorecard_criteria_for(
            engine=engine, scorecard_id=card, is_public=bool(detail.interaction["is_public"])
        )
    if review is not None:
        st.caption(
            f"Review {review['id']} · {review['status']} · version {review['version']}"
            + (
                f" · last changed by {markdown_text(review['updated_by'])}"
                if review["updated_by"]
                else ""
            )
        )
    review_editor(
        criteria,
        engine=engine,
        actor=user.username,
        key=form_key,
        target=target,
        review=review,
        on_saved=_saved,
    )
