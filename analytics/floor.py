"""The live floor's figures per channel, from frames: today's service level with its state
against goal, the backlog now, agents by state, and the waiting negative social posts.

Pure pandas, no rule of its own: today's met / missed / pending come from the one SLA rule
(`analytics.service_level`, applied in SQL by `queries.floor.todays_service_level`), and "past
target" for a waiting post is `analytics.service_level.past_target`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd

from analytics.service_level import past_target

# Agents in these states are on the floor (available, on a contact or wrapping one up).
ON_FLOOR_STATES: tuple[str, ...] = ("available", "busy", "after_call")
SUMMARY_COLUMNS = [
    "channel_id",
    "channel",
    "offered",
    "answered",
    "abandoned",
    "backlog",
    "oldest_wait_seconds",
    "met",
    "missed",
    "pending",
    "closed",
    "service_level_percent",
    "goal_percent",
    "target_seconds",
    "abandon_rule",
    "short_abandon_seconds",
    "state",
]
_POLICY_COLUMNS = [
    "channel_id",
    "target_seconds",
    "goal_percent",
    "abandon_rule",
    "short_abandon_seconds",
]


def service_level_state(
    service_level: float | None,
    goal: float | None,
    warn_points: float,
    *,
    closed: int | None = None,
    min_sample: int = 0,
) -> str:
    """'good' at or above goal, 'warn' below it by at most `warn_points`, 'bad' further below,
    'none' when there is no service level (nothing in the denominator) or no goal, 'small' when
    it rests on fewer than `min_sample` closed contacts (met + missed = `closed`): too few to
    call good or bad, so it is shown neutral and raises no alert."""
    if service_level is None or goal is None or pd.isna(service_level) or pd.isna(goal):
        return "none"
    if closed is not None and closed < min_sample:
        return "small"
    if service_level >= goal:
        return "good"
    if service_level >= goal - warn_points:
        return "warn"
    return "bad"


def channel_summary(
    levels: pd.DataFrame,
    backlog: pd.DataFrame,
    policies: pd.DataFrame,
    *,
    as_of: datetime,
    warn_points: float,
    min_sample: int = 0,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per channel of `levels` with every Floor tile's number at `as_of` (naive UTC).

    Args:
        levels: queries.floor.todays_service_level (today's arrivals per channel: offered,
            answered, met, missed, pending, service_level_percent).
        backlog: queries.floor.open_unanswered at `as_of` (channel_id, created_at): every open,
            unanswered contact, whenever it arrived.
        policies: queries.floor.channel_policies (target, goal and abandon rule per channel).
        warn_points: the amber band below goal (settings.sl_warn_points).
        min_sample: fewer closed contacts (met + missed) than this and the state is 'small'
            (settings.min_sample_contacts).
        labels: display names by channel id (else the channel's name in `levels`).

    Returns SUMMARY_COLUMNS: backlog and oldest_wait_seconds cover every open contact; met /
    missed / pending / closed (met + missed, the n of the service level) /
    service_level_percent cover today's arrivals; state is 'good' / 'warn' / 'bad' / 'small' /
    'none'. A channel without a policy has no goal, target or rule (NaN).
    """
    if levels.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    waiting = backlog.assign(
        age=(pd.Timestamp(as_of) - pd.to_datetime(backlog["created_at"]))
        .dt.total_seconds()
        .clip(lower=0)
    )
    per_channel = pd.DataFrame(
        {
            "backlog": waiting.groupby("channel_id").size(),
            "oldest_wait_seconds": waiting.groupby("channel_id")["age"].max(),
        }
    )
    frame = levels.merge(per_channel, left_on="channel_id", right_index=True, how="left").merge(
        policies[_POLICY_COLUMNS], on="channel_id", how="left"
    )
    frame["backlog"] = pd.to_numeric(frame["backlog"]).fillna(0).astype("int64")
    frame["service_level_percent"] = pd.to_numeric(frame["service_level_percent"]).astype(float)
    frame["closed"] = (
        pd.to_numeric(frame["met"]).fillna(0) + pd.to_numeric(frame["missed"]).fillna(0)
    ).astype("int64")
    frame["state"] = [
        service_level_state(level, goal, warn_points, closed=int(n), min_sample=min_sample)
        for level, goal, n in zip(
            frame["service_level_percent"], frame["goal_percent"], frame["closed"], strict=True
        )
    ]
    frame["channel"] = [
        (labels or {}).get(c, name)
        for c, name in zip(frame["channel_id"], frame["channel"], strict=True)
    ]
    return frame[SUMMARY_COLUMNS]


def agent_state_counts(agents: pd.DataFrame, states: Sequence[str]) -> dict[str, int]:
    """Agents per state, in the order of `states` (a state nobody is in counts 0)."""
    found = agents["state"].value_counts() if len(agents) else pd.Series(dtype="int64")
    return {state: int(found.get(state, 0)) for state in states}


def agents_on_floor(agents: pd.DataFrame) -> int:
    """Agents whose current state is one of ON_FLOOR_STATES."""
    return int(agents["state"].isin(ON_FLOOR_STATES).sum()) if len(agents) else 0


AGENT_LIST_COLUMNS = [
    "agent_id",
    "name",
    "team",
    "state",
    "time_in_state_seconds",
    "current_contacts",
    "skills",
]


def agent_list(
    agents: pd.DataFrame,
    as_of: datetime,
    *,
    teams: Sequence[str] = (),
    state_order: Sequence[str] = (),
) -> pd.DataFrame:
    """The live agent list: one row per agent of `teams` (all when empty), in `state_order`
    (states not listed last) then by name, with the seconds since the agent entered the
    current state at `as_of` (naive UTC; NaN for an agent never seen).

    agents: queries.floor.latest_agent_states (agent_id, name, team, state, since, skills,
    current_contacts).
    """
    if agents.empty:
        return pd.DataFrame(columns=AGENT_LIST_COLUMNS)
    shown = agents[agents["team"].isin(teams)] if teams else agents
    since = pd.to_datetime(shown["since"])
    rank = {state: n for n, state in enumerate(state_order)}
    frame = shown.assign(
        time_in_state_seconds=(pd.Timestamp(as_of) - since).dt.total_seconds().clip(lower=0),
        _rank=shown["state"].map(lambda s: rank.get(s, len(rank))),
    )
    frame = frame.sort_values(["_rank", "name", "agent_id"], ignore_index=True)
    return frame[AGENT_LIST_COLUMNS]


def social_watch_frame(posts: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """One row per waiting conversation, widest reach first, with its wait and time left.

    posts: queries.floor.negative_public_posts, which lists each waiting conversation once, by
    its first message, with `messages` = how many of its messages wait. Rows of one conversation
    given without that column become one row, the earliest, and `messages` counts them. Either
    way the wait runs from the customer's first message (docs/metrics.md: FRT per conversation).
    Adds waited_seconds, time_left_seconds (target − waited) and past_target (the SLA rule's
    open-past-target test) at `as_of` (naive UTC).
    """
    waited = (pd.Timestamp(as_of) - pd.to_datetime(posts["created_at"])).dt.total_seconds()
    waited = waited.clip(lower=0)
    target = pd.to_numeric(posts["target_seconds"]).astype(float)
    frame = posts.assign(
        waited_seconds=waited,
        time_left_seconds=target - waited,
        past_target=past_target(waited, target).astype(bool),
        thread=posts["conversation_id"].where(
            posts["conversation_id"].notna(), "#" + posts["id"].astype(str)
        ),
    )
    if "messages" in posts:
        per_thread = frame.groupby("thread")["messages"].transform("sum")
    else:
        per_thread = frame["thread"].map(frame["thread"].value_counts())
    frame["messages"] = per_thread.astype("int64")
    earliest = frame.sort_values(["created_at", "id"]).drop_duplicates("thread")
    ranked = earliest.sort_values(
        ["reach", "created_at", "id"], ascending=[False, True, True], na_position="last"
    )
    return ranked.drop(columns="thread").reset_index(drop=True)
