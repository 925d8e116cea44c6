"""Review rules for the Settings page: which public replies must be reviewed before they go out.

One rule per row: a kind (topic / negative / reach / new_agent / wording) with the field that
kind reads (a topic, a threshold, or comma-separated words). Versioned and audited like every
admin record; `active_review_rules` is what reply creation matches against.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from analytics.reply_review import RULE_KINDS
from db.schema import review_rules
from queries.topics import known_topic
from queries.validation import FormCheck, row_exists
from queries.versioned import VersionedForm
from queries.writes import transaction

REVIEW_RULE_FIELDS: tuple[str, ...] = ("name", "kind", "topic", "threshold", "words", "active")


def _validated(conn: Connection, form: FormCheck, record_id: int | None) -> dict:
    name = form.text("name", max_length=100)
    if name and row_exists(conn, review_rules, review_rules.c.name == name, other_than=record_id):
        form.error("name", "is already the name of another rule")
    kind = form.choice("kind", RULE_KINDS)
    topic = known_topic(conn, form)
    threshold = form.number("threshold", required=kind in ("negative", "reach", "new_agent"))
    words = form.text("words", max_length=5_000, required=kind == "wording")
    if kind == "topic" and not topic:
        form.error("topic", "is required for a topic rule")
    if kind == "negative" and threshold is not None and not -1 <= threshold <= 1:
        form.error("threshold", "must be a sentiment between -1 and 1")
    if kind in ("reach", "new_agent") and threshold is not None and threshold <= 0:
        form.error("threshold", "must be greater than 0")
    return {
        "name": name,
        "kind": kind,
        "topic": topic,
        "threshold": threshold,
        "words": ",".join(w.strip() for w in (words or "").split(",") if w.strip()) or None,
        "active": form.boolean("active", default=True),
    }


_RULES = VersionedForm(
    review_rules,
    REVIEW_RULE_FIELDS,
    "review rule",
    _validated,
    defaults={"active": True},
    conflict={"name": "is already the name of another rule"},
    order_by=("kind", "name", "id"),
)
list_review_rules = _RULES.list_all
create_review_rule = _RULES.create
update_review_rule = _RULES.update


def active_review_rules(*, engine: Engine | Connection) -> list[dict[str, Any]]:
    """The active rules as dicts (name, kind, topic, threshold, words), in name order."""
    statement = (
        select(review_rules)
        .where(review_rules.c.active.is_(True))
        .order_by(review_rules.c.name, review_rules.c.id)
    )
    with transaction(engine) as conn:
        return [dict(row) for row in conn.execute(statement).mappings()]
