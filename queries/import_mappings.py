"""Saved column mappings of the Import page, and the audit entry of each import.

A mapping is stored by name as JSON (ingest/mapping.py defines it); it is written through the
one form-write path (queries/writes.py): validated, versioned, audited with the admin's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from db.schema import import_mappings, interactions
from queries.writes import (
    ValidationError,
    audit,
    conflict_as,
    insert_record,
    transaction,
    update_record,
)

NAME_MAX = import_mappings.c.name.type.length


def list_mappings(*, engine: Engine) -> pd.DataFrame:
    """Every saved mapping (id, name, definition, version, updated_at, updated_by) by name."""
    query = select(import_mappings).order_by(import_mappings.c.name)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=list(import_mappings.c.keys()))


def get_mapping(*, engine: Engine, name: str) -> dict[str, Any] | None:
    """The saved mapping called `name` (exactly), or None."""
    query = select(import_mappings).where(import_mappings.c.name == name.strip())
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def save_mapping(
    *,
    engine: Engine,
    name: str,
    definition: str,
    problems: Sequence[str],
    user: str,
    record_id: int | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Create (no `record_id`) or update a saved mapping; audited, one transaction.

    `problems` are the mapping's own (ColumnMapping.problems()): a mapping that cannot import
    anything is not saved. A stale update raises StaleWriteError naming who saved it first.
    """
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "give the mapping a name"
    elif len(name) > NAME_MAX:
        errors["name"] = f"at most {NAME_MAX} characters"
    if problems:
        errors["mapping"] = "; ".join(problems)
    if errors:
        raise ValidationError(errors)
    taken = {"name": f"a mapping named {name!r} exists already: pick it to change it"}
    values = {"name": name, "definition": definition}
    with conflict_as(taken):
        if record_id is None:
            if get_mapping(engine=engine, name=name) is not None:
                raise ValidationError(taken)
            return insert_record(engine=engine, table=import_mappings, values=values, user=user)
        return update_record(
            engine=engine,
            table=import_mappings,
            record_id=record_id,
            expected_version=expected_version or 0,
            changes=values,
            user=user,
        )


def record_import(*, engine: Engine, user: str, source: str, summary: dict[str, Any]) -> None:
    """Write the audit entry of one import (file, mapping and counts) under `user`."""
    with transaction(engine) as conn:
        audit(
            conn,
            user=user,
            action="import",
            table=interactions,
            record_id=source,
            after=summary,
        )
