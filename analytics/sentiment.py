"""Sentiment of a contact's text for rows that arrive without one: VADER's compound score.

VADER (vaderSentiment) is a rule-based scorer made for short social-media text; its compound
score is already in −1..1, the range `interactions.sentiment` holds. The source of such a score
is stored as SOURCE ("vader") next to it, so a reader can tell it from a score the data carried.
"""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SOURCE = "vader"


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # loads its lexicon once per process


def score_sentiment(text: str | None) -> float | None:
    """VADER compound score of `text` in −1..1, rounded to 3 places; None for blank text."""
    if not text or not text.strip():
        return None
    return round(float(_analyzer().polarity_scores(text)["compound"]), 3)
