"""The filter bar of the Service level page: granularity, grouping, channels, abandon rule and
clock under the shared period row (`report_filters.report_period`), read into one
`ServiceLevelFilters`. Every choice is kept when the user moves to another page and back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from analytics.date_presets import previous_period
from components.report_filters import (
    ReportPeriod,
    kept_value,
    period_label,
    remember,
    utc_bounds,
)
from components.report_help import AGENT_GROUPING
from components.sl_panels import ABANDON_RULE_LABELS, ABANDON_RULE_OPTIONS
from components.theme import channel_label
from queries.local_buckets import GRANULARITIES, GRANULARITY_LABELS
from queries.service_level import GROUP_BY_LABELS, GROUP_BY_OPTIONS

# 15-minute intervals over more days than this are too many points to read (96 a day per group).
MAX_INTERVAL_DAYS = 2


@dataclass(frozen=True)
class ServiceLevelFilters:
    """What the user picked; `query` is the keyword set of the cached readers."""

    first: date
    last: date
    granularity: str
    group_by: str
    channels: tuple[str, ...]
    abandon_rule: str | None  # None = each channel's policy rule
    business_hours: bool
    note: str | None  # why the granularity was changed, if it was
    compare: bool = True

    @property
    def label(self) -> str:
        return period_label(self.first, self.last)

    def query(self, *, tz: str, now: datetime) -> dict:
        start, end = utc_bounds(self.first, self.last, tz)
        return {
            "start": start,
            "end": end,
            "tz": tz,
            "channels": self.channels,
            "abandon_rule": self.abandon_rule,
            "business_hours": self.business_hours,
            "now": now,
        }

    @property
    def previous(self) -> tuple[date, date]:
        """The period the KPIs are compared with (`analytics.date_presets.previous_period`)."""
        return previous_period(self.first, self.last)

    def previous_query(self, *, tz: str, now: datetime) -> dict:
        """`query` for the previous period."""
        first, last = self.previous
        start, end = utc_bounds(first, last, tz)
        return {**self.query(tz=tz, now=now), "start": start, "end": end}


def service_level_filters(policies: pd.DataFrame, *, period: ReportPeriod) -> ServiceLevelFilters:
    """Draw the filter rows under the period row and return what was picked.

    Args:
        policies: `channel_policies` of every channel (the channel list, in order).
        period: the period row's choice (`report_filters.report_period`).
    """
    row = st.columns([2, 2, 5])
    granularity = row[0].selectbox(
        "Granularity",
        GRANULARITIES,
        index=GRANULARITIES.index(kept_value("sl_granularity", GRANULARITIES, default="day")),
        format_func=GRANULARITY_LABELS.get,
        key="sl_granularity",
        on_change=remember,
        args=("sl_granularity",),
        help="Periods in local time, zero-filled; weeks start on Monday; a DST change day has "
        "23 or 25 hours. 15 minutes is for periods of up to "
        f"{MAX_INTERVAL_DAYS} days.",
    )
    group_by = row[1].selectbox(
        "Group by",
        GROUP_BY_OPTIONS,
        index=GROUP_BY_OPTIONS.index(
            kept_value("sl_group_by", GROUP_BY_OPTIONS, default=GROUP_BY_OPTIONS[0])
        ),
        format_func=GROUP_BY_LABELS.get,
        key="sl_group_by",
        on_change=remember,
        args=("sl_group_by",),
        help=AGENT_GROUPING.replace("**", ""),
    )
    channel_ids = policies["channel_id"].tolist()
    selected = row[2].multiselect(
        "Channels",
        channel_ids,
        default=kept_value("sl_channels", channel_ids, default=channel_ids),
        format_func=channel_label,
        key="sl_channels",
        on_change=remember,
        args=("sl_channels",),
    )
    row = st.columns([5, 4, 3])
    rule_choice = row[0].selectbox(
        "Abandon rule",
        ABANDON_RULE_OPTIONS,
        index=ABANDON_RULE_OPTIONS.index(
            kept_value("sl_abandon_rule", ABANDON_RULE_OPTIONS, default="policy")
        ),
        format_func=ABANDON_RULE_LABELS.get,
        key="sl_abandon_rule",
        on_change=remember,
        args=("sl_abandon_rule",),
        help="By default each channel uses its SLA policy's rule; picking one applies it to all.",
    )
    business_hours = row[1].toggle(
        "Business-hours FRT",
        value=kept_value("sl_business_hours", (True, False), default=False),
        key="sl_business_hours",
        on_change=remember,
        args=("sl_business_hours",),
        help="Count only seconds inside the policy's business calendar. Channels whose policy "
        "has no calendar stay 24/7.",
    )
    first, last = period.first, period.last
    note = None
    days = (last - first).days + 1
    if granularity == "interval" and days > MAX_INTERVAL_DAYS:
        note = (
            f"15-minute intervals over {days} days would be too many points to read: showing "
            f"hours. Pick a period of {MAX_INTERVAL_DAYS} days or fewer for 15 minutes."
        )
        granularity = "hour"
    return ServiceLevelFilters(
        first=first,
        last=last,
        granularity=granularity,
        group_by=group_by,
        channels=tuple(sorted(selected)),
        abandon_rule=None if rule_choice == "policy" else rule_choice,
        business_hours=business_hours,
        note=note,
        compare=period.compare,
    )
