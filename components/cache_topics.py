"""Cached readers of the Topics and Customer journey pages (and the journey figures on Service
level): one database round per TTL per filter set. Keys are the filter values themselves; the
engine comes from `read_engine()` inside each reader. After "stakeholders informed" is recorded,
only `informed_log` is cleared."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.db import read_engine
from db.settings import get_settings
from queries import journey as journey_queries
from queries import topic_people
from queries import topic_trends as trend_queries

TTL = get_settings().cache_ttl_seconds


def _channels(channels: tuple[str, ...] | None) -> list[str] | None:
    return None if channels is None else list(channels)


@st.cache_data(ttl=TTL, show_spinner="Counting topics…")
def daily_topic_counts(
    start: datetime,
    end: datetime,
    tz: str,
    channels: tuple[str, ...] | None,
    visibility: bool | None,
) -> pd.DataFrame:
    """queries.topic_trends.daily_topic_counts, cached."""
    return trend_queries.daily_topic_counts(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        channel_ids=_channels(channels),
        visibility=visibility,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def first_contact_at(now: datetime) -> datetime | None:
    """queries.topic_trends.first_contact_at, cached per TTL window."""
    return trend_queries.first_contact_at(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def topic_contacts(
    topic: str,
    start: datetime,
    end: datetime,
    channels: tuple[str, ...] | None,
    visibility: bool | None,
) -> pd.DataFrame:
    """queries.topic_trends.topic_contacts, cached."""
    return trend_queries.topic_contacts(
        engine=read_engine(),
        topic=topic,
        start=start,
        end=end,
        channel_ids=_channels(channels),
        visibility=visibility,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def topic_playbook(topic: str) -> pd.DataFrame:
    """queries.topic_people.topic_playbook, cached."""
    return topic_people.topic_playbook(engine=read_engine(), topic=topic)


@st.cache_data(ttl=TTL, show_spinner=False)
def topic_stakeholders(topic: str) -> pd.DataFrame:
    """queries.topic_people.topic_stakeholders, cached."""
    return topic_people.topic_stakeholders(engine=read_engine(), topic=topic)


@st.cache_data(ttl=TTL, show_spinner=False)
def informed_log(topic: str) -> pd.DataFrame:
    """queries.topic_people.informed_log of one topic, cached (cleared after a new record)."""
    return topic_people.informed_log(engine=read_engine(), topics=[topic])


@st.cache_data(ttl=TTL, show_spinner="Following customers…")
def journey_counts(
    start: datetime, end: datetime, tz: str, window_days: float, channels: tuple[str, ...] | None
) -> pd.DataFrame:
    """queries.journey.journey_counts, cached."""
    return journey_queries.journey_counts(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        window_days=window_days,
        channel_ids=_channels(channels),
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def find_customers(term: str) -> pd.DataFrame:
    """queries.journey.find_customers, cached."""
    return journey_queries.find_customers(engine=read_engine(), term=term)


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_of_interaction(interaction_id: int) -> int | None:
    """queries.journey.customer_of_interaction, cached."""
    return journey_queries.customer_of_interaction(
        engine=read_engine(), interaction_id=interaction_id
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_name(customer_id: int) -> str | None:
    """queries.journey.customer_name, cached."""
    return journey_queries.customer_name(engine=read_engine(), customer_id=customer_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def customer_handles(customer_id: int) -> pd.DataFrame:
    """queries.journey.customer_handle_list of one customer, cached."""
    return journey_queries.customer_handle_list(engine=read_engine(), customer_ids=[customer_id])


@st.cache_data(ttl=TTL, show_spinner="Reading the journey…")
def customer_timeline(customer_id: int) -> pd.DataFrame:
    """queries.journey.customer_timeline, cached."""
    return journey_queries.customer_timeline(engine=read_engine(), customer_id=customer_id)
