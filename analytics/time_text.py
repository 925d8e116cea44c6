"""The one way the app writes dates and times: local time of the centre with the zone named.

"Mon 30 Nov 2026, 14:05 GMT" for a moment, "30 Nov 2026" for a day, "—" when there is none.
Stored times are naive UTC (README, Configuration); these helpers convert them to the centre's
time zone, so no page writes a UTC time or an ISO date for a reader.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from analytics.periods import to_local

EMPTY = "—"


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def local_moment(moment: datetime, tz: str) -> datetime:
    """`moment` (naive UTC, or aware) as an aware datetime in `tz`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return to_local(pd.Timestamp(moment).to_pydatetime(), tz)


def format_datetime(moment: datetime | None, tz: str, *, seconds: bool = False) -> str:
    """'Mon 30 Nov 2026, 14:05 GMT': `moment` (naive UTC or aware) in `tz`, zone named; '—'
    for none. `seconds` adds the seconds ('14:05:09') where entries a second apart matter."""
    if _missing(moment):
        return EMPTY
    local = local_moment(moment, tz)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return f"{local:%a} {format_date(local)}, {clock} {local.tzname()}"


def format_date(day: date | datetime | None) -> str:
    """'30 Nov 2026' ('—' for none). A datetime is read as the calendar day it names."""
    if _missing(day):
        return EMPTY
    # The day without a leading zero ("1 Jul"), written out: strftime's flag for it is not
    # portable.
    return f"{day.day} {day:%b %Y}"


def zone_name(tz: str, at: datetime) -> str:
    """The abbreviation of `tz` at the naive UTC moment `at` ('GMT', 'BST', 'CET')."""
    return local_moment(at, tz).tzname() or tz
