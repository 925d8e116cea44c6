"""Stakeholders for the Settings page: whom to tell inside the company about which topic.

Versioned and audited like every admin record.
"""

from __future__ import annotations

from sqlalchemy import Connection

from db.schema import stakeholders
from queries.topics import known_topic
from queries.validation import FormCheck
from queries.versioned import VersionedForm

STAKEHOLDER_FIELDS: tuple[str, ...] = ("name", "email", "topic", "role")


def _validated(conn: Connection, form: FormCheck, _record_id: int | None) -> dict:
    return {
        "name": form.text("name", max_length=200),
        "email": form.email("email"),
        "topic": known_topic(conn, form),
        "role": form.text("role", max_length=100, required=False),
    }


_STAKEHOLDERS = VersionedForm(
    stakeholders, STAKEHOLDER_FIELDS, "stakeholder", _validated, order_by=("topic", "name", "id")
)
list_stakeholders = _STAKEHOLDERS.list_all
create_stakeholder = _STAKEHOLDERS.create
update_stakeholder = _STAKEHOLDERS.update
