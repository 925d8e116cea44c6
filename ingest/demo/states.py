"""The demo agents' state history (available / busy / after_call / break / offline) over the
last few days, derived from the contacts each agent answered, so the floor and the work agree.

An agent is busy from each contact's first response for as long as they work it
(`work_seconds`), wraps up after call (after_call) for a short while when no other contact is
in hand, is available otherwise while rostered, takes the planned breaks when nothing is in
hand, and is offline outside the shift — unless still working a contact, which they finish
first. So every answered contact's agent is on the floor while answering and handling it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from ingest.demo.context import GenerationContext
from ingest.demo.roster import SHIFTS, DemoAgent, shift_breaks, works_on

STATE_HISTORY_DAYS = 3  # today and the two days before: enough for the floor and its trends
# Median seconds of after-call work when the next contact is not already waiting.
WRAP_UP_SECONDS = {"voice": 45.0, "other": 20.0}
MIN_WORK_SECONDS = 60  # writing a post or a reply whose handle time is not recorded

Intervals = list[tuple[datetime, datetime]]


def generate_agent_states(
    rng: np.random.Generator,
    ctx: GenerationContext,
    columns: dict[str, np.ndarray],
    centre_started: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """State changes of every agent over the last days, ending at `now`, from the generated
    interactions' `agent_id`, `first_response_at` and `work_seconds` columns, and from the
    rows of the conversations the centre started (an agent wrote the opener at `created_at`,
    answered a reply at `first_response_at`; for `handle_seconds`).

    Each agent's first row is their state at the start of the window; later rows are changes.
    """
    window_start = max(ctx.start, ctx.now - timedelta(days=STATE_HISTORY_DAYS))
    work = _work_by_agent(columns, window_start, ctx.now)
    for row in centre_started:
        start = row["first_response_at"] or row["created_at"]
        if row["agent_id"] is None or not window_start <= start <= ctx.now:
            continue
        seconds = max(MIN_WORK_SECONDS, row["handle_seconds"] or 0)
        work.setdefault(row["agent_id"], []).append((start, start + timedelta(seconds=seconds)))
    rows: list[dict[str, Any]] = []
    for agent in ctx.agents:
        busy = _merge(work.get(agent.id, []))
        voice = "phone" in agent.channels
        wrap_median = WRAP_UP_SECONDS["voice" if voice else "other"]
        wrap = _wrap_ups(busy, rng.uniform(0.5, 1.5, len(busy)) * wrap_median)
        shifts, breaks = _rota(agent, window_start, ctx)
        previous = None
        for moment in _boundaries(window_start, ctx.now, busy, wrap, shifts, breaks):
            state = _state_at(moment, busy, wrap, shifts, breaks)
            if state != previous:
                rows.append({"agent_id": agent.id, "state": state, "since": moment})
                previous = state
    return rows


def _work_by_agent(
    columns: dict[str, np.ndarray], window_start: datetime, now: datetime
) -> dict[int, Intervals]:
    """[first response, end of the agent's work) of every answered row that overlaps the
    window, per agent, in naive UTC (whole seconds)."""
    answered_at = columns["first_response_at"]
    ends = answered_at + columns["work_seconds"].astype("timedelta64[s]")
    keep = (
        (columns["agent_id"] >= 0)
        & ~np.isnat(answered_at)
        & (ends > np.datetime64(window_start, "s"))
        & (answered_at <= np.datetime64(now, "s"))
    )
    work: dict[int, Intervals] = {}
    for agent, start, end in zip(
        columns["agent_id"][keep].tolist(),
        answered_at[keep].astype(datetime).tolist(),
        ends[keep].astype(datetime).tolist(),
        strict=True,
    ):
        work.setdefault(int(agent), []).append((start, end))
    return work


def _merge(intervals: Intervals) -> Intervals:
    """Sorted, non-overlapping union of the intervals (contacts worked at once: one busy
    stretch)."""
    merged: Intervals = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _wrap_ups(busy: Intervals, seconds: np.ndarray) -> Intervals:
    """After-call work after each busy stretch, cut short by the next one."""
    wrap: Intervals = []
    for n, (_, end) in enumerate(busy):
        stop = end + timedelta(seconds=round(float(seconds[n])))
        if n + 1 < len(busy):
            stop = min(stop, busy[n + 1][0])
        if stop > end:
            wrap.append((end, stop))
    return wrap


def _rota(agent: DemoAgent, window_start: datetime, ctx: GenerationContext) -> tuple[
    Intervals, Intervals
]:  # fmt: skip
    """The agent's shifts and planned breaks overlapping the window, in naive UTC."""
    first_day = window_start.replace(tzinfo=UTC).astimezone(ctx.tz).date() - timedelta(days=1)
    last_day = ctx.now.replace(tzinfo=UTC).astimezone(ctx.tz).date()
    start_hour, end_hour = SHIFTS.get(agent.shift, SHIFTS["mid"])
    hours = (end_hour - start_hour) % 24
    shifts: Intervals = []
    breaks: Intervals = []
    day = first_day
    while day <= last_day:
        if works_on(agent.id, day.weekday()):
            local_start = datetime(day.year, day.month, day.day, start_hour)

            def utc(minutes: int, base: datetime = local_start) -> datetime:
                local = (base + timedelta(minutes=minutes)).replace(tzinfo=ctx.tz)
                return local.astimezone(UTC).replace(tzinfo=None)

            shifts.append((utc(0), utc(hours * 60)))
            breaks += [(utc(begin), utc(end)) for begin, end in shift_breaks(agent.id)]
        day += timedelta(days=1)
    return shifts, breaks


def _boundaries(start: datetime, now: datetime, *timelines: Intervals) -> list[datetime]:
    """Every moment in [start, now] at which the agent's state may change, in order."""
    moments = {start}
    for intervals in timelines:
        for begin, end in intervals:
            moments.update(m for m in (begin, end) if start < m <= now)
    return sorted(moments)


def _inside(moment: datetime, intervals: Intervals) -> bool:
    """Whether `moment` falls in one of the sorted, non-overlapping [start, end) intervals."""
    n = bisect_right(intervals, (moment, datetime.max)) - 1
    return n >= 0 and intervals[n][0] <= moment < intervals[n][1]


def _state_at(
    moment: datetime, busy: Intervals, wrap: Intervals, shifts: Intervals, breaks: Intervals
) -> str:
    """Work in hand comes first, whatever the rota says; then the rota."""
    if _inside(moment, busy):
        return "busy"
    if _inside(moment, wrap):
        return "after_call"
    if not _inside(moment, shifts):
        return "offline"
    return "break" if _inside(moment, breaks) else "available"
