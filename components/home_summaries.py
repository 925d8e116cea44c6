"""What each role's home shows of its pages: the floor today (supervisor), last week against the
week before (executive), the open review queue (QA reviewer), the last week's changes and
sign-in trouble (admin), each linking to its page.

Every figure is read through the cached reader its own page uses (same keys, so the home and
the page share one query per refresh) and drawn by that page's own tiles: the home can never
show a different number from the page it links to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from analytics.floor import channel_summary
from analytics.periods import day_bounds, local_today
from analytics.time_text import format_date, format_datetime
from analytics.weekly import monday_of, week_label
from components import cache_floor, cache_reports, weekly_cache
from components.db import app_engine
from components.floor_tiles import render_channel_tiles
from components.theme import CHANNEL_LABELS
from components.weekly_panels import week_tiles
from db.settings import get_settings
from queries import users as users_queries
from queries.audit import action_counts
from queries.qa_reviews import review_queue

HELP_OPEN = (
    "Open assignments: contacts assigned to you for review that you have not submitted yet "
    "(saved drafts included)."
)
HELP_OVERDUE = "Overdue: open assignments whose due time has passed."


def floor_today() -> None:
    """Supervisor: service level today and the backlog now per channel, as on the Floor."""
    settings = get_settings()
    tz = settings.timezone
    as_of = cache_floor.snapshot_time(
        datetime.now(UTC).replace(tzinfo=None), settings.refresh_seconds
    )
    day_start, day_end = day_bounds(local_today(as_of, tz), tz)
    levels = cache_floor.todays_service_level(None, day_start, day_end, tz, as_of)
    summary = channel_summary(
        levels,
        cache_floor.open_unanswered(None, as_of),
        cache_floor.channel_policies(None, as_of),
        as_of=as_of,
        warn_points=settings.sl_warn_points,
        min_sample=settings.min_sample_contacts,
        labels=CHANNEL_LABELS,
    )
    st.caption(
        f"Service level of today's arrivals and the backlog, as of {format_datetime(as_of, tz)}."
    )
    if summary.empty:
        st.info("No channels are set up yet.", icon=":material/info:")
    else:
        render_channel_tiles(summary)
    st.page_link("pages/floor.py", label="Open Floor (live)", icon=":material/monitor_heart:")


def last_two_weeks(today: date) -> tuple[date, date]:
    """The Mondays of the week before last and of last week (the last complete ISO week)."""
    last = monday_of(today) - timedelta(weeks=1)
    return (last - timedelta(weeks=1), last)


def weeks_compared() -> None:
    """Executive: last complete week's headline figures with the change against the week
    before, as on Weekly trends."""
    tz = get_settings().timezone
    now = cache_reports.report_now()
    before, last = last_two_weeks(local_today(now, tz))
    data = weekly_cache.weekly_figures(tz, (before, last), now)
    sunday = last + timedelta(days=6)
    st.caption(
        f"Last week, {week_label(last)} (Monday {format_date(last)} – Sunday "
        f"{format_date(sunday)}, {tz}), against the week before ({week_label(before)})."
    )
    week_tiles(data.figures, week=week_label(last), previous=week_label(before))
    st.page_link("pages/weekly_trends.py", label="Open Weekly trends", icon=":material/date_range:")


@st.cache_data(ttl=get_settings().cache_ttl_seconds, show_spinner=False)
def open_assignments(reviewer: str, as_of: datetime) -> pd.DataFrame:
    """queries.qa_reviews.review_queue of `reviewer`, judged (overdue) at the tick `as_of`."""
    return review_queue(engine=app_engine(), reviewer=reviewer, now=as_of)


def review_queue_summary(username: str) -> None:
    """QA reviewer: how many assignments are open, how many overdue, and the next due."""
    settings = get_settings()
    as_of = cache_floor.snapshot_time(
        datetime.now(UTC).replace(tzinfo=None), settings.refresh_seconds
    )
    queue = open_assignments(username, as_of)
    left, right, _ = st.columns(3)
    left.metric("Open assignments", f"{len(queue):,}", help=HELP_OPEN)
    right.metric("Overdue", f"{int(queue['overdue'].sum()):,}", help=HELP_OVERDUE)
    due = queue["due_at"].dropna()
    if queue.empty:
        st.caption("Your queue is empty: samples assigned to you will show here.")
    elif len(due):
        late = " (overdue)" if due.min() < as_of else ""
        st.caption(f"Earliest due: {format_datetime(due.min(), settings.timezone)}{late}.")
    st.page_link("pages/qa_review.py", label="Open QA review", icon=":material/rate_review:")


WRITES = ("insert", "update", "delete")
HELP_CHANGES = (
    "Changes: records created, changed or deleted by anyone in the last 7 days (each is an entry "
    "of the audit log)."
)
HELP_FAILED = "Failed sign-ins: sign-in attempts refused in the last 7 days, any username typed."
HELP_LOCKED = (
    "Locked now: accounts locked after repeated failed sign-ins whose lock has not run out; "
    "Settings → Users can unlock one."
)


@st.cache_data(ttl=get_settings().cache_ttl_seconds, show_spinner=False)
def account_overview(as_of: datetime) -> tuple[dict[str, int], int, int]:
    """(audit entries per action since 7 days before the tick `as_of` — including the
    seconds since it, so a change just made counts — accounts locked at `as_of`, accounts
    disabled)."""
    engine = app_engine()
    counts = action_counts(engine=engine, start=as_of - timedelta(days=7))
    people = users_queries.list_users(engine=engine)
    locked = int((pd.to_datetime(people["locked_until"]) > as_of).sum())
    return counts, locked, int(people["disabled"].astype(bool).sum())


def admin_overview(_username: str) -> None:
    """Admin: the week's changes, failed sign-ins and the accounts locked or disabled now."""
    settings = get_settings()
    as_of = cache_floor.snapshot_time(
        datetime.now(UTC).replace(tzinfo=None), settings.refresh_seconds
    )
    counts, locked, disabled = account_overview(as_of)
    columns = st.columns(4)
    columns[0].metric(
        "Changes, last 7 days", f"{sum(counts.get(a, 0) for a in WRITES):,}", help=HELP_CHANGES
    )
    columns[1].metric(
        "Failed sign-ins, last 7 days", f"{counts.get('login_failed', 0):,}", help=HELP_FAILED
    )
    columns[2].metric("Accounts locked now", f"{locked:,}", help=HELP_LOCKED)
    columns[3].metric(
        "Accounts disabled",
        f"{disabled:,}",
        help="Disabled accounts cannot sign in until an admin enables them.",
    )
    left, right = st.columns(2)
    with left:
        st.page_link("pages/audit.py", label="Open Audit log", icon=":material/history:")
    with right:
        st.page_link("pages/settings.py", label="Open Settings", icon=":material/settings:")
