"""The demo centre: weeks of realistic, reproducible contact-centre history up to "now".

`build_demo` fills an initialised database (reference data seeded) with agents, their skills and
state history, customers with handles on several channels, interactions on every channel, QA
reviews, reply-review workflow rows, playbook entries and stakeholders, then refreshes the
rollup. Everything is drawn from one seeded numpy generator, vectorised, so a seed and a `now`
always give the same centre and eight weeks build in seconds.

The traffic profile (volumes, intraday and weekly curves, response and handle times) and the
per-contact attribute draws are public so the live simulator follows the same shape.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, delete, func, select

from db.rollups import refresh_interval_stats
from db.schema import (
    agent_skills,
    agent_states,
    agents,
    customer_handles,
    customers,
    interactions,
    playbook_entries,
    qa_assignments,
    qa_reviews,
    qa_samples,
    replies,
    scorecard_criteria,
    scorecards,
    stakeholders,
    topics,
)
from db.settings import get_settings
from ingest.bulk import bulk_insert, reset_id_sequence

SOURCE = "demo"
NAT = np.datetime64("NaT", "s")

# --------------------------------------------------------------------------------------------
# Traffic profile (shared with the simulator)
# --------------------------------------------------------------------------------------------

# Relative arrivals per local hour 0..23. Voice and chat peak mid-morning and early afternoon;
# social is flatter and peaks in the evening, when people are off work and on their phones.
HOURLY_CURVES: dict[str, np.ndarray] = {
    "voice": np.array([10, 6, 4, 3, 3, 6, 20, 50, 90, 120, 130, 120, 100, 110, 110, 100, 90, 80,
                       60, 40, 30, 20, 15, 12]),
    "chat": np.array([15, 10, 6, 5, 5, 8, 20, 40, 70, 100, 110, 110, 90, 100, 100, 90, 80, 80,
                      70, 60, 50, 40, 30, 20]),
    "async": np.array([20, 15, 10, 10, 10, 15, 30, 60, 90, 100, 100, 90, 80, 80, 80, 70, 70, 60,
                       50, 50, 40, 40, 30, 25]),
    "social": np.array([30, 20, 15, 10, 10, 15, 20, 35, 50, 60, 70, 80, 90, 90, 90, 90, 90, 100,
                        110, 110, 100, 80, 60, 40]),
}  # fmt: skip
# Monday..Sunday multipliers of the weekday volume; social barely dips at weekends.
WEEKDAY_FACTORS: dict[str, np.ndarray] = {
    "voice": np.array([1.18, 1.08, 1.02, 1.0, 0.95, 0.55, 0.42]),
    "chat": np.array([1.15, 1.06, 1.02, 1.0, 0.97, 0.62, 0.5]),
    "async": np.array([1.25, 1.1, 1.05, 1.0, 0.95, 0.45, 0.4]),
    "social": np.array([1.0, 0.98, 0.97, 0.97, 1.0, 0.92, 0.9]),
}


@dataclass(frozen=True)
class ChannelProfile:
    """How one channel behaves: volume, curve, and its response/handle time distributions."""

    channel_id: str
    curve: str  # key of HOURLY_CURVES / WEEKDAY_FACTORS
    daily_volume: float  # average weekday arrivals (before the weekday factor)
    frt_median: float  # seconds, at an average hour; busier hours wait longer
    frt_sigma: float  # lognormal shape
    handle_median: float  # seconds of agent work
    handle_sigma: float
    resolve_median: float | None  # async: seconds from first response to resolution
    patience_median: float | None  # voice/chat: seconds a customer waits before abandoning
    public_share: float  # social: share of public posts/comments
    csat_share: float  # share of resolved contacts that get a survey answer


PROFILES: dict[str, ChannelProfile] = {
    p.channel_id: p
    for p in (
        ChannelProfile("phone", "voice", 760, 14, 0.65, 330, 0.6, None, 150, 0.0, 0.36),
        ChannelProfile("chat", "chat", 500, 45, 0.7, 540, 0.6, None, 360, 0.0, 0.38),
        ChannelProfile("email", "async", 330, 2.5 * 3600, 1.0, 300, 0.7, 6 * 3600, None, 0.0, 0.32),
        ChannelProfile("twitter", "social", 250, 12 * 60, 1.1, 150, 0.7, 1800, None, 0.65, 0.3),
        ChannelProfile("facebook", "social", 170, 18 * 60, 1.1, 180, 0.7, 2400, None, 0.55, 0.3),
        ChannelProfile("instagram", "social", 150, 20 * 60, 1.1, 160, 0.7, 2400, None, 0.6, 0.3),
    )
}
CHANNEL_IDS: tuple[str, ...] = tuple(PROFILES)
_CHANNEL_NUMBER = {channel: n for n, channel in enumerate(CHANNEL_IDS)}
SOCIAL_CHANNELS = frozenset({"twitter", "facebook", "instagram"})
ABANDON_CHANNELS = frozenset(c for c, p in PROFILES.items() if p.patience_median is not None)
# A few callers hang up almost at once (wrong number, changed mind): the "short abandons".
INSTANT_ABANDON_SHARE = 0.025

# Topic mix per channel kind; topics the admin adds later get a small default share.
TOPIC_WEIGHTS: dict[str, dict[str, float]] = {
    "voice": {"billing": 22, "outage": 8, "delivery": 12, "account access": 15,
              "product question": 15, "complaint": 10, "praise": 3, "cancellation": 15},
    "chat": {"billing": 18, "outage": 6, "delivery": 20, "account access": 18,
             "product question": 20, "complaint": 8, "praise": 4, "cancellation": 6},
    "async": {"billing": 25, "outage": 4, "delivery": 18, "account access": 10,
              "product question": 12, "complaint": 15, "praise": 4, "cancellation": 12},
    "social": {"billing": 10, "outage": 12, "delivery": 16, "account access": 8,
               "product question": 12, "complaint": 22, "praise": 14, "cancellation": 6},
}  # fmt: skip
DEFAULT_TOPIC_WEIGHT = 3.0
# Mean sentiment per topic: complaints and outages negative, praise positive.
TOPIC_SENTIMENT: dict[str, float] = {
    "billing": -0.25, "outage": -0.55, "delivery": -0.2, "account access": -0.15,
    "product question": 0.1, "complaint": -0.65, "praise": 0.75, "cancellation": -0.35,
}  # fmt: skip
TOPIC_QUEUES = {"billing": "billing", "outage": "tech", "account access": "tech",
                "cancellation": "retention"}  # fmt: skip
CHANNEL_QUEUES = {"email": "email", **{c: "social-care" for c in SOCIAL_CHANNELS}}

PRODUCTS = ["Fibre 500", "Mobile Plus", "Home Hub 3", "TV Box", "SIM-only 30", "Smart Plug"]
BRAND_HANDLE = "@AcmeHelp"
BODY_TEMPLATES: dict[str, list[str]] = {
    "billing": [
        "I've been charged twice for {product} this month, order {order}. Please refund.",
        "Why is my invoice higher than last month? Account {order}.",
        "Payment for {order} went through but the bill still says overdue.",
    ],
    "outage": [
        "My {product} has been down since this morning. No service at all.",
        "Is there an outage? Internet not working in my area, ref {order}.",
        "Everything offline again. This is the third time this week!",
    ],
    "delivery": [
        "Where is my parcel? Order {order} was due yesterday.",
        "Tracking for {order} hasn't moved in three days.",
        "Courier says delivered but no {product} here.",
    ],
    "account access": [
        "I'm locked out of my account, the password reset email never arrives.",
        "2FA code not working, can't sign in.",
        "Can't log in to manage my {product}, account {order}.",
    ],
    "product question": [
        "Does the {product} work with my old router?",
        "How do I set up the {product}? The guide is unclear.",
        "Quick question: is {product} compatible with 5G?",
    ],
    "complaint": [
        "Absolutely terrible service. Waited ages and nobody helped with {order}.",
        "Really disappointed with the {product}, it's the worst purchase I've made.",
        "This is unacceptable, I want to make a formal complaint about {order}.",
    ],
    "praise": [
        "Thanks so much to the team, my {product} issue was sorted in minutes!",
        "Brilliant help today, love the new {product}.",
        "Great service, really helpful agent on order {order}.",
    ],
    "cancellation": [
        "I want to cancel my {product} contract, account {order}.",
        "Please close my account, I'm switching provider.",
        "How do I cancel? Moving house and leaving.",
    ],
}
GENERIC_TEMPLATES = ["Question about {topic}: can someone help with {order}?"]
FOLLOW_UP_TEMPLATES = [
    "Hello?? Still waiting for a reply.",
    "Any update on this?",
    "Sent you a DM with the details, ref {order}.",
    "Still not sorted. {product} still not working.",
    "Thanks, that worked!",
]

# --------------------------------------------------------------------------------------------
# Agents: teams, skills, shifts
# --------------------------------------------------------------------------------------------

# Local start and end hour; the night shift runs past midnight.
SHIFTS: dict[str, tuple[int, int]] = {
    "early": (6, 14),
    "mid": (9, 17),
    "late": (14, 22),
    "night": (22, 6),
}
# team, channels, shifts in order (one agent per entry), cross-skill (extra channel every n-th)
TEAMS: list[tuple[str, tuple[str, ...], list[str], tuple[str, int] | None]] = [
    ("Voice", ("phone",), ["early"] * 5 + ["mid"] * 4 + ["late"] * 4 + ["night"], ("chat", 3)),
    ("Digital", ("chat",), ["early"] * 3 + ["mid"] * 5 + ["late"] * 3 + ["night"], ("email", 2)),
    ("Social", ("twitter", "facebook", "instagram"), ["early"] * 2 + ["mid"] * 3
     + ["late"] * 3 + ["night"], ("chat", 2)),
    ("Email", ("email",), ["early"] * 2 + ["mid"] * 4 + ["late"], None),
]  # fmt: skip
FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jonas", "Kemi",
    "Liam", "Maya", "Nikhil", "Olivia", "Pavel", "Queenie", "Rafael", "Sofia", "Tariq", "Uma",
    "Victor", "Wen", "Xavier", "Yara", "Zane", "Aisha", "Bruno", "Carys", "Dmitri", "Esme",
    "Felix", "Gita", "Harvey", "Ines", "Jack", "Kai", "Lena", "Mateo", "Nora",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Smith", "Nguyen", "Patel", "Jones", "Haddad", "Kowalski", "Martin", "Brown",
    "Schmidt", "Adeyemi", "Murphy", "Chen", "Rao", "Taylor", "Novak", "Li", "Costa", "Rossi",
    "Khan", "Evans", "Dubois", "Wang", "Garcia", "Ali", "Walker", "Hughes", "Silva", "Davies",
    "Ivanov", "Clarke", "Becker", "Sharma", "Wright", "Moreno", "Fischer", "Kim", "Berg",
    "Lopez", "Quinn",
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


# --------------------------------------------------------------------------------------------
# Arrival rates and per-contact attributes (vectorised; the simulator uses them too)
# --------------------------------------------------------------------------------------------


def hourly_share(channel_id: str) -> np.ndarray:
    """Share of a day's arrivals in each local hour."""
    curve = HOURLY_CURVES[PROFILES[channel_id].curve]
    return curve / curve.sum()


def arrivals_per_second(channel_id: str, local: datetime) -> float:
    """Expected arrival rate of a channel at a local time (same curve as the demo history)."""
    profile = PROFILES[channel_id]
    day_volume = profile.daily_volume * WEEKDAY_FACTORS[profile.curve][local.weekday()]
    return float(day_volume * hourly_share(channel_id)[local.hour] / 3600.0)


def congestion(channel_ids: np.ndarray, local_hours: np.ndarray) -> np.ndarray:
    """Wait multiplier by how busy the hour is: quiet hours answer faster than the peak."""
    factor = np.ones(len(channel_ids))
    for channel in CHANNEL_IDS:
        mask = channel_ids == channel
        curve = HOURLY_CURVES[PROFILES[channel].curve]
        factor[mask] = 0.6 + 0.8 * curve[local_hours[mask]] / curve.max()
    return factor


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma, size: int):
    """Lognormal draws by median (what a supervisor quotes) rather than by mean."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, size) * sigma)


def channel_numbers(channel_ids: np.ndarray) -> np.ndarray:
    """Position of each channel id in CHANNEL_IDS, for indexing per-channel tables."""
    return np.array([_CHANNEL_NUMBER[c] for c in channel_ids], dtype=np.int64)


def profile_array(channel_ids: np.ndarray, field: str, missing: float = np.nan) -> np.ndarray:
    """A ChannelProfile field for each row of `channel_ids`."""
    values = np.full(len(channel_ids), missing, dtype=float)
    for channel, profile in PROFILES.items():
        value = getattr(profile, field)
        values[channel_ids == channel] = missing if value is None else value
    return values


@dataclass
class ContactAttributes:
    """What a contact is about and who sent it, one array entry per contact."""

    topic: np.ndarray  # object: topic name
    sentiment: np.ndarray  # float, -1..1
    reach: np.ndarray  # int; -1 = not social (stored NULL)
    is_public: np.ndarray  # bool
    priority: np.ndarray  # object
    queue: np.ndarray  # object
    template: np.ndarray  # int: index into TEMPLATES
    order_no: np.ndarray  # int: fills the {order} of the body template
    product: np.ndarray  # int: index into PRODUCTS


@dataclass(frozen=True)
class TemplateBook:
    """All body templates in one flat list, with each topic's slice of it."""

    texts: list[str]
    by_topic: dict[str, tuple[int, int]]
    follow_up: tuple[int, int]

    @classmethod
    def for_topics(cls, topic_names: Sequence[str]) -> TemplateBook:
        texts: list[str] = []
        by_topic = {}
        for name in topic_names:
            chunk = BODY_TEMPLATES.get(name, GENERIC_TEMPLATES)
            by_topic[name] = (len(texts), len(chunk))
            texts.extend(chunk)
        follow_up = (len(texts), len(FOLLOW_UP_TEMPLATES))
        texts.extend(FOLLOW_UP_TEMPLATES)
        return cls(texts, by_topic, follow_up)

    def render(self, index: int, order_no: int, product: int, topic: str, public: bool) -> str:
        body = self.texts[index].format(order=order_no, product=PRODUCTS[product], topic=topic)
        # Public posts address the brand; private messages do not.
        return f"{BRAND_HANDLE} {body}" if public else body


def draw_attributes(
    rng: np.random.Generator,
    channel_ids: np.ndarray,
    topic_names: Sequence[str],
    book: TemplateBook,
    *,
    forced_topic: np.ndarray | None = None,
) -> ContactAttributes:
    """Topic, sentiment, reach, public flag, priority, queue and body of new contacts.

    `forced_topic` (object array, None where free) pins a topic, e.g. for the incident burst.
    """
    n = len(channel_ids)
    names = np.array(list(topic_names), dtype=object)
    topic = np.empty(n, dtype=object)
    kinds = np.array([PROFILES[c].curve for c in channel_ids], dtype=object)
    for kind, weights in TOPIC_WEIGHTS.items():
        mask = kinds == kind
        w = np.array([weights.get(name, DEFAULT_TOPIC_WEIGHT) for name in names], dtype=float)
        topic[mask] = names[rng.choice(len(names), size=int(mask.sum()), p=w / w.sum())]
    if forced_topic is not None:
        pinned = forced_topic != None  # noqa: E711 - element-wise on an object array
        topic[pinned] = forced_topic[pinned]

    mean_sentiment = np.array([TOPIC_SENTIMENT.get(t, 0.0) for t in topic])
    sentiment = np.round(np.clip(mean_sentiment + rng.normal(0, 0.25, n), -1, 1), 3)

    social = np.isin(channel_ids, list(SOCIAL_CHANNELS))
    public_share = profile_array(channel_ids, "public_share", 0.0)
    is_public = social & (rng.random(n) < public_share)
    # Followers are heavy-tailed: most authors have a few hundred, a few are influencers.
    followers = lognormal(rng, 250.0, 1.5, n)
    influencer = rng.random(n) < 0.015
    followers[influencer] = (rng.pareto(1.1, int(influencer.sum())) + 1) * 20_000
    reach = np.where(social, np.minimum(followers, 2e9).astype(np.int64), -1)

    urgent_topic = np.isin(topic, ["complaint", "cancellation", "outage"])
    high = (
        (rng.random(n) < 0.05)
        | (urgent_topic & (rng.random(n) < 0.15))
        | (is_public & (reach > 20_000))
    )
    priority = np.where(high, "high", "normal").astype(object)

    queue = np.array(
        [
            CHANNEL_QUEUES.get(c) or TOPIC_QUEUES.get(t, "general")
            for c, t in zip(channel_ids, topic, strict=True)
        ],
        dtype=object,
    )
    starts = np.array([book.by_topic[t][0] for t in topic], dtype=np.int64)
    counts = np.array([book.by_topic[t][1] for t in topic], dtype=np.int64)
    template = starts + (rng.random(n) * counts).astype(np.int64)
    return ContactAttributes(
        topic=topic,
        sentiment=sentiment,
        reach=reach,
        is_public=is_public,
        priority=priority,
        queue=queue,
        template=template,
        order_no=rng.integers(100_000, 1_000_000, n),
        product=rng.integers(0, len(PRODUCTS), n),
    )


def csat_ratings(rng: np.random.Generator, sentiment: np.ndarray, slow: np.ndarray) -> np.ndarray:
    """Survey answers 1..5: happier customers and faster answers rate higher."""
    score = 4.5 + 0.9 * sentiment - 0.7 * slow + rng.normal(0, 0.8, len(sentiment))
    return np.clip(np.round(score), 1, 5).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Time helpers: the curves are in the centre's local time, storage is naive UTC
# --------------------------------------------------------------------------------------------


def local_to_utc(local: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Naive local datetime64 -> naive UTC datetime64[s] (DST gaps shift forward)."""
    index = pd.DatetimeIndex(local).tz_localize(
        tz.key, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
    )
    return index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")


def utc_to_local(utc: np.ndarray, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Naive UTC datetime64 -> naive local DatetimeIndex (NaT stays NaT)."""
    return pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(tz.key).tz_localize(None)


def _seconds(values: np.ndarray) -> np.ndarray:
    return np.round(values).astype(np.int64).astype("timedelta64[s]")


def utc_now() -> datetime:
    """Current time as the naive UTC datetime the schema stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    """`moment` as the schema stores it: naive UTC (naive input is taken to be UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


# --------------------------------------------------------------------------------------------
# Interactions
# --------------------------------------------------------------------------------------------

INCIDENT_TOPIC = "outage"
INCIDENT_SIZE = 900
INCIDENT_DAYS_BEFORE_NOW = 17
INCIDENT_LOCAL_START_HOUR = 10
INCIDENT_CHANNEL_MIX = {
    "twitter": 0.45,
    "facebook": 0.2,
    "instagram": 0.1,
    "phone": 0.17,
    "chat": 0.08,
}
INCIDENT_SLOWDOWN = timedelta(hours=6)  # queues stay long after the burst itself
NEWEST_LEFT_WAITING = 3  # per channel: the live floor always has a backlog at `now`
THREAD_SHARE = 0.3  # social contacts that get follow-up messages in the same conversation
STUCK_PENDING_SHARE = 0.03  # async contacts answered but never closed (waiting on the customer)
SILENT_CLOSE_SHARE = 0.4  # public praise closed without a reply


@dataclass
class DemoInteractions:
    """Generated interactions as column arrays, plus the customers and handles they refer to."""

    columns: dict[str, np.ndarray]
    book: TemplateBook
    customers: list[dict[str, Any]]
    handles: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.columns["id"])

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Rows as dicts ready for insert, built chunk by chunk to keep memory flat."""
        stop = len(self) if stop is None else min(stop, len(self))
        for chunk_start in range(start, stop, 10_000):
            yield from self._chunk(chunk_start, min(chunk_start + 10_000, stop))

    def _chunk(self, start: int, stop: int) -> Iterator[dict[str, Any]]:
        c = {name: values[start:stop] for name, values in self.columns.items()}
        public = c["is_public"].tolist()
        topic = c["topic"].tolist()
        bodies = [
            self.book.render(t, o, p, tp, pub)
            for t, o, p, tp, pub in zip(
                c["template"].tolist(),
                c["order_no"].tolist(),
                c["product"].tolist(),
                topic,
                public,
                strict=True,
            )
        ]
        nullable = {name: _none_below_zero(c[name]) for name in ("reach", "agent_id", "csat")}
        nullable["handle_seconds"] = _none_below_zero(c["handle_seconds"])
        columns = {
            "id": c["id"].tolist(),
            "external_id": [f"demo-{n:07d}" for n in c["seq"].tolist()],
            "channel_id": c["channel_id"].tolist(),
            "is_public": public,
            "conversation_id": [f"demo-conv-{n:07d}" for n in c["conversation_seq"].tolist()],
            "customer_id": c["customer_id"].tolist(),
            "queue": c["queue"].tolist(),
            "priority": c["priority"].tolist(),
            "topic": topic,
            "sentiment": c["sentiment"].tolist(),
            "created_at": c["created_at"].tolist(),
            "first_response_at": c["first_response_at"].tolist(),
            "resolved_at": c["resolved_at"].tolist(),
            "abandoned_at": c["abandoned_at"].tolist(),
            "status": c["status"].tolist(),
            "body": bodies,
            "updated_at": c["updated_at"].tolist(),
            **nullable,
        }
        names = list(columns)
        constant = {"source": SOURCE, "direction": "inbound"}
        for values in zip(*columns.values(), strict=True):
            yield {**constant, **dict(zip(names, values, strict=True))}


def _none_below_zero(values: np.ndarray) -> list[int | None]:
    return [None if v < 0 else v for v in values.tolist()]


def _local_days(start: datetime, now: datetime, tz: ZoneInfo) -> pd.DatetimeIndex:
    """Local midnights of every local date that overlaps [start, now]."""
    first = start.replace(tzinfo=UTC).astimezone(tz).date()
    last = now.replace(tzinfo=UTC).astimezone(tz).date()
    return pd.date_range(first, last, freq="D")


def _daily_arrivals(
    rng: np.random.Generator, days: pd.DatetimeIndex, tz: ZoneInfo
) -> tuple[np.ndarray, np.ndarray]:
    """Channel ids and UTC arrival times of the regular traffic on every local day."""
    weekdays = days.weekday.to_numpy()
    growth = 1 + 0.01 * np.arange(len(days)) / 7  # a centre that grows ~1 % a week
    day_noise = rng.gamma(100, 1 / 100, len(days))
    channel_parts, time_parts = [], []
    for channel in CHANNEL_IDS:
        profile = PROFILES[channel]
        expected = (
            profile.daily_volume
            * WEEKDAY_FACTORS[profile.curve][weekdays]
            * growth
            * day_noise
            * rng.gamma(200, 1 / 200, len(days))
        )
        counts = rng.poisson(expected)
        day_index = np.repeat(np.arange(len(days)), counts)
        hours = rng.choice(24, size=len(day_index), p=hourly_share(channel))
        seconds = hours * 3600 + rng.integers(0, 3600, len(day_index))
        local = days.to_numpy()[day_index] + seconds.astype("timedelta64[s]")
        channel_parts.append(np.full(len(day_index), channel, dtype=object))
        time_parts.append(local_to_utc(local, tz))
    return np.concatenate(channel_parts), np.concatenate(time_parts)


def incident_window(start: datetime, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of the outage burst: ~17 days back, or mid-range for short histories."""
    centre = now - timedelta(days=INCIDENT_DAYS_BEFORE_NOW)
    if centre - timedelta(days=1) < start:
        centre = start + (now - start) / 2
    local_day = centre.replace(tzinfo=UTC).astimezone(tz).date()
    onset = datetime(
        local_day.year, local_day.month, local_day.day, INCIDENT_LOCAL_START_HOUR, tzinfo=tz
    )
    onset_utc = onset.astimezone(UTC).replace(tzinfo=None)
    return onset_utc, onset_utc + INCIDENT_SLOWDOWN


def _incident_arrivals(rng: np.random.Generator, onset: datetime) -> tuple[np.ndarray, np.ndarray]:
    """The outage burst: a sharp rise and slow decay over a few hours, mostly on social."""
    n = int(rng.poisson(INCIDENT_SIZE))
    mix = np.array(list(INCIDENT_CHANNEL_MIX.values()))
    channel = np.array(list(INCIDENT_CHANNEL_MIX), dtype=object)[
        rng.choice(len(mix), size=n, p=mix / mix.sum())
    ]
    offsets = np.minimum(rng.gamma(2.0, 45 * 60, n), 8 * 3600)
    return channel, np.datetime64(onset, "s") + _seconds(offsets)


OMNICHANNEL_SHARE = 0.35  # contacts from customers who use several channels


def _customer_picks(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    """A customer index per contact. Most customers stick to one channel; a shared pool uses
    several. Both pools are skewed, so a long tail of customers contacts again and again."""
    n = len(channel)
    pool = max(1, n // 10)
    channel_no = channel_numbers(channel)
    omni = rng.random(n) < OMNICHANNEL_SHARE
    skew = rng.random(n)
    picks = np.where(omni, pool * skew**1.15, pool * (1 + channel_no) + pool * skew**1.1)
    return picks.astype(np.int64)


def _follow_ups(rng: np.random.Generator, channel: np.ndarray, created: np.ndarray) -> tuple:
    """Parents and arrival times of extra messages in social threads."""
    social = np.isin(channel, list(SOCIAL_CHANNELS))
    parents = np.flatnonzero(social & (rng.random(len(channel)) < THREAD_SHARE))
    per_parent = 1 + np.minimum(rng.poisson(0.8, len(parents)), 3)
    parent_of = np.repeat(parents, per_parent)
    gaps = rng.exponential(6 * 60, len(parent_of))
    running = np.cumsum(gaps)
    first = np.concatenate([[0], np.cumsum(per_parent)[:-1]]).astype(np.int64)
    group_base = np.repeat(running[first] - gaps[first], per_parent)
    return parent_of, created[parent_of] + _seconds(running - group_base)


@dataclass(frozen=True)
class GenerationContext:
    """Fixed inputs of one generation run."""

    start: datetime
    now: datetime
    tz: ZoneInfo
    topic_names: tuple[str, ...]
    agents: tuple[DemoAgent, ...]
    id_base: int = 1
    customer_id_base: int = 1
    handle_id_base: int = 1


def generate_interactions(rng: np.random.Generator, ctx: GenerationContext) -> DemoInteractions:
    """All demo interactions in [start, now), sorted by arrival, with ids from `id_base`."""
    book = TemplateBook.for_topics(ctx.topic_names)
    days = _local_days(ctx.start, ctx.now, ctx.tz)
    channel, created = _daily_arrivals(rng, days, ctx.tz)
    onset, slow_until = incident_window(ctx.start, ctx.now, ctx.tz)
    burst_channel, burst_created = _incident_arrivals(rng, onset)
    forced = np.concatenate(
        [np.full(len(channel), None, dtype=object), np.full(len(burst_channel), INCIDENT_TOPIC)]
    )
    if INCIDENT_TOPIC not in ctx.topic_names:
        forced[:] = None  # the admin removed the topic: the burst is ordinary traffic
    channel = np.concatenate([channel, burst_channel])
    created = np.concatenate([created, burst_created])
    keep = (created >= np.datetime64(ctx.start, "s")) & (created < np.datetime64(ctx.now, "s"))
    channel, created, forced = channel[keep], created[keep], forced[keep]

    attrs = draw_attributes(rng, channel, ctx.topic_names, book, forced_topic=forced)
    customer = _customer_picks(rng, channel)

    parent_of, follow_created = _follow_ups(rng, channel, created)
    primary = len(channel)
    root = np.concatenate([np.arange(primary), parent_of])
    columns: dict[str, np.ndarray] = {
        "channel_id": channel[root],
        "created_at": np.concatenate([created, follow_created]),
        "customer_index": customer[root],
        "topic": attrs.topic[root],
        "reach": attrs.reach[root],
        "is_public": attrs.is_public[root],
        "priority": attrs.priority[root],
        "queue": attrs.queue[root],
        "order_no": attrs.order_no[root],
        "product": attrs.product[root],
    }
    is_follow_up = np.arange(len(root)) >= primary
    n_follow = int(is_follow_up.sum())
    follow_start, follow_count = book.follow_up
    columns["template"] = np.concatenate(
        [attrs.template, follow_start + rng.integers(0, follow_count, n_follow)]
    )
    columns["sentiment"] = np.concatenate(
        [attrs.sentiment, np.clip(attrs.sentiment[parent_of] - 0.15, -1, 1)]
    )
    _draw_outcomes(rng, ctx, columns, root, is_follow_up, onset, slow_until)

    keep = columns["created_at"] < np.datetime64(ctx.now, "s")
    order = np.argsort(columns["created_at"][keep], kind="stable")
    kept_index = np.flatnonzero(keep)[order]
    position = np.full(len(root), -1, dtype=np.int64)
    position[kept_index] = np.arange(len(kept_index))
    columns = {name: values[kept_index] for name, values in columns.items()}
    columns["seq"] = np.arange(len(kept_index))
    columns["conversation_seq"] = position[root[kept_index]]
    columns["id"] = ctx.id_base + columns["seq"]
    _leave_newest_waiting(columns)
    _set_status(columns, ctx.now)

    customer_rows, handle_rows, customer_ids = _customers(rng, ctx, columns)
    columns["customer_id"] = customer_ids
    return DemoInteractions(columns, book, customer_rows, handle_rows)


def _draw_outcomes(
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
        in_incident & np.isin(channel, [*SOCIAL_CHANNELS, "phone", "chat"]), 3.0, 1.0
    )
    frt = np.maximum(
        1,
        lognormal(rng, profile_array(channel, "frt_median"), profile_array(channel, "frt_sigma"), n)
        * congestion(channel, local_hours)
        * slowdown,
    )
    answered = created + _seconds(frt)
    # A thread's messages sent before the agent's first reply are answered by that reply.
    follow = np.flatnonzero(is_follow_up)
    parent_answer = answered[root[follow]]
    answered[follow] = np.where(created[follow] < parent_answer, parent_answer, answered[follow])

    patience = lognormal(rng, profile_array(channel, "patience_median", 1.0), 1.2, n)
    instant = rng.random(n) < INSTANT_ABANDON_SHARE
    patience[instant] = rng.uniform(1, 5, int(instant.sum()))
    abandons = np.isin(channel, list(ABANDON_CHANNELS)) & (patience < frt) & ~is_follow_up
    abandoned = np.where(abandons, created + _seconds(patience), NAT)
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
    delay = np.where(
        async_rows, lognormal(rng, np.nan_to_num(resolve_after, nan=1.0), 1.0, n), handle
    )
    resolved = answered + _seconds(delay)
    stuck = async_rows & (rng.random(n) < STUCK_PENDING_SHARE)
    resolved = np.where(stuck, NAT, resolved)
    # Many public thank-you posts are liked and closed without a reply.
    silent = (
        columns["is_public"]
        & (columns["topic"] == "praise")
        & ~is_follow_up
        & (rng.random(n) < SILENT_CLOSE_SHARE)
    )
    answered = np.where(silent, NAT, answered)
    resolved = np.where(silent, created + _seconds(lognormal(rng, 2700.0, 0.8, n)), resolved)

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
        csat=np.where(rated, ratings, -1),
    )


def _assign_agents(
    rng: np.random.Generator, ctx: GenerationContext, channel: np.ndarray, answered: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The agent who answered each contact (rostered and skilled at that local hour), and that
    agent's speed factor on handle time; -1 / 1.0 for unanswered contacts."""
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
    slot = (weekday * 24 + hour) * len(CHANNEL_IDS) + channel_numbers(channel[rows])
    eligible, counts = _eligibility(roster)
    pick = (rng.random(len(rows)) * counts[slot]).astype(np.int64)
    chosen = eligible[slot, pick]
    agent_id[rows] = np.array([a.id for a in roster])[chosen]
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


def _leave_newest_waiting(columns: dict[str, np.ndarray]) -> None:
    """The newest arrivals of each channel are still unanswered at `now`."""
    channel = columns["channel_id"]
    for name in CHANNEL_IDS:
        newest = np.flatnonzero(channel == name)[-NEWEST_LEFT_WAITING:]
        for field in ("first_response_at", "abandoned_at", "resolved_at"):
            columns[field][newest] = NAT


def _set_status(columns: dict[str, np.ndarray], now: datetime) -> None:
    """Censor the latent times at `now` and derive status, agent, handle time and CSAT."""
    cutoff = np.datetime64(now, "s")

    def happened(field: str) -> np.ndarray:
        values = columns[field]
        done = ~np.isnat(values) & (values <= cutoff)
        columns[field] = np.where(done, values, NAT)
        return done

    answered = happened("first_response_at")
    abandoned = happened("abandoned_at") & ~answered
    resolved = happened("resolved_at") & ~abandoned  # some are closed without any reply
    columns["status"] = np.select(
        [resolved, answered, abandoned], ["resolved", "pending", "abandoned"], "open"
    ).astype(object)
    handled = resolved & answered
    columns["agent_id"] = np.where(answered, columns["agent_id"], -1)
    columns["handle_seconds"] = np.where(handled, columns["handle_seconds"], -1)
    columns["csat"] = np.where(handled, columns["csat"], -1)
    stamps = [columns[f] for f in ("created_at", "first_response_at", "resolved_at")]
    stamps.append(columns["abandoned_at"])
    columns["updated_at"] = np.fmax.reduce(stamps)


def _customers(
    rng: np.random.Generator, ctx: GenerationContext, columns: dict[str, np.ndarray]
) -> tuple[list[dict], list[dict], np.ndarray]:
    """Customer rows (named, created before their first contact), one handle per channel used,
    and the customer id of every interaction."""
    used, inverse = np.unique(columns["customer_index"], return_inverse=True)
    ids = ctx.customer_id_base + np.arange(len(used))
    first_contact = np.full(len(used), np.datetime64("2262-01-01", "s"))
    np.minimum.at(first_contact, inverse, columns["created_at"])
    tenure = _seconds(rng.uniform(0, 400 * 86400, len(used)))
    first = rng.integers(0, len(FIRST_NAMES), len(used))
    last = rng.integers(0, len(LAST_NAMES), len(used))
    names = [
        f"{FIRST_NAMES[f]} {LAST_NAMES[s]}"
        for f, s in zip(first.tolist(), last.tolist(), strict=True)
    ]
    customer_rows = [
        {"id": i, "name": name, "created_at": at}
        for i, name, at in zip(ids.tolist(), names, (first_contact - tenure).tolist(), strict=True)
    ]
    pair = inverse.astype(np.int64) * len(CHANNEL_IDS) + channel_numbers(columns["channel_id"])
    handle_rows = []
    for n, key in enumerate(np.unique(pair).tolist()):
        who, channel = divmod(key, len(CHANNEL_IDS))
        handle_rows.append(
            {
                "id": ctx.handle_id_base + n,
                "customer_id": int(ids[who]),
                "channel_id": CHANNEL_IDS[channel],
                "handle": customer_handle(CHANNEL_IDS[channel], int(used[who]), names[who]),
            }
        )
    return customer_rows, handle_rows, ids[inverse]


def customer_handle(channel: str, index: int, name: str) -> str:
    """A unique, plausible handle of customer `index` on `channel`."""
    slug = name.lower().replace(" ", ".")
    if channel == "phone":
        return f"+447{index:09d}"
    if channel in ("email", "chat"):
        return f"{slug}.{index}@example.com"
    if channel == "facebook":
        return f"{name} ({index})"
    return f"@{slug.replace('.', '_')}{index}"


# --------------------------------------------------------------------------------------------
# Agent state history
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# QA reviews, replies, playbook, stakeholders
# --------------------------------------------------------------------------------------------

# The first reviewer and the supervisor are the demo logins cli.py creates ("reviewer", "supervisor"),
# so those users find their own work; the other reviewers make calibration possible.
DEMO_REVIEWERS = ("reviewer", "qa.sam", "qa.jordan")
DEMO_SUPERVISOR = "supervisor"
OPEN_ASSIGNMENTS = 10
REVIEWS_PER_AGENT_WEEK = 2
CALIBRATION_INTERACTIONS = 8
QA_COMMENTS = [
    None,
    "Good empathy, missed the account check.",
    "Clear answer and next steps.",
    "Rushed the close; confirm resolution next time.",
    "Excellent handling of an upset customer.",
    "Answer was inconsistent with the playbook.",
]
PLAYBOOK: list[dict[str, Any]] = [
    {"issue": "Service outage", "topic": "outage", "move_to_private": False,
     "response_template": "Sorry, we know about the outage in some areas and engineers are on "
                          "it. Updates on our status page; we'll reply here when it's fixed.",
     "escalation": "Tell the network on-call lead if a post mentions safety or a business site."},
    {"issue": "Billing dispute", "topic": "billing", "move_to_private": True,
     "response_template": "Sorry about the bill. Please DM us your account number and we'll "
                          "look into the charge straight away.",
     "escalation": "Refunds above 200 need a team lead's approval."},
    {"issue": "Late delivery", "topic": "delivery", "move_to_private": True,
     "response_template": "Sorry your order is late. DM us the order number and we'll chase "
                          "the courier for you.", "escalation": None},
    {"issue": "Locked account", "topic": "account access", "move_to_private": True,
     "response_template": "We can help you get back in. Never share your password here; "
                          "please DM us and we'll verify you privately.",
     "escalation": "Suspected fraud goes to the security desk."},
    {"issue": "Public complaint", "topic": "complaint", "move_to_private": True,
     "response_template": "We're sorry this happened and want to put it right. Please DM us "
                          "so we can look at the details.",
     "escalation": "Posts with reach above 20,000 go to the social lead before any reply."},
    {"issue": "Thank-you post", "topic": "praise", "move_to_private": False,
     "response_template": "Thank you for the kind words, we'll pass them on to the team!",
     "escalation": None},
]  # fmt: skip
STAKEHOLDERS = [
    ("Priya Desai", "priya.desai@example.com", "outage", "Network operations lead"),
    ("Tom Becker", "tom.becker@example.com", "billing", "Billing manager"),
    ("Lucy Grant", "lucy.grant@example.com", "complaint", "Customer experience director"),
    ("Omar Sayed", "omar.sayed@example.com", "delivery", "Logistics partner manager"),
    ("Hannah Cole", "hannah.cole@example.com", None, "Head of communications"),
]
REJECTION_REASONS = [
    "Asks for account details in public; move to DM.",
    "Tone too defensive for a complaint with this reach.",
    "Promises a refund we can't confirm yet.",
]


def qa_total(
    criteria: Sequence[dict[str, Any]], scores: dict[int, int | None]
) -> tuple[float, bool]:
    """DESIGN's review score: Σ(weight·points/max)/Σweight·100 over rated criteria; a failed
    critical criterion makes it 0 and auto-failed."""
    rated = [c for c in criteria if scores.get(c["id"]) is not None]
    if any(c["critical"] and scores[c["id"]] == 0 for c in rated):
        return 0.0, True
    weight = sum(c["weight"] for c in rated)
    if weight == 0:
        return 0.0, False
    earned = sum(c["weight"] * scores[c["id"]] / c["max_points"] for c in rated)
    return earned / weight * 100, False


def _score_sheet(
    rng: np.random.Generator, criteria: Sequence[dict[str, Any]], quality: float
) -> dict[int, int | None]:
    """Points per criterion for an agent of a given quality (0..1); some criteria N/A."""
    scores: dict[int, int | None] = {}
    for criterion in criteria:
        if criterion["critical"]:
            fail = rng.random() < 0.02 + max(0.0, 0.85 - quality) * 0.3
            scores[criterion["id"]] = 0 if fail else criterion["max_points"]
        elif rng.random() < 0.08:
            scores[criterion["id"]] = None
        else:
            share = float(np.clip(quality + rng.normal(0, 0.15), 0, 1))
            scores[criterion["id"]] = int(round(share * criterion["max_points"]))
    return scores


def generate_qa(
    rng: np.random.Generator,
    ctx: GenerationContext,
    data: DemoInteractions,
    scorecard_id: int,
    criteria: Sequence[dict[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A sampling run, its assignments and the reviews done so far (incl. a calibration set)."""
    c = data.columns
    quality = {a.id: float(rng.uniform(0.62, 0.95)) for a in ctx.agents}
    candidates = np.flatnonzero((c["status"] == "resolved") & (c["agent_id"] >= 0))
    weeks = max(1, round((ctx.now - ctx.start).days / 7))
    wanted = min(len(candidates), len(ctx.agents) * weeks * REVIEWS_PER_AGENT_WEEK)
    picked = np.sort(rng.choice(candidates, size=wanted, replace=False)) if wanted else []
    reviews: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []

    def add_review(row: int, reviewer: str, scores: dict[int, int | None]) -> bool:
        at = c["resolved_at"][row].item() + timedelta(seconds=int(rng.integers(7200, 4 * 86400)))
        if at > ctx.now:
            return False
        total, failed = qa_total(criteria, scores)
        reviews.append(
            {
                "interaction_id": int(c["id"][row]),
                "reviewer": reviewer,
                "scorecard_id": scorecard_id,
                "scores": json.dumps({str(k): v for k, v in scores.items()}),
                "comment": QA_COMMENTS[int(rng.integers(len(QA_COMMENTS)))],
                "total": total,
                "auto_failed": failed,
                "created_at": at,
                "idempotency_key": f"demo-qa-{len(reviews)}",
            }
        )
        return True

    to_do = len(picked) - OPEN_ASSIGNMENTS  # the newest picks wait in the demo login's queue
    for position, row in enumerate(picked):
        due = c["created_at"][row].item() + timedelta(days=7)
        if position >= to_do:
            reviewer, done = DEMO_REVIEWERS[0], False
            due = max(due, ctx.now + timedelta(days=2))
        else:
            reviewer = DEMO_REVIEWERS[int(rng.integers(len(DEMO_REVIEWERS)))]
            sheet = _score_sheet(rng, criteria, quality[int(c["agent_id"][row])])
            done = add_review(row, reviewer, sheet)
        assignments.append(
            {
                "interaction_id": int(c["id"][row]),
                "reviewer": reviewer,
                "due_at": due,
                "status": "done" if done else "open",
            }
        )
    # Calibration: every reviewer scores the same few contacts, each with a personal bias.
    bias = dict(zip(DEMO_REVIEWERS, rng.normal(0, 0.06, len(DEMO_REVIEWERS)), strict=True))
    for row in picked[:CALIBRATION_INTERACTIONS]:
        agent_quality = quality[int(c["agent_id"][row])]
        for reviewer in DEMO_REVIEWERS:
            if not any(
                r["interaction_id"] == int(c["id"][row]) and r["reviewer"] == reviewer
                for r in reviews
            ):
                add_review(
                    row, reviewer, _score_sheet(rng, criteria, agent_quality + bias[reviewer])
                )
    sample = {
        "created_by": DEMO_REVIEWERS[0],
        "created_at": ctx.start,
        "rule": json.dumps({"method": "random", "per_agent_per_week": REVIEWS_PER_AGENT_WEEK}),
        "seed": int(rng.integers(1, 2**31 - 1)),
        "size": len(assignments),
        "idempotency_key": f"demo-sample-{ctx.start:%Y%m%d%H%M%S}",
    }
    return sample, assignments, reviews


REPLY_PLAN = [  # state, how many, on contacts still waiting (True) or already answered (False)
    ("pending_review", 12, True),
    ("draft", 8, True),
    ("approved", 5, True),
    ("published", 150, False),
    ("rejected", 15, False),
]
REPLY_VERSION = {"draft": 1, "pending_review": 2, "approved": 3, "rejected": 3, "published": 4}


def generate_replies(
    rng: np.random.Generator,
    ctx: GenerationContext,
    data: DemoInteractions,
    templates: dict[str, tuple[int, str]],
) -> list[dict[str, Any]]:
    """Outgoing public replies in every review state: published ones are the first responses
    of answered public posts; drafts and pending ones sit on posts still waiting."""
    c = data.columns
    public = c["is_public"]
    social_agents = [a.id for a in ctx.agents if set(a.channels) & SOCIAL_CHANNELS] or [None]
    # Still open, or answered and awaiting a follow-up reply; newest first.
    waiting = np.flatnonzero(public & np.isin(c["status"], ["open", "pending"]))[::-1]
    recent = c["created_at"] >= np.datetime64(ctx.now - timedelta(days=14), "s")
    answered = np.flatnonzero(public & ~np.isnat(c["first_response_at"]) & recent)
    pools = {True: list(waiting), False: list(rng.permutation(answered))}
    rows = []
    for state, wanted, on_waiting in REPLY_PLAN:
        for row in pools[on_waiting][:wanted]:
            rows.append(_reply(rng, ctx, c, int(row), state, templates, social_agents))
        pools[on_waiting] = pools[on_waiting][wanted:]
    return rows


def _reply(
    rng: np.random.Generator,
    ctx: GenerationContext,
    c: dict[str, np.ndarray],
    row: int,
    state: str,
    templates: dict[str, tuple[int, str]],
    social_agents: Sequence[int | None],
) -> dict[str, Any]:
    created = c["created_at"][row].item()
    answered_at = c["first_response_at"][row]
    # Transitions sit at fixed shares of the time to the first response (or to now).
    end = ctx.now if np.isnat(answered_at) else answered_at.item()
    span = end - created
    written, submitted, reviewed = (created + span * share for share in (0.3, 0.5, 0.8))
    template_id, text = templates.get(c["topic"][row], (None, "Thanks for reaching out."))
    agent = int(c["agent_id"][row])
    stamps = {
        "created_at": written,
        "submitted_at": submitted if state != "draft" else None,
        "reviewed_at": reviewed if state in ("approved", "rejected", "published") else None,
        "published_at": end if state == "published" else None,
    }
    return {
        "interaction_id": int(c["id"][row]),
        "author_agent_id": agent if agent >= 0 else social_agents[rng.integers(len(social_agents))],
        "body": text,
        "state": state,
        "reviewer": DEMO_SUPERVISOR if stamps["reviewed_at"] else None,
        "reason": REJECTION_REASONS[rng.integers(len(REJECTION_REASONS))]
        if state == "rejected"
        else None,
        "template_id": template_id,
        "version": REPLY_VERSION[state],
        **stamps,
        "updated_at": max(t for t in stamps.values() if t is not None),
        "updated_by": DEMO_SUPERVISOR if stamps["reviewed_at"] else SOURCE,
    }


# --------------------------------------------------------------------------------------------
# Building the demo database
# --------------------------------------------------------------------------------------------


def build_demo(
    engine: Engine,
    *,
    weeks: int = 8,
    seed: int = 7,
    now: datetime | None = None,
    progress: bool = False,
    replace: bool = False,
) -> dict[str, int]:
    """Fill the database with a demo centre covering `weeks` weeks up to `now` (naive UTC).

    Refuses when demo interactions exist unless `replace`, which deletes the demo data first
    (in the same transaction). Returns the number of rows written per table. Login users are
    not created here.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    now = _naive_utc(now or utc_now())
    log = _Progress(progress)
    rng = np.random.default_rng(seed)
    tz = ZoneInfo(get_settings().timezone)
    with engine.begin() as conn:
        existing = conn.scalar(
            select(func.count()).select_from(interactions).where(interactions.c.source == SOURCE)
        )
        if existing and not replace:
            raise ValueError(
                f"the database already holds {existing} demo interactions; "
                "pass replace=True to delete them and build again"
            )
        delete_demo(conn)
        ctx = GenerationContext(
            start=now - timedelta(weeks=weeks),
            now=now,
            tz=tz,
            topic_names=active_topic_names(conn),
            agents=tuple(ensure_demo_agents(conn)),
            id_base=_next_id(conn, interactions),
            customer_id_base=_next_id(conn, customers),
            handle_id_base=_next_id(conn, customer_handles),
        )
        data = generate_interactions(rng, ctx)
        log(f"generated {len(data):,} interactions")
        counts = {"agents": len(ctx.agents)}
        counts["agent_states"] = bulk_insert(conn, agent_states, generate_agent_states(rng, ctx))
        counts["customers"] = bulk_insert(conn, customers, data.customers)
        counts["customer_handles"] = bulk_insert(conn, customer_handles, data.handles)
        counts["interactions"] = bulk_insert(conn, interactions, data.rows())
        for table in (customers, customer_handles, interactions):
            reset_id_sequence(conn, table)
        log(f"stored {counts['interactions']:,} interactions")
        counts.update(_store_qa_and_replies(conn, rng, ctx, data))
    refresh_interval_stats(engine, full=True)  # historic rows predate any incremental watermark
    log("refreshed interval_stats")
    return counts


def _store_qa_and_replies(
    conn: Connection, rng: np.random.Generator, ctx: GenerationContext, data: DemoInteractions
) -> dict[str, int]:
    counts = {
        "playbook_entries": _insert_missing(conn, playbook_entries, "issue", PLAYBOOK),
        "stakeholders": _insert_missing(
            conn,
            stakeholders,
            "email",
            [
                {"name": n, "email": e, "topic": t, "role": r, "version": 1}
                for n, e, t, r in STAKEHOLDERS
            ],
        ),
    }
    templates = {
        row.topic: (row.id, row.response_template)
        for row in conn.execute(select(playbook_entries).order_by(playbook_entries.c.id))
    }
    counts["replies"] = bulk_insert(conn, replies, generate_replies(rng, ctx, data, templates))
    card_id = conn.scalar(
        select(scorecards.c.id).where(scorecards.c.active.is_(True)).order_by(scorecards.c.id)
    )
    if card_id is None:
        return counts
    criteria = [
        dict(r._mapping)
        for r in conn.execute(
            select(scorecard_criteria)
            .where(scorecard_criteria.c.scorecard_id == card_id)
            .order_by(scorecard_criteria.c.position)
        )
    ]
    sample, assignments, reviews = generate_qa(rng, ctx, data, card_id, criteria)
    sample_id = conn.execute(qa_samples.insert().values(sample)).inserted_primary_key[0]
    counts["qa_assignments"] = bulk_insert(
        conn, qa_assignments, [{"sample_id": sample_id, **a} for a in assignments]
    )
    counts["qa_reviews"] = bulk_insert(conn, qa_reviews, reviews)
    return counts


def _insert_missing(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose `key` value is not in the table yet (an admin's edits stay)."""
    have = set(conn.scalars(select(table.c[key])))
    new = [{"version": 1, **row} for row in rows if row[key] not in have]
    if new:
        conn.execute(table.insert(), new)
    return len(new)


def ensure_demo_agents(conn: Connection) -> list[DemoAgent]:
    """The demo roster, reusing agents of the same name so ids stay stable across rebuilds."""
    roster = demo_roster()
    existing = dict(
        conn.execute(
            select(agents.c.name, agents.c.id).where(agents.c.name.in_([r[0] for r in roster]))
        ).all()
    )
    result = []
    for name, team, shift, channels in roster:
        values = {"name": name, "team": team, "shift": shift, "active": True}
        if name in existing:
            agent_id = existing[name]
            conn.execute(agents.update().where(agents.c.id == agent_id).values(values))
        else:
            agent_id = conn.execute(agents.insert().values(values)).inserted_primary_key[0]
        have = set(conn.scalars(select(agent_skills.c.channel_id).where(
            agent_skills.c.agent_id == agent_id)))  # fmt: skip
        missing = [{"agent_id": agent_id, "channel_id": c} for c in channels if c not in have]
        if missing:
            conn.execute(agent_skills.insert(), missing)
        result.append(DemoAgent(agent_id, name, team, shift, channels))
    return result


def active_topic_names(conn: Connection) -> tuple[str, ...]:
    """The taxonomy's active topics (the built-in ones when an admin has emptied it)."""
    query = select(topics.c.name).where(topics.c.active.is_(True)).order_by(topics.c.id)
    return tuple(conn.scalars(query)) or tuple(TOPIC_SENTIMENT)


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def delete_demo(conn: Connection) -> None:
    """Remove demo interactions and everything hanging off them (reviews, replies, customers
    nobody else refers to) and the demo agents' state history."""
    demo_ids = select(interactions.c.id).where(interactions.c.source == SOURCE)
    for table in (replies, qa_reviews, qa_assignments):
        conn.execute(delete(table).where(table.c.interaction_id.in_(demo_ids)))
    conn.execute(
        delete(qa_samples).where(
            qa_samples.c.idempotency_key.like("demo-sample-%"),
            ~qa_samples.c.id.in_(select(qa_assignments.c.sample_id)),
        )
    )
    demo_customers = set(
        conn.scalars(
            select(interactions.c.customer_id)
            .where(interactions.c.source == SOURCE, interactions.c.customer_id.is_not(None))
            .distinct()
        )
    )
    conn.execute(delete(interactions).where(interactions.c.source == SOURCE))
    still_used = select(interactions.c.customer_id).where(interactions.c.customer_id.is_not(None))
    ids = sorted(demo_customers)
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        orphan = customer_handles.c.customer_id.in_(chunk) & ~customer_handles.c.customer_id.in_(
            still_used
        )
        conn.execute(delete(customer_handles).where(orphan))
        conn.execute(
            delete(customers).where(customers.c.id.in_(chunk), ~customers.c.id.in_(still_used))
        )
    roster_ids = select(agents.c.id).where(agents.c.name.in_([r[0] for r in demo_roster()]))
    conn.execute(delete(agent_states).where(agent_states.c.agent_id.in_(roster_ids)))


class _Progress:
    """Prints one line per stage with the time since the build started, when enabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"demo: {message} ({time.perf_counter() - self.started:.1f} s)", flush=True)
