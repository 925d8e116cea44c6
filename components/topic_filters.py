"""The Topics page's filter bar: days or ISO weeks, channels, public / private."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components.theme import channel_label

VISIBILITY = {"all": "Public and private", "public": "Public posts only", "private": "Private only"}
VISIBILITY_VALUES = {"all": None, "public": True, "private": False}


@dataclass(frozen=True)
class TopicFilters:
    """What the user picked: granularity ("week" / "day"), channels (None = all) and
    visibility (None = both, True = public, False = private)."""

    granularity: str
    channels: tuple[str, ...] | None
    visibility: bool | None


def topic_filters(catalogue: pd.DataFrame) -> TopicFilters:
    """Draw the filter bar (three widgets on one row) and return the choice."""
    left, middle, right = st.columns([1, 2, 1])
    granularity = left.segmented_control(
        "Per",
        options=["week", "day"],
        format_func={"week": "ISO week", "day": "Day"}.get,
        default="week",
        key="topics_granularity",
    )
    picked = middle.multiselect(
        "Channels",
        options=list(catalogue["channel_id"]),
        format_func=channel_label,
        placeholder="All channels",
        key="topics_channels",
    )
    visibility = right.selectbox(
        "Visibility", options=list(VISIBILITY), format_func=VISIBILITY.get, key="topics_visibility"
    )
    return TopicFilters(
        granularity=granularity or "week",
        channels=tuple(sorted(picked)) or None,
        visibility=VISIBILITY_VALUES[visibility],
    )
