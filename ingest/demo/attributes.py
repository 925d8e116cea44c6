"""Per-contact attributes of new demo contacts, drawn vectorised: topic, sentiment, author reach,
public flag, priority, queue and message body; and survey (CSAT) answers. The live simulator
draws its arrivals with the same functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.demo.content import (
    BODY_TEMPLATES,
    BRAND_HANDLE,
    CHANNEL_QUEUES,
    DEFAULT_TOPIC_WEIGHT,
    FOLLOW_UP_TEMPLATES,
    GENERIC_TEMPLATES,
    PRODUCTS,
    TOPIC_QUEUES,
    TOPIC_SENTIMENT,
    TOPIC_WEIGHTS,
)
from ingest.demo.traffic import PROFILES, SOCIAL_CHANNELS, lognormal, profile_array


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
