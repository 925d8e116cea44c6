"""Expected arrivals per 15-minute slot of a day, from the same weekday in past weeks.

The Floor page draws today's arrivals against this curve, so a supervisor sees at a glance
whether the queue is busier than a normal Tuesday at 10:15. The curve for a day is built from
the same weekday in each of the previous `weeks` weeks (e.g. the four previous Tuesdays): for
every slot, mean = average count over those days, low = the smallest, high = the largest
(a min–max band: honest with few weeks, never negative, unlike mean ± sd). Slots with no
arrivals on a day count as 0 for that day.

Times are local wall-clock times of the centre. On a clock-change day a local day has 23 or
25 hours: the skipped hour's slots are simply 0, and the repeated hour's arrivals add up in the
same slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd

from analytics.periods import day_bounds

CURVE_COLUMNS = ["slot", "slot_start", "mean", "low", "high", "days"]
# The expected curve averages the same weekday over this many previous weeks.
EXPECTED_WEEKS = 4


def _day(value: date | datetime | pd.Timestamp | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def reference_days(
    target_day: date | datetime | pd.Timestamp | str,
    weeks: int = 4,
    *,
    observed_from: date | datetime | pd.Timestamp | str | None = None,
) -> list[pd.Timestamp]:
    """The days the expected curve of `target_day` averages: the same weekday 1 … `weeks`
    weeks earlier (most recent first), leaving out days before `observed_from` (when the
    history starts, so days without data are not taken as days without arrivals)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1; got {weeks}")
    day = _day(target_day)
    days = [day - pd.Timedelta(weeks=k) for k in range(1, weeks + 1)]
    if observed_from is not None:
        first = _day(observed_from)
        days = [d for d in days if d >= first]
    return days


def expected_curve(
    history: pd.DataFrame,
    target_day: date | datetime | pd.Timestamp | str,
    weeks: int = 4,
    *,
    slot_minutes: int = 15,
    observed_from: date | datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Expected arrivals per slot of `target_day`, from the same weekday over the past `weeks`.

    history: interval_start (local wall-clock time, naive) and count; rows may be finer than a
    slot (they are summed into the slot that contains them) and need not be zero-filled.
    For each slot of the day (96 slots of 15 minutes): mean = Σ counts / number of reference
    days; low = min and high = max over those days; a reference day with no rows in a slot
    counts 0. `days` = number of reference days used (see `reference_days`; days before
    observed_from are left out). With no reference days mean, low and high are NaN.
    Columns: slot (minutes after local midnight), slot_start (target day + slot), mean, low,
    high, days.
    """
    if slot_minutes <= 0 or (24 * 60) % slot_minutes:
        raise ValueError(f"slot_minutes must divide a day evenly; got {slot_minutes}")
    day = _day(target_day)
    days = reference_days(day, weeks, observed_from=observed_from)
    slots = list(range(0, 24 * 60, slot_minutes))

    table = pd.DataFrame(0.0, index=slots, columns=days)
    if len(history) and days:
        starts = pd.to_datetime(history["interval_start"])
        if getattr(starts.dt, "tz", None) is not None:
            starts = starts.dt.tz_localize(None)
        counts = pd.to_numeric(history["count"], errors="coerce").fillna(0.0)
        local_day = starts.dt.normalize()
        keep = local_day.isin(days)
        minutes = starts.dt.hour * 60 + starts.dt.minute
        slot = (minutes // slot_minutes) * slot_minutes
        summed = (
            pd.DataFrame({"day": local_day[keep], "slot": slot[keep], "count": counts[keep]})
            .groupby(["slot", "day"])["count"]
            .sum()
            .unstack("day")
        )
        table = table.add(summed.reindex(index=slots, columns=days), fill_value=0.0)

    curve = pd.DataFrame(
        {
            "slot": slots,
            "slot_start": [day + pd.Timedelta(minutes=m) for m in slots],
            "mean": table.mean(axis=1).to_numpy() if days else float("nan"),
            "low": table.min(axis=1).to_numpy() if days else float("nan"),
            "high": table.max(axis=1).to_numpy() if days else float("nan"),
            "days": len(days),
        }
    )
    return curve[CURVE_COLUMNS]


def local_wall_clock(utc: pd.Series, tz: str) -> pd.Series:
    """Naive UTC timestamps as naive local wall-clock timestamps in `tz`."""
    stamps = pd.to_datetime(utc)
    if stamps.empty:
        return stamps
    return stamps.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)


def reference_ranges(
    day: date, tz: str, weeks: int = EXPECTED_WEEKS
) -> tuple[tuple[datetime, datetime], ...]:
    """UTC [start, end) of each reference day of `day`'s expected curve (same weekday, previous
    `weeks` weeks) — what to read from the rollup."""
    return tuple(day_bounds(d.date(), tz) for d in reference_days(day, weeks))


def expected_by_channel(
    reference: pd.DataFrame,
    channel_ids: Sequence[str],
    *,
    day: date,
    tz: str,
    observed_from: date | None,
    weeks: int = EXPECTED_WEEKS,
) -> pd.DataFrame:
    """Expected arrivals per 15-minute local slot of `day`, per channel and for all of them.

    Args:
        reference: offered per interval (UTC interval_start, channel_id, offered) on the
            reference days (see `reference_ranges`).
        channel_ids: channels to build curves for; the total is their sum, its band is the
            lowest and highest daily *total* per slot (not the sum of per-channel bands).
        observed_from: local date the history starts; earlier reference days are left out
            (they would read as days without arrivals). None = no history at all.

    Returns expected_curve's columns plus channel_id ("all" for the total).
    """
    local = reference.assign(interval_start=local_wall_clock(reference["interval_start"], tz))
    first_day = observed_from if observed_from is not None else day
    curves = []
    for channel_id in [*channel_ids, "all"]:
        rows = local if channel_id == "all" else local[local["channel_id"] == channel_id]
        history = rows.rename(columns={"offered": "count"})[["interval_start", "count"]]
        curve = expected_curve(history, day, weeks, observed_from=first_day)
        curves.append(curve.assign(channel_id=channel_id))
    if not curves:
        return pd.DataFrame(columns=[*CURVE_COLUMNS, "channel_id"])
    return pd.concat(curves, ignore_index=True)
