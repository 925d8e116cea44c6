"""First-response KPIs split by clock: phone and chat are answered in seconds, email and social
in minutes to hours, so an ASA or FRT p90 over both would average unlike things and describe
neither. Each clock gets its own mean (ASA), median and p90, with its n."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analytics.distributions import LIVE_KINDS, FrtSummary, frt_summary, frt_summary_counted

CLOCKS: tuple[str, ...] = ("live", "async")
CLOCK_LABELS: dict[str, str] = {"live": "phone & chat", "async": "email & social"}


def clock_of(kind: str) -> str:
    """'live' for voice and chat channels (seconds), 'async' for email and social (hours)."""
    return "live" if str(kind).strip().lower() in LIVE_KINDS else "async"


def frt_by_clock(frt: pd.DataFrame, kinds: Mapping[str, str]) -> dict[str, FrtSummary]:
    """FRT median, p90, mean (= ASA: answered contacts only) and n per clock, for the clocks of
    the channels in `kinds` (channel id -> kind; a clock none of them is on is left out).

    frt: channel_id and frt_seconds, one row per answered contact, or an FRT frame with n
    and sum_seconds (`analytics.distributions.frt_summary_counted`).
    """
    clocks = {channel: clock_of(kind) for channel, kind in kinds.items()}
    on = frt["channel_id"].map(clocks) if len(frt) else pd.Series(dtype=object)
    return {
        clock: frt_summary_counted(frt.loc[on == clock]) if len(frt) else frt_summary([])
        for clock in CLOCKS
        if clock in clocks.values()
    }
