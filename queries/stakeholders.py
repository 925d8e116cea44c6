"""Stakeholders for the Settings page: whom to tell inside the company about which topic.

Versioned and audited like every admin record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import stakeholders
from queries.frames import read_frame
from queries.topics import topic_exists
from queries.validation import FormCheck, check_known_fields
from queries.writes import insert_record, require_record, transaction, update_record

STAKEHOLDER_FIELDS: tuple[str, ...] = ("name", "email", "topic", "role")


def list_stakeholders(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every stakeholder by topic and name."""
    statement = select(stakeholders).order_by(
        stakeholders.c.topic, stakeholders.c.name, stakeholders.c.id
    )
    return read_frame(engine=engine, statement=statement)


def _validated(conn: Connection, values: Mapping[str, Any]) -> dict:
    form = FormCheck(values)
    clean = {
        "name": form.text("name", max_length=200),
        "email": form.email("email"),
        "topic": form.text("topic", max_length=64, required=False),
        "role": form.text("role", max_length=100, required=False),
    }
    if clean["topic"] and not topic_exists(conn, clean["topic"]):
        form.error("topic", "is not a known topic")
    form.raise_if_errors()
    return clean


def create_stakeholder(
    *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Create a stakeholder from `values` (STAKEHOLDER_FIELDS)."""
    check_known_fields(values, STAKEHOLDER_FIELDS, form="stakeholder")
    with transaction(engine) as conn:
        clean = _validated(conn, values)
        return insert_record(engine=conn, table=stakeholders, values=clean, user=actor)


def update_stakeholder(
    *,
    engine: Engine | Connection,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    actor: str,
) -> dict[str, Any]:
    """Change the given fields of a stakeholder if it is still at `expected_version`."""
    check_known_fields(values, STAKEHOLDER_FIELDS, form="stakeholder")
    with transaction(engine) as conn:
        current = require_record(conn, stakeholders, record_id)
        clean = _validated(conn, {**current, **values})
        return update_record(
            engine=conn,
            table=stakeholders,
            record_id=record_id,
            expected_version=expected_version,
            changes={field: clean[field] for field in values},
            user=actor,
        )
