"""Time helpers of the demo generator: the curves are in the centre's local time, storage is
naive UTC, and durations are drawn as float seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "s")


def local_to_utc(local: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Naive local datetime64 -> naive UTC datetime64[s] (DST gaps shift forward)."""
    index = pd.DatetimeIndex(local).tz_localize(
        tz.key, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
    )
    return index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")


def utc_to_local(utc: np.ndarray, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Naive UTC datetime64 -> naive local DatetimeIndex (NaT stays NaT)."""
    return pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(tz.key).tz_localize(None)


def as_seconds(values: np.ndarray) -> np.ndarray:
    """Float seconds -> timedelta64[s], rounded to the second."""
    return np.round(values).astype(np.int64).astype("timedelta64[s]")


def utc_now() -> datetime:
    """Current time as the naive UTC datetime the schema stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(moment: datetime) -> datetime:
    """`moment` as the schema stores it: naive UTC (naive input is taken to be UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def local_days(start: datetime, now: datetime, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Local midnights of every local date that overlaps [start, now]."""
    first = start.replace(tzinfo=UTC).astimezone(tz).date()
    last = now.replace(tzinfo=UTC).astimezone(tz).date()
    return pd.date_range(first, last, freq="D")
