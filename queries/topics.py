"""The topic taxonomy for the Settings page: topics and their match keywords, audited.

Interactions, playbook entries and stakeholders refer to a topic by its name, so a rename does
not follow into past interactions; deactivate a topic and add a new one to keep history intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from db.schema import topics
from queries.frames import read_frame
from queries.validation import FormCheck, check_known_fields
from queries.writes import (
    ValidationError,
    insert_record,
    require_record,
    transaction,
    update_record,
)

TOPIC_FIELDS: tuple[str, ...] = ("name", "keywords", "active")


def normalise_keywords(keywords: str | Iterable[str] | None) -> str:
    """Keywords as stored: comma-separated, each trimmed and lower case, blanks and repeats dropped.

    "Refund, refund ,  Late,," -> "refund,late" (first occurrence keeps its place).
    """
    if keywords is None:
        return ""
    items = keywords.split(",") if isinstance(keywords, str) else keywords
    seen: dict[str, None] = {}
    for item in items:
        word = str(item).strip().lower()
        if word:
            seen.setdefault(word, None)
    return ",".join(seen)


def list_topics(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every topic (active and not) by name."""
    return read_frame(engine=engine, statement=select(topics).order_by(topics.c.name))


def topic_names(*, engine: Engine | Connection) -> list[str]:
    """The names of all topics, for select boxes."""
    return list(list_topics(engine=engine)["name"])


def topic_exists(conn: Connection, name: str) -> bool:
    """Whether a topic of exactly this name exists (active or not)."""
    return conn.scalar(select(topics.c.id).where(topics.c.name == name).limit(1)) is not None


def _validated(conn: Connection, values: Mapping[str, Any], *, topic_id: int | None) -> dict:
    form = FormCheck(values)
    name = form.text("name", max_length=64)
    keywords = values.get("keywords")
    if keywords is not None and not isinstance(keywords, str | list | tuple | set):
        form.error("keywords", "must be a comma-separated list")
        keywords = None
    clean = {
        "name": name,
        "keywords": normalise_keywords(keywords),
        "active": form.boolean("active", default=True),
    }
    if name:
        # Case-insensitive: "Billing" next to "billing" would split one topic's counts in two.
        same = select(topics.c.id).where(func.lower(topics.c.name) == name.lower())
        if topic_id is not None:
            same = same.where(topics.c.id != topic_id)
        if conn.scalar(same.limit(1)) is not None:
            form.error("name", "a topic with this name already exists")
    form.raise_if_errors()
    return clean


def create_topic(
    *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Create a topic from `values` (name, keywords as text or list, active)."""
    check_known_fields(values, TOPIC_FIELDS, form="topic")
    try:
        with transaction(engine) as conn:
            clean = _validated(conn, values, topic_id=None)
            return insert_record(engine=conn, table=topics, values=clean, user=actor)
    except IntegrityError as exc:
        # Two admins added the same name at once; the unique index decided.
        raise ValidationError({"name": "a topic with this name already exists"}) from exc


def update_topic(
    *,
    engine: Engine | Connection,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    actor: str,
) -> dict[str, Any]:
    """Change the given fields of a topic if it is still at `expected_version`."""
    check_known_fields(values, TOPIC_FIELDS, form="topic")
    try:
        with transaction(engine) as conn:
            current = require_record(conn, topics, record_id)
            clean = _validated(conn, {**current, **values}, topic_id=record_id)
            return update_record(
                engine=conn,
                table=topics,
                record_id=record_id,
                expected_version=expected_version,
                changes={field: clean[field] for field in values},
                user=actor,
            )
    except IntegrityError as exc:
        raise ValidationError({"name": "a topic with this name already exists"}) from exc
