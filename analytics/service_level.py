"""Service level: which contacts met the SLA target, and the period's headline figures.

One rule set serves both paths: `classify` (rows of interactions) and `service_level_from_counts`
(rollup counts) first sort every contact into a *kind* (answered in time, answered late,
abandoned, abandoned short, unanswered past target, …) and then map the kind to an outcome with
the same table, `outcome_of(kind, abandon_rule)`. Changing the rules in that table changes both.

Definitions (as on the charts' help):
- met: answered with FRT ≤ target (exactly at target is met); missed: answered with FRT > target.
- still unanswered and already past target: missed (breached) now, not when answered later;
  still open within target (age ≤ target): pending, not in the denominator.
- abandoned (no response, abandoned_at set): abandon_rule `fail` → missed; `exclude` → out of
  the denominator; `exclude_short` → excluded when the wait was under short_abandon_seconds,
  missed otherwise.
- service level % = met / (met + missed) × 100; None when met + missed = 0 ("no data").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.distributions import frt_summary

ABANDON_RULES = ("fail", "exclude", "exclude_short")
OUTCOMES = ("met", "missed", "pending", "excluded")

# Kinds of contact, decided from the timestamps alone (independent of the abandon rule).
ANSWERED_MET = "answered_met"
ANSWERED_MISSED = "answered_missed"
ABANDONED = "abandoned"  # abandoned at or after the short-abandon threshold
ABANDONED_SHORT = "abandoned_short"  # abandoned before the short-abandon threshold
UNANSWERED_BREACHED = "unanswered_breached"  # no reply, past target (at now, or when closed)
OPEN_WITHIN_TARGET = "open_within_target"  # still open, age ≤ target at now
CLOSED_WITHIN_TARGET = "closed_within_target"  # closed without a reply before the target passed

# The one place the SLA rules live: kind -> outcome, per abandon rule.
_OUTCOME_BY_KIND: dict[str, str] = {
    ANSWERED_MET: "met",
    ANSWERED_MISSED: "missed",
    UNANSWERED_BREACHED: "missed",
    OPEN_WITHIN_TARGET: "pending",
    CLOSED_WITHIN_TARGET: "excluded",
}
_ABANDON_OUTCOMES: dict[str, dict[str, str]] = {
    "fail": {ABANDONED: "missed", ABANDONED_SHORT: "missed"},
    "exclude": {ABANDONED: "excluded", ABANDONED_SHORT: "excluded"},
    "exclude_short": {ABANDONED: "missed", ABANDONED_SHORT: "excluded"},
}


@dataclass(frozen=True)
class Policy:
    """An SLA policy: reply within `target_seconds`; the goal is `goal_percent` % of contacts.

    abandon_rule: "fail" (abandons are misses), "exclude" (abandons leave the denominator) or
    "exclude_short" (abandons after waiting under `short_abandon_seconds` leave the denominator,
    longer ones are misses).
    """

    target_seconds: int
    goal_percent: float
    abandon_rule: str = "fail"
    short_abandon_seconds: int = 5

    def __post_init__(self) -> None:
        if self.abandon_rule not in ABANDON_RULES:
            raise ValueError(
                f"abandon_rule must be one of {', '.join(ABANDON_RULES)}; got {self.abandon_rule!r}"
            )
        if self.target_seconds <= 0:
            raise ValueError(f"target_seconds must be positive; got {self.target_seconds}")
        if not 0 < self.goal_percent <= 100:
            raise ValueError(f"goal_percent must be in (0, 100]; got {self.goal_percent}")
        if self.short_abandon_seconds < 0:
            raise ValueError(
                f"short_abandon_seconds must be 0 or more; got {self.short_abandon_seconds}"
            )


@dataclass(frozen=True)
class ServiceLevelSummary:
    """Headline figures of a period (see each field; rates are percentages 0–100).

    offered: contacts in the frame (inbound arrivals of the period).
    answered: contacts with a first response. abandoned: no response, abandoned_at set.
    met / missed / pending / excluded: SLA outcomes (see `classify`).
    service_level_percent: met / (met + missed) × 100; None when met + missed = 0.
    answer_rate: answered / offered × 100 (None when nothing offered).
    abandonment_rate: abandoned / (answered + abandoned) × 100 (None when both are 0).
    asa_seconds: mean FRT of answered contacts only (average speed of answer; the same figure
        as frt_mean — ASA is its voice/chat name). None when nothing was answered.
    aht_seconds: mean handle_seconds over contacts that have one (None when none have).
    backlog: contacts still open and unanswered at `now` (not abandoned, not closed).
    oldest_waiting_seconds: age at `now` of the oldest of those; None when the backlog is empty.
    frt_median / frt_p90 / frt_mean: FRT of answered contacts (linear-interpolation percentiles).
    abandon_rule / goal_percent: the policy the figures were computed under (for chart labels).
    """

    offered: int
    answered: int
    abandoned: int
    met: int
    missed: int
    pending: int
    excluded: int
    service_level_percent: float | None
    answer_rate: float | None
    abandonment_rate: float | None
    asa_seconds: float | None
    aht_seconds: float | None
    backlog: int
    oldest_waiting_seconds: float | None
    frt_median: float | None
    frt_p90: float | None
    frt_mean: float | None
    abandon_rule: str
    goal_percent: float

    @property
    def meets_goal(self) -> bool | None:
        """True when service_level_percent ≥ goal_percent; None when there is no service level."""
        if self.service_level_percent is None:
            return None
        return self.service_level_percent >= self.goal_percent


def outcome_of(kind: str, abandon_rule: str) -> str:
    """The SLA outcome ("met", "missed", "pending", "excluded") of a contact kind under a rule.

    answered within target → met; answered late → missed; unanswered past target (now, or when
    closed without a reply) → missed; open within target → pending; closed without a reply
    within target → excluded; abandoned → per the rule (fail: missed; exclude: excluded;
    exclude_short: excluded when the wait was under the short threshold, else missed).
    """
    if abandon_rule not in ABANDON_RULES:
        raise ValueError(f"unknown abandon_rule {abandon_rule!r}")
    if kind in _OUTCOME_BY_KIND:
        return _OUTCOME_BY_KIND[kind]
    return _ABANDON_OUTCOMES[abandon_rule][kind]


def _outcome_table(abandon_rule: str) -> dict[str, str]:
    return {**_OUTCOME_BY_KIND, **_ABANDON_OUTCOMES[abandon_rule]}


def _percent(part: int | float, whole: int | float) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def service_level_from_counts(
    met: int,
    answered_missed: int,
    abandoned: int,
    abandoned_short: int,
    open_breached: int,
    rule: str,
) -> tuple[int, int, float | None]:
    """(met, missed, service level %) from counts, e.g. the 15-minute rollups.

    met: answered with FRT ≤ target. answered_missed: answered with FRT > target.
    abandoned: all abandoned contacts, *including* abandoned_short (those that waited less than
    the short-abandon threshold). open_breached: unanswered, not abandoned, and past target
    (at now, or at closure for contacts closed without a reply).
    The outcome of each count comes from `outcome_of`, the same table `classify` uses;
    service level % = met / (met + missed) × 100, None when met + missed = 0.
    """
    if rule not in ABANDON_RULES:
        raise ValueError(f"unknown abandon_rule {rule!r}")
    if not 0 <= abandoned_short <= abandoned:
        raise ValueError("abandoned_short must be between 0 and abandoned (it is a subset)")
    counts = {
        ANSWERED_MET: met,
        ANSWERED_MISSED: answered_missed,
        ABANDONED: abandoned - abandoned_short,
        ABANDONED_SHORT: abandoned_short,
        UNANSWERED_BREACHED: open_breached,
    }
    table = _outcome_table(rule)
    total_met = sum(n for kind, n in counts.items() if table[kind] == "met")
    total_missed = sum(n for kind, n in counts.items() if table[kind] == "missed")
    return total_met, total_missed, _percent(total_met, total_met + total_missed)


def _naive_utc_timestamp(value: datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def _naive_utc_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    column = pd.to_datetime(frame[name])
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return column


def _seconds(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds()


def _contact_facts(
    frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp
) -> pd.DataFrame:
    """Per row: kind, frt (answered only), age at now (open only), and the flags behind them."""
    missing = {"created_at", "first_response_at"} - set(frame.columns)
    if missing:
        raise ValueError(f"service level needs columns {sorted(missing)}")
    now_ts = _naive_utc_timestamp(now)
    created = _naive_utc_column(frame, "created_at")
    responded = _naive_utc_column(frame, "first_response_at")
    abandoned_at = _naive_utc_column(frame, "abandoned_at")
    resolved_at = _naive_utc_column(frame, "resolved_at")

    if "target_seconds" in frame.columns:
        target = (
            pd.to_numeric(frame["target_seconds"], errors="coerce")
            .fillna(policy.target_seconds)
            .astype(float)
        )
    else:
        target = pd.Series(float(policy.target_seconds), index=frame.index)

    answered = responded.notna()
    frt = _seconds(responded - created).where(answered)
    if "frt_seconds" in frame.columns:
        given = pd.to_numeric(frame["frt_seconds"], errors="coerce")
        frt = given.where(given.notna() & answered, frt)

    # A reply wins over a later abandon/close stamp: the customer was answered.
    abandoned = ~answered & abandoned_at.notna()
    closed = ~answered & ~abandoned & resolved_at.notna()
    is_open = ~answered & ~abandoned & ~closed
    abandon_wait = _seconds(abandoned_at - created)
    age_now = _seconds(now_ts - created)
    age_at_close = _seconds(resolved_at - created)

    kind = np.select(
        [
            answered & (frt <= target),
            answered,
            abandoned & (abandon_wait < policy.short_abandon_seconds),
            abandoned,
            is_open & (age_now > target),
            is_open,
            closed & (age_at_close > target),
            closed,
        ],
        [
            ANSWERED_MET,
            ANSWERED_MISSED,
            ABANDONED_SHORT,
            ABANDONED,
            UNANSWERED_BREACHED,
            OPEN_WITHIN_TARGET,
            UNANSWERED_BREACHED,
            CLOSED_WITHIN_TARGET,
        ],
        default=OPEN_WITHIN_TARGET,
    )
    return pd.DataFrame(
        {
            "kind": kind,
            "answered": answered,
            "abandoned": abandoned,
            "open": is_open,
            "frt": frt,
            "age_now": age_now.where(is_open),
        },
        index=frame.index,
    )


def classify(frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp) -> pd.Series:
    """Each contact's SLA outcome at `now`: "met", "missed", "pending" or "excluded".

    Frame columns: created_at, first_response_at (required) and abandoned_at (naive UTC
    datetimes, NaT when absent; tz-aware values are converted to UTC). Optional: frt_seconds
    (a precomputed FRT, e.g. business-hours FRT, used instead of first_response_at − created_at
    where present), target_seconds (per-row target, e.g. from the policy in force per channel;
    blank rows use policy.target_seconds), resolved_at (closure time). A missing optional
    timestamp column is read as all NaT.
    Rules: answered with FRT ≤ target → met, FRT > target → missed. No reply and abandoned →
    by policy.abandon_rule (fail: missed; exclude: excluded; exclude_short: excluded when
    abandoned_at − created_at < short_abandon_seconds, else missed). No reply, not abandoned,
    still open: age at now > target → missed (breached now), age ≤ target → pending. Closed
    without a reply (resolved_at set): missed if it waited past target before closure,
    otherwise excluded (nothing was owed in time). A reply wins over abandon/close stamps.
    """
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object, name="outcome")
    facts = _contact_facts(frame, policy, now)
    return facts["kind"].map(_outcome_table(policy.abandon_rule)).rename("outcome")


def service_level_summary(
    frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp
) -> ServiceLevelSummary:
    """The period's service level and related figures at `now` (see ServiceLevelSummary).

    Uses the same columns and rules as `classify`; also reads handle_seconds when present (for
    AHT). An empty frame gives zero counts and None for every ratio and average ("no data").
    """
    if frame.empty:
        return ServiceLevelSummary(
            offered=0,
            answered=0,
            abandoned=0,
            met=0,
            missed=0,
            pending=0,
            excluded=0,
            service_level_percent=None,
            answer_rate=None,
            abandonment_rate=None,
            asa_seconds=None,
            aht_seconds=None,
            backlog=0,
            oldest_waiting_seconds=None,
            frt_median=None,
            frt_p90=None,
            frt_mean=None,
            abandon_rule=policy.abandon_rule,
            goal_percent=policy.goal_percent,
        )
    facts = _contact_facts(frame, policy, now)
    outcome = facts["kind"].map(_outcome_table(policy.abandon_rule))
    counts = outcome.value_counts()
    met = int(counts.get("met", 0))
    missed = int(counts.get("missed", 0))
    offered = len(frame)
    answered = int(facts["answered"].sum())
    abandoned = int(facts["abandoned"].sum())
    frt = frt_summary(facts["frt"][facts["answered"]])

    aht = None
    if "handle_seconds" in frame.columns:
        handle = pd.to_numeric(frame["handle_seconds"], errors="coerce").dropna()
        aht = float(handle.mean()) if len(handle) else None

    waiting_ages = facts["age_now"][facts["open"]]
    backlog = int(facts["open"].sum())
    oldest = max(float(waiting_ages.max()), 0.0) if backlog else None

    return ServiceLevelSummary(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        met=met,
        missed=missed,
        pending=int(counts.get("pending", 0)),
        excluded=int(counts.get("excluded", 0)),
        service_level_percent=_percent(met, met + missed),
        answer_rate=_percent(answered, offered),
        abandonment_rate=_percent(abandoned, answered + abandoned),
        asa_seconds=frt.mean,
        aht_seconds=aht,
        backlog=backlog,
        oldest_waiting_seconds=oldest,
        frt_median=frt.median,
        frt_p90=frt.p90,
        frt_mean=frt.mean,
        abandon_rule=policy.abandon_rule,
        goal_percent=policy.goal_percent,
    )


def kind_counts(
    frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp
) -> dict[str, int]:
    """How many contacts of each kind (answered_met, answered_missed, abandoned, abandoned_short,
    unanswered_breached, open_within_target, closed_within_target) the frame holds at `now`.

    `abandoned` here counts only the abandons at or over the short threshold; pass
    kinds[ABANDONED] + kinds[ABANDONED_SHORT] as the total to `service_level_from_counts`.
    """
    kinds = (
        _contact_facts(frame, policy, now)["kind"]
        if not frame.empty
        else pd.Series([], dtype=object)
    )
    found = kinds.value_counts()
    every_kind = (*_OUTCOME_BY_KIND, ABANDONED, ABANDONED_SHORT)
    return {kind: int(found.get(kind, 0)) for kind in every_kind}
