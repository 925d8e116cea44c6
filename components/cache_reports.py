"""Cached readers of the report pages (Service level, Channels): one database round per TTL per
filter set, shared by every viewer. Keys are the filter values themselves (dates as UTC bounds,
channels as a sorted tuple); the engine comes from `read_engine()` inside each reader.

`now` is part of the key on purpose: open contacts become breaches as time passes. Pages take it
from `report_now()`, floored to the TTL, so the same `now` serves the KPIs and the breaches list
of one run (they must agree) and repeats within a TTL window (so the cache is actually hit).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from components.db import read_engine
from db.settings import get_settings
from queries import breaches as breach_queries
from queries import channels as channel_queries
from queries import heatmap as heatmap_queries
from queries import service_level as sl_queries
from queries import volume as volume_queries

TTL = get_settings().cache_ttl_seconds


def report_now() -> datetime:
    """The current naive UTC time floored to the cache TTL (one shared `now` per window)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    step = max(int(TTL), 1)
    return datetime.fromtimestamp((int(now.timestamp()) // step) * step, UTC).replace(tzinfo=None)


@st.cache_data(ttl=TTL, show_spinner=False)
def offered_by_channel(start: datetime, end: datetime) -> pd.DataFrame:
    """queries.volume.offered_by_channel, cached."""
    return volume_queries.offered_by_channel(engine=read_engine(), start=start, end=end)


@st.cache_data(ttl=TTL, show_spinner=False)
def arrival_span(now: datetime) -> tuple[datetime | None, datetime | None]:
    """queries.volume.arrival_span, cached per TTL window (`now` from `report_now`)."""
    return volume_queries.arrival_span(engine=read_engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def channel_policies(at: datetime) -> pd.DataFrame:
    """queries.sl_base.channel_policies, cached."""
    return sl_queries.channel_policies(engine=read_engine(), at=at)


@st.cache_data(ttl=TTL, show_spinner="Counting service level…")
def service_level_report(
    *,
    start: datetime,
    end: datetime,
    tz: str,
    granularity: str,
    group_by: str,
    channels: tuple[str, ...],
    abandon_rule: str | None,
    business_hours: bool,
    now: datetime,
) -> sl_queries.ServiceLevelReport:
    """queries.service_level.service_level_report, cached."""
    return sl_queries.service_level_report(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        granularity=granularity,
        group_by=group_by,
        now=now,
        channels=list(channels),
        abandon_rule=abandon_rule,
        business_hours=business_hours,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def breaches(
    *,
    start: datetime,
    end: datetime,
    tz: str,
    channels: tuple[str, ...],
    abandon_rule: str | None,
    business_hours: bool,
    now: datetime,
) -> pd.DataFrame:
    """queries.breaches.breaches, cached."""
    return breach_queries.breaches(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        now=now,
        channels=list(channels),
        abandon_rule=abandon_rule,
        business_hours=business_hours,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def breach_page(
    *,
    start: datetime,
    end: datetime,
    tz: str,
    channels: tuple[str, ...],
    abandon_rule: str | None,
    business_hours: bool,
    now: datetime,
    sort: str,
    offset: int,
) -> breach_queries.BreachPage:
    """queries.breaches.breach_page, cached (one page of the list and its total)."""
    return breach_queries.breach_page(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        now=now,
        channels=list(channels),
        abandon_rule=abandon_rule,
        business_hours=business_hours,
        sort=sort,
        offset=offset,
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def interaction_detail(interaction_id: int, tz: str) -> dict[str, Any] | None:
    """queries.breaches.interaction_detail, cached."""
    return breach_queries.interaction_detail(
        engine=read_engine(), interaction_id=interaction_id, tz=tz
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def channel_mix(start: datetime, end: datetime, tz: str, granularity: str) -> pd.DataFrame:
    """queries.channels.channel_mix, cached."""
    return channel_queries.channel_mix(
        engine=read_engine(), start=start, end=end, tz=tz, granularity=granularity
    )


@st.cache_data(ttl=TTL, show_spinner="Comparing channels…")
def channel_comparison(start: datetime, end: datetime, tz: str, now: datetime) -> pd.DataFrame:
    """queries.channels.channel_comparison, cached."""
    return channel_queries.channel_comparison(
        engine=read_engine(), start=start, end=end, tz=tz, now=now
    )


@st.cache_data(ttl=TTL, show_spinner="Counting the weekly pattern…")
def weekly_pattern(
    *,
    start: datetime,
    end: datetime,
    tz: str,
    channels: tuple[str, ...],
    abandon_rule: str | None,
    now: datetime,
) -> pd.DataFrame:
    """queries.heatmap.weekly_pattern, cached."""
    return heatmap_queries.weekly_pattern(
        engine=read_engine(),
        start=start,
        end=end,
        tz=tz,
        now=now,
        channels=list(channels),
        abandon_rule=abandon_rule,
    )
