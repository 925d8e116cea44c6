"""Agent quality tables: scores with n, intervals and auto-fail rate (the CSV is this table), the
per-criterion breakdown, and one agent's reviews for the drill-down."""

from __future__ import annotations

import pandas as pd

from components.qa_interaction import local_time
from components.theme import channel_label


def _rounded(values: pd.Series, digits: int = 1) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round(digits)


def quality_table(scores: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """One row per agent or team in rank order, too-few groups last (the table and its CSV)."""
    # Unranked groups (too few reviews) show a dash, not a missing value.
    table = pd.DataFrame({"Rank": scores["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r)))})
    if by == "agent":
        table["Agent"] = scores["agent"]
    table["Team"] = scores["team"]
    table["Reviews (n)"] = scores["n"].astype(int)
    table["QA score"] = _rounded(scores["mean"])
    table["95 % low"] = _rounded(scores["ci_low"])
    table["95 % high"] = _rounded(scores["ci_high"])
    table["Auto-fails"] = scores["auto_fails"].astype(int)
    table["Auto-fail rate %"] = _rounded(scores["auto_fail_rate"] * 100)
    table["Auto-fail 95 % low %"] = _rounded(scores["auto_fail_low"] * 100)
    table["Auto-fail 95 % high %"] = _rounded(scores["auto_fail_high"] * 100)
    table["Status"] = scores["status"]
    return table.reset_index(drop=True)


def criterion_table(breakdown: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Per group and criterion: mean % of max points over rated, rated, N/A, critical fails."""
    table = pd.DataFrame()
    if by == "agent":
        table["Agent"] = breakdown["agent"]
    table["Team"] = breakdown["team"]
    table["Criterion"] = breakdown["criterion"]
    table["Critical"] = breakdown["critical"].map({True: "critical", False: ""})
    table["Mean % of max points"] = _rounded(breakdown["mean_percent"])
    table["Rated"] = breakdown["rated"]
    table["N/A"] = breakdown["not_applicable"]
    table["Critical fails"] = breakdown["fails"]
    return table.reset_index(drop=True)


def overall_criteria(breakdown: pd.DataFrame) -> pd.DataFrame:
    """The breakdown over every group: per criterion, mean % over all rated (not a mean of
    means), rated, N/A and fails."""
    if breakdown.empty:
        return pd.DataFrame(columns=["Criterion", "Critical", "Mean % of max points"])
    frame = breakdown.assign(percent_sum=breakdown["mean_percent"].fillna(0) * breakdown["rated"])
    rolled = frame.groupby(["criterion", "critical"], sort=True)[
        ["rated", "not_applicable", "percent_sum", "fails"]
    ].sum()
    rolled = rolled.reset_index()
    rolled["mean_percent"] = rolled["percent_sum"] / rolled["rated"].where(rolled["rated"] > 0)
    rolled["team"] = "All"
    return criterion_table(rolled, by="team").drop(columns="Team")


def reviews_table(reviews: pd.DataFrame, *, tz: str) -> pd.DataFrame:
    """One agent's counted reviews, newest first."""
    ordered = reviews.sort_values(["submitted_at", "review_id"], ascending=False)
    return pd.DataFrame(
        {
            "Review": ordered["review_id"],
            "Interaction": ordered["interaction_id"],
            "Channel": ordered["channel_id"].map(channel_label),
            "Reviewer": ordered["reviewer"],
            "Submitted": ordered["submitted_at"].map(lambda v: local_time(v, tz)),
            "Score": _rounded(ordered["score"]),
            "Auto-failed": ordered["auto_failed"].map({True: "auto-fail", False: ""}),
        }
    ).reset_index(drop=True)
