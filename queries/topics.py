"""The topic taxonomy for the Settings page: topics and their match keywords, audited.

Interactions, playbook entries and stakeholders refer to a topic by its name, so a rename does
not follow into past interactions; deactivate a topic and add a new one to keep history intact.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, func

from analytics.topic_tagging import DEFAULT_PRIORITY, pattern_error, split_lines
from db.schema import topics
from queries.validation import FormCheck, row_exists
from queries.versioned import VersionedForm

TOPIC_FIELDS: tuple[str, ...] = ("name", "keywords", "patterns", "priority", "active")
_NAME_TAKEN = "a topic with this name already exists"


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


def topic_names(*, engine: Engine | Connection) -> list[str]:
    """The names of all topics, for select boxes."""
    return list(list_topics(engine=engine)["name"])


def topic_exists(conn: Connection, name: str) -> bool:
    """Whether a topic of exactly this name exists (active or not)."""
    return row_exists(conn, topics, topics.c.name == name)


def known_topic(conn: Connection, form: FormCheck) -> str | None:
    """The form's optional `topic` field (playbook entries, stakeholders): a known topic or None."""
    topic = form.text("topic", max_length=64, required=False)
    if topic and not topic_exists(conn, topic):
        form.error("topic", "is not a known topic")
    return topic


def _validated(conn: Connection, form: FormCheck, topic_id: int | None) -> dict:
    name = form.text("name", max_length=64)
    keywords = form.values.get("keywords")
    if keywords is not None and not isinstance(keywords, str | list | tuple | set):
        form.error("keywords", "must be a comma-separated list")
        keywords = None
    patterns = form.text("patterns", max_length=4000, required=False) or ""
    for line in split_lines(patterns):
        if (problem := pattern_error(line)) is not None:
            form.error("patterns", f"{line!r} is not a valid regular expression ({problem})")
    priority = form.integer("priority", minimum=0, required=False)
    clean = {
        "name": name,
        "keywords": normalise_keywords(keywords),
        "patterns": "\n".join(split_lines(patterns)),
        "priority": DEFAULT_PRIORITY if priority is None else priority,
        "active": form.boolean("active", default=True),
    }
    # Case-insensitive: "Billing" next to "billing" would split one topic's counts in two.
    if name and row_exists(
        conn, topics, func.lower(topics.c.name) == name.lower(), other_than=topic_id
    ):
        form.error("name", _NAME_TAKEN)
    return clean


# values: name, keywords (comma-separated text or a list), patterns (regular expressions, one
# per line), priority (lowest wins when several topics match; default 100), active. Listed
# active or not, by name.
_TOPICS = VersionedForm(
    topics, TOPIC_FIELDS, "topic", _validated, conflict={"name": _NAME_TAKEN}, order_by=("name",)
)
list_topics = _TOPICS.list_all
create_topic = _TOPICS.create
update_topic = _TOPICS.update
