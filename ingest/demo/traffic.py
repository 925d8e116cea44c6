"""The demo centre's traffic profile: per-channel volumes, intraday and weekly arrival curves,
response / handle / patience time distributions, and how busy hours slow answers down.

Shared with the live simulator, so the floor it animates has the same shape as the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

# Relative arrivals per local hour 0..23. Voice and chat peak mid-morning and early afternoon;
# social is flatter and peaks in the evening, when people are off work and on their phones.
HOURLY_CURVES: dict[str, np.ndarray] = {
    "voice": np.array([10, 6, 4, 3, 3, 6, 20, 50, 90, 120, 130, 120, 100, 110, 110, 100, 90, 80,
                       60, 40, 30, 20, 15, 12]),
    "chat": np.array([15, 10, 6, 5, 5, 8, 20, 40, 70, 100, 110, 110, 90, 100, 100, 90, 80, 80,
                      70, 60, 50, 40, 30, 20]),
    "async": np.array([20, 15, 10, 10, 10, 15, 30, 60, 90, 100, 100, 90, 80, 80, 80, 70, 70, 60,
                       50, 50, 40, 40, 30, 25]),
    "social": np.array([30, 20, 15, 10, 10, 15, 20, 35, 50, 60, 70, 80, 90, 90, 90, 90, 90, 100,
                        110, 110, 100, 80, 60, 40]),
}  # fmt: skip
# Monday..Sunday multipliers of the weekday volume; social barely dips at weekends.
WEEKDAY_FACTORS: dict[str, np.ndarray] = {
    "voice": np.array([1.18, 1.08, 1.02, 1.0, 0.95, 0.55, 0.42]),
    "chat": np.array([1.15, 1.06, 1.02, 1.0, 0.97, 0.62, 0.5]),
    "async": np.array([1.25, 1.1, 1.05, 1.0, 0.95, 0.45, 0.4]),
    "social": np.array([1.0, 0.98, 0.97, 0.97, 1.0, 0.92, 0.9]),
}


@dataclass(frozen=True)
class ChannelProfile:
    """How one channel behaves: volume, curve, and its response/handle time distributions."""

    channel_id: str
    curve: str  # key of HOURLY_CURVES / WEEKDAY_FACTORS
    daily_volume: float  # average weekday arrivals (before the weekday factor)
    frt_median: float  # seconds, at an average hour; busier hours wait longer
    frt_sigma: float  # lognormal shape
    handle_median: float  # seconds of agent work
    handle_sigma: float
    resolve_median: float | None  # async: seconds from first response to resolution
    patience_median: float | None  # voice/chat: seconds a customer waits before abandoning
    public_share: float  # social: share of public posts/comments
    csat_share: float  # share of resolved contacts that get a survey answer
    # Social: public posts are worked first (everyone sees them; their target is tighter).
    public_frt_factor: float = 1.0


# A well-run centre: over a week each channel sits near the goal of its default SLA policy
# (db/reference.py), above it in quiet hours and below it at the intraday peak. Waits are
# lognormal, so a heavy tail remains: p90 ~25 s phone, ~70 s chat, ~4 h email, ~50 min social.
PROFILES: dict[str, ChannelProfile] = {
    p.channel_id: p
    for p in (
        ChannelProfile("phone", "voice", 760, 7, 1.0, 330, 0.6, None, 150, 0.0, 0.36),
        ChannelProfile("chat", "chat", 500, 20, 1.0, 540, 0.6, None, 360, 0.0, 0.38),
        ChannelProfile("email", "async", 330, 55 * 60, 1.1, 300, 0.7, 6 * 3600, None, 0.0, 0.32),
        ChannelProfile(
            "twitter", "social", 250, 15 * 60, 1.1, 150, 0.7, 1800, None, 0.65, 0.3, 0.55
        ),
        ChannelProfile(
            "facebook", "social", 170, 15 * 60, 1.1, 180, 0.7, 2400, None, 0.55, 0.3, 0.55
        ),
        ChannelProfile(
            "instagram", "social", 150, 16 * 60, 1.1, 160, 0.7, 2400, None, 0.6, 0.3, 0.55
        ),
    )
}
CHANNEL_IDS: tuple[str, ...] = tuple(PROFILES)
CHANNEL_NUMBER = {channel: n for n, channel in enumerate(CHANNEL_IDS)}
SOCIAL_CHANNELS = frozenset({"twitter", "facebook", "instagram"})
ABANDON_CHANNELS = frozenset(c for c, p in PROFILES.items() if p.patience_median is not None)
# A few callers hang up almost at once (wrong number, changed mind): the "short abandons".
INSTANT_ABANDON_SHARE = 0.025
# Wait multiplier by the hour's load (see `congestion`).
CONGESTION_FLOOR = 0.5
CONGESTION_SPAN = 1.1
CONGESTION_POWER = 3


def hourly_share(channel_id: str) -> np.ndarray:
    """Share of a day's arrivals in each local hour."""
    curve = HOURLY_CURVES[PROFILES[channel_id].curve]
    return curve / curve.sum()


def arrivals_per_second(channel_id: str, local: datetime) -> float:
    """Expected arrival rate of a channel at a local time (same curve as the demo history)."""
    profile = PROFILES[channel_id]
    day_volume = profile.daily_volume * WEEKDAY_FACTORS[profile.curve][local.weekday()]
    return float(day_volume * hourly_share(channel_id)[local.hour] / 3600.0)


def congestion(channel_ids: np.ndarray, local_hours: np.ndarray) -> np.ndarray:
    """Wait multiplier by how busy the hour is: quiet hours answer faster than the peak.

    Convex in the hour's load, as queues are: staffing keeps up through the shoulders, and only
    the hours nearest the peak build real queues (CONGESTION_FLOOR at no load, FLOOR + SPAN at
    the peak hour).
    """
    factor = np.ones(len(channel_ids))
    for channel in CHANNEL_IDS:
        mask = channel_ids == channel
        curve = HOURLY_CURVES[PROFILES[channel].curve]
        load = curve[local_hours[mask]] / curve.max()
        factor[mask] = CONGESTION_FLOOR + CONGESTION_SPAN * load**CONGESTION_POWER
    return factor


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma, size: int):
    """Lognormal draws by median (what a supervisor quotes) rather than by mean."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, size) * sigma)


def channel_numbers(channel_ids: np.ndarray) -> np.ndarray:
    """Position of each channel id in CHANNEL_IDS, for indexing per-channel tables."""
    return np.array([CHANNEL_NUMBER[c] for c in channel_ids], dtype=np.int64)


def profile_array(channel_ids: np.ndarray, field: str, missing: float = np.nan) -> np.ndarray:
    """A ChannelProfile field for each row of `channel_ids`."""
    values = np.full(len(channel_ids), missing, dtype=float)
    for channel, profile in PROFILES.items():
        value = getattr(profile, field)
        values[channel_ids == channel] = missing if value is None else value
    return values
