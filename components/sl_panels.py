"""Streamlit panels of the Service level page: KPI tiles with their exact definitions, the
wording of the abandon rule and clock in use, and the drill-down into one interaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from analytics.clock_kpis import CLOCK_LABELS
from analytics.distributions import FrtSummary
from analytics.percentiles import PERCENTILE_NOTE
from analytics.time_text import format_datetime
from components.exports import csv_download
from components.plain_text import markdown_text
from components.sl_tables import csat_text
from components.theme import format_seconds

ABANDON_RULE_OPTIONS: tuple[str, ...] = ("policy", "fail", "exclude", "exclude_short")
ABANDON_RULE_LABELS: dict[str, str] = {
    "policy": "Each channel's policy rule (default)",
    "fail": "Fail — every abandon is a miss",
    "exclude": "Exclude — abandons leave the denominator",
    "exclude_short": "Exclude short — abandons under the policy's threshold leave it",
}


def _rule_phrase(rule: str | None, short_seconds: int | None) -> str:
    if rule == "fail":
        return "abandons are misses"
    if rule == "exclude":
        return "abandons excluded"
    if rule == "exclude_short":
        return f"abandons under {short_seconds or 5} s excluded, later ones misses"
    if rule == "mixed":
        return "rule differs by priority/public (each contact under its own policy)"
    return "no policy (abandons are misses)"


def rule_description(policies: pd.DataFrame, override: str | None) -> str:
    """How abandons are counted, e.g. 'policy rule — Phone: abandons under 5 s excluded, …'."""
    if override:
        if override == "exclude_short":
            thresholds = sorted(set(policies["short_abandon_seconds"].dropna().astype(int)))
            limit = "/".join(str(t) for t in thresholds) or "5"
            return f"exclude short (chosen): abandons under {limit} s excluded, later ones misses"
        return f"{override} (chosen): " + _rule_phrase(override, None)
    parts = [
        f"{markdown_text(row.channel)}: {_rule_phrase(row.abandon_rule, row.short_abandon_seconds)}"
        for row in policies.itertuples()
    ]
    return "each channel's policy rule — " + "; ".join(parts)


def clock_description(policies: pd.DataFrame, business_hours: bool) -> str:
    """Which clock FRT runs on; with business hours, which channels have a calendar and which
    stay 24/7 because their policy has none."""
    if not business_hours:
        return "24/7 clock (every second from arrival counts)"
    with_calendar = policies[policies["calendar"].notna()]
    without = policies[policies["calendar"].isna()]
    parts = [
        f"{markdown_text(row.channel)} on '{markdown_text(row.calendar)}'"
        for row in with_calendar.itertuples()
    ]
    text = "business-hours FRT: " + ("; ".join(parts) if parts else "no selected channel has")
    if not without.empty:
        text += (
            " — " + markdown_text(", ".join(without["channel"])) + " have no calendar and stay 24/7"
        )
    return text


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _value_text(value: float, kind: str) -> str:
    if kind == "percent":
        return f"{value:.1f} %"
    if kind == "count":
        return f"{int(value):,}"
    return format_seconds(value)


def _missing(value: float | None) -> bool:
    return value is None or bool(pd.isna(value))


def change_text(now: float | None, before: float | None, kind: str) -> str | None:
    """The change from the previous period, as a metric's delta ('+2.5 pts', '-1,344',
    '+11 s'); None when either period has no figure. kind: 'percent', 'count' or 'seconds'."""
    if _missing(now) or _missing(before):
        return None
    change = now - before
    if kind == "percent":
        return f"{change:+.1f} pts"
    sign = "-" if change < 0 else "+"
    if kind == "count":
        return f"{sign}{abs(int(change)):,}"
    return f"{sign}{format_seconds(abs(change))}"


def previous_text(before: float | None, kind: str) -> str:
    """The previous period's value, shown under a KPI ('previous 80.9 %')."""
    return "previous: no data" if _missing(before) else f"previous {_value_text(before, kind)}"


def kpi_tiles(
    overall: dict[str, Any],
    *,
    by_clock: Mapping[str, FrtSummary],
    rule_text: str,
    clock_text: str,
    goal: float | None,
    previous: dict[str, Any] | None = None,
    previous_by_clock: Mapping[str, FrtSummary] | None = None,
    previous_label: str = "the previous period",
) -> None:
    """The headline KPIs, each with the change from the previous period as its delta and that
    period's value under it; every help text gives the exact definition and the counts behind
    it. Response times come one row per clock (phone & chat in seconds, email & social in
    minutes and hours), never averaged together.

    Args:
        overall / previous: `queries.service_level.overall_totals` (+ CSAT) of the period and
            of the one before it (None: no comparison).
        by_clock / previous_by_clock: `ServiceLevelReport.by_clock` of each.
        rule_text / clock_text: from `rule_description` / `clock_description`.
        goal: the goal % when every selected channel shares one, else None.
        previous_label: the previous period in words, for the help.
    """
    o, p = overall, previous
    compare = f" Delta: change from {previous_label} (its value is under the figure)."

    def tile(column, label, shown, name, kind, colour, text, extra=""):
        before = None if p is None else p.get(name)
        column.metric(
            label,
            shown,
            delta=change_text(o.get(name), before, kind),
            delta_color=colour,
            help=text + compare,
        )
        notes = [extra, "" if p is None else previous_text(before, kind)]
        if any(notes):
            column.caption(" · ".join(n for n in notes if n))

    first = st.columns(6)
    goal_text = "goal differs by channel" if goal is None else f"goal {goal:g} %"
    tile(
        first[0],
        "Service level",
        _pct(o["service_level_percent"]),
        "service_level_percent",
        "percent",
        "normal",
        "Met ÷ (met + missed) × 100 over contacts that arrived in the period. Met: first "
        "response within the target of the policy in force at arrival (exactly at target "
        "is met). Missed: answered late; still open and already past target (counted now, "
        "not when answered); closed without a reply after the target; abandons as the rule "
        "says. Open and within target = pending, not counted. "
        f"Abandon rule: {rule_text}. Clock: {clock_text}. "
        f"Now: {o['met']:,} met, {o['missed']:,} missed, {o['pending']:,} pending, "
        f"{o['excluded']:,} excluded.",
        extra=f"{goal_text} · n = {o['met'] + o['missed']:,}",
    )
    tile(
        first[1],
        "Breaches",
        f"{o['breaches']:,}",
        "breaches",
        "count",
        "inverse",
        "Contacts counted as missed now — the breaches list below, row for row. "
        f"Abandon rule: {rule_text}.",
    )
    tile(
        first[2],
        "Abandonment rate",
        _pct(o["abandonment_rate"]),
        "abandonment_rate",
        "percent",
        "inverse",
        "Abandoned ÷ (answered + abandoned) = "
        f"{o['abandoned']:,} ÷ ({o['answered']:,} + {o['abandoned']:,}). Abandoned: no "
        "response and an abandon time, whatever the abandon rule.",
    )
    tile(
        first[3],
        "Answer rate",
        _pct(o["answer_rate"]),
        "answer_rate",
        "percent",
        "normal",
        f"Answered ÷ offered = {o['answered']:,} ÷ {o['offered']:,} (offered: inbound "
        "arrivals in the period, by arrival time).",
    )
    tile(
        first[4],
        "AHT",
        format_seconds(o["aht_seconds"]),
        "aht_seconds",
        "seconds",
        "off",
        "Average handle time: mean handle_seconds of the "
        f"{o['handled']:,} contacts with a recorded handle time.",
    )
    csat_tile(
        first[5],
        o,
        delta=None if p is None else change_text(o["csat_percent"], p["csat_percent"], "percent"),
        previous=None if p is None else previous_text(p["csat_percent"], "percent"),
    )
    for clock, figures in by_clock.items():
        before = None if previous_by_clock is None else previous_by_clock.get(clock)
        clock_tiles(
            clock, figures, before, clock_text=clock_text + "." + compare, compared=p is not None
        )


def clock_tiles(
    clock: str,
    figures: FrtSummary,
    before: FrtSummary | None,
    *,
    clock_text: str,
    compared: bool = True,
) -> None:
    """One clock's response KPIs: ASA (mean wait of answered contacts), FRT median and p90,
    with the change from `before` (the previous period's figures of this clock)."""
    name = CLOCK_LABELS[clock]
    columns = st.columns([2, 3, 3, 3])
    unit = "seconds" if clock == "live" else "minutes and hours"
    columns[0].markdown(f"**{name.capitalize()}**")
    columns[0].caption(f"{unit} · n = {figures.n:,} answered")
    asa_label = "ASA" if clock == "live" else "Mean first response"
    tiles = (
        (
            asa_label,
            "mean",
            "Average speed of answer: mean wait of answered contacts only (total FRT ÷ "
            f"{figures.n:,} answered). Unanswered and abandoned contacts are not in it — "
            "dividing by all offered would understate the wait.",
        ),
        (
            "FRT median",
            "median",
            "Median first response time (first agent response − arrival; for a thread, from "
            f"the customer's first message, one figure per conversation) of the {figures.n:,} "
            f"answered contacts; percentiles by linear interpolation. {PERCENTILE_NOTE}",
        ),
        (
            "FRT p90",
            "p90",
            "90th percentile of first response time: nine in ten answered contacts got their "
            f"first reply within this (n = {figures.n:,}). {PERCENTILE_NOTE}",
        ),
    )
    for column, (label, field, text) in zip(columns[1:], tiles, strict=True):
        value = getattr(figures, field)
        previous = None if before is None else getattr(before, field)
        column.metric(
            f"{label} ({name})",
            format_seconds(value),
            delta=change_text(value, previous, "seconds"),
            delta_color="inverse",
            help=f"{text} Only {name} contacts: their clock is not the other channels'. "
            f"Clock: {clock_text}",
        )
        if compared:
            column.caption(previous_text(previous, "seconds"))


def csat_tile(
    column, figures: dict[str, Any], *, delta: str | None = None, previous: str | None = None
) -> None:
    """CSAT with its mean and the number rated under it ("no ratings" when none, never 0 %).

    Args:
        column: the Streamlit container to draw in.
        figures: csat_percent, csat_mean, csat_rated, csat_satisfied (`queries.csat.csat_overall`).
        delta / previous: the change from the previous period (`change_text`) and that
            period's value (`previous_text`), if compared.
    """
    rated = figures["csat_rated"]
    column.metric(
        "CSAT",
        csat_text(figures["csat_percent"]),
        delta=delta,
        help=(
            "Share of ratings 4 or 5 among rated contacts: "
            f"{figures['csat_satisfied']:,} ÷ {rated:,} rated. Unrated contacts are not in the "
            "denominator; with no rating in the period there is no CSAT. The mean rating (1–5) "
            "is a secondary figure."
        ),
    )
    counted = f"mean {figures['csat_mean']:.2f} of 5 · {rated:,} rated" if rated else "0 rated"
    column.caption(counted + ("" if previous is None else f" · {previous}"))


def _when(value: Any, tz: str) -> str:
    """A tz-aware time of the detail as local text with the zone named, to the second."""
    return format_datetime(value, tz, seconds=True)


def interaction_panel(detail: dict[str, Any] | None, tz: str) -> None:
    """The selected interaction: who, where, when (local in `tz`, zone named), FRT, its text
    and its conversation."""
    if detail is None:
        st.warning("That interaction no longer exists.")
        return
    st.markdown(
        f"**Interaction {detail['id']}** · {markdown_text(detail['channel'])} · "
        f"queue {markdown_text(detail['queue'])}"
    )
    facts = {
        "Status": detail["status"],
        "Public": "yes" if detail["is_public"] else "no",
        "Priority": detail["priority"],
        "Topic": detail.get("topic") or "—",
        "Customer": detail.get("customer") or "—",
        "Agent": f"{detail['agent']} ({detail['team']})" if detail.get("agent") else "—",
        "Arrived": _when(detail["created_at"], tz),
        "First response": _when(detail["first_response_at"], tz),
        "FRT": format_seconds(detail["frt_seconds"]),
        "Abandoned": _when(detail["abandoned_at"], tz),
        "Resolved": _when(detail["resolved_at"], tz),
        "Handle time": format_seconds(detail["handle_seconds"]),
        "External id": detail["external_id"],
    }
    fact_table = pd.DataFrame({"Field": list(facts), "Value": [str(v) for v in facts.values()]})
    st.dataframe(fact_table, hide_index=True, key="sl_detail_facts")
    csv_download(fact_table, key="sl_detail_facts_csv", file_name=f"interaction-{detail['id']}.csv")
    with st.container(border=True):
        st.caption("Message")
        st.text(detail.get("body") or "(no text)")
    thread = detail["conversation"]
    if len(thread) > 1:
        shown = thread.assign(
            arrival_local=[format_datetime(t, tz) for t in thread["arrival_local"]]
        )
        st.caption(f"Conversation: {len(thread)} messages")
        thread_table = shown.rename(
            columns={"id": "ID", "arrival_local": "Arrival", "status": "Status", "body": "Text"}
        )
        st.dataframe(thread_table, hide_index=True, key="sl_detail_thread")
        csv_download(
            thread_table, key="sl_detail_thread_csv", file_name=f"conversation-{detail['id']}.csv"
        )
