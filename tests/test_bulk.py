"""bulk_insert stores exactly what a plain insert stores, on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from db.schema import agents, interactions
from ingest.bulk import bulk_insert, reset_id_sequence

TRICKY_TEXTS = [
    "plain",
    "",
    "comma, inside",
    'double "quotes" and a lone "',
    "new\nline and\r\ncarriage return",
    "tab\there",
    "back\\slash \\N and \\.",
    "\\N",
    "NULL",
    "emoji 😡 and accents éàü",
    " leading and trailing spaces ",
    "\n",
    '"',
    '","',
]


def _rows(prefix: str) -> list[dict]:
    rows = []
    for n, text in enumerate(TRICKY_TEXTS):
        rows.append(
            {
                "source": "bulk-test",
                "external_id": f"{prefix}{n}",
                "channel_id": "twitter" if n % 2 else "email",
                "is_public": n % 3 == 0,
                "conversation_id": None if n % 4 == 0 else f"conv,{n}",
                "queue": text or "general",
                "topic": None,
                "sentiment": [0.1, -1.0, 1.0, 1e-7, None, -0.333333333333][n % 6],
                "reach": [None, 0, 2_147_483_647, 42][n % 4],
                "created_at": datetime(2026, 3, 29, 0, 59, 59, 999_999),
                "first_response_at": None if n % 2 else datetime(2026, 3, 29, 1, 0, 0, n),
                "handle_seconds": n * 10 if n % 5 else None,
                "csat": (n % 5) + 1 if n % 3 else None,
                "body": text,
                "updated_at": datetime(2026, 12, 31, 23, 59, 59),
            }
        )
    return rows


def _stored(conn, prefix: str) -> list[tuple]:
    columns = [c for c in interactions.c if c.key not in ("id", "external_id")]
    query = (
        select(*columns)
        .where(interactions.c.external_id.like(f"{prefix}%"))
        .order_by(interactions.c.created_at, interactions.c.first_response_at, interactions.c.body)
    )
    return [tuple(row) for row in conn.execute(query)]


def test_tricky_values_round_trip_like_a_plain_insert(engine):
    with engine.begin() as conn:
        assert bulk_insert(conn, interactions, _rows("bulk-"), batch_size=4) == len(TRICKY_TEXTS)
        conn.execute(interactions.insert(), _rows("plain-"))
    with engine.connect() as conn:
        bulk, plain = _stored(conn, "bulk-"), _stored(conn, "plain-")
        bodies = set(conn.scalars(select(interactions.c.body)))
    assert bulk == plain
    assert bodies == set(TRICKY_TEXTS)  # '' stayed '' and '\\N' stayed text, not NULL


def test_missing_columns_get_the_same_defaults(engine):
    row = {
        "external_id": "x",
        "channel_id": "chat",
        "created_at": datetime(2026, 1, 1),
        "updated_at": datetime(2026, 1, 1),
    }
    with engine.begin() as conn:
        bulk_insert(conn, interactions, iter([row]))
        stored = conn.execute(select(interactions).where(interactions.c.external_id == "x")).one()
    assert (stored.source, stored.direction, stored.status, stored.queue) == (
        "demo",
        "inbound",
        "open",
        "general",
    )
    assert stored.is_public is False and stored.id is not None


def test_bulk_insert_is_part_of_the_callers_transaction(engine):
    conn = engine.connect()
    bulk_insert(conn, agents, [{"name": "Ann", "team": "Voice"}])
    conn.rollback()
    conn.close()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(agents)) == 0


def test_explicit_ids_then_sequence_continues(engine):
    with engine.begin() as conn:
        bulk_insert(conn, agents, [{"id": 10, "name": "Ann", "team": "Voice", "active": True}])
        reset_id_sequence(conn, agents)
        new_id = conn.execute(
            agents.insert().values(name="Bo", team="Voice").returning(agents.c.id)
        ).scalar_one()
    assert new_id == 11


def test_unknown_column_is_refused(engine):
    with engine.begin() as conn, pytest.raises(ValueError, match="no column"):
        bulk_insert(conn, agents, [{"name": "Ann", "team": "Voice", "nope": 1}])
