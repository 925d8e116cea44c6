"""The topic taxonomy as the tagger reads it, and the enrichment of new rows at import.

`load_taxonomy` compiles the active topics (analytics.topic_tagging); `enrich_values` fills a
new row's missing topic (tagged from its text) and, for a customer's message, its missing
sentiment (VADER), recording where each value came from.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, select

from analytics import sentiment
from analytics.topic_tagging import Taxonomy, compile_taxonomy, tag_topic
from db.schema import topics

DATA = "data"  # the value came with the row (import file, demo generator)
TAXONOMY = "taxonomy"  # tagged by the taxonomy (retag recomputes these)


def load_taxonomy(*, engine: Engine | Connection) -> Taxonomy:
    """The active topics, compiled for `tag_topic`."""
    t = topics.c
    statement = select(t.name, t.keywords, t.patterns, t.priority, t.active).where(
        t.active.is_(True)
    )
    with engine.connect() if isinstance(engine, Engine) else nullcontext(engine) as conn:
        rows = [dict(row._mapping) for row in conn.execute(statement)]
    return compile_taxonomy(rows)


def enrich_values(values: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """`values` (an interactions row about to be inserted) with topic and sentiment filled in.

    A topic the row carries is kept (source "data"); else the body is tagged (source
    "taxonomy", also when nothing matched, so a later retag looks at it again). A sentiment the
    row carries is kept ("data"); an inbound row without one gets VADER's score of its body
    ("vader"). Brand messages get none: their tone is not the customer's.
    """
    row = dict(values)
    if row.get("topic"):
        row["topic_source"] = DATA
    else:
        row["topic"] = tag_topic(row.get("body"), taxonomy)
        row["topic_source"] = TAXONOMY
    if row.get("sentiment") is not None:
        row["sentiment_source"] = DATA
    elif row.get("direction", "inbound") == "inbound":
        score = sentiment.score_sentiment(row.get("body"))
        row["sentiment"] = score
        row["sentiment_source"] = None if score is None else sentiment.SOURCE
    else:
        row["sentiment_source"] = None  # every row of a batch carries the same columns
    return row
