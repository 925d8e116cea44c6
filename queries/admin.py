"""Everything the admin Settings page reads and writes, in one import.

Each kind of record lives in its own module (one job each); this module only gathers them so
the page can `from queries import admin` and call `admin.update_topic(...)`. Every create/update
validates (ValidationError with a message per field), checks the version the form showed
(StaleWriteError naming who changed the record and when) and writes an audit row in the same
transaction. Users and roles are in `queries.users`.
"""

from __future__ import annotations

from queries.playbook import (
    PLAYBOOK_FIELDS,
    create_playbook_entry,
    list_playbook_entries,
    update_playbook_entry,
)
from queries.review_rules import (
    REVIEW_RULE_FIELDS,
    create_review_rule,
    list_review_rules,
    update_review_rule,
)
from queries.scorecards import (
    CRITERION_FIELDS,
    SCORECARD_FIELDS,
    create_scorecard,
    get_scorecard,
    list_criteria,
    list_scorecards,
    update_scorecard,
)
from queries.sla_policies import (
    ABANDON_RULES,
    POLICY_FIELDS,
    PRIORITIES,
    create_sla_policy,
    list_business_calendars,
    list_sla_policies,
    update_sla_policy,
)
from queries.stakeholders import (
    STAKEHOLDER_FIELDS,
    create_stakeholder,
    list_stakeholders,
    update_stakeholder,
)
from queries.topics import (
    TOPIC_FIELDS,
    create_topic,
    list_topics,
    normalise_keywords,
    topic_names,
    update_topic,
)
from queries.writes import NotFoundError, StaleWriteError, ValidationError

__all__ = [
    "ABANDON_RULES",
    "CRITERION_FIELDS",
    "PLAYBOOK_FIELDS",
    "POLICY_FIELDS",
    "PRIORITIES",
    "REVIEW_RULE_FIELDS",
    "SCORECARD_FIELDS",
    "STAKEHOLDER_FIELDS",
    "TOPIC_FIELDS",
    "NotFoundError",
    "StaleWriteError",
    "ValidationError",
    "create_playbook_entry",
    "create_review_rule",
    "create_scorecard",
    "create_sla_policy",
    "create_stakeholder",
    "create_topic",
    "get_scorecard",
    "list_business_calendars",
    "list_criteria",
    "list_playbook_entries",
    "list_review_rules",
    "list_scorecards",
    "list_sla_policies",
    "list_stakeholders",
    "list_topics",
    "normalise_keywords",
    "topic_names",
    "update_playbook_entry",
    "update_review_rule",
    "update_scorecard",
    "update_sla_policy",
    "update_stakeholder",
    "update_topic",
]
