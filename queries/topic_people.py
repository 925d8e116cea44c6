"""Whom to tell about a topic: its playbook entries and stakeholders, and the audited record
that a supervisor informed them ("stakeholders informed") so the next supervisor sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, or_, select

from db.schema import playbook_entries, stakeholders, topic_notifications
from queries.frames import read_frame
from queries.validation import FormCheck
from queries.writes import insert_record, utcnow

NOTE_MAX = 500


def topic_playbook(*, engine: Engine, topic: str) -> pd.DataFrame:
    """Playbook entries of `topic`, then those for any topic: issue, topic, response_template,
    escalation, move_to_private."""
    p = playbook_entries.c
    return read_frame(
        engine=engine,
        statement=select(p.issue, p.topic, p.response_template, p.escalation, p.move_to_private)
        .where(or_(p.topic == topic, p.topic.is_(None)))
        .order_by(p.topic.is_(None), p.issue),
    )


def topic_stakeholders(*, engine: Engine, topic: str) -> pd.DataFrame:
    """Stakeholders of `topic`, then those for every topic: name, email, role, topic."""
    s = stakeholders.c
    return read_frame(
        engine=engine,
        statement=select(s.name, s.email, s.role, s.topic)
        .where(or_(s.topic == topic, s.topic.is_(None)))
        .order_by(s.topic.is_(None), s.name),
    )


def informed_log(
    *, engine: Engine, topics: Sequence[str] | None = None, since: datetime | None = None
) -> pd.DataFrame:
    """ "Stakeholders informed" records, newest first: topic, period, stakeholders, note,
    informed_by, informed_at (UTC) — of `topics` (None: all), informed at or after `since`."""
    n = topic_notifications.c
    statement = select(
        n.topic, n.period, n.stakeholders, n.note, n.informed_by, n.informed_at
    ).order_by(n.informed_at.desc(), n.id.desc())
    if topics is not None:
        statement = statement.where(n.topic.in_(list(topics)))
    if since is not None:
        statement = statement.where(n.informed_at >= since)
    return read_frame(engine=engine, statement=statement)


def record_informed(
    *,
    engine: Engine,
    values: dict,
    user: str,
    idempotency_key: str,
) -> dict:
    """Record that `user` informed the chosen stakeholders about a topic's spike, audited.

    values: topic, period (ISO week "2026-W48" or day "2026-11-30"), stakeholders (names, at
    least one), note (optional). Raises ValidationError listing each bad field; the same
    `idempotency_key` submitted twice stores one record and returns it.
    """
    form = FormCheck(values)
    topic = form.text("topic", max_length=64)
    period = form.text("period", max_length=16)
    note = form.text("note", max_length=NOTE_MAX, required=False)
    names = [str(n).strip() for n in values.get("stakeholders") or () if str(n).strip()]
    if not names:
        form.error("stakeholders", "choose at least one stakeholder you informed")
    form.raise_if_errors()
    return insert_record(
        engine=engine,
        table=topic_notifications,
        values={
            "topic": topic,
            "period": period,
            "stakeholders": ", ".join(names),
            "note": note or None,
            "informed_by": user,
            "informed_at": utcnow(),
        },
        user=user,
        idempotency_key=idempotency_key,
    )
