"""The demo centre's agents: teams, skills, shifts and weekly rota.

The roster is fixed and ordered, so rebuilding the demo reuses the same agents; the rota
functions say who is rostered when, for the history, the state timeline and the live simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.demo.content import FIRST_NAMES, LAST_NAMES

# Local start and end hour; the night shift runs past midnight.
SHIFTS: dict[str, tuple[int, int]] = {
    "early": (6, 14),
    "mid": (9, 17),
    "late": (14, 22),
    "night": (22, 6),
}
# Breaks: hours into the shift and minutes long. Each agent takes them a few minutes after the
# planned hour (break_offset_minutes), so a team never leaves the floor all at once.
BREAKS: list[tuple[float, int]] = [(2.0, 15), (4.0, 30), (6.0, 15)]
BREAK_STAGGER_MINUTES = 45
# team, channels, shifts in order (one agent per entry), cross-skill (extra channel every n-th)
TEAMS: list[tuple[str, tuple[str, ...], list[str], tuple[str, int] | None]] = [
    ("Voice", ("phone",), ["early"] * 5 + ["mid"] * 4 + ["late"] * 4 + ["night"], ("chat", 3)),
    ("Digital", ("chat",), ["early"] * 3 + ["mid"] * 5 + ["late"] * 3 + ["night"], ("email", 2)),
    ("Social", ("twitter", "facebook", "instagram"), ["early"] * 2 + ["mid"] * 3
     + ["late"] * 3 + ["night"], ("chat", 2)),
    ("Email", ("email",), ["early"] * 2 + ["mid"] * 4 + ["late"], None),
]  # fmt: skip


@dataclass(frozen=True)
class DemoAgent:
    """One agent of the demo roster, with its database id once stored."""

    id: int
    name: str
    team: str
    shift: str
    channels: tuple[str, ...]


def demo_roster() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(name, team, shift, channels) of every demo agent, always in the same order."""
    roster = []
    for team, channels, shifts, cross in TEAMS:
        for position, shift in enumerate(shifts):
            n = len(roster)
            # Distinct names for any roster size: the surname shifts once the first names wrap.
            first, wraps = n % len(FIRST_NAMES), n // len(FIRST_NAMES)
            name = f"{FIRST_NAMES[first]} {LAST_NAMES[(n * 7 + wraps) % len(LAST_NAMES)]}"
            extra = (cross[0],) if cross and position % cross[1] == 0 else ()
            roster.append((name, team, shift, channels + extra))
    return roster


def works_on(agent_id: int, weekday: int) -> bool:
    """Whether an agent's rota has them working on `weekday` (0 = Monday).

    Most agents work Monday to Friday; three in ten rotate so weekends are covered.
    """
    if agent_id % 10 < 7:
        return weekday < 5
    first_off = agent_id % 5
    return weekday not in (first_off, first_off + 1)


def on_shift(agent_id: int, shift: str | None, weekday: int, hour: int) -> bool:
    """Whether an agent is rostered at local `hour` of a day that is `weekday`."""
    start, end = SHIFTS.get(shift or "", SHIFTS["mid"])
    if start < end:
        return start <= hour < end and works_on(agent_id, weekday)
    # Overnight: the early hours belong to the shift that began the evening before.
    if hour >= start:
        return works_on(agent_id, weekday)
    return hour < end and works_on(agent_id, (weekday - 1) % 7)


def break_offset_minutes(agent_id: int) -> int:
    """Minutes after the planned hour at which this agent's breaks begin."""
    return (agent_id * 17) % BREAK_STAGGER_MINUTES


def shift_breaks(agent_id: int) -> list[tuple[int, int]]:
    """[start, end) in minutes into the shift of each of the agent's breaks."""
    offset = break_offset_minutes(agent_id)
    return [(int(h * 60) + offset, int(h * 60) + offset + m) for h, m in BREAKS]


def on_break(
    agent_ids: np.ndarray, shifts: Sequence[str | None], local_minute: np.ndarray
) -> np.ndarray:
    """Whether each agent is on a planned break at that local minute of the day (0..1439),
    counting from the start of their shift (an overnight shift's early hours included)."""
    start = np.array([SHIFTS.get(s or "", SHIFTS["mid"])[0] * 60 for s in shifts], dtype=np.int64)
    into_shift = (np.asarray(local_minute, dtype=np.int64) - start) % (24 * 60)
    offset = np.array([break_offset_minutes(int(a)) for a in agent_ids], dtype=np.int64)
    resting = np.zeros(len(start), dtype=bool)
    for hours, minutes in BREAKS:
        begins = int(hours * 60) + offset
        resting |= (into_shift >= begins) & (into_shift < begins + minutes)
    return resting
