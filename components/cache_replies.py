"""Cached readers of the Reply review, Playbook and Floor pages.

The queue and the waiting count are live (short TTL); a decision clears exactly the readers it
changes (`clear_after_decision`). The engine comes from `read_engine()` inside each reader.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from components.db import read_engine
from db.settings import get_settings
from queries import replies_read, replies_stats
from queries.review_rules import list_review_rules

TTL = get_settings().cache_ttl_seconds
ANALYTICS_TTL = max(TTL, 60)


@st.cache_data(ttl=TTL, show_spinner=False)
def review_queue() -> pd.DataFrame:
    """queries.replies_read.review_queue, cached."""
    return replies_read.review_queue(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def waiting_replies(as_of: datetime) -> tuple[int, datetime | None]:
    """How many replies wait for review and the oldest submission, per Floor refresh tick."""
    return replies_read.waiting_replies(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def reply_context(reply_id: int) -> dict[str, Any] | None:
    """One reply with its post, thread, the customer's other contacts and playbook."""
    return replies_read.reply_context(engine=read_engine(), reply_id=reply_id)


@st.cache_data(ttl=ANALYTICS_TTL, show_spinner=False)
def reviewed_replies(start: datetime, end: datetime) -> pd.DataFrame:
    return replies_stats.reviewed_replies(engine=read_engine(), start=start, end=end)


@st.cache_data(ttl=ANALYTICS_TTL, show_spinner=False)
def public_social_frt(start: datetime, end: datetime) -> pd.DataFrame:
    return replies_stats.public_social_frt(engine=read_engine(), start=start, end=end)


@st.cache_data(ttl=ANALYTICS_TTL, show_spinner=False)
def playbook() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every playbook entry and stakeholder (the Playbook page)."""
    return replies_read.playbook_with_stakeholders(engine=read_engine())


@st.cache_data(ttl=ANALYTICS_TTL, show_spinner=False)
def review_rules() -> pd.DataFrame:
    return list_review_rules(engine=read_engine())


def clear_after_decision() -> None:
    """A decision changes the queue, the waiting count, that reply and the analytics."""
    for reader in (review_queue, waiting_replies, reply_context, reviewed_replies,
                   public_social_frt):  # fmt: skip
        reader.clear()
