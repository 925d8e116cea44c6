"""Reference rows every database needs: channels, the default business calendar, SLA policies,
topics and a default QA scorecard. Inserted by `cli.py init-db`; safe to run again (adds only
what is missing, never overwrites an admin's edits)."""

from __future__ import annotations

import json
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

DEFAULT_SCORECARD = (
    "Standard interaction",
    [  # name, weight, max_points, critical
        ("Greeting and identification", 1.0, 3, False),
        ("Understood the issue", 2.0, 5, False),
        ("Correct and consistent answer", 3.0, 5, False),
        ("Tone and empathy", 2.0, 5, False),
        ("Data protection followed", 1.0, 1, True),
        ("Resolution or clear next step", 2.0, 5, False),
    ],
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

    if conn.scalar(select(scorecards.c.id).limit(1)) is None:
        name, criteria = DEFAULT_SCORECARD
        card_id = conn.execute(
            scorecards.insert().values(name=name, active=True, version=1)
        ).inserted_primary_key[0]
        conn.execute(
            scorecard_criteria.insert(),
            [
                {
                    "scorecard_id": card_id,
                    "name": cname,
                    "weight": weight,
                    "max_points": points,
                    "critical": critical,
                    "position": i,
                }
                for i, (cname, weight, points, critical) in enumerate(criteria)
            ],
        )
