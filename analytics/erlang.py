"""Erlang C staffing: how many agents an interval needs to reach a service-level goal.

Model (M/M/N, the industry's Erlang C): contacts arrive at random (Poisson), handle times are
exponential with mean AHT, nobody abandons, N identical agents serve one queue first come first
served. Traffic A = arrivals × AHT / interval length (Erlangs). Then

- P(wait) = C(A, N), the Erlang C formula, computed from the Erlang B recursion
  B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)) and C = N·B / (N − A·(1 − B)) — stable for
  hundreds or thousands of agents (no factorials or large powers);
- service level (answered within t) = 1 − C · exp(−(N − A) · t / AHT);
- ASA = C · AHT / (N − A); occupancy = A / N.

When N ≤ A the queue grows without bound: P(wait) = 1, service level 0, ASA infinite.
Because nobody abandons in the model, Erlang C tends to overstate the agents needed a little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Float noise must not turn "exactly at goal" into "one agent short".
_TOLERANCE = 1e-9


def _check_traffic_agents(traffic_erlangs: float, agents: int) -> None:
    if traffic_erlangs < 0 or math.isnan(traffic_erlangs):
        raise ValueError(f"traffic must be 0 or more Erlangs; got {traffic_erlangs}")
    if agents < 0 or int(agents) != agents:
        raise ValueError(f"agents must be a whole number ≥ 0; got {agents}")


def erlang_b(traffic_erlangs: float, agents: int) -> float:
    """Erlang B blocking probability for A Erlangs offered to N servers (lost-calls model).

    Recursion: B(0) = 1; B(n) = A·B(n−1) / (n + A·B(n−1)) for n = 1 … N.
    """
    _check_traffic_agents(traffic_erlangs, agents)
    blocking = 1.0
    for n in range(1, int(agents) + 1):
        blocking = traffic_erlangs * blocking / (n + traffic_erlangs * blocking)
    return blocking


def _erlang_c_from_b(traffic: float, agents: int, blocking: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a contact has to wait (Erlang C), for A Erlangs and N agents.

    C(A, N) = [Aᴺ/N! · N/(N − A)] / [Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N! · N/(N − A)], computed as
    C = N·B / (N − A·(1 − B)) from the Erlang B recursion. Returns 1 when N ≤ A (every
    contact waits; the queue is unstable) and 0 when A = 0.
    Example: A = 10, N = 11 → 0.6821; N = 12 → 0.4494; N = 13 → 0.2853.
    """
    return _erlang_c_from_b(traffic_erlangs, agents, erlang_b(traffic_erlangs, agents))


def service_level(
    traffic_erlangs: float, agents: int, target_seconds: float, aht_seconds: float
) -> float:
    """Probability (0–1) a contact is answered within target_seconds, by Erlang C.

    SL = 1 − C(A, N) · exp(−(N − A) · t / AHT); 0 when N ≤ A; 1 when A = 0.
    Example: A = 10, N = 14, t = 20 s, AHT = 180 s → 1 − 0.17413 · e^(−4/9) = 0.8884.
    """
    if aht_seconds <= 0:
        raise ValueError(f"aht_seconds must be positive; got {aht_seconds}")
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be 0 or more; got {target_seconds}")
    wait = erlang_c(traffic_erlangs, agents)
    if traffic_erlangs == 0:
        return 1.0
    if agents <= traffic_erlangs:
        return 0.0
    value = 1.0 - wait * math.exp(-(agents - traffic_erlangs) * target_seconds / aht_seconds)
    return min(max(value, 0.0), 1.0)


def asa(traffic_erlangs: float, agents: int, aht_seconds: float) -> float:
    """Average speed of answer in seconds (mean wait over all contacts), by Erlang C.

    ASA = C(A, N) · AHT / (N − A); 0 when A = 0; math.inf when N ≤ A (unbounded queue).
    Example: A = 10, N = 14, AHT = 180 s → 0.17413 · 180 / 4 = 7.84 s.
    """
    if aht_seconds <= 0:
        raise ValueError(f"aht_seconds must be positive; got {aht_seconds}")
    wait = erlang_c(traffic_erlangs, agents)
    if traffic_erlangs == 0:
        return 0.0
    if agents <= traffic_erlangs:
        return math.inf
    return wait * aht_seconds / (agents - traffic_erlangs)


def occupancy(traffic_erlangs: float, agents: int) -> float:
    """Share (0–1) of agents' time spent handling contacts: A / N, capped at 1.

    With N ≤ A agents are busy all the time (1.0); with no agents and no traffic it is 0.
    """
    _check_traffic_agents(traffic_erlangs, agents)
    if agents == 0:
        return 1.0 if traffic_erlangs > 0 else 0.0
    return min(traffic_erlangs / agents, 1.0)


def traffic_erlangs(
    arrivals_per_interval: float, interval_seconds: float, aht_seconds: float
) -> float:
    """Offered traffic in Erlangs: arrivals × AHT / interval length (both in seconds).

    Example: 100 contacts in 30 minutes with AHT 180 s → 100 × 180 / 1800 = 10 Erlangs.
    """
    if interval_seconds <= 0:
        raise ValueError(f"interval_seconds must be positive; got {interval_seconds}")
    if arrivals_per_interval < 0:
        raise ValueError(f"arrivals must be 0 or more; got {arrivals_per_interval}")
    if aht_seconds <= 0:
        raise ValueError(f"aht_seconds must be positive; got {aht_seconds}")
    return arrivals_per_interval * aht_seconds / interval_seconds


@dataclass(frozen=True)
class StaffingOutcome:
    """What N agents on the floor deliver for an interval's traffic (Erlang C).

    traffic_erlangs: A = arrivals × effective AHT / interval. agents: N (on the floor).
    probability_of_wait: C(A, N). service_level_percent: 100 × (1 − C·e^(−(N−A)·t/AHT)).
    asa_seconds: C · AHT / (N − A) (math.inf when N ≤ A). occupancy_percent: 100 × min(A/N, 1).
    The last three are None when there is no traffic (nothing to serve).
    """

    traffic_erlangs: float
    agents: int
    probability_of_wait: float
    service_level_percent: float | None
    asa_seconds: float | None
    occupancy_percent: float | None


@dataclass(frozen=True)
class StaffingResult(StaffingOutcome):
    """Agents needed for an interval (see `agents_needed`).

    agents: raw agents needed on the phones (handling contacts) to reach the goal.
    agents_with_shrinkage: agents to schedule, ⌈agents / (1 − shrinkage)⌉, covering breaks,
    training and other time away from contacts. The other fields describe what `agents` deliver.
    """

    agents_with_shrinkage: int = 0


def _outcome(traffic: float, agents: int, blocking: float, target: float, aht: float) -> dict:
    wait = _erlang_c_from_b(traffic, agents, blocking)
    if traffic == 0:
        return {
            "traffic_erlangs": 0.0,
            "agents": agents,
            "probability_of_wait": 0.0,
            "service_level_percent": None,
            "asa_seconds": None,
            "occupancy_percent": None,
        }
    if agents <= traffic:
        level, mean_wait = 0.0, math.inf
    else:
        level = max(0.0, 1.0 - wait * math.exp(-(agents - traffic) * target / aht))
        mean_wait = wait * aht / (agents - traffic)
    return {
        "traffic_erlangs": traffic,
        "agents": agents,
        "probability_of_wait": wait,
        "service_level_percent": 100.0 * level,
        "asa_seconds": mean_wait,
        "occupancy_percent": 100.0 * occupancy(traffic, agents),
    }


def scheduled_agents(agents_on_contacts: int, shrinkage_percent: float) -> int:
    """Agents to schedule so that `agents_on_contacts` remain after shrinkage.

    ⌈N / (1 − shrinkage_percent / 100)⌉, e.g. 14 agents with 30 % shrinkage → 20; 21 → 30 (not
    31: the float quotient 30.000000000000004 is read as 30).
    """
    if not 0 <= shrinkage_percent < 100:
        raise ValueError(f"shrinkage_percent must be in [0, 100); got {shrinkage_percent}")
    return math.ceil(agents_on_contacts / (1.0 - shrinkage_percent / 100.0) - _TOLERANCE)


def _check_concurrency(concurrency: float) -> None:
    if not concurrency > 0:
        raise ValueError(f"concurrency must be positive; got {concurrency}")


def staffing_outcome(
    arrivals_per_interval: float,
    interval_seconds: float,
    aht_seconds: float,
    target_seconds: float,
    agents: int,
    *,
    concurrency: float = 1.0,
) -> StaffingOutcome:
    """Service level, ASA and occupancy that `agents` on the floor deliver (Erlang C).

    For comparing the floor with the need. Effective AHT = AHT / concurrency (see
    `agents_needed`); traffic A = arrivals × effective AHT / interval_seconds.
    """
    _check_concurrency(concurrency)
    aht = aht_seconds / concurrency
    traffic = traffic_erlangs(arrivals_per_interval, interval_seconds, aht)
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be 0 or more; got {target_seconds}")
    return StaffingOutcome(
        **_outcome(traffic, int(agents), erlang_b(traffic, agents), target_seconds, aht)
    )


def agents_needed(
    arrivals_per_interval: float,
    interval_seconds: float,
    aht_seconds: float,
    target_seconds: float,
    goal_percent: float,
    *,
    max_occupancy: float | None = None,
    shrinkage_percent: float = 0,
    concurrency: float = 1.0,
) -> StaffingResult:
    """Fewest agents N whose Erlang C service level reaches the goal for one interval.

    Traffic A = arrivals × (AHT / concurrency) / interval_seconds. N is the smallest whole
    number > A with 1 − C(A, N)·e^(−(N−A)·t/AHT_eff) ≥ goal_percent / 100 and, when
    max_occupancy (a fraction, e.g. 0.85) is set, A / N ≤ max_occupancy.
    agents_with_shrinkage = ⌈N / (1 − shrinkage_percent / 100)⌉ (see `scheduled_agents`).
    Concurrency (chat, social): an agent works `concurrency` contacts at once; this is
    approximated as one agent serving a single queue `concurrency` times faster, i.e. an
    effective AHT of AHT / concurrency (an approximation: real multi-chat agents slow down as
    they take more conversations, so pass an honest concurrency, not the maximum).
    No arrivals → 0 agents (service level, ASA and occupancy None).
    Example: 100 contacts per 30 min, AHT 180 s, 80 % in 20 s → A = 10, N = 14 (13 agents give
    only 79.6 %), service level 88.8 %, ASA 7.8 s, occupancy 71.4 %; 30 % shrinkage → 20.
    """
    if not 0 < goal_percent < 100:
        raise ValueError(
            f"goal_percent must be between 0 and 100 (exclusive; 100 % is unreachable in a "
            f"queue model); got {goal_percent}"
        )
    if not 0 <= shrinkage_percent < 100:
        raise ValueError(f"shrinkage_percent must be in [0, 100); got {shrinkage_percent}")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError(f"max_occupancy is a fraction in (0, 1]; got {max_occupancy}")
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be 0 or more; got {target_seconds}")
    _check_concurrency(concurrency)
    aht = aht_seconds / concurrency
    traffic = traffic_erlangs(arrivals_per_interval, interval_seconds, aht)
    if traffic == 0:
        return StaffingResult(**_outcome(0.0, 0, 1.0, target_seconds, aht), agents_with_shrinkage=0)

    goal = goal_percent / 100.0
    agents = max(1, math.floor(traffic) + 1)
    blocking = erlang_b(traffic, agents)
    while True:
        outcome = _outcome(traffic, agents, blocking, target_seconds, aht)
        occupancy_ok = max_occupancy is None or traffic / agents <= max_occupancy + _TOLERANCE
        if outcome["service_level_percent"] / 100.0 >= goal - _TOLERANCE and occupancy_ok:
            break
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)

    return StaffingResult(
        **outcome, agents_with_shrinkage=scheduled_agents(agents, shrinkage_percent)
    )
