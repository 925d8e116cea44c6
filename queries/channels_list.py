"""The channel list, in display order, for forms and filters."""

from __future__ import annotations

from sqlalchemy import Engine, select

from db.schema import channels


def channel_ids(*, engine: Engine) -> list[str]:
    """Channel ids in sort order."""
    with engine.connect() as conn:
        return list(conn.scalars(select(channels.c.id).order_by(channels.c.sort_order)))
