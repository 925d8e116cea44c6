"""The channel mix panel of the Channels page: per day or week, share or count (both kept across
pages), the stacked bars, a caption that says what the bars are in the mode shown, and the
per-channel table with n (and the previous period, when compared)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.exports import csv_download
from components.mix_charts import channel_mix_chart
from components.report_filters import ReportPeriod, kept_value, remember
from components.sl_tables import mix_table
from components.table_format import number_formats
from queries.channels import mix_totals

GRANULARITY_LABELS = {"day": "Day", "week": "Week (Mon–Sun)"}
MODE_LABELS = {"share": "Share %", "count": "Count"}


def _kept_radio(column, key: str, label: str, labels: dict[str, str], default: str) -> str:
    options = list(labels)
    return column.radio(
        label,
        options,
        index=options.index(kept_value(key, options, default=default)),
        format_func=labels.get,
        horizontal=True,
        key=key,
        on_change=remember,
        args=(key,),
    )


def mix_controls() -> tuple[str, str]:
    """The 'Per' and 'Show' choices (default: per week, share), kept across pages."""
    row = st.columns([2, 2, 4])
    granularity = _kept_radio(row[0], "ch_granularity", "Per", GRANULARITY_LABELS, "week")
    mode = _kept_radio(row[1], "ch_mix_mode", "Show", MODE_LABELS, "share")
    return granularity, mode


def mix_caption(mode: str, per: str) -> str:
    """What the bars are, in the mode shown."""
    if mode == "share":
        return (
            f"Share of offered = a channel's inbound arrivals ÷ all channels' arrivals in that "
            f"{per} × 100: the bars of a {per} add up to 100 %. n in the legend: the channel's "
            "offered over the whole period."
        )
    return (
        f"Offered = inbound arrivals (contacts) per {per}, stacked by channel: a bar's height is "
        f"the {per}'s total. n in the legend: the channel's offered over the whole period."
    )


def render_channel_mix(
    mix: pd.DataFrame,
    *,
    previous_mix: pd.DataFrame | None,
    mode: str,
    granularity: str,
    period: ReportPeriod,
    now: datetime,
) -> None:
    """The mix chart, its caption and the per-channel table (and CSV).

    Args:
        mix / previous_mix: `channel_mix` of the period and, when compared, of the previous one.
        mode: "share" or "count"; granularity: "day" or "week".
        period: the period row's choice (labels); now: naive UTC (the running period).
    """
    per = "day" if granularity == "day" else "week"
    measure = "share of offered" if mode == "share" else "offered"
    st.plotly_chart(
        channel_mix_chart(
            mix,
            mode=mode,
            granularity=granularity,
            title=f"Channel mix — {measure} per {per}, {period.label}",
            now=now,
        ),
        key="ch_mix_chart",
    )
    st.caption(mix_caption(mode, per))
    table = mix_table(mix_totals(mix), None if previous_mix is None else mix_totals(previous_mix))
    if previous_mix is not None:
        st.caption(f"Previous period: {period.previous_label}.")
    st.dataframe(table, hide_index=True, column_config=number_formats(table), key="ch_mix_table")
    csv_download(table, key="ch_mix_csv", file_name="channel-mix.csv")
