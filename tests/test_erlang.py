"""Erlang C against exact factorial sums, published tables and the classic worked example.

References checked:
- Erlang C, A = 10 Erlangs: N = 11 → 0.6821, N = 12 → 0.4494, N = 13 → 0.2853 (commonly
  tabulated; also the first rows of the R package ErlangC's worked example).
- The classic example "100 calls in 30 minutes, AHT 180 s, 80 % answered in 20 s": A = 10,
  14 agents, P(wait) 0.1741319, service level 0.88835, ASA 7.836 s, occupancy 0.7142857,
  20 agents with 30 % shrinkage — as published in the pyworkforce README (PyPI 0.1.0) and the
  R ErlangC package documentation. (13 agents give 79.56 % — short of 80 %.)
- Erlang C table (TETRA trunking text): 8 channels carry A = 3.87 E at P(queue) = 5 %;
  10 channels carry A = 4.08 E at about 1 %.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from analytics.erlang import (
    agents_needed,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    scheduled_agents,
    service_level,
    staffing_outcome,
    traffic_erlangs,
)


def exact_erlang_c(traffic: Fraction | int, agents: int) -> Fraction:
    """Erlang C straight from the textbook formula with exact rational arithmetic:
    C = [Aᴺ/N! · N/(N−A)] / [Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N! · N/(N−A)]."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * Fraction(agents) / (agents - a)
    bottom = sum(a**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


def test_erlang_b_recursion_by_hand() -> None:
    # A = 1, N = 1: B = 1·1/(1 + 1) = 0.5
    assert erlang_b(1, 1) == pytest.approx(0.5)
    # A = 1, N = 2: B = 1·0.5/(2 + 0.5) = 0.2
    assert erlang_b(1, 2) == pytest.approx(0.2)
    assert erlang_b(5, 0) == 1.0


def test_erlang_c_small_case_by_hand() -> None:
    # A = 1, N = 2: top = 1²/2! · 2/(2−1) = 1; Σ = 1 + 1 = 2 → C = 1/(2 + 1) = 1/3
    assert erlang_c(1, 2) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("agents", "published"),
    [(11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741), (15, 0.1020)],
)
def test_erlang_c_ten_erlangs_matches_tables_and_exact_formula(
    agents: int, published: float
) -> None:
    value = erlang_c(10, agents)
    assert value == pytest.approx(float(exact_erlang_c(10, agents)), rel=1e-12)
    assert round(value, 4) == published


def test_erlang_c_published_trunking_table() -> None:
    # 8 channels at 3.87 E → 5 % queued; 10 channels at 4.08 E → 1 % (2-decimal table)
    assert round(erlang_c(3.87, 8), 2) == 0.05
    assert round(erlang_c(4.08, 10), 2) == 0.01
    assert erlang_c(3.87, 8) == pytest.approx(float(exact_erlang_c(Fraction("3.87"), 8)), rel=1e-12)


def test_erlang_c_is_stable_for_hundreds_of_agents() -> None:
    # Factorials of 320 overflow floats; the recursion does not. Compare with exact rationals.
    value = erlang_c(300, 320)
    assert 0 < value < 1
    assert value == pytest.approx(float(exact_erlang_c(300, 320)), rel=1e-9)
    assert 0 < erlang_c(2000, 2050) < 1


def test_erlang_c_edges() -> None:
    assert erlang_c(0, 3) == 0.0  # no traffic, nobody waits
    assert erlang_c(10, 10) == 1.0  # N ≤ A: the queue never empties
    assert erlang_c(10, 5) == 1.0
    with pytest.raises(ValueError):
        erlang_c(-1, 3)
    with pytest.raises(ValueError):
        erlang_c(1, 2.5)  # type: ignore[arg-type]


def test_service_level_asa_occupancy_for_fourteen_agents() -> None:
    # A = 10, N = 14, t = 20 s, AHT = 180 s:
    # C = 0.1741319; SL = 1 − 0.1741319 · e^(−4·20/180) = 1 − 0.1741319 · 0.6411804 = 0.8883500
    assert service_level(10, 14, 20, 180) == pytest.approx(0.8883500, abs=1e-7)
    # ASA = C · AHT / (N − A) = 0.1741319 · 180 / 4 = 7.8359 s
    assert asa(10, 14, 180) == pytest.approx(7.8359, abs=1e-4)
    # occupancy = 10 / 14 = 0.7142857
    assert occupancy(10, 14) == pytest.approx(10 / 14)


def test_understaffed_queue() -> None:
    assert service_level(10, 10, 20, 180) == 0.0
    assert asa(10, 9, 180) == math.inf
    assert occupancy(10, 9) == 1.0
    assert service_level(0, 0, 20, 180) == 1.0  # no traffic
    assert asa(0, 2, 180) == 0.0


def test_traffic() -> None:
    # 100 contacts × 180 s / 1,800 s = 10 Erlangs
    assert traffic_erlangs(100, 1_800, 180) == pytest.approx(10.0)


def test_classic_worked_example_needs_fourteen_agents() -> None:
    result = agents_needed(100, 1_800, 180, 20, 80, shrinkage_percent=30)
    assert result.traffic_erlangs == pytest.approx(10.0)
    assert result.agents == 14
    assert result.probability_of_wait == pytest.approx(0.1741319, abs=1e-7)
    assert result.service_level_percent == pytest.approx(88.835, abs=1e-3)
    assert result.asa_seconds == pytest.approx(7.836, abs=1e-3)
    assert result.occupancy_percent == pytest.approx(71.42857, abs=1e-5)
    # 14 / (1 − 0.30) = 20
    assert result.agents_with_shrinkage == 20


def test_thirteen_agents_fall_just_short() -> None:
    # C(10, 13) = 0.2852703; SL = 1 − 0.2852703 · e^(−3·20/180) = 1 − 0.2852703 · 0.7165313
    # = 0.79560 < 0.80, which is why 14 are needed.
    outcome = staffing_outcome(100, 1_800, 180, 20, 13)
    assert outcome.service_level_percent == pytest.approx(79.560, abs=1e-3)
    assert outcome.agents == 13


def test_max_occupancy_can_add_agents() -> None:
    # Same traffic; occupancy cap 0.70 needs 10 / N ≤ 0.70 → N ≥ 14.29 → 15 agents.
    result = agents_needed(100, 1_800, 180, 20, 80, max_occupancy=0.70)
    assert result.agents == 15
    assert result.occupancy_percent == pytest.approx(100 * 10 / 15)
    # A cap of 0.85 is already met by 14 (71.4 %): no change.
    assert agents_needed(100, 1_800, 180, 20, 80, max_occupancy=0.85).agents == 14


def test_concurrency_divides_handle_time() -> None:
    # Chat: AHT 360 s, two chats at once → effective AHT 180 s → same as the voice example.
    result = agents_needed(100, 1_800, 360, 20, 80, concurrency=2)
    assert result.traffic_erlangs == pytest.approx(10.0)
    assert result.agents == 14


def test_zero_arrivals_need_zero_agents() -> None:
    result = agents_needed(0, 1_800, 180, 20, 80, shrinkage_percent=30)
    assert (result.agents, result.agents_with_shrinkage) == (0, 0)
    assert result.service_level_percent is None
    assert result.occupancy_percent is None


def test_shrinkage_rounds_up() -> None:
    # 14 / (1 − 0.25) = 18.67 → 19
    assert agents_needed(100, 1_800, 180, 20, 80, shrinkage_percent=25).agents_with_shrinkage == 19
    assert scheduled_agents(14, 25) == 19
    assert scheduled_agents(14, 0) == 14
    assert scheduled_agents(0, 30) == 0


def test_shrinkage_exact_quotients_do_not_round_up() -> None:
    # 21 / (1 − 0.30) = 30 exactly, but in floats 21 / 0.7 = 30.000000000000004: must be 30.
    assert scheduled_agents(21, 30) == 30
    # 9 / (1 − 0.55) = 20 exactly (float 20.000000000000004)
    assert scheduled_agents(9, 55) == 20
    with pytest.raises(ValueError):
        scheduled_agents(10, 100)


def test_low_traffic_needs_at_least_one_agent() -> None:
    # 1 call in 30 min, AHT 180 s: A = 0.1; N = 1: C = 0.1 (for N = 1, C = A),
    # SL = 1 − 0.1 · e^(−0.9·20/180) = 1 − 0.1 · 0.904837 = 0.90952 ≥ 0.80 → 1 agent.
    result = agents_needed(1, 1_800, 180, 20, 80)
    assert result.agents == 1
    assert result.service_level_percent == pytest.approx(90.952, abs=1e-3)


def test_large_centre() -> None:
    # 20,000 calls per 30 min at 180 s = 2,000 Erlangs: needs more than 2,000 agents and stays
    # finite; the chosen N reaches the goal and N − 1 does not.
    result = agents_needed(20_000, 1_800, 180, 20, 80)
    assert result.agents > 2_000
    assert service_level(2_000, result.agents, 20, 180) >= 0.80
    assert service_level(2_000, result.agents - 1, 20, 180) < 0.80


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        agents_needed(100, 1_800, 180, 20, 100)  # 100 % is unreachable
    with pytest.raises(ValueError):
        agents_needed(100, 1_800, 180, 20, 80, shrinkage_percent=100)
    with pytest.raises(ValueError):
        agents_needed(100, 1_800, 180, 20, 80, max_occupancy=85)  # a fraction, not percent
    with pytest.raises(ValueError):
        agents_needed(100, 0, 180, 20, 80)
    with pytest.raises(ValueError):
        agents_needed(100, 1_800, 180, 20, 80, concurrency=0)
