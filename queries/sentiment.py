"""What counts as a negative contact: one rule for every read that says "negative"."""

from __future__ import annotations

from sqlalchemy.sql.expression import ColumnElement

from db.schema import interactions
from db.settings import get_settings


def is_negative() -> ColumnElement[bool]:
    """Sentiment below the `negative_sentiment_below` setting (a contact without one: no)."""
    return interactions.c.sentiment < get_settings().negative_sentiment_below
