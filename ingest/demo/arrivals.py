"""When demo contacts arrive: the regular daily traffic along each channel's curves, the outage
burst a couple of weeks back, and the follow-up messages of social threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ingest.demo.clock import as_seconds, local_to_utc
from ingest.demo.traffic import (
    CHANNEL_IDS,
    PROFILES,
    SOCIAL_CHANNELS,
    WEEKDAY_FACTORS,
    hourly_share,
)

INCIDENT_TOPIC = "outage"
INCIDENT_SIZE = 900
INCIDENT_DAYS_BEFORE_NOW = 17
INCIDENT_LOCAL_START_HOUR = 10
INCIDENT_CHANNEL_MIX = {
    "twitter": 0.45,
    "facebook": 0.2,
    "instagram": 0.1,
    "phone": 0.17,
    "chat": 0.08,
}
INCIDENT_SLOWDOWN = timedelta(hours=6)  # queues stay long after the burst itself
THREAD_SHARE = 0.3  # social contacts that get follow-up messages in the same conversation


def daily_arrivals(
    rng: np.random.Generator, days: pd.DatetimeIndex, tz: ZoneInfo
) -> tuple[np.ndarray, np.ndarray]:
    """Channel ids and UTC arrival times of the regular traffic on every local day."""
    weekdays = days.weekday.to_numpy()
    growth = 1 + 0.01 * np.arange(len(days)) / 7  # a centre that grows ~1 % a week
    day_noise = rng.gamma(100, 1 / 100, len(days))
    channel_parts, time_parts = [], []
    for channel in CHANNEL_IDS:
        profile = PROFILES[channel]
        expected = (
            profile.daily_volume
            * WEEKDAY_FACTORS[profile.curve][weekdays]
            * growth
            * day_noise
            * rng.gamma(200, 1 / 200, len(days))
        )
        counts = rng.poisson(expected)
        day_index = np.repeat(np.arange(len(days)), counts)
        hours = rng.choice(24, size=len(day_index), p=hourly_share(channel))
        seconds = hours * 3600 + rng.integers(0, 3600, len(day_index))
        local = days.to_numpy()[day_index] + seconds.astype("timedelta64[s]")
        channel_parts.append(np.full(len(day_index), channel, dtype=object))
        time_parts.append(local_to_utc(local, tz))
    return np.concatenate(channel_parts), np.concatenate(time_parts)


def incident_window(start: datetime, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of the outage burst: ~17 days back, or mid-range for short histories."""
    centre = now - timedelta(days=INCIDENT_DAYS_BEFORE_NOW)
    if centre - timedelta(days=1) < start:
        centre = start + (now - start) / 2
    local_day = centre.replace(tzinfo=UTC).astimezone(tz).date()
    onset = datetime(
        local_day.year, local_day.month, local_day.day, INCIDENT_LOCAL_START_HOUR, tzinfo=tz
    )
    onset_utc = onset.astimezone(UTC).replace(tzinfo=None)
    return onset_utc, onset_utc + INCIDENT_SLOWDOWN


def incident_arrivals(rng: np.random.Generator, onset: datetime) -> tuple[np.ndarray, np.ndarray]:
    """The outage burst: a sharp rise and slow decay over a few hours, mostly on social."""
    n = int(rng.poisson(INCIDENT_SIZE))
    mix = np.array(list(INCIDENT_CHANNEL_MIX.values()))
    channel = np.array(list(INCIDENT_CHANNEL_MIX), dtype=object)[
        rng.choice(len(mix), size=n, p=mix / mix.sum())
    ]
    offsets = np.minimum(rng.gamma(2.0, 45 * 60, n), 8 * 3600)
    return channel, np.datetime64(onset, "s") + as_seconds(offsets)


def follow_ups(rng: np.random.Generator, channel: np.ndarray, created: np.ndarray) -> tuple:
    """Parents and arrival times of extra messages in social threads."""
    social = np.isin(channel, list(SOCIAL_CHANNELS))
    parents = np.flatnonzero(social & (rng.random(len(channel)) < THREAD_SHARE))
    per_parent = 1 + np.minimum(rng.poisson(0.8, len(parents)), 3)
    parent_of = np.repeat(parents, per_parent)
    gaps = rng.exponential(6 * 60, len(parent_of))
    running = np.cumsum(gaps)
    first = np.concatenate([[0], np.cumsum(per_parent)[:-1]]).astype(np.int64)
    group_base = np.repeat(running[first] - gaps[first], per_parent)
    return parent_of, created[parent_of] + as_seconds(running - group_base)
