"""The playbook for the Settings page: approved responses per issue, with escalation.

Reply review offers these templates to agents; `move_to_private` says the conversation should
leave the public thread (account details, complaints).
"""

from __future__ import annotations

from sqlalchemy import Connection

from db.schema import playbook_entries
from queries.topics import known_topic
from queries.validation import FormCheck
from queries.versioned import VersionedForm

PLAYBOOK_FIELDS: tuple[str, ...] = (
    "issue",
    "topic",
    "response_template",
    "escalation",
    "move_to_private",
)


def _validated(conn: Connection, form: FormCheck, _record_id: int | None) -> dict:
    return {
        "issue": form.text("issue", max_length=200),
        "topic": known_topic(conn, form),
        "response_template": form.text("response_template", max_length=20_000),
        "escalation": form.text("escalation", max_length=20_000, required=False),
        "move_to_private": form.boolean("move_to_private", default=False),
    }


_ENTRIES = VersionedForm(
    playbook_entries,
    PLAYBOOK_FIELDS,
    "playbook entry",
    _validated,
    order_by=("topic", "issue", "id"),
)
list_playbook_entries = _ENTRIES.list_all
create_playbook_entry = _ENTRIES.create
update_playbook_entry = _ENTRIES.update
