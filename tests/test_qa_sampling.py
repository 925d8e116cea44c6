"""QA sampling: quotas, channel strata, oversampling, exclusions, reproducibility, balance."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pandas as pd
import pytest

from analytics.qa_sampling import (
    PREVIEW_COLUMNS,
    SamplingRule,
    assign_balanced,
    draw_sample,
    largest_remainder,
)

START = datetime(2026, 11, 2)
END = datetime(2026, 11, 9)


def contacts(agent: str, mix: dict[str, int], first_id: int, **columns: object) -> pd.DataFrame:
    """`mix` channel → count contacts of one agent, ids from first_id, ended inside the week."""
    channels = [channel for channel, count in mix.items() for _ in range(count)]
    frame = pd.DataFrame(
        {
            "id": range(first_id, first_id + len(channels)),
            "agent_id": agent,
            "channel": channels,
            "ended_at": datetime(2026, 11, 4),
            "team": "north",
            "reviewed": False,
            "sentiment": 0.2,
            "csat": 4.0,
            "escalated": False,
        }
    )
    return frame.assign(**columns)


# ana: 20 contacts, 10 chat / 6 email / 4 twitter; bo: 3 contacts only.
ANA = contacts("ana", {"chat": 10, "email": 6, "twitter": 4}, first_id=1)
BO = contacts("bo", {"phone": 3}, first_id=101)
CANDIDATES = pd.concat([ANA, BO], ignore_index=True)


def drawn_per_channel(draw, agent: str) -> dict[str, int]:
    preview = draw.preview[draw.preview["agent_id"] == agent]
    return dict(zip(preview["channel"], preview["drawn"], strict=True))


def test_largest_remainder_by_hand() -> None:
    # 5 over 10, 6, 4: exact 2.5, 1.5, 1.0 → floors 2, 1, 1, one left; tie 0.5/0.5 → first.
    assert largest_remainder(5, [10, 6, 4]) == [3, 1, 1]
    # 7 over 1, 1, 1: exact 2.33 each → 2, 2, 2, one left → first.
    assert largest_remainder(7, [1, 1, 1]) == [3, 2, 2]
    # 10 over shares .3, .2, 0, .5 → 3, 2, 0, 5 exactly.
    assert largest_remainder(10, [0.3, 0.2, 0, 0.5]) == [3, 2, 0, 5]
    assert largest_remainder(0, [1, 2]) == [0, 0]


def test_quota_stratified_by_channel_in_proportion() -> None:
    draw = draw_sample(CANDIDATES, SamplingRule(quota_per_agent=5, seed=7))
    # ana: 5 over chat 10, email 6, twitter 4 → 3, 1, 1 (see largest_remainder above).
    assert drawn_per_channel(draw, "ana") == {"chat": 3, "email": 1, "twitter": 1}
    ana = draw.sample[draw.sample["agent_id"] == "ana"]
    assert set(ana["reason"]) == {"channel stratum"}
    # Drawn ids are ana's own contacts, no duplicates, on the channel the preview says.
    assert set(ana["id"]) <= set(ANA["id"])
    assert ana["id"].is_unique
    assert list(draw.preview.columns) == PREVIEW_COLUMNS
    preview = draw.preview.set_index(["agent_id", "channel"])
    assert preview.loc[("ana", "chat"), "contacts"] == 10


def test_agent_with_fewer_contacts_than_quota_gets_all_and_is_listed() -> None:
    draw = draw_sample(CANDIDATES, SamplingRule(quota_per_agent=5, seed=7), agents=["ana", "zed"])
    assert sorted(draw.sample.loc[draw.sample["agent_id"] == "bo", "id"]) == [101, 102, 103]
    assert draw.short_agents.to_dict("records") == [
        {"agent_id": "bo", "contacts": 3, "quota": 5},
        {"agent_id": "zed", "contacts": 0, "quota": 5},
    ]
    assert len(draw.ids) == 5 + 3


def test_same_rule_seed_and_data_give_the_same_sample_whatever_the_row_order() -> None:
    rule = SamplingRule(quota_per_agent=5, seed=42)
    first = draw_sample(CANDIDATES, rule).ids
    shuffled = CANDIDATES.sample(frac=1, random_state=3)
    assert draw_sample(shuffled, rule).ids == first
    again = SamplingRule.from_json(rule.to_json())
    assert draw_sample(CANDIDATES, again).ids == first
    # Another seed draws another sample (C(10,3)·C(6,1)·C(4,1) = 2,880 possible for ana).
    assert draw_sample(CANDIDATES, SamplingRule(quota_per_agent=5, seed=43)).ids != first


def test_an_agents_draw_does_not_depend_on_other_agents() -> None:
    rule = SamplingRule(quota_per_agent=5, seed=42)
    with_bo = draw_sample(CANDIDATES, rule).sample
    alone = draw_sample(ANA, rule).sample
    assert with_bo[with_bo["agent_id"] == "ana"]["id"].tolist() == alone["id"].tolist()


def test_reviewed_contacts_are_excluded_when_asked() -> None:
    # ana's chats 1–10 were reviewed before: only email 6 and twitter 4 remain, 5 → 3, 2.
    frame = CANDIDATES.assign(reviewed=CANDIDATES["id"] <= 10)
    draw = draw_sample(frame, SamplingRule(quota_per_agent=5, seed=1))
    assert drawn_per_channel(draw, "ana") == {"email": 3, "twitter": 2}
    kept = draw_sample(frame, SamplingRule(quota_per_agent=5, seed=1, exclude_reviewed=False))
    assert drawn_per_channel(kept, "ana") == {"chat": 3, "email": 1, "twitter": 1}


def test_period_channel_and_team_filters() -> None:
    # Twitter contacts ended before the period, bo is in team south.
    frame = CANDIDATES.assign(
        ended_at=CANDIDATES["ended_at"].where(
            CANDIDATES["channel"] != "twitter", datetime(2026, 11, 1)
        ),
        team=CANDIDATES["team"].where(CANDIDATES["agent_id"] != "bo", "south"),
    )
    rule = SamplingRule(quota_per_agent=4, seed=1, period_start=START, period_end=END)
    # 4 over chat 10, email 6 → 2.5, 1.5 → 2, 1 + one to the first tie (chat) → 3, 1.
    assert drawn_per_channel(draw_sample(frame, rule), "ana") == {"chat": 3, "email": 1}
    only_email = SamplingRule(quota_per_agent=4, seed=1, channels=("email",))
    assert drawn_per_channel(draw_sample(frame, only_email), "ana") == {"email": 4}
    north = draw_sample(frame, SamplingRule(quota_per_agent=4, seed=1, teams=("north",)))
    assert set(north.sample["agent_id"]) == {"ana"}
    # A contact ending exactly at the period's end is outside it (half-open).
    edge = ANA.assign(ended_at=END)
    assert draw_sample(edge, rule).ids == []


def test_oversampling_shares_are_drawn_first_from_flagged_contacts() -> None:
    # 40 contacts of ana; negative sentiment on 5 (ids 1–5), CSAT ≤ 2 on only 1 (id 40).
    frame = contacts("ana", {"chat": 20, "email": 20}, first_id=1)
    frame.loc[frame["id"] <= 5, "sentiment"] = -0.8
    frame.loc[frame["id"] == 40, "csat"] = 2.0
    rule = SamplingRule(
        quota_per_agent=10, seed=5, negative_sentiment_share=0.3, low_csat_share=0.2
    )
    # Parts of 10 by shares .3, .2, (escalation 0), rest .5 → 3, 2, 0, 5; low CSAT has 1
    # flagged contact, so the rest gets 6: over chat 17 (20 − negatives drawn from chat)
    # and email 19 (20 − id 40) → 6 × 17/36 = 2.83, 6 × 19/36 = 3.17 → 2, 3, one left to
    # the larger remainder (chat .83) → 3, 3.
    draw = draw_sample(frame, rule)
    reasons = Counter(draw.sample["reason"])
    assert reasons == {"negative_sentiment": 3, "low_csat": 1, "channel stratum": 6}
    negative = draw.sample[draw.sample["reason"] == "negative_sentiment"]
    assert set(negative["id"]) <= {1, 2, 3, 4, 5}
    assert draw.sample.loc[draw.sample["reason"] == "low_csat", "id"].tolist() == [40]
    stratum = draw.sample[draw.sample["reason"] == "channel stratum"]
    assert Counter(stratum["channel"]) == {"chat": 3, "email": 3}
    assert len(draw.ids) == 10


def test_escalations_and_missing_values_never_flag() -> None:
    frame = contacts("ana", {"chat": 6}, first_id=1, csat=None, sentiment=None)
    frame.loc[frame["id"] == 6, "escalated"] = True
    rule = SamplingRule(
        quota_per_agent=2, seed=0, escalation_share=0.5, low_csat_share=0.5
    )  # parts 1, 1 — no CSAT anywhere, so that part goes to the rest
    draw = draw_sample(frame, rule)
    assert Counter(draw.sample["reason"]) == {"escalated": 1, "channel stratum": 1}
    assert draw.sample.loc[draw.sample["reason"] == "escalated", "id"].tolist() == [6]


def test_rule_round_trips_through_json() -> None:
    rule = SamplingRule(
        quota_per_agent=8,
        seed=123,
        low_csat_share=0.25,
        period_start=START,
        period_end=END,
        channels=("chat", "twitter"),
        agent_ids=(3, 5),
    )
    text = rule.to_json()
    assert '"period_start": "2026-11-02T00:00:00"' in text
    assert SamplingRule.from_json(text) == rule
    with pytest.raises(ValueError, match=r"unknown sampling rule fields: \['quota'\]"):
        SamplingRule.from_json('{"quota": 5, "seed": 1}')


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quota_per_agent": 0}, "quota per agent must be at least 1"),
        ({"negative_sentiment_share": 0.6, "low_csat_share": 0.5}, "more than the whole quota"),
        ({"escalation_share": -0.1}, "between 0 and 1"),
        ({"period_start": END, "period_end": START}, "end after it starts"),
    ],
)
def test_bad_rules_are_refused(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SamplingRule(**{"quota_per_agent": 5, "seed": 1, **fields})


def test_missing_columns_are_named() -> None:
    rule = SamplingRule(quota_per_agent=5, seed=1, low_csat_share=0.2)
    with pytest.raises(ValueError, match=r"lack the columns \['csat'\]"):
        draw_sample(CANDIDATES.drop(columns="csat"), rule)


def test_assignment_is_balanced_complete_and_reproducible() -> None:
    ids = list(range(1, 11))
    assignment = assign_balanced(ids, ["rita", "sam", "tom"], seed=9)
    assert sorted(assignment) == ids
    assert sorted(Counter(assignment.values()).values()) == [3, 3, 4]
    assert assign_balanced(reversed(ids), ["tom", "sam", "rita"], seed=9) == assignment
    with pytest.raises(ValueError, match="at least one reviewer"):
        assign_balanced(ids, [], seed=9)


def test_without_strata_and_without_candidates() -> None:
    unstratified = SamplingRule(quota_per_agent=3, seed=1, stratify_by_channel=False)
    plain = draw_sample(CANDIDATES, unstratified)
    assert Counter(plain.sample["agent_id"]) == {"ana": 3, "bo": 3}
    assert set(plain.sample["reason"]) == {"random"}
    rule = SamplingRule(quota_per_agent=3, seed=1)
    empty = draw_sample(CANDIDATES.iloc[:0], rule, agents=["ana"])
    assert empty.ids == []
    assert empty.short_agents.to_dict("records") == [{"agent_id": "ana", "contacts": 0, "quota": 3}]
