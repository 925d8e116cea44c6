"""Reply review rules, the state machine, and the approval analytics on hand-worked examples."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from analytics.reply_review import (
    TransitionError,
    added_frt,
    matching_rules,
    next_state,
    outcome_shares,
    queue_size,
    turnaround,
)

RULES = [
    {"name": "Billing posts", "kind": "topic", "topic": "billing", "threshold": None},
    {"name": "Negative", "kind": "negative", "threshold": -0.4},
    {"name": "Big accounts", "kind": "reach", "threshold": 10_000},
    {"name": "New agents", "kind": "new_agent", "threshold": 4},
    {"name": "Money words", "kind": "wording", "words": "refund, voucher,free of charge"},
    {"name": "Off", "kind": "topic", "topic": "praise", "active": False},
]


def _match(**overrides):
    post = dict(
        is_public=True,
        topic="delivery",
        sentiment=0.1,
        reach=500,
        agent_weeks=30.0,
        body="Thanks, DM us.",
    )
    return matching_rules(RULES, **{**post, **overrides})


def test_a_plain_public_reply_is_caught_by_no_rule():
    assert _match() == []


@pytest.mark.parametrize(
    ("overrides", "caught"),
    [
        ({"topic": "billing"}, ["Billing posts"]),
        ({"sentiment": -0.4}, ["Negative"]),  # at the threshold counts
        ({"sentiment": -0.39}, []),
        ({"reach": 10_000}, ["Big accounts"]),
        ({"reach": 9_999}, []),
        ({"agent_weeks": 3.9}, ["New agents"]),
        ({"agent_weeks": 4.0}, []),
        ({"agent_weeks": None}, ["New agents"]),  # no history yet: new
        ({"body": "We'll send a Voucher."}, ["Money words"]),
        ({"body": "Refunds take 5 days."}, []),  # whole words only
        ({"topic": "praise"}, []),  # inactive rule
        (
            {"topic": "billing", "reach": 50_000, "body": "Full refund today"},
            ["Billing posts", "Big accounts", "Money words"],
        ),
    ],
)
def test_each_rule_kind(overrides, caught):
    assert _match(**overrides) == caught


def test_private_replies_are_never_reviewed():
    assert _match(is_public=False, topic="billing", reach=10**6) == []


ALLOWED = [
    ("pending_review", "approve", {}, "published", "approved"),
    ("pending_review", "edit_approve", {"body_changed": True}, "published", "edited"),
    ("pending_review", "reject", {"reason": "Tone"}, "rejected", "rejected"),
    ("pending_review", "move_private", {}, "published", "moved_private"),
    ("rejected", "resubmit", {"body_changed": True}, "pending_review", None),
    ("draft", "resubmit", {}, "pending_review", None),
]


@pytest.mark.parametrize(("state", "action", "kw", "after", "outcome"), ALLOWED)
def test_allowed_transitions(state, action, kw, after, outcome):
    decision = next_state(state, action, **kw)
    assert (decision.state, decision.outcome) == (after, outcome)


FORBIDDEN = [
    ("rejected", "approve", {}, "rejected; the agent must submit a new version"),
    ("rejected", "resubmit", {"body_changed": False}, "only with a new version"),
    ("draft", "approve", {}, "not been submitted"),
    ("published", "approve", {}, "already decided"),
    ("published", "reject", {"reason": "Tone"}, "already decided"),
    ("published", "move_private", {}, "already decided"),
    ("approved", "edit_approve", {"body_changed": True}, "already approved"),
    ("pending_review", "edit_approve", {"body_changed": False}, "Nothing was edited"),
    ("pending_review", "reject", {"reason": None}, "Pick a reason"),
    ("pending_review", "reject", {"reason": "made up"}, "Pick a reason"),
    ("pending_review", "resubmit", {"body_changed": True}, "waiting for review"),
    ("pending_review", "delete", {}, "Unknown action"),
]


@pytest.mark.parametrize(("state", "action", "kw", "message"), FORBIDDEN)
def test_forbidden_transitions_say_why(state, action, kw, message):
    with pytest.raises(TransitionError, match=message):
        next_state(state, action, **kw)


def _t(hour, minute=0):
    return pd.Timestamp(2026, 11, 2, hour, minute)


DECIDED = pd.DataFrame(
    {
        "submitted_at": [_t(9), _t(9), _t(10), _t(11), _t(12)],
        "reviewed_at": [_t(9, 10), _t(9, 30), _t(11), _t(13), pd.NaT],
        "outcome": ["approved", "edited", "rejected", "moved_private", None],
        "reason": [None, None, "Tone", None, None],
        "rules": ["Negative\nBig accounts", "Negative", "Money words", None, "Negative"],
        "reviewer": ["ana", "ana", "ben", "ben", None],
    }
)


def test_turnaround_median_and_p90_by_hand():
    # 600, 1800, 3600, 7200 s; p50 = (1800 + 3600)/2 = 2700; p90: h = 2.7 → 3600 + 0.7·3600.
    result = turnaround(DECIDED)
    assert (result.median, result.p90, result.n) == (2700.0, 6120.0, 4)


def test_outcome_shares_by_rule_count_a_reply_under_each_of_its_rules():
    shares = outcome_shares(DECIDED, "rule")
    negative = shares[shares["group"] == "Negative"].set_index("outcome")["share_percent"]
    assert negative.to_dict() == {"approved": 50.0, "edited": 50.0}  # the pending one is out
    assert shares[shares["group"] == "(none)"]["outcome"].tolist() == ["moved_private"]
    by_reviewer = outcome_shares(DECIDED, "reviewer").set_index(["group", "outcome"])
    assert by_reviewer.loc[("ben", "rejected"), "share_percent"] == 50.0
    assert by_reviewer.loc[("ben", "rejected"), "total"] == 2


def test_queue_size_counts_submitted_and_not_yet_decided():
    moments = [_t(8), _t(9), _t(9, 10), _t(10, 30), _t(12, 30), _t(13)]
    sizes = queue_size(DECIDED, moments)["waiting"].tolist()
    # 09:00 two submitted; 09:10 the first decided; 10:30 #3 waiting; 12:30 #4 and #5; 13:00 #5.
    assert sizes == [0, 2, 1, 1, 2, 1]


def test_added_frt_per_channel_and_week_by_hand():
    contacts = pd.DataFrame(
        {
            "channel_id": ["twitter"] * 5 + ["facebook"],
            # Mon 2 Nov and Sun 8 Nov (London) are one ISO week; Mon 9 Nov the next.
            "created_at": [datetime(2026, 11, 2, 9)] * 2
            + [datetime(2026, 11, 8, 23, 30)] * 2
            + [datetime(2026, 11, 9, 9)]
            + [datetime(2026, 11, 2, 9)],
            "frt_seconds": [600.0, 1000.0, 1800.0, 200.0, 300.0, 50.0],
            "reviewed": [True, True, True, False, True, False],
        }
    )
    frame = added_frt(contacts, "Europe/London").set_index(["channel_id", "week"])
    week = frame.loc[("twitter", datetime(2026, 11, 2).date())]
    # reviewed median(600, 1000, 1800) = 1000; direct 200 → review adds 800 s.
    assert (week["median_reviewed"], week["median_direct"], week["added_seconds"]) == (
        1000.0,
        200.0,
        800.0,
    )
    assert (week["n_reviewed"], week["n_direct"]) == (3, 1)
    # A week with only reviewed contacts has nothing to compare with.
    assert np.isnan(frame.loc[("twitter", datetime(2026, 11, 9).date()), "added_seconds"])
    assert np.isnan(frame.loc[("facebook", datetime(2026, 11, 2).date()), "added_seconds"])
