"""Service level: which contacts met the SLA target, and the period's headline figures.

The SLA rule is written once, here, as data: `STATE_RULES` says how a contact's state is read
from its timestamps (a reply wins over an abandon, an abandon over a closure; no stamp = still
open), how long it waited in that state and which comparison against which threshold sorts it
into a *kind*; `outcome_of(kind, abandon_rule)` maps the kind to met / missed / pending /
excluded. `classify` (pandas, below) and `db.sla_sql.sla_exprs` (SQL, for the rollup, the raw
aggregates and the live floor) are both built by walking these two tables, so a rule changed
here changes every route, and a rule changed anywhere else does not exist.

Definitions (as on the charts' help):
- met: answered with FRT ≤ target (exactly at target is met); missed: answered with FRT > target.
- still unanswered and already past target: missed (breached) now, not when answered later;
  still open within target (age ≤ target): pending, not in the denominator.
- abandoned (no response, abandoned_at set): abandon_rule `fail` → missed; `exclude` → out of
  the denominator; `exclude_short` → excluded when the wait was under short_abandon_seconds,
  missed otherwise.
- no SLA policy for the contact (its channel has none): no verdict, excluded — never judged
  against an invented target.
- service level % = met / (met + missed) × 100; None when met + missed = 0 ("no data").
"""

from __future__ import annotations

import operator
from collections.abc import Callable
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
NO_POLICY = "no_policy"  # no SLA policy covers the contact: no verdict


@dataclass(frozen=True)
class StateRule:
    """How contacts in one state are judged.

    A contact is in the first state (in STATE_RULES order) whose `ends_at` timestamp is set;
    `ends_at` None is the last state (still waiting: the wait runs to now). waited = ends_at −
    created_at; `compare(waited, threshold)` true → `kind_if_true`, else `kind_otherwise`.
    threshold is "target" (the policy's target_seconds) or "short" (short_abandon_seconds).
    """

    state: str
    ends_at: str | None
    threshold: str
    compare: Callable
    kind_if_true: str
    kind_otherwise: str


# The one statement of the SLA rule. Operators, not code: pandas Series and SQLAlchemy columns
# both understand them, so both builders apply exactly these comparisons.
STATE_RULES: tuple[StateRule, ...] = (
    StateRule(
        "answered", "first_response_at", "target", operator.le, ANSWERED_MET, ANSWERED_MISSED
    ),
    StateRule("abandoned", "abandoned_at", "short", operator.lt, ABANDONED_SHORT, ABANDONED),
    StateRule(
        "closed", "resolved_at", "target", operator.gt, UNANSWERED_BREACHED, CLOSED_WITHIN_TARGET
    ),
    StateRule("open", None, "target", operator.gt, UNANSWERED_BREACHED, OPEN_WITHIN_TARGET),
)
STATES: tuple[str, ...] = tuple(rule.state for rule in STATE_RULES)
OPEN_RULE = STATE_RULES[-1]

# kind -> outcome, per abandon rule (the abandon kinds depend on it, the others do not).
_OUTCOME_BY_KIND: dict[str, str] = {
    ANSWERED_MET: "met",
    ANSWERED_MISSED: "missed",
    UNANSWERED_BREACHED: "missed",
    OPEN_WITHIN_TARGET: "pending",
    CLOSED_WITHIN_TARGET: "excluded",
    NO_POLICY: "excluded",
}
_ABANDON_OUTCOMES: dict[str, dict[str, str]] = {
    "fail": {ABANDONED: "missed", ABANDONED_SHORT: "missed"},
    "exclude": {ABANDONED: "excluded", ABANDONED_SHORT: "excluded"},
    "exclude_short": {ABANDONED: "missed", ABANDONED_SHORT: "excluded"},
}
KINDS: tuple[str, ...] = (*_OUTCOME_BY_KIND, ABANDONED, ABANDONED_SHORT)


def past_target(waited_seconds, target_seconds):
    """True when a contact still waiting after `waited_seconds` has missed its target (the open
    state's rule: exactly at target is not yet missed). Works on numbers, Series and SQL."""
    return OPEN_RULE.compare(waited_seconds, target_seconds)


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


def _naive_utc_timestamp(value: datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp


def _naive_utc_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    column = frame[name]
    # pd.to_datetime walks every value of a column that already is datetime64 (to decide on
    # caching): 80 ms per 100k contacts for nothing.
    if not pd.api.types.is_datetime64_any_dtype(column):
        column = pd.to_datetime(column)
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return column


def _seconds(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds()


def _contact_facts(
    frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp
) -> pd.DataFrame:
    """Per row: state, kind, frt (answered only), age at now (open only), walking STATE_RULES."""
    missing = {"created_at", "first_response_at"} - set(frame.columns)
    if missing:
        raise ValueError(f"service level needs columns {sorted(missing)}")
    created = _naive_utc_column(frame, "created_at")
    if "target_seconds" in frame.columns:
        # A per-row target decides; a blank one means no policy covers the row (no verdict).
        target = pd.to_numeric(frame["target_seconds"], errors="coerce").astype(float)
    else:
        target = pd.Series(float(policy.target_seconds), index=frame.index)
    thresholds = {
        "target": target,
        "short": pd.Series(float(policy.short_abandon_seconds), index=frame.index),
    }
    now_column = pd.Series(_naive_utc_timestamp(now), index=frame.index)

    undecided = pd.Series(True, index=frame.index)
    state = pd.Series(OPEN_RULE.state, index=frame.index, dtype=object)
    waited_in_state = pd.Series(np.nan, index=frame.index)
    conditions, kinds = [target.isna()], [NO_POLICY]
    for rule in STATE_RULES:
        ends = now_column if rule.ends_at is None else _naive_utc_column(frame, rule.ends_at)
        in_state = undecided & ends.notna()
        waited = _seconds(ends - created)
        if rule.state == "answered" and "frt_seconds" in frame.columns:
            # A precomputed FRT (e.g. business hours) is the wait of an answered contact.
            given = pd.to_numeric(frame["frt_seconds"], errors="coerce")
            waited = given.where(given.notna(), waited)
        conditions += [in_state & rule.compare(waited, thresholds[rule.threshold]), in_state]
        kinds += [rule.kind_if_true, rule.kind_otherwise]
        state = state.where(~in_state, rule.state)
        waited_in_state = waited_in_state.where(~in_state, waited)
        undecided &= ~in_state
    answered = state == "answered"
    is_open = state == OPEN_RULE.state
    return pd.DataFrame(
        {
            "kind": np.select(conditions, kinds, default=NO_POLICY),
            "state": state,
            "answered": answered,
            "abandoned": state == "abandoned",
            "open": is_open,
            "waited": waited_in_state,
            "frt": waited_in_state.where(answered),
            "age_now": waited_in_state.where(is_open),
        },
        index=frame.index,
    )


def classify_contacts(
    frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp
) -> pd.DataFrame:
    """Per contact: outcome (as `classify`), state (answered / abandoned / closed / open) and
    waited_seconds (FRT, wait before abandoning, age at closure, or age at now)."""
    if frame.empty:
        return pd.DataFrame(
            {c: pd.Series([], dtype=object) for c in ("outcome", "state", "waited_seconds")},
            index=frame.index,
        )
    facts = _contact_facts(frame, policy, now)
    return pd.DataFrame(
        {
            "outcome": facts["kind"].map(_outcome_table(policy.abandon_rule)),
            "state": facts["state"],
            "waited_seconds": facts["waited"].astype(float),
        },
        index=frame.index,
    )


def classify(frame: pd.DataFrame, policy: Policy, now: datetime | pd.Timestamp) -> pd.Series:
    """Each contact's SLA outcome at `now`: "met", "missed", "pending" or "excluded".

    Frame columns: created_at, first_response_at (required) and abandoned_at (naive UTC
    datetimes, NaT when absent; tz-aware values are converted to UTC). Optional: frt_seconds
    (a precomputed FRT, e.g. business-hours FRT, used instead of first_response_at − created_at
    where present), target_seconds (per-row target, e.g. from the policy in force per channel;
    a blank one means no policy covers the row: excluded, no verdict; without the column every
    row takes policy.target_seconds), resolved_at (closure time). A missing optional
    timestamp column is read as all NaT.
    Rules: answered with FRT ≤ target → met, FRT > target → missed. No reply and abandoned →
    by policy.abandon_rule (fail: missed; exclude: excluded; exclude_short: excluded when
    abandoned_at − created_at < short_abandon_seconds, else missed). No reply, not abandoned,
    still open: age at now > target → missed (breached now), age ≤ target → pending. Closed
    without a reply (resolved_at set): missed if it waited past target before closure,
    otherwise excluded (nothing was owed in time). A reply wins over abandon/close stamps.
    """
    return classify_contacts(frame, policy, now)["outcome"].rename("outcome")


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

    `abandoned` here counts only the abandons at or over the short threshold, like the SQL
    routes' kind counts (analytics.sl_frames.KIND_COLUMNS).
    """
    kinds = (
        _contact_facts(frame, policy, now)["kind"]
        if not frame.empty
        else pd.Series([], dtype=object)
    )
    found = kinds.value_counts()
    return {kind: int(found.get(kind, 0)) for kind in KINDS}
