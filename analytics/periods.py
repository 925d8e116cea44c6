"""Period boundaries in the centre's time zone, returned as naive UTC datetimes for queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def to_utc_naive(local: datetime, tz: str) -> datetime:
    """A local wall-clock time in `tz` as a naive UTC datetime (DST-correct)."""
    aware = local.replace(tzinfo=ZoneInfo(tz)) if local.tzinfo is None else local
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(utc_naive: datetime, tz: str) -> datetime:
    """A naive UTC datetime as an aware local datetime in `tz`."""
    return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC; 23 or 25 hours long on DST change days."""
    start = to_utc_naive(datetime.combine(day, time()), tz)
    end = to_utc_naive(datetime.combine(day + timedelta(days=1), time()), tz)
    return start, end


def week_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the ISO week (Monday to Sunday, local) containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=7), tz)[0]


def local_today(now_utc: datetime, tz: str) -> date:
    """The centre's calendar date at a naive UTC instant."""
    return to_local(now_utc, tz).date()


def interval_start(moment: datetime) -> datetime:
    """Start of the 15-minute UTC interval holding `moment` (naive UTC), as the rollup buckets."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def on_interval_grid(moment: datetime) -> bool:
    """True when `moment` starts a 15-minute rollup interval (UTC)."""
    return interval_start(moment) == moment
