"""The QA sampling form: the rule's widgets, the preview (agent × channel counts, agents short of
the quota), assigning the run to reviewers with an idempotency key per form instance, and the
list of past runs with a re-draw check."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from analytics.periods import day_bounds
from analytics.qa_sampling import SampleDraw, SamplingRule
from analytics.time_text import format_datetime, local_moment
from components.plain_text import markdown_text
from components.report_filters import period_label, utc_bounds
from components.theme import channel_label
from queries.writes import ValidationError

TOKEN_KEY = "qa_sample_form_token"
SEED_KEY = "qa_sample_seed"
SEED_DEFAULT_KEY = "qa_sample_seed_opening"


def sampling_rule(
    agents: pd.DataFrame,
    channels: list[str],
    *,
    tz: str,
    today: date,
    default_quota: int,
) -> tuple[SamplingRule | None, str]:
    """The rule's widgets; returns the rule (None with a message when it is not valid) and the
    period's label."""
    first, last = today - timedelta(days=7), today - timedelta(days=1)
    picked = st.date_input(
        "Contacts that ended between",
        value=(first, last),
        max_value=today,
        key="qa_sample_period",
        format="DD/MM/YYYY",
    )
    days = tuple(picked) if isinstance(picked, list | tuple) else (picked,)
    first, last = (days[0], days[-1]) if days else (first, last)
    start, end = utc_bounds(first, last, tz)
    left, middle, right = st.columns(3)
    chosen_channels = left.multiselect(
        "Channels", channels, default=channels, key="qa_sample_channels", format_func=channel_label
    )
    teams = middle.multiselect(
        "Teams (none = all)", sorted(agents["team"].unique()), key="qa_sample_teams"
    )
    names = dict(zip(agents["id"], agents["name"], strict=True))
    agent_ids = right.multiselect(
        "Agents (none = all)", list(names), key="qa_sample_agents", format_func=names.get
    )
    # A fresh seed per form instance, given as the widget's opening value (a value written to
    # the widget's own key before it exists reads as 0 in the browser after a page switch).
    opening_seed = st.session_state.setdefault(SEED_DEFAULT_KEY, secrets.randbelow(1_000_000))
    q, s, a, b = st.columns(4)
    quota = q.number_input(
        "Quota per agent", min_value=1, max_value=500, value=default_quota, key="qa_sample_quota"
    )
    seed = s.number_input(
        "Seed",
        min_value=0,
        value=opening_seed,
        step=1,
        key=SEED_KEY,
        help="The same rule, seed and data always draw the same sample.",
    )
    stratify = a.checkbox("Stratify by channel", value=True, key="qa_sample_stratify")
    exclude = b.checkbox("Exclude already reviewed", value=True, key="qa_sample_exclude")
    st.caption("Oversampling: share of each agent's quota drawn first from flagged contacts (%).")
    n, c, e = st.columns(3)
    shares = [
        column.number_input(label, 0, 100, 0, step=5, key=key) / 100
        for column, label, key in (
            (n, "Negative sentiment", "qa_sample_share_negative"),
            (c, "CSAT ≤ 2", "qa_sample_share_csat"),
            (e, "Escalations", "qa_sample_share_escalated"),
        )
    ]
    label = period_label(first, last)
    try:
        rule = SamplingRule(
            quota_per_agent=int(quota),
            seed=int(seed),
            stratify_by_channel=stratify,
            exclude_reviewed=exclude,
            negative_sentiment_share=shares[0],
            low_csat_share=shares[1],
            escalation_share=shares[2],
            period_start=start,
            period_end=end,
            channels=tuple(chosen_channels),
            agent_ids=tuple(int(i) for i in agent_ids),
            teams=tuple(teams),
        )
    except ValueError as error:
        return None, str(error)
    return rule, label


def preview_tables(draw: SampleDraw, agents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(drawn / eligible contacts per agent × channel, agents with fewer contacts than the
    quota) as shown."""
    names = dict(zip(agents["id"], agents["name"], strict=True))
    teams = dict(zip(agents["id"], agents["team"], strict=True))
    preview = draw.preview.assign(
        cell=lambda f: f["drawn"].astype(str) + " of " + f["contacts"].astype(str),
        channel=lambda f: f["channel"].map(channel_label),
    )
    grid = preview.pivot(index="agent_id", columns="channel", values="cell").fillna("—")
    totals = draw.preview.groupby("agent_id")[["drawn", "contacts"]].sum()
    grid["Drawn"] = totals["drawn"]
    grid["Eligible contacts"] = totals["contacts"]
    grid = grid.reset_index()
    grid.insert(1, "Agent", grid["agent_id"].map(names))
    grid.insert(2, "Team", grid["agent_id"].map(teams))
    grid = grid.drop(columns="agent_id").rename_axis(columns=None)
    short = pd.DataFrame(
        {
            "Agent": draw.short_agents["agent_id"].map(names),
            "Team": draw.short_agents["agent_id"].map(teams),
            "Eligible contacts": draw.short_agents["contacts"],
            "Quota": draw.short_agents["quota"],
        }
    )
    return grid, short


def show_preview(draw: SampleDraw, agents: pd.DataFrame, *, label: str) -> None:
    """The preview of what the rule draws now."""
    grid, short = preview_tables(draw, agents)
    st.markdown(
        f"**Preview — {label}:** {len(draw.sample)} contacts drawn for "
        f"{draw.sample['agent_id'].nunique()} agents."
    )
    st.caption("Each cell: contacts drawn of the agent's eligible contacts on that channel.")
    st.dataframe(grid, hide_index=True, key="qa_sample_preview")
    if short.empty:
        st.caption("Every agent in scope has at least the quota of eligible contacts.")
    else:
        st.warning(
            f"{len(short)} agents have fewer eligible contacts than the quota: all of theirs are "
            "drawn.",
            icon=":material/warning:",
        )
        st.dataframe(short, hide_index=True, key="qa_sample_short")


def form_token() -> str:
    """The idempotency key of this form instance (a double submit reuses it)."""
    if TOKEN_KEY not in st.session_state:
        st.session_state[TOKEN_KEY] = uuid.uuid4().hex
    return st.session_state[TOKEN_KEY]


def new_run_button() -> None:
    """Start a new form instance (a new idempotency key and a new seed)."""
    if st.button("Start a new run", key="qa_sample_new", icon=":material/restart_alt:"):
        for key in (TOKEN_KEY, SEED_KEY, SEED_DEFAULT_KEY):
            st.session_state.pop(key, None)
        st.rerun()


def assignment_inputs(
    reviewers: list[str], *, me: str, today: date, due_days: int, tz: str
) -> tuple[list[str], datetime, bool]:
    """Reviewers, the due moment (end of the chosen local day, UTC) and whether to store."""
    form_token()  # this form instance's key exists from its first run
    left, right = st.columns([2, 1])
    chosen = left.multiselect(
        "Assign to reviewers (shared evenly)",
        reviewers,
        default=[me] if me in reviewers else [],
        key="qa_sample_reviewers",
    )
    due = right.date_input(
        "Due by the end of",
        value=today + timedelta(days=due_days),
        min_value=today,
        key="qa_sample_due",
        format="DD/MM/YYYY",
    )
    stored = st.button(
        "Draw and assign", type="primary", key="qa_sample_submit", icon=":material/assignment:"
    )
    # The last second of the chosen local day (shown as 23:59, not as the next day's 00:00).
    return chosen, day_bounds(due, tz)[1] - timedelta(seconds=1), stored


def show_run_result(run: Any) -> None:
    """What the submit stored (or that it repeated the stored run)."""
    per = run.assignments.groupby("reviewer").size()
    split = ", ".join(f"{markdown_text(name)} {count}" for name, count in per.items())
    if run.created:
        st.success(
            f"Run {run.sample_id} stored: {len(run.drawn_ids)} contacts assigned ({split}).",
            icon=":material/check_circle:",
        )
    else:
        st.info(
            f"This form was already submitted as run {run.sample_id} ({split}); nothing new was "
            "stored. To draw another run, use **Start a new run**.",
            icon=":material/info:",
        )


def show_errors(error: ValidationError) -> None:
    """The run's validation messages; the form keeps its values."""
    lines = "\n".join(
        f"- **{markdown_text(k.replace('_', ' '))}**: {markdown_text(v)}"
        for k, v in error.field_errors.items()
    )
    st.error("Nothing was stored. Please correct:\n" + lines, icon=":material/error:")


def rule_period(rule: SamplingRule, tz: str) -> str:
    """The local days of the rule's [period_start, period_end) (naive UTC bounds), as
    '20–26 Nov 2026'; empty when the rule has no period."""
    if not (rule.period_start and rule.period_end):
        return ""
    first = local_moment(rule.period_start, tz).date()
    last = local_moment(rule.period_end - timedelta(microseconds=1), tz).date()
    return period_label(first, last)


def runs_table(runs: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Past runs as shown: id, who, when (local, zone named), seed, size and the rule in words
    (its period as local days)."""

    def words(text: str) -> str:
        rule = SamplingRule.from_json(text)
        parts = [f"quota {rule.quota_per_agent}"]
        if rule.period_start and rule.period_end:
            parts.append(f"ended {rule_period(rule, tz)}")
        parts.append("stratified" if rule.stratify_by_channel else "not stratified")
        shares = {k: v for k, v in rule.oversampling_shares().items() if v}
        parts += [f"{k.replace('_', ' ')} {v:.0%}" for k, v in shares.items()]
        return ", ".join(parts)

    return pd.DataFrame(
        {
            "Run": runs["id"],
            "By": runs["created_by"],
            "At": [format_datetime(t, tz) for t in runs["created_at"]],
            "Seed": runs["seed"],
            "Contacts": runs["size"],
            "Rule": runs["rule"].map(words),
        }
    )


def redraw_message(stored: list[int], redrawn: list[int]) -> tuple[bool, str]:
    """(identical?, the sentence) comparing a run's stored ids with a re-draw."""
    if sorted(stored) == sorted(redrawn):
        return True, f"Re-drawn identically: the same {len(stored)} contacts."
    missing, extra = set(stored) - set(redrawn), set(redrawn) - set(stored)
    return False, (
        f"The re-draw differs: {len(missing)} stored contacts not drawn again, {len(extra)} new "
        "ones (contacts of the period changed since the run)."
    )
