"""List, create and update of a versioned admin record: one path for every kind, declared once.

A record module (topics, SLA policies, playbook, stakeholders) declares a `VersionedForm` — its
table, the fields its form may send, its validation and its list order — and exports the form's
`list_all`, `create` and `update` as its list_x/create_x/update_x. Create and update refuse
fields the form does not have (a programming error), validate inside the write's transaction
(checks against other rows see what the write will see; any problem raises ValidationError with
a message per field and writes nothing) and write through `queries.writes`: version 1 on insert,
optimistic locking on update (StaleWriteError), the audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, select

from queries.frames import read_frame
from queries.validation import FormCheck, check_known_fields
from queries.writes import conflict_as, insert_record, require_record, transaction, update_record

# validate(conn, form, record_id) reads the submitted values through `form`, notes each problem
# on it and returns the clean row. record_id is None for a new record, else the record being
# edited (so "already exists" checks can leave it out).
Validate = Callable[[Connection, FormCheck, int | None], dict[str, Any]]


@dataclass(frozen=True)
class VersionedForm:
    """One kind of admin record as the Settings page lists and writes it."""

    table: Table
    fields: tuple[str, ...]
    # What the record is called in programming-error messages ("SLA policy").
    name: str
    validate: Validate
    # Values a new record takes for fields the form leaves unset.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # The field errors a unique-index violation means (None: let the IntegrityError propagate).
    conflict: Mapping[str, str] | None = None
    # Columns `list_all` sorts by.
    order_by: tuple[str, ...] = ("id",)

    def list_all(self, *, engine: Engine | Connection) -> pd.DataFrame:
        """Every record, sorted by `order_by`."""
        order = [self.table.c[column] for column in self.order_by]
        return read_frame(engine=engine, statement=select(self.table).order_by(*order))

    def create(
        self, *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
    ) -> dict[str, Any]:
        """Create a record from form `values` (unset fields take `defaults`); returns it."""
        check_known_fields(values, self.fields, form=self.name)
        with conflict_as(self.conflict), transaction(engine) as conn:
            clean = self._clean(conn, {**self.defaults, **values}, None)
            return insert_record(engine=conn, table=self.table, values=clean, user=actor)

    def update(
        self,
        *,
        engine: Engine | Connection,
        record_id: int,
        expected_version: int,
        values: Mapping[str, Any],
        actor: str,
    ) -> dict[str, Any]:
        """Change the given fields of a record if it is still at `expected_version`."""
        check_known_fields(values, self.fields, form=self.name)
        with conflict_as(self.conflict), transaction(engine) as conn:
            current = require_record(conn, self.table, record_id)
            # Validate the record as it would be after the change; a stale version is reported
            # by update_record, which re-checks it under the row lock.
            clean = self._clean(conn, {**current, **values}, record_id)
            return update_record(
                engine=conn,
                table=self.table,
                record_id=record_id,
                expected_version=expected_version,
                changes={key: clean[key] for key in values},
                user=actor,
            )

    def _clean(
        self, conn: Connection, values: Mapping[str, Any], record_id: int | None
    ) -> dict[str, Any]:
        form = FormCheck(values)
        clean = self.validate(conn, form, record_id)
        form.raise_if_errors()
        return clean
