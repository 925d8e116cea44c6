"""Reply review analytics reads: replies submitted for review, and public social FRT by whether
the first reply went through review. The figures are computed in analytics/reply_review.py."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, and_, exists, or_, select

from db.schema import channels, interactions, replies
from db.threads import counts_as_contact
from queries.frames import read_frame

SENT_AFTER_REVIEW = ("approved", "edited", "moved_private")


def reviewed_replies(*, engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Replies submitted for review before `end` and not decided before `start` (the queue at
    any moment of the window, and the decisions in it). Columns: reply_id, channel_id,
    submitted_at, reviewed_at, outcome, reason, rules, reviewer."""
    r = replies.c
    statement = (
        select(
            r.id.label("reply_id"),
            interactions.c.channel_id,
            r.submitted_at,
            r.reviewed_at,
            r.outcome,
            r.reason,
            r.rules,
            r.reviewer,
        )
        .select_from(replies.join(interactions, interactions.c.id == r.interaction_id))
        .where(
            r.submitted_at.is_not(None),
            r.submitted_at < end,
            or_(r.reviewed_at.is_(None), r.reviewed_at >= start),
        )
        .order_by(r.submitted_at, r.id)
    )
    frame = read_frame(engine=engine, statement=statement)
    for column in ("submitted_at", "reviewed_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def public_social_frt(*, engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Answered public social contacts that arrived in [start, end), with their FRT and whether
    a reply to them went out after review. Columns: channel_id, created_at, frt_seconds,
    reviewed."""
    i, r = interactions.c, replies.c
    reviewed = exists().where(
        r.interaction_id == i.id,
        r.submitted_at.is_not(None),
        r.outcome.in_(SENT_AFTER_REVIEW),
    )
    statement = (
        select(i.channel_id, i.created_at, i.first_response_at, reviewed.label("reviewed"))
        .select_from(interactions.join(channels, channels.c.id == i.channel_id))
        .where(
            and_(counts_as_contact(), i.is_public.is_(True), channels.c.is_social.is_(True)),
            i.first_response_at.is_not(None),
            i.created_at >= start,
            i.created_at < end,
        )
    )
    frame = read_frame(engine=engine, statement=statement)
    created = pd.to_datetime(frame["created_at"])
    frame["frt_seconds"] = (pd.to_datetime(frame["first_response_at"]) - created).dt.total_seconds()
    frame["created_at"] = created
    frame["reviewed"] = frame["reviewed"].astype(bool)
    return frame[["channel_id", "created_at", "frt_seconds", "reviewed"]]
