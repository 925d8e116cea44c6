"""Cached readers of the QA pages (Agent quality and the pickers of every QA form).

Keys are the filter values themselves (UTC bounds, sorted tuples). The forms' own reads (the
review queue, a review, a calibration item) are not cached: they must show a write at once. After
a write, `clear_quality_readers` drops only the agent-quality figures it changes.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.db import read_engine
from db.settings import get_settings
from queries import qa_disputes, qa_people, qa_quality
from queries.channels_list import channel_ids

TTL = get_settings().cache_ttl_seconds


@st.cache_data(ttl=TTL, show_spinner=False)
def agent_options() -> pd.DataFrame:
    """queries.qa_people.agent_options, cached."""
    return qa_people.agent_options(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def reviewer_names() -> list[str]:
    """queries.qa_people.reviewer_names, cached."""
    return qa_people.reviewer_names(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def channel_list() -> list[str]:
    """queries.channels_list.channel_ids, cached."""
    return channel_ids(engine=read_engine())


def _scope(
    start: datetime, end: datetime, teams: tuple[str, ...], channels: tuple[str, ...]
) -> qa_quality.QualityScope:
    return qa_quality.QualityScope(start=start, end=end, teams=teams, channels=channels)


@st.cache_data(ttl=TTL, show_spinner="Scoring agents…")
def quality_scores(
    start: datetime, end: datetime, by: str, teams: tuple[str, ...], channels: tuple[str, ...]
) -> pd.DataFrame:
    """queries.qa_quality.quality_scores, cached."""
    scope = _scope(start, end, teams, channels)
    return qa_quality.quality_scores(engine=read_engine(), scope=scope, by=by)


@st.cache_data(ttl=TTL, show_spinner=False)
def weekly_trend(
    start: datetime,
    end: datetime,
    by: str,
    teams: tuple[str, ...],
    channels: tuple[str, ...],
    tz: str,
) -> pd.DataFrame:
    """queries.qa_quality.weekly_trend, cached."""
    scope = _scope(start, end, teams, channels)
    return qa_quality.weekly_trend(engine=read_engine(), scope=scope, tz=tz, by=by)


@st.cache_data(ttl=TTL, show_spinner=False)
def criterion_breakdown(
    start: datetime, end: datetime, by: str, teams: tuple[str, ...], channels: tuple[str, ...]
) -> pd.DataFrame:
    """queries.qa_quality.criterion_breakdown, cached."""
    scope = _scope(start, end, teams, channels)
    return qa_quality.criterion_breakdown(engine=read_engine(), scope=scope, by=by)


@st.cache_data(ttl=TTL, show_spinner=False)
def review_scores(
    start: datetime, end: datetime, teams: tuple[str, ...], channels: tuple[str, ...]
) -> pd.DataFrame:
    """queries.qa_quality.review_scores (the drill-down rows), cached."""
    scope = _scope(start, end, teams, channels)
    return qa_quality.review_scores(engine=read_engine(), scope=scope)


@st.cache_data(ttl=TTL, show_spinner=False)
def coaching_notes(agent_id: int) -> pd.DataFrame:
    """queries.qa_disputes.coaching_notes_for, cached."""
    return qa_disputes.coaching_notes_for(engine=read_engine(), agent_id=agent_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def disputes(agent_id: int) -> pd.DataFrame:
    """queries.qa_disputes.list_disputes of one agent, cached."""
    return qa_disputes.list_disputes(engine=read_engine(), agent_id=agent_id)


def clear_quality_readers() -> None:
    """After a review, dispute or rescore: the agent-quality figures change."""
    for reader in (quality_scores, weekly_trend, criterion_breakdown, review_scores, disputes):
        reader.clear()


def clear_coaching_readers() -> None:
    """After a coaching note."""
    coaching_notes.clear()
