"""Reference rows every database needs: channels, the default business calendar, SLA policies,
topics and the default social-care QA scorecard. Inserted by `cli.py init-db`; safe to run again
(adds only what is missing, never overwrites an admin's edits)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, inspect, select

from db.schema import (
    business_calendars,
    channels,
    scorecard_criteria,
    scorecards,
    sla_policies,
    topics,
)

# id, name, kind, is_social — sort order is list order.
CHANNELS: list[tuple[str, str, str, bool]] = [
    ("phone", "Phone", "voice", False),
    ("chat", "Chat", "chat", False),
    ("email", "Email", "async", False),
    ("twitter", "Twitter / X", "social", True),
    ("facebook", "Facebook", "social", True),
    ("instagram", "Instagram", "social", True),
]

# Targets a social-first centre commonly sets: voice 20 s (80/20), chat 60 s, email 4 h (business
# hours), social public 30 min and private 1 h.
DEFAULT_POLICIES: list[dict] = [
    {
        "channel_id": "phone",
        "target_seconds": 20,
        "goal_percent": 80.0,
        "abandon_rule": "exclude_short",
    },
    {"channel_id": "chat", "target_seconds": 60, "goal_percent": 80.0, "abandon_rule": "fail"},
    {
        "channel_id": "email",
        "target_seconds": 4 * 3600,
        "goal_percent": 90.0,
        "business_hours": "office",
    },
    *[
        {"channel_id": social, "is_public": public, "target_seconds": target, "goal_percent": 85.0}
        for social in ("twitter", "facebook", "instagram")
        for public, target in ((True, 1800), (False, 3600))
    ],
]

OFFICE_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}

# name -> (keywords, priority). When several topics match a text the lowest priority wins:
# "cancel my account" is a cancellation, not an account-access question.
TOPICS: dict[str, tuple[str, int]] = {
    "cancellation": ("cancel,close my account,leave,switch provider,switching provider", 10),
    "outage": ("down,outage,not working,no service,offline,broken", 20),
    "billing": ("bill,charge,invoice,refund,payment,overcharged", 30),
    "delivery": ("delivery,parcel,courier,shipped,tracking,late", 40),
    "account access": ("login,log in,password,locked,2fa,sign in,account", 50),
    "complaint": ("terrible,awful,worst,complaint,disappointed,unacceptable", 60),
    "product question": ("how do,does it,work with,compatible,feature,question", 70),
    "praise": ("thanks,great,love,amazing,brilliant,helpful", 80),
}


@dataclass(frozen=True)
class ReferenceCriterion:
    """One criterion of a shipped scorecard (columns of scorecard_criteria)."""

    name: str
    weight: float
    max_points: int
    description: str
    critical: bool = False
    applies_to: str = "all"  # or "public": public replies only
    allow_na: bool = True


# The default social-care scorecard (issue 10). Critical criteria are pass/fail (1 point): a
# failed one auto-fails the review (analytics.qa_score). Criteria a contact may not give occasion
# for allow N/A; policy compliance and accuracy always apply.
DEFAULT_SCORECARD_NAME = "Social care"
DEFAULT_SCORECARD: tuple[ReferenceCriterion, ...] = (
    ReferenceCriterion(
        "Greeting and tone",
        1.0,
        5,
        "Greets the customer, uses their name where known, and keeps the brand's friendly, "
        "professional voice throughout.",
        allow_na=False,
    ),
    ReferenceCriterion(
        "Accuracy",
        3.0,
        5,
        "Every fact, price, date and instruction given is correct and consistent with the "
        "playbook.",
        allow_na=False,
    ),
    ReferenceCriterion(
        "Policy compliance",
        2.0,
        1,
        "Pass only if identity checks, data protection and refund/escalation rules were "
        "followed; any breach fails the review.",
        critical=True,
        allow_na=False,
    ),
    ReferenceCriterion(
        "Resolution",
        2.0,
        5,
        "The issue was resolved, or the customer was left with a clear, owned next step. N/A "
        "when the contact needed no action.",
    ),
    ReferenceCriterion(
        "Empathy",
        2.0,
        5,
        "Acknowledges the customer's situation and feelings before solving. N/A for purely "
        "transactional contacts.",
    ),
    ReferenceCriterion(
        "Public defensibility",
        2.0,
        1,
        "Pass only if the public reply could be screenshotted and shared without embarrassing "
        "the company: no personal data, no blame, no promises beyond policy.",
        critical=True,
        applies_to="public",
    ),
    ReferenceCriterion(
        "Spelling and grammar",
        1.0,
        3,
        "Written replies are free of spelling and grammar mistakes. N/A on voice.",
    ),
)

POLICY_EPOCH = datetime(2000, 1, 1)


def seed_reference_data(conn: Connection) -> None:
    """Insert the reference rows that are missing."""
    have = set(conn.scalars(select(channels.c.id)))
    rows = [
        {"id": cid, "name": name, "kind": kind, "is_social": social, "sort_order": i}
        for i, (cid, name, kind, social) in enumerate(CHANNELS)
        if cid not in have
    ]
    if rows:
        conn.execute(channels.insert(), rows)

    if (
        conn.scalar(select(business_calendars.c.id).where(business_calendars.c.id == "office"))
        is None
    ):
        conn.execute(
            business_calendars.insert(),
            {
                "id": "office",
                "name": "Office hours Mon-Fri 09-17",
                "timezone": "Europe/London",
                "weekly_hours": json.dumps(OFFICE_HOURS),
            },
        )

    if conn.scalar(select(sla_policies.c.id).limit(1)) is None:
        conn.execute(
            sla_policies.insert(),
            [
                {
                    "priority": None,
                    "is_public": None,
                    "business_hours": None,
                    "abandon_rule": "fail",
                    "short_abandon_seconds": 5,
                    "active_from": POLICY_EPOCH,
                    "version": 1,
                    **policy,
                }
                for policy in DEFAULT_POLICIES
            ],
        )

    have_topics = set(conn.scalars(select(topics.c.name)))
    new_topics = [
        {"name": name, "keywords": words, "priority": rank, "active": True, "version": 1}
        for name, (words, rank) in TOPICS.items()
        if name not in have_topics
    ]
    # A database still at a revision before 0008 (a migration test seeding old data) has no
    # priority column yet; the topics keep the default priority there.
    if "priority" not in {c["name"] for c in inspect(conn).get_columns("topics")}:
        new_topics = [{k: v for k, v in t.items() if k != "priority"} for t in new_topics]
    if new_topics:
        conn.execute(topics.insert(), new_topics)

    seed_default_scorecard(conn)


def seed_default_scorecard(conn: Connection) -> int:
    """The default scorecard's id, inserting it (with its criteria) when no scorecard has its
    name; an admin's edits to it are never overwritten."""
    existing = conn.scalar(
        select(scorecards.c.id).where(scorecards.c.name == DEFAULT_SCORECARD_NAME)
    )
    if existing is not None:
        return int(existing)
    card_id = conn.execute(
        scorecards.insert().values(name=DEFAULT_SCORECARD_NAME, active=True, version=1)
    ).inserted_primary_key[0]
    # Only the columns the database has: a database at an older revision (a migration test
    # seeds before upgrading) gets the criteria without description / applies_to / allow_na.
    have = {column["name"] for column in inspect(conn).get_columns("scorecard_criteria")}
    conn.execute(
        scorecard_criteria.insert(),
        [
            {
                key: value
                for key, value in {
                    "scorecard_id": card_id,
                    "position": position,
                    **asdict(criterion),
                }.items()
                if key in have
            }
            for position, criterion in enumerate(DEFAULT_SCORECARD)
        ],
    )
    return int(card_id)
