"""The Weekly trends page's panels: figure formatting and definitions, the week's tiles with
week-over-week change, the topics panel, "not yet available" panels, and the weekly report
(frozen or live, with restated figures and the admin's freeze / re-issue buttons)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.percentiles import PERCENTILE_NOTE
from analytics.time_text import format_datetime
from analytics.weekly import change
from components.exports import csv_download
from components.plain_text import markdown_text
from components.theme import format_seconds

DEFINITIONS: dict[str, str] = {
    "offered": "Offered: contacts (conversations the customer started) that arrived in the "
    "week, by the customer's first message.",
    "sl": "Service level = met ÷ (met + missed) × 100, each contact judged against its "
    "channel's policy in force at arrival, with that policy's abandon rule; n = met + missed.",
    "frt": "First response time: first agent response − arrival. Median and p90 of the "
    "answered contacts, phone and chat (seconds) apart from email and social (hours): never one "
    f"figure over both; n = answered contacts. {PERCENTILE_NOTE}",
    "abandonment": "Abandonment rate = abandoned ÷ (answered + abandoned); n = answered + "
    "abandoned.",
    "csat": "CSAT = share of ratings 4–5 among rated contacts; unrated contacts are not in it; "
    "n = contacts rated.",
    "qa": "QA average = mean of the review scores written in the week (auto-fails count as 0); "
    "n = reviews.",
    "topic": "Contacts with the topic in the week; n = contacts with any topic.",
    "rising": "Rising: the week's count against the mean of the weeks before (setting "
    "`rising_baseline_weeks`), at least `rising_min_count` contacts; the figure is the increase.",
    "repeat": "Repeat-contact rate: of the week's contacts that were resolved (and name their "
    "customer), the share after whose resolution the same customer started another contact "
    "within the window (setting `repeat_window_days`); n = resolved contacts. Recent weeks "
    "still rise while their window is open.",
}
TILE_KEYS = (
    "offered.total",
    "sl.total",
    "frt.live.median",
    "frt.async.median",
    "abandonment.total",
    "csat.total",
    "qa.average",
    "repeat.rate",
)


def definition(key: str) -> str:
    """The definition shown in the help of the figure `key`."""
    return DEFINITIONS.get(key.split(".", 1)[0], "")


def format_figure(value: float | None, unit: str) -> str:
    """A figure as shown: '82.3 %', '45 s' / '3 h 20 min', '1,234', '86.7'; '—' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "seconds":
        return format_seconds(value)
    if unit == "score":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def change_text(value: float | None, unit: str) -> str | None:
    """A week-over-week change: '+2.1 pts' for percentages and scores, '+5.0 %' otherwise."""
    if value is None:
        return None
    return f"{value:+.1f} pts" if unit in ("%", "score") else f"{value:+.1f} %"


def _figure(figures: pd.DataFrame, week: str, key: str) -> pd.Series | None:
    found = figures[(figures["week"] == week) & (figures["key"] == key)]
    return None if found.empty else found.iloc[0]


def week_tiles(figures: pd.DataFrame, *, week: str, previous: str | None) -> None:
    """One tile per headline figure of `week`, with the change against `previous`."""
    keys = [k for k in TILE_KEYS if _figure(figures, week, k) is not None]
    columns = st.columns(4)
    for number, key in enumerate(keys):
        now_row = _figure(figures, week, key)
        before = _figure(figures, previous, key) if previous else None
        unit = now_row["unit"]
        delta = change(now_row["value"], None if before is None else before["value"], unit)
        n = now_row["n"]
        n_text = "" if pd.isna(n) else f" (n = {int(n):,})"
        lower_is_better = key.startswith(("frt", "abandonment", "repeat"))
        columns[number % 4].metric(
            markdown_text(now_row["label"]),
            format_figure(now_row["value"], unit),
            delta=change_text(delta, unit),
            delta_color="inverse" if lower_is_better else "normal",
            help=definition(key) + n_text + " Change: against the week before.",
        )


def goals_caption(figures: pd.DataFrame, *, week: str) -> None:
    """A caption naming each channel's service-level goal in `week`."""
    goals = figures[(figures["week"] == week) & figures["goal"].notna()]
    if goals.empty:
        return
    parts = [
        f"{markdown_text(label.removeprefix('Service level — '))} {goal:.0f} %"
        for label, goal in zip(goals["label"], goals["goal"], strict=True)
    ]
    st.caption("Service-level goals: " + " · ".join(parts))


def not_available(what: str, needs: str) -> None:
    """The panel of a figure whose data does not exist yet (never a made-up figure)."""
    st.info(
        f"**{what}: not yet available.** {needs}",
        icon=":material/hourglass_empty:",
    )


def topics_panel(figures: pd.DataFrame, *, week: str) -> pd.DataFrame:
    """Top and rising topics of `week` as a table; returns the frame shown (for its CSV)."""
    shown = figures[
        (figures["week"] == week) & figures["section"].isin(["Topics", "Rising topics"])
    ]
    table = pd.DataFrame(
        {
            "List": shown["section"].map({"Topics": "Top", "Rising topics": "Rising"}),
            "Topic": shown["label"],
            "Contacts": [
                int(v) if s == "Topics" else int(n)
                for s, v, n in zip(shown["section"], shown["value"], shown["n"], strict=True)
            ],
            "Increase vs baseline": [
                None if s == "Topics" else round(float(v), 1)
                for s, v in zip(shown["section"], shown["value"], strict=True)
            ],
        }
    )
    if table.empty:
        st.caption("No contact had a topic this week.")
    else:
        st.dataframe(table, hide_index=True, key="wk_topics_table")
        csv_download(table, key="wk_topics_csv", file_name=f"topics-{week}.csv")
    return table


def report_table(view_figures: pd.DataFrame) -> pd.DataFrame:
    """The report as a table: Section, Figure, Reported, n, Live now, Status — text as shown."""
    return pd.DataFrame(
        {
            "Section": view_figures["section"],
            "Figure": view_figures["label"],
            "Reported": [
                format_figure(v, u)
                for v, u in zip(view_figures["value"], view_figures["unit"], strict=True)
            ],
            # Counts have no n of their own: a dash, like every empty cell in the app.
            "n": ["—" if pd.isna(n) else f"{int(n):,}" for n in view_figures["n"]],
            "Live now": [
                format_figure(v, u)
                for v, u in zip(view_figures["live_value"], view_figures["unit"], strict=True)
            ],
            "Status": ["restated" if r else "as reported" for r in view_figures["restated"]],
        }
    )


def report_status(frozen, *, week: str, tz: str) -> str:
    """One line: who froze which issue when (local time), or that the figures are live."""
    if frozen is None:
        return f"{week} has not been frozen: these are live figures and may still change."
    reason = f" — re-issued: {frozen.reason}" if frozen.reason else ""
    return (
        f"Frozen report, issue {frozen.issue}: frozen {format_datetime(frozen.frozen_at, tz)} by "
        f"{frozen.frozen_by}{reason}."
    )


def report_actions(
    frozen,
    *,
    week: str,
    week_over: bool,
    on_freeze: Callable[[], object],
    on_reissue: Callable[[str, int], object],
) -> None:
    """The admin's buttons: freeze the week (once it is over), or re-issue it with a reason."""
    if not week_over:
        st.caption("This week is not over yet; it can be frozen from Monday.")
        return
    if frozen is None:
        if st.button("Freeze this week's report", key="wk_freeze", icon=":material/lock:"):
            on_freeze()
            st.rerun()
        return
    with st.form("wk_reissue_form"):
        reason = st.text_input(
            "Reason for re-issuing (kept with the new issue and in the audit log)",
            key="wk_reissue_reason",
        )
        if st.form_submit_button("Re-issue with today's figures", key="wk_reissue"):
            if not reason.strip():
                st.error("Say why the report is re-issued; nothing was changed.")
                return
            on_reissue(reason, frozen.issue)
            st.rerun()
