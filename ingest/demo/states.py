"""The demo agents' state history (available / busy / after_call / break / offline) over the
last few days, shift by shift, so the live floor opens on a plausible picture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from ingest.demo.context import GenerationContext
from ingest.demo.roster import SHIFTS, DemoAgent, works_on

STATE_HISTORY_DAYS = 3  # today and the two days before: enough for the floor and its trends
BREAKS = [(2.0, 15), (4.0, 30), (6.0, 15)]  # hours into the shift, minutes long


def generate_agent_states(rng: np.random.Generator, ctx: GenerationContext) -> list[dict[str, Any]]:
    """State changes of every agent over the last days, ending at `now`.

    Each agent starts the window offline, logs in at shift start, cycles available -> busy ->
    after_call with breaks, and goes offline at shift end, so their latest state fits `now`.
    """
    window_start = max(ctx.start, ctx.now - timedelta(days=STATE_HISTORY_DAYS))
    first_day = window_start.replace(tzinfo=UTC).astimezone(ctx.tz).date() - timedelta(days=1)
    last_day = ctx.now.replace(tzinfo=UTC).astimezone(ctx.tz).date()
    rows: list[dict[str, Any]] = []
    for agent in ctx.agents:
        rows.append({"agent_id": agent.id, "state": "offline", "since": window_start})
        day = first_day
        while day <= last_day:
            if works_on(agent.id, day.weekday()):
                start_hour, end_hour = SHIFTS.get(agent.shift, SHIFTS["mid"])
                shift_start = datetime(day.year, day.month, day.day, start_hour)
                hours = (end_hour - start_hour) % 24
                for state, local in _shift_events(rng, agent, shift_start, hours):
                    since = (
                        local.replace(microsecond=0, tzinfo=ctx.tz)
                        .astimezone(UTC)
                        .replace(tzinfo=None)
                    )
                    if window_start < since <= ctx.now:
                        rows.append({"agent_id": agent.id, "state": state, "since": since})
            day += timedelta(days=1)
    return rows


def _shift_events(
    rng: np.random.Generator, agent: DemoAgent, shift_start: datetime, hours: int
) -> Iterator[tuple[str, datetime]]:
    """(state, local time) of one worked shift."""
    voice = "phone" in agent.channels
    busy_median = 300 if voice else 420
    wrap_up = 45 if voice else 20
    end = shift_start + timedelta(hours=hours)
    breaks = [(shift_start + timedelta(hours=h), timedelta(minutes=m)) for h, m in BREAKS]
    t = shift_start
    yield "available", t
    while True:
        t += timedelta(seconds=float(rng.exponential(75)))
        if breaks and t >= breaks[0][0]:
            _, length = breaks.pop(0)
            yield "break", t
            t += length
            if t >= end:
                break
            yield "available", t
            continue
        if t >= end:
            break
        yield "busy", t
        t += timedelta(seconds=float(busy_median * np.exp(rng.normal(0, 0.6))))
        yield "after_call", t
        t += timedelta(seconds=float(wrap_up * rng.uniform(0.5, 1.5)))
        yield "available", t
    yield "offline", max(t, end)
