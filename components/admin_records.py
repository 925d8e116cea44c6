"""The admin record kinds edited on Settings with the shared record editor (field specs only)."""

from __future__ import annotations

from analytics.periods import to_local
from analytics.reply_review import RULE_KIND_LABELS, RULE_KINDS
from analytics.time_text import format_date
from components.record_form import FieldSpec, RecordKind
from components.theme import channel_label, format_seconds
from queries import admin

ABANDON_RULE_LABELS = {
    "fail": "fail — every abandon is a miss",
    "exclude": "exclude — abandons leave the denominator",
    "exclude_short": "exclude_short — abandons under the threshold excluded, others miss",
}

VISIBILITY = {None: "public and private", True: "public only", False: "private only"}


def sla_policy_kind(channel_ids: list[str], calendar_ids: dict[str, str], tz: str) -> RecordKind:
    """SLA policies: target and goal per channel, priority and public/private, from a date
    (the local day in `tz`)."""
    return RecordKind(
        key="sla",
        title="SLA policy",
        describe=lambda p: (
            f"{channel_label(p['channel_id'])} · {p.get('priority') or 'any priority'} · "
            f"{VISIBILITY[p.get('is_public')]} · {format_seconds(p['target_seconds'])} / "
            f"{p['goal_percent']:g} % from {format_date(to_local(p['active_from'], tz))}"
        ),
        create=admin.create_sla_policy,
        update=admin.update_sla_policy,
        fields=(
            FieldSpec(
                "channel_id",
                "Channel",
                "select",
                tuple(channel_ids),
                {c: channel_label(c) for c in channel_ids},
            ),
            FieldSpec(
                "priority", "Priority", "select", (None, "normal", "high"), {None: "any priority"}
            ),
            FieldSpec(
                "is_public",
                "Visibility",
                "select",
                (None, True, False),
                VISIBILITY,
                help="Social posts and comments are public; messages are private.",
            ),
            FieldSpec(
                "target_seconds",
                "Target (seconds)",
                "int",
                default=60,
                help="SLA met: answered with first response time ≤ this target.",
                unit="seconds",
                column="Target",
            ),
            FieldSpec(
                "goal_percent",
                "Goal (%)",
                "float",
                default=80.0,
                help="Service level goal: met / (met + missed) should reach this.",
                unit="%",
                column="Goal",
            ),
            FieldSpec(
                "business_hours",
                "Business hours",
                "select",
                (None, *calendar_ids),
                {None: "24/7", **calendar_ids},
                help="Business-hours FRT counts only seconds inside these hours.",
            ),
            FieldSpec(
                "abandon_rule",
                "Abandon rule",
                "select",
                tuple(ABANDON_RULE_LABELS),
                ABANDON_RULE_LABELS,
                default="fail",
            ),
            FieldSpec(
                "short_abandon_seconds",
                "Short-abandon threshold (seconds)",
                "int",
                default=5,
                unit="seconds",
                column="Short-abandon threshold",
            ),
            FieldSpec(
                "active_from",
                "Active from",
                "datetime",
                column="From",
                help="When the policy starts judging arrivals (the earliest version of a "
                "scope also judges history from before it).",
            ),
        ),
    )


def topic_kind() -> RecordKind:
    """Topics of the taxonomy with their match keywords, patterns and priority."""
    return RecordKind(
        key="topic",
        title="Topic",
        describe=lambda t: f"{t['name']}{'' if t.get('active', True) else ' (inactive)'}",
        create=admin.create_topic,
        update=admin.update_topic,
        fields=(
            FieldSpec("name", "Name"),
            FieldSpec(
                "keywords",
                "Keywords (comma-separated)",
                "textarea",
                column="Keywords",
                help="A contact whose text has a word starting with one of these keywords gets "
                'the topic ("charge" matches "charged"; several words match in sequence).',
            ),
            FieldSpec(
                "patterns",
                "Patterns (regular expressions, one per line)",
                "textarea",
                column="Patterns",
                help="Matched case-insensitively anywhere in the text, e.g. order \\d{6}.",
            ),
            FieldSpec(
                "priority",
                "Priority",
                "int",
                default=100,
                help="When several topics match one text, the lowest number wins. Run "
                "`cli.py retag` after changing the taxonomy to tag stored contacts again.",
            ),
            FieldSpec("active", "Active", "bool", default=True),
        ),
    )


def playbook_kind(topics: list[str]) -> RecordKind:
    """Approved responses per issue, with escalation and the move-to-private flag."""
    return RecordKind(
        key="playbook",
        title="Playbook entry",
        describe=lambda e: f"{e.get('topic') or 'any topic'} · {e['issue']}",
        create=admin.create_playbook_entry,
        update=admin.update_playbook_entry,
        fields=(
            FieldSpec("issue", "Issue"),
            FieldSpec("topic", "Topic", "select", (None, *topics), {None: "any topic"}),
            FieldSpec("response_template", "Approved response", "textarea"),
            FieldSpec("escalation", "Escalation", "textarea"),
            FieldSpec(
                "move_to_private",
                "Move the conversation to a private channel",
                "bool",
                column="Move to private",
            ),
        ),
    )


def stakeholder_kind(topics: list[str]) -> RecordKind:
    """Whom to tell inside the company about which topic."""
    return RecordKind(
        key="stakeholder",
        title="Stakeholder",
        describe=lambda s: f"{s['name']} · {s.get('topic') or 'all topics'}",
        create=admin.create_stakeholder,
        update=admin.update_stakeholder,
        fields=(
            FieldSpec("name", "Name"),
            FieldSpec("email", "Email"),
            FieldSpec("topic", "Topic", "select", (None, *topics), {None: "all topics"}),
            FieldSpec("role", "Role"),
        ),
    )


def review_rule_kind(topics: list[str]) -> RecordKind:
    """Which public replies need review before they go out."""
    return RecordKind(
        key="review_rule",
        title="Review rule",
        describe=lambda r: f"{r['name']} · {r['kind']}{'' if r.get('active', True) else ' (off)'}",
        create=admin.create_review_rule,
        update=admin.update_review_rule,
        fields=(
            FieldSpec("name", "Name"),
            FieldSpec(
                "kind", "Kind", "select", RULE_KINDS, RULE_KIND_LABELS, default="topic",
                help="Only public replies are reviewed; a reply caught by no rule goes out.",
            ),
            FieldSpec("topic", "Topic (topic rules)", "select", (None, *topics), {None: "—"},
                      column="Topic"),
            FieldSpec(
                "threshold", "Threshold", "float",
                help="negative: sentiment at or below (-1..1); reach: followers at or above; "
                "new agent: weeks since the agent's first contact, below.",
            ),
            FieldSpec("words", "Words (wording rules, comma-separated)", "textarea",
                      column="Words"),
            FieldSpec("active", "Active", "bool", default=True),
        ),
    )  # fmt: skip


def kind_columns(kind: RecordKind) -> list[str]:
    """The columns to list for a kind: its fields plus who changed it last."""
    return [spec.name for spec in kind.fields] + ["version", "updated_at", "updated_by"]


# The criteria columns the reviewer's form uses, editable with the weights.
CRITERION_EXTRAS = ("description", "applies_to", "allow_na")
CRITERION_HEADERS = {
    "name": "Criterion",
    "weight": "Weight",
    "max_points": "Max points",
    "critical": "Critical",
    "description": "Description",
    "applies_to": "Applies to",
    "allow_na": "Allow N/A",
}


def scorecard_kind() -> RecordKind:
    """QA scorecards with their weighted criteria, saved together."""
    return RecordKind(
        key="scorecard",
        title="Scorecard",
        describe=lambda c: f"{c['name']}{'' if c.get('active', True) else ' (inactive)'}",
        create=admin.create_scorecard,
        update=admin.update_scorecard,
        fields=(
            FieldSpec("name", "Name"),
            FieldSpec("active", "Active", "bool", default=True),
            FieldSpec(
                "criteria",
                "Criteria",
                "table",
                ("id", "name", "weight", "max_points", "critical", *CRITERION_EXTRAS),
                CRITERION_HEADERS,
                help="Review score = Σ(weight × points/max points) / Σ weight × 100 over the "
                "criteria rated; a failed critical criterion sets the score to 0. Description: "
                "what the reviewer sees on the form. Applies to: `all` contacts or `public` "
                "replies only. Allow N/A: whether the criterion may be marked not applicable. "
                "Reviews already started keep the criteria they were scored on.",
            ),
        ),
    )
