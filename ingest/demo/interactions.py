"""Demo interactions: `generate_interactions` puts arrivals, attributes, customers and outcomes
together into column arrays (`DemoInteractions`), which hand out insert-ready rows in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ingest.demo.arrivals import (
    INCIDENT_TOPIC,
    daily_arrivals,
    follow_ups,
    incident_arrivals,
    incident_window,
)
from ingest.demo.attributes import TemplateBook, draw_attributes
from ingest.demo.clock import local_days
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.customers import customer_picks, draw_customers
from ingest.demo.journeys import prefer_previous_agent
from ingest.demo.outcomes import draw_outcomes, leave_newest_waiting, set_status

JOURNEY_STREAM = 83  # the random stream of same-agent routing (ingest/demo/journeys.py)


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
        starts = (c["seq"] == c["conversation_seq"]).tolist()
        nullable = {name: _none_below_zero(c[name]) for name in ("reach", "agent_id", "csat")}
        nullable["handle_seconds"] = _none_below_zero(c["handle_seconds"])
        columns = {
            "id": c["id"].tolist(),
            "external_id": [f"demo-{n:07d}" for n in c["seq"].tolist()],
            "channel_id": c["channel_id"].tolist(),
            "is_public": public,
            "conversation_id": [f"demo-conv-{n:07d}" for n in c["conversation_seq"].tolist()],
            # The thread's first message is the contact (db/threads.py); rows are in arrival
            # order, so it is the row whose seq the conversation is named after.
            "is_thread_start": starts,
            # A contact's topic is the taxonomy's reading of its text (build_demo retags them);
            # a follow-up keeps its thread's topic, which retag leaves alone.
            "topic_source": ["taxonomy" if s else "data" for s in starts],
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
        constant = {"source": SOURCE, "direction": "inbound", "sentiment_source": "data"}
        for values in zip(*columns.values(), strict=True):
            yield {**constant, **dict(zip(names, values, strict=True))}


def _none_below_zero(values: np.ndarray) -> list[int | None]:
    return [None if v < 0 else v for v in values.tolist()]


def generate_interactions(rng: np.random.Generator, ctx: GenerationContext) -> DemoInteractions:
    """All demo interactions in [start, now), sorted by arrival, with ids from `id_base`."""
    book = TemplateBook.for_topics(ctx.topic_names)
    days = local_days(ctx.start, ctx.now, ctx.tz)
    channel, created = daily_arrivals(rng, days, ctx.tz)
    onset, slow_until = incident_window(ctx.start, ctx.now, ctx.tz)
    burst_channel, burst_created = incident_arrivals(rng, onset)
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
    customer = customer_picks(rng, channel)

    parent_of, follow_created = follow_ups(rng, channel, created)
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
    draw_outcomes(rng, ctx, columns, root, is_follow_up, onset, slow_until)

    keep = columns["created_at"] < np.datetime64(ctx.now, "s")
    order = np.argsort(columns["created_at"][keep], kind="stable")
    kept_index = np.flatnonzero(keep)[order]
    position = np.full(len(root), -1, dtype=np.int64)
    position[kept_index] = np.arange(len(kept_index))
    columns = {name: values[kept_index] for name, values in columns.items()}
    columns["seq"] = np.arange(len(kept_index))
    columns["conversation_seq"] = position[root[kept_index]]
    columns["id"] = ctx.id_base + columns["seq"]
    leave_newest_waiting(columns)
    set_status(columns, ctx.now)

    customer_rows, handle_rows, customer_ids = draw_customers(rng, ctx, columns)
    columns["customer_id"] = customer_ids
    journey_rng = np.random.default_rng([JOURNEY_STREAM, len(columns["seq"])])
    prefer_previous_agent(journey_rng, ctx, columns)
    return DemoInteractions(columns, book, customer_rows, handle_rows)
