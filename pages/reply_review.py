"""Reply review: the queue of public replies waiting for review (most urgent first), the review
form with risk flags, and the approval analytics (supervisors and executives)."""

from datetime import timedelta

import streamlit as st

from analytics.periods import local_today, week_bounds
from components import cache_replies
from components.db import app_engine, database_errors
from components.guard import require_page
from components.plain_text import markdown_text
from components.reply_analytics import render_review_analytics
from components.reply_form import FLASH_KEY, render_context, render_review_form
from components.reply_queue import HELP, ranked_queue, render_reply_queue
from db.settings import get_settings
from queries.writes import utcnow

user = require_page(__file__)
settings = get_settings()
tz = settings.timezone
now = utcnow()
reviews = user.has_any(frozenset({"qa_reviewer", "supervisor", "admin"}))
analyses = user.has_any(frozenset({"supervisor", "executive", "admin"}))

st.title("Reply review")
tabs = st.tabs([name for name, shown in (("Queue", reviews), ("Analytics", analyses)) if shown])

if reviews:
    with tabs[0]:
        # Kept until the next decision: the app may rerun more than once after a save.
        if flash := st.session_state.get(FLASH_KEY):
            st.success(markdown_text(flash), icon=":material/check_circle:")
        st.caption(HELP)
        with database_errors():
            ranked = ranked_queue(cache_replies.review_queue(), now)
        chosen = render_reply_queue(ranked)
        if chosen is not None:
            with database_errors():
                context = cache_replies.reply_context(int(chosen))
            if context is None or context["reply"]["state"] != "pending_review":
                cache_replies.clear_after_decision()
                st.info("That reply was decided meanwhile; the queue has been refreshed.")
            else:
                render_context(context, tz)
                render_review_form(
                    context,
                    engine=app_engine(),
                    actor=user.username,
                    settings=settings,
                    on_decided=cache_replies.clear_after_decision,
                )

if analyses:
    with tabs[-1]:
        weeks = settings.reply_analytics_weeks
        first_week, _ = week_bounds(local_today(now, tz) - timedelta(weeks=weeks - 1), tz)
        period = f"last {weeks} weeks ({tz})"
        with database_errors():
            reviewed = cache_replies.reviewed_replies(first_week, now)
            contacts = cache_replies.public_social_frt(first_week, now)
        render_review_analytics(reviewed, contacts, start=first_week, end=now, tz=tz, period=period)
