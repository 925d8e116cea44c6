"""Calibration: a panel of reviewers scores the same interactions blind; results show
Krippendorff's alpha per criterion, each reviewer's deviation from the panel mean and the items
with the widest spread."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from components import cache_qa
from components import calibration_panels as panels
from components.db import app_engine, database_errors
from components.guard import require_page
from components.plain_text import markdown_text
from components.qa_help import CALIBRATION, REVIEW_SCORE, qa_help
from components.qa_interaction import interaction_view
from components.qa_scoring import review_editor
from db.settings import get_settings
from queries import calibration, qa_people, qa_reviews
from queries.writes import utcnow

user = require_page(__file__)
engine = app_engine()
settings = get_settings()
tz = settings.timezone
is_admin = user.has_any(frozenset({"admin"}))
FLASH = "cal_flash"

st.title("Calibration")
qa_help(CALIBRATION, REVIEW_SCORE, key="cal_help")
if flash := st.session_state.pop(FLASH, None):
    st.success(markdown_text(flash), icon=":material/check_circle:")


def _created(session: dict) -> None:
    st.session_state[FLASH] = f"Session {session['id']} created: {session['name']}."
    st.session_state["cal_session_pick"] = session["id"]


def _rated(review: dict) -> None:
    what = "submitted" if review["status"] == "submitted" else "saved as a draft"
    st.session_state[FLASH] = f"Your rating of interaction {review['interaction_id']} was {what}."
    if review["status"] == "submitted":
        st.session_state.pop("cal_item_pick", None)  # open on the next item not yet rated


with st.expander("New session", icon=":material/add:", key="cal_new_box"):
    with database_errors():
        now = utcnow()
        contacts = qa_people.recent_contacts(
            engine=engine, start=now - timedelta(days=settings.qa_period_days), end=now
        )
    panels.new_session_form(
        contacts,
        cache_qa.reviewer_names(),
        engine=engine,
        actor=user.username,
        after=_created,
        tz=tz,
    )

with database_errors():
    sessions = calibration.list_calibration_sessions(
        engine=engine, reviewer=None if is_admin else user.username
    )
chosen = panels.pick_session(sessions)
if chosen is None:
    st.stop()
with database_errors():
    session = calibration.get_calibration_session(engine=engine, session_id=int(chosen["id"]))
st.caption(panels.session_caption(session, tz=tz))
rate_tab, results_tab = st.tabs(["Rate", "Results"])

with results_tab, database_errors():
    ratings = calibration.calibration_ratings(
        engine=engine, session_id=session["id"], viewer=user.username, is_admin=is_admin
    )
    panels.calibration_results(ratings, name=session["name"])

with rate_tab, database_errors():
    if user.username not in session["reviewers"]:
        st.info("You are not on this session's panel: you can read its results.")
        st.stop()
    items = calibration.session_items(
        engine=engine, session_id=session["id"], reviewer=user.username
    )
    item = panels.pick_item(items, tz=tz)
    if item is None:
        st.stop()
    interaction_id = int(item["interaction_id"])
    detail = qa_reviews.interaction_detail(engine=engine, interaction_id=interaction_id)
    review = None
    if pd.notna(item["review_id"]):
        review = qa_reviews.get_review(engine=engine, review_id=int(item["review_id"]))
    if review is not None and review["criteria"]:
        criteria = review["criteria"]
    else:
        criteria = qa_reviews.scorecard_criteria_for(
            engine=engine,
            scorecard_id=session["scorecard_id"],
            is_public=bool(detail.interaction["is_public"]) if detail else False,
        )
    left, right = st.columns([3, 2], gap="large")
    with left:
        interaction_view(detail, tz=tz, key=f"cal_{session['id']}_{interaction_id}_view")
    with right:
        st.caption("Blind: the others' ratings of this interaction show once you submit yours.")
        review_editor(
            criteria,
            engine=engine,
            actor=user.username,
            key=f"cal_{session['id']}_{interaction_id}",
            target={"calibration_session_id": session["id"], "interaction_id": interaction_id},
            review=review,
            on_saved=_rated,
        )
