"""QA sampling: a fair, reproducible sample of contacts per agent, shared among reviewers.

The rule (docs/metrics.md "QA sampling"), applied by `draw_sample` to the candidate contacts
the caller passes (one row per contact):
1. Eligible: contacts that match the rule's filters — ended in [period_start, period_end) when a
   period is set, of the rule's channels / agents / teams when those are set, and not reviewed
   before when `exclude_reviewed`.
2. Per agent, the sample size is min(quota, eligible contacts); agents with fewer eligible contacts
   than the quota are listed (`short_agents`).
3. Oversampling first: the sample size is split between the oversampling reasons, in proportion
   to their shares, and the rest (share 1 − Σ shares) by largest-remainder rounding. Each reason
   draws its part, in the order negative sentiment (sentiment below a threshold), low CSAT
   (CSAT ≤ 2), escalation, from the agent's not-yet-drawn contacts carrying that flag; a reason
   with fewer flagged contacts than its part hands the shortfall to the rest.
4. The rest is drawn from the agent's remaining contacts, stratified by channel: each channel gets
   a part in proportion to its remaining contacts, by largest-remainder rounding (each channel
   gets the floor of its exact share; the seats left over go to the largest fractional parts, ties
   to the channel first by name). Proportional parts never exceed a channel's contacts. Without
   stratification the rest is a simple random draw.
5. Reproducible: candidates are sorted by id first (row order doesn't matter) and each agent draws
   with its own numpy Generator seeded from (seed, agent id), so the same rule + seed + data give
   the same sample, and an agent's draw doesn't change when other agents are added or removed.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

LOW_CSAT_MAX = 2
# Oversampling reasons in drawing order: (reason, rule field with its share, candidate column).
OVERSAMPLING = (
    ("negative_sentiment", "negative_sentiment_share", "sentiment"),
    ("low_csat", "low_csat_share", "csat"),
    ("escalated", "escalation_share", "escalated"),
)
REASON_STRATIFIED = "channel stratum"
REASON_RANDOM = "random"
SAMPLE_COLUMNS = ["id", "agent_id", "channel", "reason"]
PREVIEW_COLUMNS = ["agent_id", "channel", "contacts", "drawn"]
SHORT_COLUMNS = ["agent_id", "contacts", "quota"]


@dataclass(frozen=True)
class SamplingRule:
    """Everything that decides a sampling run; stored with the run as JSON (`to_json`).

    Shares are fractions of each agent's sample (0.2 = a fifth drawn from that flag first);
    their sum is at most 1. Empty channels / agent_ids / teams mean "all"; a period of None
    means the caller already selected contacts by period.
    """

    quota_per_agent: int
    seed: int
    stratify_by_channel: bool = True
    exclude_reviewed: bool = True
    negative_sentiment_share: float = 0.0
    negative_sentiment_below: float = -0.3
    low_csat_share: float = 0.0
    escalation_share: float = 0.0
    period_start: datetime | None = None
    period_end: datetime | None = None
    channels: tuple[str, ...] = ()
    agent_ids: tuple[Hashable, ...] = ()
    teams: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.quota_per_agent < 1:
            problems.append("the quota per agent must be at least 1")
        shares = self.oversampling_shares()
        if any(not 0 <= share <= 1 for share in shares.values()):
            problems.append("oversampling shares must be between 0 and 1")
        elif sum(shares.values()) > 1 + 1e-9:
            problems.append("oversampling shares add up to more than the whole quota")
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            problems.append("the period must end after it starts")
        if problems:
            raise ValueError("; ".join(problems))
        # JSON gives lists back; keep the rule hashable and equal to the one that was stored.
        for name in ("channels", "agent_ids", "teams"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def oversampling_shares(self) -> dict[str, float]:
        """Reason → share of the quota, in drawing order."""
        return {reason: float(getattr(self, field)) for reason, field, _ in OVERSAMPLING}

    def to_json(self) -> str:
        """The rule as JSON (datetimes as ISO 8601), stored with the run."""
        data = asdict(self)
        for name in ("period_start", "period_end"):
            if data[name] is not None:
                data[name] = data[name].isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SamplingRule:
        """Read a stored rule back; unknown keys are refused."""
        data: dict[str, Any] = json.loads(text)
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown sampling rule fields: {unknown}")
        for name in ("period_start", "period_end"):
            if data.get(name) is not None:
                data[name] = datetime.fromisoformat(data[name])
        return cls(**data)


@dataclass(frozen=True)
class SampleDraw:
    """The outcome of a run.

    sample: one row per drawn contact (SAMPLE_COLUMNS), reason = which oversampling flag or
    "channel stratum" / "random" drew it, sorted by agent and id;
    preview: agent × channel counts of eligible contacts and drawn contacts (PREVIEW_COLUMNS);
    short_agents: agents with fewer eligible contacts than the quota (SHORT_COLUMNS).
    """

    sample: pd.DataFrame
    preview: pd.DataFrame
    short_agents: pd.DataFrame

    @property
    def ids(self) -> list[Hashable]:
        """The drawn contact ids, sorted (what the run stores)."""
        return sorted(self.sample["id"].tolist())


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` whole seats in proportion to `weights` (Hamilton / largest remainder).

    Each part gets the floor of its exact share total × w / Σw; the seats left over go one each
    to the largest fractional remainders, ties to the earlier weight. Zero weights get nothing.
    Example: 5 seats over 6, 3, 1 → exact 3, 1.5, 0.5 → floors 3, 1, 0, one left → tie between
    0.5 and 0.5 goes to the earlier → 3, 2, 0.
    """
    weight_sum = float(sum(weights))
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    parts = [math.floor(x + 1e-9) for x in exact]
    remainders = [x - p for x, p in zip(exact, parts, strict=True)]
    left = total - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts


def draw_sample(
    candidates: pd.DataFrame, rule: SamplingRule, *, agents: Iterable[Hashable] | None = None
) -> SampleDraw:
    """Draw the sample for `rule` from `candidates` (one row per contact).

    Columns: id, agent_id, channel always; ended_at with a period; team with teams;
    reviewed with exclude_reviewed; sentiment / csat / escalated with the matching share.
    `agents`, if given, lists every agent in scope, so that an agent without any eligible
    contact is reported as short too.
    """
    eligible = _eligible(candidates, rule)
    flags = _flags(eligible, rule)
    drawn: list[tuple[Hashable, str]] = []
    for agent, pool in eligible.groupby("agent_id", sort=True):
        drawn.extend(_draw_agent(agent, pool, flags.loc[pool.index], rule))

    reasons = pd.DataFrame(drawn, columns=["id", "reason"])
    sample = eligible[["id", "agent_id", "channel"]].merge(reasons, on="id")
    sample = sample.sort_values(["agent_id", "id"], kind="mergesort").reset_index(drop=True)

    contacts = eligible.groupby(["agent_id", "channel"]).size().rename("contacts")
    taken = sample.groupby(["agent_id", "channel"]).size().rename("drawn")
    preview = pd.concat([contacts, taken], axis=1).fillna(0).astype(int).reset_index()
    preview = preview.reindex(columns=PREVIEW_COLUMNS)

    per_agent = eligible.groupby("agent_id").size()
    if agents is not None:
        per_agent = per_agent.reindex(per_agent.index.union(pd.Index(list(agents))), fill_value=0)
    short = per_agent[per_agent < rule.quota_per_agent]
    short_agents = pd.DataFrame(
        {"agent_id": short.index, "contacts": short.to_numpy(dtype=int)}
    ).assign(quota=rule.quota_per_agent)
    return SampleDraw(sample=sample, preview=preview, short_agents=short_agents)


def _eligible(candidates: pd.DataFrame, rule: SamplingRule) -> pd.DataFrame:
    """Candidates the rule allows, sorted by id so that row order never changes the draw."""
    needed = {"id", "agent_id", "channel"}
    if rule.period_start or rule.period_end:
        needed.add("ended_at")
    if rule.teams:
        needed.add("team")
    if rule.exclude_reviewed:
        needed.add("reviewed")
    shares = rule.oversampling_shares()
    needed |= {column for reason, _, column in OVERSAMPLING if shares[reason] > 0}
    missing = sorted(needed - set(candidates.columns))
    if missing:
        raise ValueError(f"candidate contacts lack the columns {missing} this rule needs")
    if candidates["id"].duplicated().any():
        raise ValueError("candidate contact ids must be unique")

    keep = pd.Series(True, index=candidates.index)
    if rule.period_start:
        keep &= candidates["ended_at"] >= rule.period_start
    if rule.period_end:
        keep &= candidates["ended_at"] < rule.period_end
    if rule.channels:
        keep &= candidates["channel"].isin(rule.channels)
    if rule.agent_ids:
        keep &= candidates["agent_id"].isin(rule.agent_ids)
    if rule.teams:
        keep &= candidates["team"].isin(rule.teams)
    if rule.exclude_reviewed:
        keep &= ~candidates["reviewed"].eq(True)  # NULL = never reviewed
    keep &= candidates["agent_id"].notna()
    eligible = candidates.loc[keep].sort_values("id", kind="mergesort")
    return eligible.reset_index(drop=True)


def _flags(eligible: pd.DataFrame, rule: SamplingRule) -> pd.DataFrame:
    """One boolean column per oversampling reason (missing values never flag)."""
    flags = pd.DataFrame(False, index=eligible.index, columns=[r for r, _, _ in OVERSAMPLING])
    shares = rule.oversampling_shares()
    if shares["negative_sentiment"] > 0:
        sentiment = pd.to_numeric(eligible["sentiment"], errors="coerce")
        flags["negative_sentiment"] = sentiment < rule.negative_sentiment_below
    if shares["low_csat"] > 0:
        flags["low_csat"] = pd.to_numeric(eligible["csat"], errors="coerce") <= LOW_CSAT_MAX
    if shares["escalated"] > 0:
        flags["escalated"] = eligible["escalated"].eq(True)
    return flags


def _agent_rng(seed: int, agent: Hashable) -> np.random.Generator:
    """The agent's own generator: stable across runs and processes (crc32, not hash())."""
    return np.random.default_rng([seed, zlib.crc32(str(agent).encode())])


def _draw_agent(
    agent: Hashable, pool: pd.DataFrame, flags: pd.DataFrame, rule: SamplingRule
) -> list[tuple[Hashable, str]]:
    """(id, reason) of one agent's drawn contacts; `pool` is sorted by id."""
    rng = _agent_rng(rule.seed, agent)
    size = min(rule.quota_per_agent, len(pool))
    shares = rule.oversampling_shares()
    parts = largest_remainder(size, [*shares.values(), 1 - sum(shares.values())])
    free = pd.Series(True, index=pool.index)
    drawn: list[tuple[Hashable, str]] = []

    def take(mask: pd.Series, count: int, reason: str) -> None:
        choices = pool.index[(mask & free).to_numpy()]
        picked = rng.choice(choices, size=min(count, len(choices)), replace=False)
        free.loc[picked] = False
        drawn.extend((pool.at[i, "id"], reason) for i in sorted(picked))

    for (reason, _, _), part in zip(OVERSAMPLING, parts[:-1], strict=True):
        if part:
            take(flags[reason], part, reason)
    rest = size - len(drawn)
    if not rule.stratify_by_channel:
        take(free, rest, REASON_RANDOM)
        return drawn
    remaining = pool.loc[free, "channel"].value_counts().sort_index()
    for channel, part in zip(
        remaining.index, largest_remainder(rest, remaining.tolist()), strict=True
    ):
        if part:
            take(pool["channel"] == channel, part, REASON_STRATIFIED)
    return drawn


def assign_balanced(
    ids: Iterable[Hashable], reviewers: Sequence[Hashable], seed: int
) -> dict[Hashable, Hashable]:
    """Share `ids` among `reviewers` so that their counts differ by at most one.

    Ids are sorted, shuffled with the seed and dealt round-robin to the reviewers in a seeded
    order (so the reviewer who gets one extra varies with the seed, not with the name). Same ids,
    reviewers and seed → same assignment.
    """
    unique_reviewers = sorted(set(reviewers), key=str)
    if not unique_reviewers:
        raise ValueError("choose at least one reviewer")
    rng = np.random.default_rng(seed)
    ordered = sorted(set(ids), key=lambda value: (str(type(value)), value))
    shuffled = [ordered[i] for i in rng.permutation(len(ordered))]
    dealers = [unique_reviewers[i] for i in rng.permutation(len(unique_reviewers))]
    return {item: dealers[i % len(dealers)] for i, item in enumerate(shuffled)}
