"""What happens to each demo contact: how long it waits for a first response, whether the
customer abandons, who answers it and how long the work takes, when it is resolved and how the
customer rates it; then everything is censored at `now` and given its status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from ingest.demo.attributes import csat_ratings
from ingest.demo.clock import NAT, as_seconds, utc_to_local
from ingest.demo.context import GenerationContext
from ingest.demo.roster import DemoAgent, on_break, on_shift
from ingest.demo.traffic import (
    ABANDON_CHANNELS,
    CHANNEL_IDS,
    INSTANT_ABANDON_SHARE,
    SOCIAL_CHANNELS,
    channel_numbers,
    congestion,
    lognormal,
    profile_array,
)

NEWEST_LEFT_WAITING = 3  # per channel: the live floor always has a backlog at `now`
STUCK_PENDING_SHARE = 0.03  # async contacts answered but never closed (waiting on the customer)
SILENT_CLOSE_SHARE = 0.4  # public praise closed without a reply
BREAK_REDRAWS = 4  # new draws for a contact first routed to an agent on a break
# During the outage window, queues on the channels it floods wait this many times longer.
INCIDENT_WAIT_FACTOR = 3.0


def draw_outcomes(
    rng: np.random.Generator,
    ctx: GenerationContext,
    columns: dict[str, np.ndarray],
    root: np.ndarray,
    is_follow_up: np.ndarray,
    onset: datetime,
    slow_until: datetime,
) -> None:
    """Latent answer / abandon / resolve times, ignoring `now` (censored later)."""
    n = len(root)
    channel, created = columns["channel_id"], columns["created_at"]
    local_hours = utc_to_local(created, ctx.tz).hour.to_numpy()
    in_incident = (created >= np.datetime64(onset, "s")) & (created < np.datetime64(slow_until))
    slowdown = np.where(
        in_incident & np.isin(channel, [*SOCIAL_CHANNELS, "phone", "chat"]),
        INCIDENT_WAIT_FACTOR,
        1.0,
    )
    median = profile_array(channel, "frt_median") * np.where(
        columns["is_public"], profile_array(channel, "public_frt_factor"), 1.0
    )
    frt = np.maximum(
        1,
        lognormal(rng, median, profile_array(channel, "frt_sigma"), n)
        * congestion(channel, local_hours)
        * slowdown,
    )
    answered = created + as_seconds(frt)
    # A thread's messages sent before the agent's first reply are answered by that reply.
    follow = np.flatnonzero(is_follow_up)
    parent_answer = answered[root[follow]]
    answered[follow] = np.where(created[follow] < parent_answer, parent_answer, answered[follow])

    patience = lognormal(rng, profile_array(channel, "patience_median", 1.0), 1.2, n)
    instant = rng.random(n) < INSTANT_ABANDON_SHARE
    patience[instant] = rng.uniform(1, 5, int(instant.sum()))
    abandons = np.isin(channel, list(ABANDON_CHANNELS)) & (patience < frt) & ~is_follow_up
    abandoned = np.where(abandons, created + as_seconds(patience), NAT)
    answered = np.where(abandons, NAT, answered)

    agent_id, speed = _assign_agents(rng, ctx, channel, answered)
    handle = np.maximum(
        5,
        lognormal(
            rng, profile_array(channel, "handle_median"), profile_array(channel, "handle_sigma"), n
        )
        * speed,
    )
    resolve_after = profile_array(channel, "resolve_median")
    async_rows = ~np.isnan(resolve_after)
    # Never resolved before the agent's own work on it is done.
    delay = np.where(
        async_rows,
        np.maximum(lognormal(rng, np.nan_to_num(resolve_after, nan=1.0), 1.0, n), handle),
        handle,
    )
    resolved = answered + as_seconds(delay)
    stuck = async_rows & (rng.random(n) < STUCK_PENDING_SHARE)
    resolved = np.where(stuck, NAT, resolved)
    # Many public thank-you posts are liked and closed without a reply — the whole thread, so
    # no follow-up carries a reply its thread start never got (the start's first response is
    # the thread's first reply).
    silent_start = (
        columns["is_public"]
        & (columns["topic"] == "praise")
        & ~is_follow_up
        & (rng.random(n) < SILENT_CLOSE_SHARE)
    )
    silent = silent_start[root]
    answered = np.where(silent, NAT, answered)
    resolved = np.where(silent, created + as_seconds(lognormal(rng, 2700.0, 0.8, n)), resolved)

    target_like = profile_array(channel, "frt_median") * 2
    public = columns["is_public"]
    rated = ~public & (rng.random(n) < profile_array(channel, "csat_share"))
    ratings = csat_ratings(rng, columns["sentiment"], (frt > target_like).astype(float))
    columns.update(
        first_response_at=answered,
        abandoned_at=abandoned,
        resolved_at=resolved,
        agent_id=agent_id,
        handle_seconds=np.round(handle).astype(np.int64),
        # The agent's work on the contact, from the first response on, whatever happens later:
        # set_status censors handle_seconds at `now`, the agent state history needs it all.
        work_seconds=np.round(handle).astype(np.int64),
        csat=np.where(rated, ratings, -1),
    )


def _assign_agents(
    rng: np.random.Generator, ctx: GenerationContext, channel: np.ndarray, answered: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The agent who answered each contact (rostered and skilled at that local hour, and not on
    a planned break then), and that agent's speed factor on handle time; -1 / 1.0 for
    unanswered contacts."""
    n = len(channel)
    agent_id = np.full(n, -1, dtype=np.int64)
    speed = np.ones(n)
    roster = ctx.agents
    if not roster:
        return agent_id, speed
    agent_speed = rng.uniform(0.8, 1.25, len(roster))
    rows = np.flatnonzero(~np.isnat(answered))
    local = utc_to_local(answered[rows], ctx.tz)
    weekday, hour = local.weekday.to_numpy(), local.hour.to_numpy()
    minute = hour * 60 + local.minute.to_numpy()
    slot = (weekday * 24 + hour) * len(CHANNEL_IDS) + channel_numbers(channel[rows])
    eligible, counts = _eligibility(roster)
    ids = np.array([a.id for a in roster])
    shifts = [a.shift for a in roster]
    chosen = eligible[slot, (rng.random(len(rows)) * counts[slot]).astype(np.int64)]
    # Someone on a break is not routed contacts: draw again. The few still on a break after
    # that (everyone skilled is resting) are answered by an agent cutting the break short.
    for _ in range(BREAK_REDRAWS):
        resting = np.flatnonzero(on_break(ids[chosen], [shifts[c] for c in chosen], minute))
        if not len(resting):
            break
        pick = (rng.random(len(resting)) * counts[slot[resting]]).astype(np.int64)
        chosen[resting] = eligible[slot[resting], pick]
    agent_id[rows] = ids[chosen]
    speed[rows] = agent_speed[chosen]
    return agent_id, speed


def _eligibility(roster: Sequence[DemoAgent]) -> tuple[np.ndarray, np.ndarray]:
    """Padded table of agent positions per (weekday, hour, channel) slot, and their counts.

    A slot nobody is rostered for falls back to every skilled agent (someone stays late).
    """
    slots = 7 * 24 * len(CHANNEL_IDS)
    table = np.zeros((slots, len(roster)), dtype=np.int64)
    counts = np.zeros(slots, dtype=np.int64)
    for weekday in range(7):
        for hour in range(24):
            for c, channel in enumerate(CHANNEL_IDS):
                skilled = [i for i, a in enumerate(roster) if channel in a.channels]
                rostered = [i for i in skilled if on_shift(roster[i].id, roster[i].shift,
                                                           weekday, hour)]  # fmt: skip
                chosen = rostered or skilled or list(range(len(roster)))
                slot = (weekday * 24 + hour) * len(CHANNEL_IDS) + c
                table[slot, : len(chosen)] = chosen
                counts[slot] = len(chosen)
    return table, counts


def leave_newest_waiting(columns: dict[str, np.ndarray]) -> None:
    """The newest arrivals of each channel are still unanswered at `now`, and so are the newest
    conversations (thread start and follow-ups): only thread starts are contacts, and a
    follow-up left waiting under an answered start is no backlog.

    Needs `seq` and `conversation_seq` (the seq of each row's thread start).
    """
    channel, conversation = columns["channel_id"], columns["conversation_seq"]
    starts = conversation == columns["seq"]
    waiting = np.zeros(len(channel), dtype=bool)
    for name in CHANNEL_IDS:
        on_channel = channel == name
        waiting[np.flatnonzero(on_channel)[-NEWEST_LEFT_WAITING:]] = True
        newest_starts = columns["seq"][np.flatnonzero(on_channel & starts)[-NEWEST_LEFT_WAITING:]]
        waiting |= np.isin(conversation, newest_starts)
    for field in ("first_response_at", "abandoned_at", "resolved_at"):
        columns[field][waiting] = NAT


def set_status(columns: dict[str, np.ndarray], now: datetime) -> None:
    """Censor the latent times at `now` and derive status, agent, handle time and CSAT.

    Status: `open` while the centre owes the next step — not answered yet, or answered and its
    agent still working it (within `work_seconds` of the first response); `pending` once the
    agent's work is done and the contact waits on the customer; `resolved`, `abandoned`. A
    contact's handle time is known (stored) once its agent's work on it is done.
    """
    cutoff = np.datetime64(now, "s")

    def happened(field: str) -> np.ndarray:
        values = columns[field]
        done = ~np.isnat(values) & (values <= cutoff)
        columns[field] = np.where(done, values, NAT)
        return done

    answered = happened("first_response_at")
    abandoned = happened("abandoned_at") & ~answered
    resolved = happened("resolved_at") & ~abandoned  # some are closed without any reply
    work_done = answered & (
        columns["first_response_at"] + columns["work_seconds"].astype("timedelta64[s]") <= cutoff
    )
    columns["status"] = np.select(
        [resolved, answered & work_done, abandoned], ["resolved", "pending", "abandoned"], "open"
    ).astype(object)
    columns["agent_id"] = np.where(answered, columns["agent_id"], -1)
    columns["handle_seconds"] = np.where(work_done, columns["handle_seconds"], -1)
    columns["csat"] = np.where(resolved & answered, columns["csat"], -1)
    stamps = [columns[f] for f in ("created_at", "first_response_at", "resolved_at")]
    stamps.append(columns["abandoned_at"])
    columns["updated_at"] = np.fmax.reduce(stamps)
