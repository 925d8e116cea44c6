"""Conversations the demo centre starts itself: proactive outage posts and outbound callbacks.

docs/metrics.md: a conversation whose first message is outbound is no contact — it is not offered
and gets no FRT/SL verdict — and the customer's messages in it are follow-ups. The demo carries
both kinds a real centre has, so every page shows that rule at work:
- during the outage burst the brand posts updates on twitter and facebook; customers reply
  under them, and some replies are answered;
- on past weekdays agents call customers back on the phone; some customers return the call
  later, which is a follow-up in the callback's conversation, not a new contact.

Every row is finished (resolved) well before `now`, so nothing here waits on the live floor,
and none of it changes the service level the demo is tuned to.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from ingest.demo.clock import local_days, local_to_utc
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.roster import on_break, on_shift
from ingest.demo.traffic import PROFILES, lognormal

POST_CHANNELS = ("twitter", "facebook")
POST_DELAYS = (timedelta(minutes=25), timedelta(hours=2), timedelta(hours=5))
POST_TEXTS = (
    "We know some of you have no broadband this morning. Engineers are on it; updates here.",
    "Update: the outage affects parts of the north-west. We expect service back this afternoon.",
    "Service is coming back area by area. Restart your Home Hub if you are still offline.",
)
REPLY_TEXTS = (
    "Still nothing here. When exactly?",
    "Is my area included? Postcode M14.",
    "Restarted twice, still offline.",
    "Back now, thanks for the updates.",
    "Will we get a refund for today?",
)
BRAND_REACH = 48_000  # the brand account's followers: the audience of a public post
REPLIES_PER_POST = 12.0  # mean
REPLY_ANSWERED_SHARE = 0.6
CALLBACKS_PER_WEEKDAY = 6.0  # mean
CALLBACK_RETURNED_SHARE = 0.3  # the customer calls back into the same conversation
CALLBACK_TEXTS = ("Callback about the engineer visit.", "Callback: refund confirmed.")


def generate_centre_started(
    rng: np.random.Generator,
    ctx: GenerationContext,
    customers_by_channel: dict[str, np.ndarray],
    onset: datetime,
    id_base: int,
) -> list[dict[str, Any]]:
    """Insert-ready rows of the centre-started conversations, ids from `id_base`.

    `customers_by_channel` holds the customer ids that have contacted each channel (returning
    customers reply and take calls); `onset` is the outage burst's start (naive UTC).
    """
    rows = _outage_posts(rng, ctx, customers_by_channel, onset) + _callbacks(
        rng, ctx, customers_by_channel
    )
    rows = [row for row in rows if row["updated_at"] < ctx.now - timedelta(hours=1)]
    rows.sort(key=lambda row: (row["created_at"], row["direction"] != "outbound"))
    openers: set[str] = set()
    for n, row in enumerate(rows):
        row["id"] = id_base + n
        row["external_id"] = f"demo-out-{n:06d}"
        # Rows are in time order, openers first: the conversation's first row is its start.
        row["is_thread_start"] = row["conversation_id"] not in openers
        openers.add(row["conversation_id"])
    return rows


def _agents_on(ctx: GenerationContext, channel: str) -> list[int]:
    return [agent.id for agent in ctx.agents if channel in agent.channels]


def _agent_at(
    rng: np.random.Generator, ctx: GenerationContext, agents: list[int], when: datetime
) -> int:
    """One of `agents` rostered and not on a planned break at `when` (naive UTC), as the floor
    would route it; anyone of them when nobody is (someone stays on)."""
    local = when.replace(tzinfo=UTC).astimezone(ctx.tz)
    shifts = {agent.id: agent.shift for agent in ctx.agents}
    rostered = [a for a in agents if on_shift(a, shifts[a], local.weekday(), local.hour)]
    if rostered:
        resting = on_break(
            np.array(rostered),
            [shifts[a] for a in rostered],
            np.full(len(rostered), local.hour * 60 + local.minute),
        )
        rostered = [a for a, rests in zip(rostered, resting, strict=True) if not rests]
    return int(rng.choice(rostered or agents))


def _row(**values: Any) -> dict[str, Any]:
    stamps = [values.get(k) for k in ("created_at", "first_response_at", "resolved_at")]
    return {
        "source": SOURCE,
        "direction": "inbound",
        "is_public": False,
        "priority": "normal",
        "reach": None,
        "agent_id": None,
        "first_response_at": None,
        "abandoned_at": None,
        "handle_seconds": None,
        "csat": None,
        "customer_id": None,
        "topic": None,
        "status": "resolved",
        **values,
        "updated_at": max(s for s in stamps if s is not None),
    }


def _opener(
    rng: np.random.Generator,
    ctx: GenerationContext,
    agents: list[int],
    created_at: datetime,
    resolved_at: datetime,
    **values: Any,
) -> dict[str, Any]:
    """The outbound first message of a conversation, written by one of `agents` on the floor."""
    agent = _agent_at(rng, ctx, agents, created_at)
    return _row(
        direction="outbound",
        agent_id=agent,
        created_at=created_at,
        resolved_at=resolved_at,
        **values,
    )


def _outage_posts(
    rng: np.random.Generator,
    ctx: GenerationContext,
    customers_by_channel: dict[str, np.ndarray],
    onset: datetime,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for channel in POST_CHANNELS:
        agents = _agents_on(ctx, channel)
        customers = customers_by_channel.get(channel, np.array([], dtype=np.int64))
        if not agents or not len(customers):
            continue
        for number, (delay, text) in enumerate(zip(POST_DELAYS, POST_TEXTS, strict=True)):
            posted = onset + delay
            if posted < ctx.start:
                continue
            conversation = f"demo-post-{channel}-{posted:%Y%m%d}-{number}"
            common = {"channel_id": channel, "is_public": True, "conversation_id": conversation}
            common |= {"queue": "social-care", "topic": "outage"}
            opener = _opener(rng, ctx, agents, posted, posted, reach=BRAND_REACH, sentiment=0.0)
            rows.append(opener | common | {"body": text})
            profile = PROFILES[channel]
            count = int(rng.poisson(REPLIES_PER_POST))
            waits = rng.exponential(20 * 60, count)
            answers = lognormal(rng, profile.frt_median, profile.frt_sigma, count)
            work = lognormal(rng, profile.handle_median, profile.handle_sigma, count)
            for wait, answer, seconds in zip(waits, answers, work, strict=True):
                arrived = posted + timedelta(seconds=int(wait) + 1)
                answered = rng.random() < REPLY_ANSWERED_SHARE
                responded = arrived + timedelta(seconds=int(answer) + 1) if answered else None
                rows.append(
                    _row(
                        **common,
                        customer_id=int(rng.choice(customers)),
                        agent_id=_agent_at(rng, ctx, agents, responded) if responded else None,
                        created_at=arrived,
                        first_response_at=responded,
                        handle_seconds=min(600, max(10, int(seconds))) if responded else None,
                        # Read and closed by the team either way; a follow-up, not a contact.
                        resolved_at=(responded or arrived) + timedelta(minutes=10),
                        reach=int(rng.lognormal(5.0, 1.2)),
                        sentiment=float(np.clip(rng.normal(-0.45, 0.25), -1, 1)),
                        body=str(rng.choice(REPLY_TEXTS)),
                    )
                )
    return rows


def _callbacks(
    rng: np.random.Generator, ctx: GenerationContext, customers_by_channel: dict[str, np.ndarray]
) -> list[dict[str, Any]]:
    agents = _agents_on(ctx, "phone")
    customers = customers_by_channel.get("phone", np.array([], dtype=np.int64))
    if not agents or not len(customers):
        return []
    days = local_days(ctx.start, ctx.now, ctx.tz)
    days = days[days.weekday < 5]
    counts = rng.poisson(CALLBACKS_PER_WEEKDAY, len(days))
    day_index = np.repeat(np.arange(len(days)), counts)
    seconds = rng.integers(10 * 3600, 16 * 3600, len(day_index))  # office hours, local
    local = days.to_numpy()[day_index] + seconds.astype("timedelta64[s]")
    called = local_to_utc(local, ctx.tz).astype("datetime64[us]").tolist()
    profile = PROFILES["phone"]
    talk = lognormal(rng, profile.handle_median, profile.handle_sigma, len(called))
    rows: list[dict[str, Any]] = []
    for n, (start, seconds_talked) in enumerate(zip(called, talk, strict=True)):
        handle = max(30, int(seconds_talked))
        customer = int(rng.choice(customers))
        common = {"channel_id": "phone", "conversation_id": f"demo-callback-{n:06d}"}
        common |= {"customer_id": customer, "queue": "general", "sentiment": 0.1}
        ended = start + timedelta(seconds=handle)
        opener = _opener(rng, ctx, agents, start, ended, handle_seconds=handle)
        rows.append(opener | common | {"body": str(rng.choice(CALLBACK_TEXTS))})
        if rng.random() < CALLBACK_RETURNED_SHARE:
            rang = ended + timedelta(seconds=int(rng.integers(600, 7200)))
            answered = rang + timedelta(seconds=int(rng.integers(5, 40)))
            again = max(30, int(rng.lognormal(np.log(180), 0.5)))
            rows.append(
                _row(
                    **common,
                    agent_id=_agent_at(rng, ctx, agents, answered),
                    created_at=rang,
                    first_response_at=answered,
                    resolved_at=answered + timedelta(seconds=again),
                    handle_seconds=again,
                    body="Returning your call.",
                )
            )
    return rows
