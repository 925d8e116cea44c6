"""QA scorecards and their criteria for the Settings page, written as one unit.

A scorecard and its criteria are edited on one form and saved in one transaction: the
scorecard's `version` guards its criteria (they have no version of their own), so two admins
editing the same scorecard cannot interleave criterion changes. Criteria that past reviews may
refer to (qa_reviews.scores is keyed by criterion id) are never deleted once the scorecard has
reviews: deactivate the scorecard and create a new one instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.sql import Select

from db.schema import qa_reviews, scorecard_criteria, scorecards
from queries.frames import read_frame
from queries.validation import FormCheck, check_known_fields, row_exists
from queries.writes import (
    conflict_as,
    delete_record,
    insert_record,
    require_record,
    transaction,
    update_child_record,
    update_record,
)

SCORECARD_FIELDS: tuple[str, ...] = ("name", "active", "criteria")
CRITERION_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "weight",
    "max_points",
    "critical",
    "description",
    "applies_to",
    "allow_na",
)
# Where a criterion is rated: every contact, or public replies only (migration 0005).
APPLIES_TO: tuple[str, ...] = ("all", "public")
# Rows read back from get_scorecard/list_criteria may be submitted as they are: list order is the
# position and the scorecard is the one being edited, so these keys are ignored.
_DERIVED_CRITERION_FIELDS: tuple[str, ...] = ("scorecard_id", "position")
_NAME_TAKEN = "a scorecard with this name already exists"


def list_scorecards(*, engine: Engine | Connection) -> pd.DataFrame:
    """Every scorecard with its number of criteria, by name."""
    statement = (
        select(scorecards, func.count(scorecard_criteria.c.id).label("criteria_count"))
        .outerjoin(scorecard_criteria, scorecard_criteria.c.scorecard_id == scorecards.c.id)
        .group_by(*scorecards.c)
        .order_by(scorecards.c.name)
    )
    return read_frame(engine=engine, statement=statement)


def _criteria_statement(scorecard_id: int) -> Select[Any]:
    return (
        select(scorecard_criteria)
        .where(scorecard_criteria.c.scorecard_id == scorecard_id)
        .order_by(scorecard_criteria.c.position, scorecard_criteria.c.id)
    )


def list_criteria(*, engine: Engine | Connection, scorecard_id: int) -> pd.DataFrame:
    """The criteria of one scorecard in form order."""
    return read_frame(engine=engine, statement=_criteria_statement(scorecard_id))


def get_scorecard(*, engine: Engine | Connection, scorecard_id: int) -> dict[str, Any] | None:
    """One scorecard with `criteria` as a list of dicts in form order; None when unknown."""
    with transaction(engine) as conn:
        card = (
            conn.execute(select(scorecards).where(scorecards.c.id == scorecard_id))
            .mappings()
            .first()
        )
        if card is None:
            return None
        criteria = conn.execute(_criteria_statement(scorecard_id)).mappings().all()
    return {**card, "criteria": [dict(row) for row in criteria]}


def _validated_card(
    conn: Connection, values: Mapping[str, Any], *, scorecard_id: int | None
) -> tuple[dict[str, Any], FormCheck]:
    form = FormCheck(values)
    clean = {
        "name": form.text("name", max_length=100),
        "active": form.boolean("active", default=True),
    }
    name = clean["name"]
    if name and row_exists(
        conn, scorecards, func.lower(scorecards.c.name) == name.lower(), other_than=scorecard_id
    ):
        form.error("name", _NAME_TAKEN)
    return clean, form


def _validated_criteria(raw: Any, form: FormCheck) -> list[dict[str, Any]]:
    """Clean criteria in form order; problems go to `form` as "criteria[i].field"."""
    if isinstance(raw, pd.DataFrame):  # straight from st.data_editor
        raw = raw.to_dict("records")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        form.error("criteria", "a scorecard needs at least one criterion")
        return []
    cleaned: list[dict[str, Any]] = []
    seen_names: set[str] = set()
    for index, item in enumerate(raw):
        prefix = f"criteria[{index}]"
        if not isinstance(item, Mapping):
            form.error(prefix, "must be a criterion")
            continue
        check_known_fields(item, CRITERION_FIELDS + _DERIVED_CRITERION_FIELDS, form="criterion")
        check = FormCheck(item)
        criterion = {
            "id": check.integer("id", minimum=1, required=False),
            "name": check.text("name", max_length=200),
            "weight": check.number("weight", greater_than=0),
            "max_points": check.integer("max_points", minimum=1),
            "critical": check.boolean("critical", default=False),
            "position": index,
        }
        # Set only when the form has them: a form without these columns keeps the stored
        # values (and a new criterion takes the column defaults: applies to all, N/A allowed).
        if "description" in item:
            criterion["description"] = check.text("description", max_length=2000, required=False)
        if "applies_to" in item:
            criterion["applies_to"] = check.choice("applies_to", APPLIES_TO, nullable=True) or "all"
        if "allow_na" in item:
            criterion["allow_na"] = check.boolean("allow_na", default=True)
        if criterion["name"]:
            key = criterion["name"].lower()
            if key in seen_names:
                check.error("name", "appears twice on this scorecard")
            seen_names.add(key)
        for field, message in check.errors.items():
            form.error(f"{prefix}.{field}", message)
        cleaned.append(criterion)
    return cleaned


def create_scorecard(
    *, engine: Engine | Connection, values: Mapping[str, Any], actor: str
) -> dict[str, Any]:
    """Create a scorecard and its criteria (values: name, active, criteria=[{name, weight,
    max_points, critical}, ...]); returns the scorecard with its criteria."""
    check_known_fields(values, SCORECARD_FIELDS, form="scorecard")
    with conflict_as({"name": _NAME_TAKEN}), transaction(engine) as conn:
        clean, form = _validated_card(conn, values, scorecard_id=None)
        criteria = _validated_criteria(values.get("criteria"), form)
        if any(criterion["id"] is not None for criterion in criteria):
            raise ValueError("a new scorecard's criteria cannot carry ids")
        form.raise_if_errors()
        card = insert_record(engine=conn, table=scorecards, values=clean, user=actor)
        stored = [
            insert_record(
                engine=conn,
                table=scorecard_criteria,
                values={**_criterion_values(criterion), "scorecard_id": card["id"]},
                user=actor,
            )
            for criterion in criteria
        ]
        return {**card, "criteria": stored}


def _criterion_values(criterion: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in criterion.items() if key != "id"}


def update_scorecard(
    *,
    engine: Engine | Connection,
    record_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    actor: str,
) -> dict[str, Any]:
    """Change a scorecard (name, active) and, if `criteria` is given, replace its criteria list.

    Criteria with an `id` are updated in place, those without are added, those left out are
    removed — refused when the scorecard already has reviews. The scorecard's version is bumped
    even when only criteria change, so every edit makes other open forms stale.
    """
    check_known_fields(values, SCORECARD_FIELDS, form="scorecard")
    with conflict_as({"name": _NAME_TAKEN}), transaction(engine) as conn:
        current = require_record(conn, scorecards, record_id)
        clean, form = _validated_card(conn, {**current, **values}, scorecard_id=record_id)
        existing: dict[int, dict[str, Any]] = {
            row["id"]: dict(row) for row in conn.execute(_criteria_statement(record_id)).mappings()
        }
        criteria: list[dict[str, Any]] | None = None
        removed: list[int] = []
        if "criteria" in values:
            criteria = _validated_criteria(values["criteria"], form)
            for index, criterion in enumerate(criteria):
                if criterion["id"] is not None and criterion["id"] not in existing:
                    form.error(f"criteria[{index}]", "is not a criterion of this scorecard")
            kept = {criterion["id"] for criterion in criteria}
            removed = [criterion_id for criterion_id in existing if criterion_id not in kept]
            if removed and row_exists(conn, qa_reviews, qa_reviews.c.scorecard_id == record_id):
                form.error(
                    "criteria",
                    "this scorecard has reviews, so criteria cannot be removed; deactivate "
                    "it and create a new scorecard instead",
                )
        form.raise_if_errors()

        # The version check comes first: a stale form changes nothing at all.
        card = update_record(
            engine=conn,
            table=scorecards,
            record_id=record_id,
            expected_version=expected_version,
            changes={field: clean[field] for field in values if field != "criteria"},
            user=actor,
        )
        if criteria is not None:
            for criterion_id in removed:
                delete_record(
                    engine=conn,
                    table=scorecard_criteria,
                    record_id=criterion_id,
                    expected_version=None,
                    user=actor,
                )
            for criterion in criteria:
                if criterion["id"] is None:
                    insert_record(
                        engine=conn,
                        table=scorecard_criteria,
                        values={**_criterion_values(criterion), "scorecard_id": record_id},
                        user=actor,
                    )
                else:
                    update_child_record(
                        engine=conn,
                        table=scorecard_criteria,
                        record_id=criterion["id"],
                        changes=_criterion_values(criterion),
                        user=actor,
                    )
        stored = conn.execute(_criteria_statement(record_id)).mappings().all()
        return {**card, "criteria": [dict(row) for row in stored]}
