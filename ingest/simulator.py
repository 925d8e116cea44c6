"""Live floor simulator: keeps a demo database moving so the Floor page has something to watch.

Every tick writes, in one transaction, new arrivals (at the demo's intraday rate, scaled to the
tick), the end of agents' work on contacts, first responses to waiting contacts, abandons on
phone and chat, resolutions, and agent state changes; then it refreshes the 15-minute rollup
(unless a refresher process does that: `--no-refresh`).

Agent states follow the work, as in the demo history: a contact is answered only by a skilled
agent on the floor with room for it, the agent is busy while any contact is in hand (status
`open` with the agent), wraps up after the last one, and takes a break or logs off only with
nothing in hand. So agents on the floor and contacts answered always agree.

Killing the process can lose at most the tick in flight, never half of one. Rows it writes have
source 'demo', so rebuilding the demo with `replace=True` removes them too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Engine, Select, and_, bindparam, func, select

from analytics.topic_tagging import tag_topic
from db.rollups import refresh_interval_stats
from db.schema import (
    agent_skills,
    agent_states,
    agents,
    channels,
    customer_handles,
    customers,
    interactions,
)
from db.settings import get_settings
from db.threads import counts_as_contact
from ingest.demo import (
    ABANDON_CHANNELS,
    CHANNEL_IDS,
    FIRST_NAMES,
    LAST_NAMES,
    PROFILES,
    SOURCE,
    TemplateBook,
    active_topic_names,
    arrivals_per_second,
    congestion,
    csat_ratings,
    customer_handle,
    draw_attributes,
    lognormal,
    on_shift,
    utc_now,
)
from ingest.demo.review import simulate_reply_drafts
from ingest.signals import stop_on_signals
from ingest.tagging import DATA, TAXONOMY, load_taxonomy

DEFAULT_TICK_SECONDS = 3.0
# After a pause (laptop asleep, debugger) don't pour a long gap's arrivals into one tick.
MAX_TICK_SECONDS = 60.0
NEW_CUSTOMER_SHARE = 0.3
# Only contacts that arrived this recently are worked. Touching a weeks-old row would make the
# rollup refresh recompute every interval since its arrival, on every tick; and contacts left
# pending that long are waiting on the customer anyway.
ACTIVE_WINDOW = timedelta(days=3)
# Simulator customers' handles sit far above any demo customer index, so they never clash.
SIM_HANDLE_OFFSET = 1_000_000_000

# Mean seconds of after-call work and of a break; an agent with nothing in hand takes a break
# about every two hours.
AFTER_CALL_SECONDS = 40.0
BREAK_SECONDS = 900.0
BREAK_EVERY_SECONDS = 2 * 3600.0
LOGIN_DELAY_SECONDS = 60.0  # rostered agents log in within a minute or two of shift start
LOGOUT_DELAY_SECONDS = 120.0  # and finish the contact in hand before logging off


@dataclass
class FloorAgent:
    """An active agent as the tick sees them: skills, latest state and the channels of the
    contacts in hand (one entry per contact being worked)."""

    id: int
    shift: str | None
    channels: set[str] = field(default_factory=set)
    state: str = "offline"
    in_hand: list[str] = field(default_factory=list)


def simulate_tick(
    conn: Connection,
    now: datetime,
    rng: np.random.Generator,
    *,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
) -> dict[str, int]:
    """Advance the floor by `tick_seconds` ending at `now` (naive UTC); returns what changed."""
    local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(get_settings().timezone))
    floor = _load_floor(conn, now)
    changes: list[dict[str, Any]] = []
    counts = {"arrivals": _insert_arrivals(conn, now, local, rng, tick_seconds)}
    counts["handled"] = _finish_work(conn, now, rng, tick_seconds, floor)
    counts.update(_answer_or_abandon(conn, now, local, rng, tick_seconds, floor, changes))
    counts["resolved"] = _resolve(conn, now, rng, tick_seconds)
    counts["reply_drafts"] = simulate_reply_drafts(conn, now, tick_seconds)
    _drift_states(local, rng, tick_seconds, floor, changes)
    if changes:
        conn.execute(agent_states.insert(), [{**change, "since": now} for change in changes])
    counts["state_changes"] = len(changes)
    return counts


def run_tick(
    engine: Engine,
    now: datetime,
    rng: np.random.Generator,
    *,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
) -> dict[str, int]:
    """One tick in its own transaction: all of it is stored, or none of it."""
    with engine.begin() as conn:
        return simulate_tick(conn, now, rng, tick_seconds=tick_seconds)


def run_simulator(
    engine: Engine,
    *,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
    stop: threading.Event | None = None,
    rng_seed: int | None = None,
    max_ticks: int | None = None,
    verbose: bool = False,
    refresh: bool = True,
) -> None:
    """Tick every `tick_seconds` until `stop` is set, `max_ticks` ran, or Ctrl-C / SIGTERM
    (which let the current tick finish, then return). `refresh=False` leaves the rollup to the
    refresher process (`cli.py refresh-rollups --follow`, which `make run` starts)."""
    stop = stop or threading.Event()
    rng = np.random.default_rng(rng_seed)
    restore_signals = stop_on_signals(stop)
    ticks = 0
    previous = utc_now() - timedelta(seconds=tick_seconds)
    try:
        while not stop.is_set() and (max_ticks is None or ticks < max_ticks):
            now = utc_now()
            elapsed = min(max((now - previous).total_seconds(), 0.0), MAX_TICK_SECONDS)
            counts = run_tick(engine, now, rng, tick_seconds=elapsed)
            if refresh:
                refresh_interval_stats(engine)
            previous, ticks = now, ticks + 1
            if verbose:
                print(_tick_line(now, counts), flush=True)
            if max_ticks is None or ticks < max_ticks:
                stop.wait(tick_seconds)
    except KeyboardInterrupt:
        # Fallback for a Ctrl-C that beat our handler: the open tick's transaction rolled back.
        pass
    finally:
        restore_signals()


def _tick_line(now: datetime, counts: dict[str, int]) -> str:
    return (
        f"{now:%H:%M:%S} +{counts['arrivals']} new, {counts['answered']} answered, "
        f"{counts['handled']} handled, {counts['abandoned']} abandoned, "
        f"{counts['resolved']} resolved, "
        f"{counts['state_changes']} agent state changes"
    )


# --------------------------------------------------------------------------------------------
# The floor: agents, skills, latest states
# --------------------------------------------------------------------------------------------


def _load_floor(conn: Connection, now: datetime) -> dict[int, FloorAgent]:
    floor = {
        row.id: FloorAgent(row.id, row.shift)
        for row in conn.execute(select(agents.c.id, agents.c.shift).where(agents.c.active))
    }
    for agent_id, channel in conn.execute(
        select(agent_skills.c.agent_id, agent_skills.c.channel_id)
    ):
        if agent_id in floor:
            floor[agent_id].channels.add(channel)
    latest = (
        select(agent_states.c.agent_id, func.max(agent_states.c.since).label("since"))
        .group_by(agent_states.c.agent_id)
        .subquery()
    )
    query = (
        select(agent_states.c.agent_id, agent_states.c.state)
        .join(
            latest,
            and_(
                agent_states.c.agent_id == latest.c.agent_id,
                agent_states.c.since == latest.c.since,
            ),
        )
        .order_by(agent_states.c.id)  # two rows at the same instant: the later insert wins
    )
    for agent_id, state in conn.execute(query):
        if agent_id in floor:
            floor[agent_id].state = state
    for row in conn.execute(_in_hand(now)):
        if row.agent_id in floor:
            floor[row.agent_id].in_hand.append(row.channel_id)
    return floor


def _in_hand(now: datetime) -> Select:
    """The contacts agents are working now: answered, still `open`, with their agent."""
    i = interactions.c
    return (
        select(i.id, i.agent_id, i.channel_id, i.first_response_at)
        .where(
            i.status == "open",
            i.agent_id.is_not(None),
            i.first_response_at.is_not(None),
            i.created_at >= now - ACTIVE_WINDOW,
        )
        .order_by(i.id)
    )


def _capacity(conn: Connection) -> dict[str, float]:
    """Contacts one agent works at once, per channel (the concurrency setting by channel kind)."""
    per_kind = get_settings().concurrency
    return {
        channel: float(per_kind.get(kind, 1.0))
        for channel, kind in conn.execute(select(channels.c.id, channels.c.kind))
    }


def _pick_agent(
    rng: np.random.Generator, floor: dict[int, FloorAgent], channel: str, capacity: float
) -> FloorAgent | None:
    """A skilled agent on the floor with room for one more contact of `channel`: available or
    busy (not wrapping up, on a break or offline), no call in hand, and fewer than `capacity`
    contacts in hand (one for phone)."""
    candidates = [
        a
        for a in floor.values()
        if channel in a.channels
        and a.state in ("available", "busy")
        and "phone" not in a.in_hand
        and len(a.in_hand) < capacity
    ]
    if not candidates:
        return None
    return candidates[int(rng.integers(len(candidates)))]


def _set_state(agent: FloorAgent, state: str, changes: list[dict[str, Any]]) -> None:
    if agent.state != state:
        agent.state = state
        changes.append({"agent_id": agent.id, "state": state})


# --------------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------------


def _hazard(tick_seconds: float, mean_seconds: np.ndarray | float) -> np.ndarray | float:
    """Chance that something with an exponential waiting time of this mean happens in a tick."""
    return 1.0 - np.exp(-tick_seconds / np.maximum(mean_seconds, 1e-9))


def _insert_arrivals(
    conn: Connection, now: datetime, local: datetime, rng: np.random.Generator, tick_seconds: float
) -> int:
    expected = np.array([arrivals_per_second(c, local) for c in CHANNEL_IDS]) * tick_seconds
    channel = np.repeat(np.array(CHANNEL_IDS, dtype=object), rng.poisson(expected))
    if len(channel) == 0:
        return 0
    topic_names = active_topic_names(conn)
    book = TemplateBook.for_topics(topic_names)
    attrs = draw_attributes(rng, channel, topic_names, book)
    arrived = [
        now - timedelta(seconds=float(s)) for s in rng.uniform(0, tick_seconds, len(channel))
    ]
    stamp = f"sim-{now:%Y%m%d%H%M%S%f}-{int(rng.integers(16**6)):06x}"
    taxonomy = load_taxonomy(engine=conn)
    rows = []
    for n, ch in enumerate(channel.tolist()):
        external_id = f"{stamp}-{n}"
        public = bool(attrs.is_public[n])
        body = book.render(
            int(attrs.template[n]),
            int(attrs.order_no[n]),
            int(attrs.product[n]),
            attrs.topic[n],
            public,
        )
        rows.append(
            {
                "source": SOURCE,
                "external_id": external_id,
                "channel_id": ch,
                "direction": "inbound",
                "is_public": public,
                # Each arrival is a conversation of its own, so a thread start (the column's
                # default). Writing a follow-up into an existing conversation would need
                # db.threads.mark_thread_starts for it, as the importer does.
                "conversation_id": external_id,
                "customer_id": _customer_for(conn, rng, ch),
                "queue": attrs.queue[n],
                "priority": attrs.priority[n],
                # Tagged like an import: the taxonomy reads the text (the template follows the
                # drawn topic, so they agree unless an admin changed the taxonomy).
                "topic": tag_topic(body, taxonomy),
                "topic_source": TAXONOMY,
                "sentiment": float(attrs.sentiment[n]),
                "sentiment_source": DATA,
                "reach": int(attrs.reach[n]) if attrs.reach[n] >= 0 else None,
                "created_at": arrived[n],
                "status": "open",
                "body": body,
                "updated_at": now,
            }
        )
    conn.execute(interactions.insert(), rows)
    return len(rows)


def _customer_for(conn: Connection, rng: np.random.Generator, channel: str) -> int:
    """A returning customer with a handle on `channel`, or a new one."""
    handles = conn.scalar(
        select(func.count())
        .select_from(customer_handles)
        .where(customer_handles.c.channel_id == channel)
    )
    if handles and rng.random() >= NEW_CUSTOMER_SHARE:
        return conn.scalar(
            select(customer_handles.c.customer_id)
            .where(customer_handles.c.channel_id == channel)
            .order_by(customer_handles.c.id)
            .offset(int(rng.integers(handles)))
            .limit(1)
        )
    name = (
        f"{FIRST_NAMES[rng.integers(len(FIRST_NAMES))]} {LAST_NAMES[rng.integers(len(LAST_NAMES))]}"
    )
    customer_id = conn.execute(
        customers.insert().values(name=name, created_at=utc_now())
    ).inserted_primary_key[0]
    conn.execute(
        customer_handles.insert().values(
            customer_id=customer_id,
            channel_id=channel,
            handle=customer_handle(channel, SIM_HANDLE_OFFSET + customer_id, name),
        )
    )
    return customer_id


def _answer_or_abandon(
    conn: Connection,
    now: datetime,
    local: datetime,
    rng: np.random.Generator,
    tick_seconds: float,
    floor: dict[int, FloorAgent],
    changes: list[dict[str, Any]],
) -> dict[str, int]:
    """First responses to waiting contacts when a skilled agent is free; phone and chat
    customers who run out of patience hang up.

    Only contacts queue (db/threads.py): a follow-up — a customer's later message, or their
    reply to a conversation the centre started — is worked within its conversation, so it
    neither takes an agent nor abandons here.
    """
    i = interactions.c
    waiting = conn.execute(
        select(i.id, i.channel_id, i.is_public)
        .where(
            i.status == "open",
            counts_as_contact(),
            i.first_response_at.is_(None),
            i.abandoned_at.is_(None),
            i.created_at >= now - ACTIVE_WINDOW,
        )
        .order_by(i.created_at)  # oldest first: agents work the queue in order
    ).all()
    answered: list[dict[str, Any]] = []
    abandoned: list[dict[str, Any]] = []
    capacity = _capacity(conn)
    if waiting:
        channel = np.array([row.channel_id for row in waiting], dtype=object)
        known = np.isin(channel, list(CHANNEL_IDS))
        mean_wait = np.full(len(channel), np.inf)
        mean_wait[known] = [PROFILES[c].frt_median for c in channel[known]]
        # Public social posts are worked first, as in the demo history.
        public = np.array([bool(row.is_public) for row in waiting])
        mean_wait[known & public] *= [
            PROFILES[c].public_frt_factor for c in channel[known & public]
        ]
        mean_wait[known] *= congestion(channel[known], np.full(int(known.sum()), local.hour))
        patience = np.array(
            [PROFILES[c].patience_median if c in ABANDON_CHANNELS else np.inf for c in channel]
        )
        answer_chance = _hazard(tick_seconds, mean_wait)
        abandon_chance = _hazard(tick_seconds, patience)
        draws = rng.random(len(waiting))
        for row, draw, p_answer, p_abandon in zip(
            waiting, draws, answer_chance, abandon_chance, strict=True
        ):
            agent = (
                _pick_agent(rng, floor, row.channel_id, capacity.get(row.channel_id, 1.0))
                if draw < p_answer
                else None
            )
            if agent is not None:
                answered.append({"row_id": row.id, "agent": agent.id})
                agent.in_hand.append(row.channel_id)
                _set_state(agent, "busy", changes)
            elif draw >= 1 - p_abandon:
                abandoned.append({"row_id": row.id})
    # Still `open`: the agent is working it now (see _finish_work).
    _update_rows(conn, answered, first_response_at=now, status="open", updated_at=now)
    _update_rows(conn, abandoned, abandoned_at=now, status="abandoned", updated_at=now)
    return {"answered": len(answered), "abandoned": len(abandoned)}


def _finish_work(
    conn: Connection,
    now: datetime,
    rng: np.random.Generator,
    tick_seconds: float,
    floor: dict[int, FloorAgent],
) -> int:
    """Agents finish contacts in hand (mean: the channel's handle time). The handle time is the
    work's length; a call or chat ends with it (resolved), an async contact then waits on the
    customer (pending) until `_resolve` closes it."""
    working = conn.execute(_in_hand(now)).all()
    known = [row for row in working if row.channel_id in PROFILES]
    if not known:
        return 0
    profiles = [PROFILES[row.channel_id] for row in known]
    done = rng.random(len(known)) < _hazard(
        tick_seconds, np.array([p.handle_median for p in profiles])
    )
    ratings = _ratings(conn, rng, [row.id for row in known])
    ended: list[dict[str, Any]] = []
    handed_over: list[dict[str, Any]] = []
    for n in np.flatnonzero(done):
        row, profile = known[n], profiles[n]
        handle = max(1, int(round((now - row.first_response_at).total_seconds())))
        if profile.resolve_median is None:
            ended.append({"row_id": row.id, "handle": handle, "rating": ratings[n]})
        else:
            handed_over.append({"row_id": row.id, "handle": handle})
        agent = floor.get(row.agent_id)
        if agent is not None and row.channel_id in agent.in_hand:
            agent.in_hand.remove(row.channel_id)
    _update_rows(
        conn,
        ended,
        resolved_at=now,
        status="resolved",
        updated_at=now,
        handle_seconds=bindparam("handle"),
        csat=bindparam("rating"),
    )
    _update_rows(
        conn, handed_over, status="pending", updated_at=now, handle_seconds=bindparam("handle")
    )
    return len(ended) + len(handed_over)


def _ratings(conn: Connection, rng: np.random.Generator, ids: list[int]) -> list[int | None]:
    """A CSAT answer for each of the contacts `ids`, or None: private contacts are surveyed on
    closing at the channel's survey share."""
    if not ids:
        return []
    i = interactions.c
    rows = {
        row.id: row
        for row in conn.execute(
            select(i.id, i.channel_id, i.is_public, i.sentiment).where(i.id.in_(ids))
        )
    }
    ordered = [rows[n] for n in ids]
    sentiment = np.array([row.sentiment or 0.0 for row in ordered])
    ratings = csat_ratings(rng, sentiment, np.zeros(len(ordered)))
    share = np.array([PROFILES[row.channel_id].csat_share for row in ordered])
    rated = rng.random(len(ordered)) < share
    return [
        int(ratings[n]) if rated[n] and not row.is_public else None for n, row in enumerate(ordered)
    ]


def _resolve(conn: Connection, now: datetime, rng: np.random.Generator, tick_seconds: float) -> int:
    """Close contacts waiting on the customer (pending) at the channel's resolve pace. Their
    handle time was stored when the agent's work ended (older rows without one get the
    channel's typical work time)."""
    i = interactions.c
    pending = conn.execute(
        select(i.id, i.channel_id).where(
            i.status == "pending",
            i.resolved_at.is_(None),
            i.channel_id.in_(CHANNEL_IDS),
            i.created_at >= now - ACTIVE_WINDOW,
        )
    ).all()
    if not pending:
        return 0
    profiles = [PROFILES[row.channel_id] for row in pending]
    mean_close = np.array([p.resolve_median or p.handle_median for p in profiles])
    closing = np.flatnonzero(rng.random(len(pending)) < _hazard(tick_seconds, mean_close))
    work = lognormal(
        rng,
        np.array([p.handle_median for p in profiles]),
        np.array([p.handle_sigma for p in profiles]),
        len(pending),
    )
    ratings = _ratings(conn, rng, [pending[n].id for n in closing])
    updates = [
        {
            "row_id": pending[n].id,
            "handle": max(1, int(round(work[n]))),
            "rating": ratings[k],
        }
        for k, n in enumerate(closing)
    ]
    _update_rows(
        conn,
        updates,
        resolved_at=now,
        status="resolved",
        updated_at=now,
        handle_seconds=func.coalesce(i.handle_seconds, bindparam("handle")),
        csat=bindparam("rating"),
    )
    return len(updates)


def _update_rows(conn: Connection, rows: list[dict[str, Any]], **values: Any) -> None:
    """executemany UPDATE of interactions by `row_id`; `agent` in the rows sets agent_id."""
    if not rows:
        return
    if "agent" in rows[0]:
        values["agent_id"] = bindparam("agent")
    statement = interactions.update().where(interactions.c.id == bindparam("row_id")).values(values)
    conn.execute(statement, rows)


# --------------------------------------------------------------------------------------------
# Agent states
# --------------------------------------------------------------------------------------------


def _drift_states(
    local: datetime,
    rng: np.random.Generator,
    tick_seconds: float,
    floor: dict[int, FloorAgent],
    changes: list[dict[str, Any]],
) -> None:
    """Move each agent along with their work: busy with anything in hand; after-call work when
    the last contact is done, then available (or offline past the shift's end); with nothing
    in hand, breaks now and then, logging in at shift start and off at shift end."""
    for agent in floor.values():
        rostered = on_shift(agent.id, agent.shift, local.weekday(), local.hour)
        draw = rng.random()
        if agent.in_hand:
            _set_state(agent, "busy", changes)
        elif agent.state == "busy":
            _set_state(agent, "after_call", changes)
        elif agent.state == "after_call":
            if draw < _hazard(tick_seconds, AFTER_CALL_SECONDS):
                _set_state(agent, "available" if rostered else "offline", changes)
        elif not rostered:
            if agent.state != "offline" and draw < _hazard(tick_seconds, LOGOUT_DELAY_SECONDS):
                _set_state(agent, "offline", changes)
        elif agent.state == "offline":
            if draw < _hazard(tick_seconds, LOGIN_DELAY_SECONDS):
                _set_state(agent, "available", changes)
        elif agent.state == "available":
            if draw < _hazard(tick_seconds, BREAK_EVERY_SECONDS):
                _set_state(agent, "break", changes)
        elif draw < _hazard(tick_seconds, BREAK_SECONDS):
            _set_state(agent, "available", changes)
