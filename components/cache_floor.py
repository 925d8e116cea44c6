"""Cached readers of the Floor (live) page: one query per refresh tick per filter set.

Live readers are keyed on the channel filter and on `as_of` (`live_as_of`): the moment the
first viewer of a refresh tick (`snapshot_time`, "now" floored to the refresh interval) asked.
Every viewer whose fragment ticks within the same interval gets the same key, so a wall of
supervisors' screens costs one query per reader per refresh, not one per viewer; and the tick's
figures count every contact stored before that first read (a floored `as_of` would leave out
the ones that arrived between the floor and the read until the next tick).

History readers (previous weeks' volumes, AHT, the policy table) change slowly and
are keyed on the day instead, with a longer TTL. The engine comes from `read_engine()` inside
each reader, never as an argument (it would be hashed into the key).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from analytics.expected_volume import expected_by_channel, reference_ranges
from components.db import read_engine
from db.settings import get_settings
from queries import floor

TTL = get_settings().cache_ttl_seconds
# Past weeks don't change during a shift; re-reading them every quarter hour is plenty.
HISTORY_TTL = max(TTL, 15 * 60)
# Bounds memory when many filter sets are in use: old ticks are useless once passed.
MAX_ENTRIES = 256
RECENT_STEP_SECONDS = 60  # the rolling 30 / 60-minute service level is read once a minute

ChannelIds = tuple[str, ...] | None


def snapshot_time(now: datetime, refresh_seconds: int) -> datetime:
    """`now` (naive UTC) floored to a multiple of `refresh_seconds` since midnight: the tick
    every viewer's cache key shares."""
    step = max(int(refresh_seconds), 1)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((now - midnight).total_seconds())
    return midnight + timedelta(seconds=elapsed - elapsed % step)


@st.cache_data(ttl=TTL, max_entries=8, show_spinner=False)
def _first_read_of_tick(tick: datetime, _now: datetime) -> datetime:
    """`_now` of the first call for refresh tick `tick`; later calls in the tick get the same
    value from the cache (a leading underscore keeps `_now` out of the cache key)."""
    del tick  # cache key only
    return _now


def live_as_of(now: datetime, refresh_seconds: int) -> datetime:
    """The `as_of` every live reader of this refresh tick is keyed and judged on: the `now`
    (naive UTC) of the tick's first viewer, so all viewers of a tick share one set of reads."""
    return _first_read_of_tick(snapshot_time(now, refresh_seconds), now)


@st.cache_data(ttl=HISTORY_TTL, show_spinner=False)
def channel_catalogue() -> pd.DataFrame:
    """queries.floor.channel_catalogue, cached."""
    return floor.channel_catalogue(engine=read_engine())


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def todays_service_level(
    channel_ids: ChannelIds, start: datetime, end: datetime, tz: str, as_of: datetime
) -> pd.DataFrame:
    """queries.floor.todays_service_level for [start, end) judged at the refresh tick `as_of`."""
    return floor.todays_service_level(
        engine=read_engine(), start=start, end=end, tz=tz, now=as_of, channel_ids=channel_ids
    )


def recent_service_level(
    channel_ids: ChannelIds, minutes: int, tz: str, as_of: datetime
) -> pd.DataFrame:
    """queries.floor.recent_service_level for the last `minutes` before `as_of` floored to the
    minute (RECENT_STEP_SECONDS): a rolling half-hour figure needs no fresher input, and reading
    raw rows on every few-second tick would slow every refresh."""
    return _recent_service_level(
        channel_ids, minutes, tz, snapshot_time(as_of, RECENT_STEP_SECONDS)
    )


@st.cache_data(ttl=HISTORY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _recent_service_level(
    channel_ids: ChannelIds, minutes: int, tz: str, at: datetime
) -> pd.DataFrame:
    return floor.recent_service_level(
        engine=read_engine(), now=at, minutes=minutes, tz=tz, channel_ids=channel_ids
    )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def todays_intervals(
    channel_ids: ChannelIds, start: datetime, end: datetime, as_of: datetime
) -> pd.DataFrame:
    """Offered per 15-minute interval and channel in [start, end), cached per refresh tick."""
    del as_of  # cache key only
    return floor.offered_per_interval(
        engine=read_engine(), ranges=[(start, end)], channel_ids=channel_ids
    )


@st.cache_data(ttl=HISTORY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def expected_volume(
    channel_ids: ChannelIds,
    shown: tuple[str, ...],
    day: date,
    tz: str,
    observed_from: date | None,
) -> pd.DataFrame:
    """Today's expected arrivals per slot and channel (`expected_by_channel` of `shown`) from
    the offered per interval on the reference days. Computed once per day and filter set for
    every viewer: the curve was a third of each viewer's refresh tick."""
    reference = floor.offered_per_interval(
        engine=read_engine(), ranges=reference_ranges(day, tz), channel_ids=channel_ids
    )
    return expected_by_channel(reference, list(shown), day=day, tz=tz, observed_from=observed_from)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def first_interval(as_of: datetime) -> datetime | None:
    """When the rollup's history starts (a fresh database gains its first rows any time)."""
    del as_of  # cache key only
    return floor.first_interval(engine=read_engine())


@st.cache_data(ttl=HISTORY_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def handle_time(channel_ids: ChannelIds, start: datetime, end: datetime) -> pd.DataFrame:
    """AHT per channel over [start, end) from the rollup."""
    return floor.handle_time_by_channel(
        engine=read_engine(), start=start, end=end, channel_ids=channel_ids
    )


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def channel_policies(channel_ids: ChannelIds, as_of: datetime) -> pd.DataFrame:
    """The policy each channel is judged by at `as_of` (an admin's edit shows on the next tick)."""
    return floor.channel_policies(engine=read_engine(), at=as_of, channel_ids=channel_ids)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def open_unanswered(channel_ids: ChannelIds, as_of: datetime) -> pd.DataFrame:
    """The open, unanswered contacts at `as_of` with their targets."""
    return floor.open_unanswered(engine=read_engine(), now=as_of, channel_ids=channel_ids)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def negative_public_posts(channel_ids: ChannelIds, as_of: datetime) -> pd.DataFrame:
    """Unanswered negative public social posts at `as_of`, widest reach first."""
    return floor.negative_public_posts(engine=read_engine(), now=as_of, channel_ids=channel_ids)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def agent_states(channel_ids: ChannelIds, as_of: datetime) -> pd.DataFrame:
    """Each active agent's state at `as_of`, skills and current contacts."""
    return floor.latest_agent_states(engine=read_engine(), now=as_of, channel_ids=channel_ids)


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def topic_counts(
    channel_ids: ChannelIds, windows: tuple[tuple[datetime, datetime], ...]
) -> pd.DataFrame:
    """Arrivals per topic in each window (the windows move with the refresh tick)."""
    return floor.topic_counts_in_windows(
        engine=read_engine(), windows=windows, channel_ids=channel_ids
    )
