"""The playbook for the Settings page: approved responses per issue, with escalation.

Reply review offers these templates to agents; `move_to_private` says the conversation should
leave the public thread (account details, complaints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import playbook_entries
from queries.frames import read_frame
from queries.topics import topic_exists
from queries.validation import FormCheck, check_known_fields
from queries.writes import insert_record, require_record, transaction, update_record

PLAYBOOK_FIELDS: tuple[str, ...] = (
    "issue",
    "topic",
    "response_template",
    "escalation",
    "move_to_private",
)


def list_playbook_entries(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every playbook entry by topic and issue."""
    statement = select(playbook_entries).order_by(
        playbook_entries.c.topic, playbook_entries.c.issue, playbook_entries.c.id
    )
    return read_frame(engine=engine, statement=statement)


def _validated(conn: Connection, values: Mapping[str, Any]) -> dict:
    form = FormCheck(values)
    clean = {
        "issue": form.text("issue", max_length=200),
        "topic": form.text("topic", max_length=64, required=False),
        "response_template": form.text("response_template", max_length=20_000),
        "escalation": form.text("escalation", max_length=20_000, required=False),
        "move_to_private": form.boolean("move_to_private", default=False),
    }
    if clean["topic"] and not topic_exists(conn, clean["topic"]):
        form.error("topic", "is not a known topic")
    form.raise_if_errors()
    return clean


def create_playbook_entry(
    *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Create a playbook entry from `values` (PLAYBOOK_FIELDS)."""
    check_known_fields(values, PLAYBOOK_FIELDS, form="playbook entry")
    with transaction(engine) as conn:
        clean = _validated(conn, values)
        return insert_record(engine=conn, table=playbook_entries, values=clean, user=actor)


def update_playbook_entry(
    *,
    engine: Engine | Connection,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    actor: str,
) -> dict[str, Any]:
    """Change the given fields of an entry if it is still at `expected_version`."""
    check_known_fields(values, PLAYBOOK_FIELDS, form="playbook entry")
    with transaction(engine) as conn:
        current = require_record(conn, playbook_entries, record_id)
        clean = _validated(conn, {**current, **values})
        return update_record(
            engine=conn,
            table=playbook_entries,
            record_id=record_id,
            expected_version=expected_version,
            changes={field: clean[field] for field in values},
            user=actor,
        )
