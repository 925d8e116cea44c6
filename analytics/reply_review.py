"""Reply review rules: which replies need review, which decisions are allowed, what review costs.

- `matching_rules`: the admin's review rules a public reply is caught by (topic, negative post,
  author reach, agent in their first weeks, compensation/legal wording).
- `next_state`: the review state machine; a forbidden transition raises `TransitionError` with
  the message the reviewer sees (e.g. approving a rejected draft without a new version).
- Approval analytics: turnaround (decision time − submitted for review) median and p90, outcome
  shares by reason/rule/reviewer, queue size over time, and the FRT review adds on public social:
  median FRT of contacts whose first reply went through review − that of those that did not,
  same channel and ISO week (centre time zone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.distributions import percentile

RULE_KINDS = ("topic", "negative", "reach", "new_agent", "wording")
RULE_KIND_LABELS = {
    "topic": "topic — public replies on this topic",
    "negative": "negative post — sentiment at or below the threshold",
    "reach": "reach — author followers at or above the threshold",
    "new_agent": "new agent — author in their first N weeks (threshold = N)",
    "wording": "wording — draft contains one of the words",
}
OUTCOMES = ("approved", "edited", "rejected", "moved_private")
OUTCOME_LABELS = {
    "approved": "approved",
    "edited": "edited and approved",
    "rejected": "rejected",
    "moved_private": "moved to private",
}
REJECT_REASONS = (
    "Personal data in public",
    "Tone",
    "Promises compensation we can't confirm",
    "Inconsistent with the playbook",
    "Factually wrong",
    "Should move to private",
    "Other",
)
# action -> (states it may start from, state after, outcome recorded)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str | None]] = {
    "approve": (frozenset({"pending_review"}), "published", "approved"),
    "edit_approve": (frozenset({"pending_review"}), "published", "edited"),
    "reject": (frozenset({"pending_review"}), "rejected", "rejected"),
    "move_private": (frozenset({"pending_review"}), "published", "moved_private"),
    "resubmit": (frozenset({"draft", "rejected"}), "pending_review", None),
}
_STATE_NOTES = {
    "draft": "it has not been submitted for review yet",
    "rejected": "it was rejected; the agent must submit a new version first",
    "approved": "it was already approved",
    "published": "it was already decided and has gone out",
    "pending_review": "it is waiting for review",
}


class TransitionError(ValueError):
    """A review action not allowed from the reply's state; the message says why."""


@dataclass(frozen=True)
class Decision:
    """What a review action does: the state after it and the outcome it records."""

    state: str
    outcome: str | None


def next_state(
    state: str, action: str, *, body_changed: bool = False, reason: str | None = None
) -> Decision:
    """The state after `action` on a reply in `state`, or TransitionError."""
    if action not in TRANSITIONS:
        raise TransitionError(f"Unknown action {action!r}.")
    allowed, after, outcome = TRANSITIONS[action]
    verb = action.replace("_", " ")
    if state not in allowed:
        raise TransitionError(f"Cannot {verb} this reply: {_STATE_NOTES.get(state, state)}.")
    if action == "edit_approve" and not body_changed:
        raise TransitionError("Nothing was edited: use Approve to send the draft as it is.")
    if action == "resubmit" and state == "rejected" and not body_changed:
        raise TransitionError("A rejected draft goes back for review only with a new version.")
    if action == "reject" and reason not in REJECT_REASONS:
        raise TransitionError("Pick a reason from the list to reject a draft.")
    return Decision(after, outcome)


def _words(text: str | None) -> list[str]:
    return [w.strip().lower() for w in (text or "").split(",") if w.strip()]


def _contains(body: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", body.lower()) is not None


def matching_rules(
    rules: Iterable[Mapping[str, Any]],
    *,
    is_public: bool,
    topic: str | None,
    sentiment: float | None,
    reach: int | None,
    agent_weeks: float | None,
    body: str,
) -> list[str]:
    """Names of the active rules that catch a reply (only public replies are reviewed).

    topic: the post's topic equals the rule's; negative: sentiment ≤ threshold; reach: author
    reach ≥ threshold; new_agent: the author has worked fewer than `threshold` weeks (unknown
    tenure counts as new); wording: the draft holds one of the rule's comma-separated words.
    """
    if not is_public:
        return []
    caught = []
    for rule in rules:
        if not rule.get("active", True):
            continue
        kind, threshold = rule["kind"], rule.get("threshold")
        hit = False
        if kind == "topic":
            hit = topic is not None and (rule.get("topic") or "") == topic
        elif kind == "negative":
            hit = sentiment is not None and threshold is not None and sentiment <= threshold
        elif kind == "reach":
            hit = reach is not None and threshold is not None and reach >= threshold
        elif kind == "new_agent":
            hit = threshold is not None and (agent_weeks is None or agent_weeks < threshold)
        elif kind == "wording":
            hit = any(_contains(body, w) for w in _words(rule.get("words")))
        if hit:
            caught.append(str(rule["name"]))
    return caught


def split_rules(text: str | None) -> list[str]:
    """The rule names stored on a reply (one per line)."""
    return [r for r in (text or "").split("\n") if r]


def join_rules(names: Sequence[str]) -> str | None:
    return "\n".join(names) or None


@dataclass(frozen=True)
class Turnaround:
    """Review turnaround (decision − submitted) in seconds over n decided replies."""

    median: float | None
    p90: float | None
    n: int


def turnaround(decided: pd.DataFrame) -> Turnaround:
    """Median and p90 of reviewed_at − submitted_at over replies with both."""
    seconds = (decided["reviewed_at"] - decided["submitted_at"]).dt.total_seconds().dropna()
    return Turnaround(percentile(seconds, 50), percentile(seconds, 90), int(seconds.size))


def outcome_shares(decided: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share (%) of each outcome per value of `by` (reason / rule / reviewer).

    A reply caught by several rules counts once under each rule. Columns: group, outcome, count,
    total, share_percent; groups without a value are "(none)".
    """
    columns = ["group", "outcome", "count", "total", "share_percent"]
    frame = decided[decided["outcome"].isin(OUTCOMES)].copy()
    if by == "rule":
        frame["group"] = frame["rules"].map(lambda t: split_rules(t) or ["(none)"])
        frame = frame.explode("group")
    else:
        frame["group"] = frame[by]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["group"] = frame["group"].fillna("(none)").astype(str)
    counts = frame.groupby(["group", "outcome"]).size().rename("count").reset_index()
    counts["total"] = counts.groupby("group")["count"].transform("sum")
    counts["share_percent"] = 100.0 * counts["count"] / counts["total"]
    return counts.sort_values(["group", "outcome"]).reset_index(drop=True)[columns]


def queue_size(submitted: pd.DataFrame, moments: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """Replies waiting for review at each moment: submitted at or before it, not yet decided.

    Columns: at, waiting.
    """
    start = submitted["submitted_at"].to_numpy(dtype="datetime64[ns]")
    end = submitted["reviewed_at"].to_numpy(dtype="datetime64[ns]")
    rows = []
    for moment in moments:
        t = np.datetime64(pd.Timestamp(moment).to_datetime64(), "ns")
        waiting = (start <= t) & (np.isnat(end) | (end > t))
        rows.append({"at": pd.Timestamp(moment), "waiting": int(waiting.sum())})
    return pd.DataFrame(rows, columns=["at", "waiting"])


def added_frt(contacts: pd.DataFrame, tz: str) -> pd.DataFrame:
    """FRT added by review per channel and ISO week (of the contact's arrival in `tz`).

    `contacts`: public social contacts answered, with channel_id, created_at (naive UTC),
    frt_seconds and reviewed (their first reply went through review). Columns: channel_id,
    week (the Monday), median_reviewed, n_reviewed, median_direct, n_direct, added_seconds
    (NaN when either side has no contact that week).
    """
    columns = [
        "channel_id",
        "week",
        "median_reviewed",
        "n_reviewed",
        "median_direct",
        "n_direct",
        "added_seconds",
    ]
    if contacts.empty:
        return pd.DataFrame(columns=columns)
    frame = contacts.copy()
    local = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz)
    frame["week"] = (local.dt.normalize() - pd.to_timedelta(local.dt.weekday, unit="D")).dt.date
    rows = []
    for (channel, week), group in frame.groupby(["channel_id", "week"], sort=True):
        reviewed = group.loc[group["reviewed"].astype(bool), "frt_seconds"]
        direct = group.loc[~group["reviewed"].astype(bool), "frt_seconds"]
        median_reviewed = percentile(reviewed, 50)
        median_direct = percentile(direct, 50)
        added = (
            median_reviewed - median_direct
            if median_reviewed is not None and median_direct is not None
            else np.nan
        )
        rows.append(
            {
                "channel_id": channel,
                "week": week,
                "median_reviewed": np.nan if median_reviewed is None else median_reviewed,
                "n_reviewed": int(reviewed.size),
                "median_direct": np.nan if median_direct is None else median_direct,
                "n_direct": int(direct.size),
                "added_seconds": added,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def time_left(created_at: pd.Series, target_seconds: pd.Series, now: pd.Timestamp) -> pd.Series:
    """Seconds left to the SLA target (negative: already past it); NaN without a target."""
    age = (pd.Timestamp(now) - pd.to_datetime(created_at)).dt.total_seconds()
    return target_seconds.astype(float) - age
