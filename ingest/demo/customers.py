"""The demo centre's customers: who sent each contact (a long tail of repeat customers, some on
several channels), customer rows created before their first contact, and one handle per channel
each customer used."""

from __future__ import annotations

import numpy as np

from ingest.demo.clock import as_seconds
from ingest.demo.content import FIRST_NAMES, LAST_NAMES
from ingest.demo.context import GenerationContext
from ingest.demo.traffic import CHANNEL_IDS, channel_numbers

OMNICHANNEL_SHARE = 0.35  # contacts from customers who use several channels


def customer_picks(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    """A customer index per contact. Most customers stick to one channel; a shared pool uses
    several. Both pools are skewed, so a long tail of customers contacts again and again."""
    n = len(channel)
    pool = max(1, n // 10)
    channel_no = channel_numbers(channel)
    omni = rng.random(n) < OMNICHANNEL_SHARE
    skew = rng.random(n)
    picks = np.where(omni, pool * skew**1.15, pool * (1 + channel_no) + pool * skew**1.1)
    return picks.astype(np.int64)


def draw_customers(
    rng: np.random.Generator, ctx: GenerationContext, columns: dict[str, np.ndarray]
) -> tuple[list[dict], list[dict], np.ndarray]:
    """Customer rows (named, created before their first contact), one handle per channel used,
    and the customer id of every interaction."""
    used, inverse = np.unique(columns["customer_index"], return_inverse=True)
    ids = ctx.customer_id_base + np.arange(len(used))
    first_contact = np.full(len(used), np.datetime64("2262-01-01", "s"))
    np.minimum.at(first_contact, inverse, columns["created_at"])
    tenure = as_seconds(rng.uniform(0, 400 * 86400, len(used)))
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
