"""Who the QA forms offer: reviewers to assign work to, agents and teams to filter by, a
reviewer's own submitted reviews (to edit after submit), and recent contacts to calibrate on."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import agents, channels, interactions, qa_reviews, users
from db.threads import counts_as_contact
from queries.frames import read_frame
from queries.writes import as_utc_naive

REVIEWER_ROLE = "qa_reviewer"


def reviewer_names(*, engine: Engine | Connection) -> list[str]:
    """Usernames of enabled users holding the QA reviewer role, sorted."""
    statement = select(users.c.username, users.c.roles).where(users.c.disabled.is_(False))
    frame = read_frame(engine=engine, statement=statement.order_by(users.c.username))
    return [
        name
        for name, roles in zip(frame["username"], frame["roles"], strict=True)
        if REVIEWER_ROLE in {role.strip().lower() for role in (roles or "").split(",")}
    ]


def agent_options(*, engine: Engine | Connection) -> pd.DataFrame:
    """Active agents: id, name, team — by team then name."""
    a = agents.c
    statement = (
        select(a.id, a.name, a.team).where(a.active.is_(True)).order_by(a.team, a.name, a.id)
    )
    return read_frame(engine=engine, statement=statement)


def submitted_reviews_of(
    *, engine: Engine | Connection, reviewer: str, limit: int = 100
) -> pd.DataFrame:
    """`reviewer`'s submitted reviews outside calibration, newest first: review_id,
    interaction_id, agent, channel_id, submitted_at, total, auto_failed, version."""
    r = qa_reviews.c
    statement = (
        select(
            r.id.label("review_id"),
            r.interaction_id,
            agents.c.name.label("agent"),
            interactions.c.channel_id,
            r.submitted_at,
            r.total,
            r.auto_failed,
            r.version,
        )
        .join(interactions, interactions.c.id == r.interaction_id)
        .outerjoin(agents, agents.c.id == r.agent_id)
        .where(
            r.reviewer == reviewer,
            r.status == "submitted",
            r.calibration_session_id.is_(None),
        )
        .order_by(r.submitted_at.desc(), r.id.desc())
        .limit(max(1, min(int(limit), 1000)))
    )
    frame = read_frame(engine=engine, statement=statement)
    frame["auto_failed"] = frame["auto_failed"].astype(bool)
    return frame


def recent_contacts(
    *, engine: Engine | Connection, start: datetime, end: datetime, limit: int = 300
) -> pd.DataFrame:
    """Contacts handled by an agent that ended in [start, end) (UTC), newest first — what a
    calibration session can pick from: id, channel, agent, ended_at, body."""
    i = interactions.c
    statement = (
        select(
            i.id,
            channels.c.name.label("channel"),
            agents.c.name.label("agent"),
            i.resolved_at.label("ended_at"),
            i.body,
        )
        .join(channels, channels.c.id == i.channel_id)
        .join(agents, agents.c.id == i.agent_id)
        .where(
            counts_as_contact(),
            i.resolved_at >= as_utc_naive(start),
            i.resolved_at < as_utc_naive(end),
        )
        .order_by(i.resolved_at.desc(), i.id.desc())
        .limit(max(1, min(int(limit), 2000)))
    )
    return read_frame(engine=engine, statement=statement)
