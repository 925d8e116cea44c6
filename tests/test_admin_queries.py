"""Admin records (SLA policies, scorecards, topics, playbook, stakeholders) and the audit reader."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from db.schema import (
    audit_log,
    interactions,
    qa_reviews,
    scorecard_criteria,
    sla_policies,
    topics,
    users,
)
from queries import admin
from queries.audit import list_audit
from queries.writes import NotFoundError, StaleWriteError, ValidationError, utcnow

INJECTIONS = ["x'; DROP TABLE users; --", "' OR '1'='1", "billing'); DELETE FROM topics; --"]

POLICY = {
    "channel_id": "chat",
    "priority": "high",
    "is_public": None,
    "target_seconds": 30,
    "goal_percent": 90,
    "business_hours": None,
    "abandon_rule": "exclude_short",
    "short_abandon_seconds": 5,
    "active_from": datetime(2026, 4, 1),
}

CRITERIA = [
    {"name": "Greeting", "weight": 1, "max_points": 3, "critical": False},
    {"name": "Accuracy", "weight": 3.5, "max_points": 5, "critical": False},
    {"name": "Data protection", "weight": 1, "max_points": 1, "critical": True},
]


def _count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def _errors(call, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.field_errors


# --- SLA policies -----------------------------------------------------------------------------


def test_create_and_list_sla_policy(engine):
    before = _count(engine, sla_policies)
    created = admin.create_sla_policy(engine=engine, values=POLICY, actor="admin1")

    assert created["version"] == 1 and created["updated_by"] == "admin1"
    assert created["goal_percent"] == 90.0 and created["priority"] == "high"
    frame = admin.list_sla_policies(engine=engine)
    assert len(frame) == before + 1
    row = frame[frame["id"] == created["id"]].iloc[0]
    assert row["channel_name"] == "Chat"
    assert {"target_seconds", "abandon_rule", "version", "updated_by"} <= set(frame.columns)


def test_sla_policy_defaults_and_accepts_a_date(engine):
    created = admin.create_sla_policy(
        engine=engine,
        values={
            "channel_id": "email",
            "target_seconds": "3600",
            "goal_percent": 95.5,
            "business_hours": "office",
            "active_from": date(2026, 5, 1),
        },
        actor="admin1",
    )
    assert created["abandon_rule"] == "fail"
    assert created["short_abandon_seconds"] == 5
    assert created["target_seconds"] == 3600
    assert created["active_from"] == datetime(2026, 5, 1)
    assert created["business_hours"] == "office"


def test_sla_policy_reports_every_bad_field(engine):
    errors = _errors(
        admin.create_sla_policy,
        engine=engine,
        values={
            "channel_id": "pigeon",
            "priority": "urgent",
            "is_public": "maybe",
            "target_seconds": 0,
            "goal_percent": 100.5,
            "business_hours": "nowhere",
            "abandon_rule": "ignore",
            "short_abandon_seconds": -1,
            "active_from": "next tuesday",
        },
        actor="admin1",
    )
    assert set(errors) == {
        "channel_id",
        "priority",
        "is_public",
        "target_seconds",
        "goal_percent",
        "business_hours",
        "abandon_rule",
        "short_abandon_seconds",
        "active_from",
    }
    assert errors["target_seconds"] == "must be at least 1"
    assert _count(engine, audit_log) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("goal_percent", 0),
        ("goal_percent", "abc"),
        ("target_seconds", 1.5),
        ("target_seconds", True),
        ("short_abandon_seconds", None),
        ("active_from", None),
    ],
)
def test_sla_policy_single_field_errors(engine, field, value):
    errors = _errors(
        admin.create_sla_policy, engine=engine, values={**POLICY, field: value}, actor="a"
    )
    assert set(errors) == {field}


def test_two_policies_for_the_same_slice_and_start_are_refused(engine):
    admin.create_sla_policy(engine=engine, values=POLICY, actor="admin1")
    errors = _errors(admin.create_sla_policy, engine=engine, values=POLICY, actor="admin1")
    assert set(errors) == {"active_from"}
    # Another priority is another slice.
    admin.create_sla_policy(engine=engine, values={**POLICY, "priority": None}, actor="admin1")


def test_update_sla_policy_locks_optimistically(engine):
    created = admin.create_sla_policy(engine=engine, values=POLICY, actor="admin1")
    updated = admin.update_sla_policy(
        engine=engine,
        record_id=created["id"],
        expected_version=1,
        values={"target_seconds": 45},
        actor="alice",
    )
    assert (updated["target_seconds"], updated["version"]) == (45, 2)

    with pytest.raises(StaleWriteError) as caught:
        admin.update_sla_policy(
            engine=engine,
            record_id=created["id"],
            expected_version=1,
            values={"target_seconds": 10},
            actor="bob",
        )
    assert caught.value.changed_by == "alice"
    assert caught.value.current["target_seconds"] == 45
    with pytest.raises(ValidationError):
        admin.update_sla_policy(
            engine=engine,
            record_id=created["id"],
            expected_version=2,
            values={"goal_percent": 0},
            actor="bob",
        )
    with pytest.raises(NotFoundError):
        admin.update_sla_policy(
            engine=engine, record_id=987_654, expected_version=1, values={}, actor="bob"
        )
    with pytest.raises(ValueError, match="unknown"):
        admin.update_sla_policy(
            engine=engine, record_id=created["id"], expected_version=2, values={"id": 1}, actor="b"
        )


def test_business_calendars_are_listed_for_the_policy_form(engine):
    frame = admin.list_business_calendars(engine=engine)
    assert list(frame["id"]) == ["office"]


# --- scorecards -------------------------------------------------------------------------------


def _scorecard(engine: Engine, name: str = "Social replies") -> dict:
    return admin.create_scorecard(
        engine=engine, values={"name": name, "criteria": CRITERIA}, actor="admin1"
    )


def test_create_scorecard_with_criteria_in_one_go(engine):
    card = _scorecard(engine)

    assert card["version"] == 1 and card["active"] is True
    assert [c["name"] for c in card["criteria"]] == ["Greeting", "Accuracy", "Data protection"]
    assert [c["position"] for c in card["criteria"]] == [0, 1, 2]
    assert card["criteria"][2]["critical"] is True
    frame = admin.list_scorecards(engine=engine)
    assert frame.set_index("name").loc["Social replies", "criteria_count"] == 3
    assert list(admin.list_criteria(engine=engine, scorecard_id=card["id"])["weight"]) == [
        1.0,
        3.5,
        1.0,
    ]
    assert admin.get_scorecard(engine=engine, scorecard_id=card["id"])["name"] == "Social replies"
    assert admin.get_scorecard(engine=engine, scorecard_id=999_999) is None


def test_scorecard_validation_per_criterion(engine):
    errors = _errors(
        admin.create_scorecard,
        engine=engine,
        values={
            "name": "",
            "criteria": [
                {"name": "", "weight": 0, "max_points": 0, "critical": False},
                {"name": "Tone", "weight": -1, "max_points": 2.5, "critical": "yes"},
                {"name": "tone", "weight": 1, "max_points": 1},
            ],
        },
        actor="admin1",
    )
    assert errors == {
        "name": "is required",
        "criteria[0].name": "is required",
        "criteria[0].weight": "must be greater than 0",
        "criteria[0].max_points": "must be at least 1",
        "criteria[1].weight": "must be greater than 0",
        "criteria[1].max_points": "must be a whole number",
        "criteria[1].critical": "must be yes or no",
        "criteria[2].name": "appears twice on this scorecard",
    }
    assert _errors(
        admin.create_scorecard, engine=engine, values={"name": "Empty", "criteria": []}, actor="a"
    ) == {"criteria": "a scorecard needs at least one criterion"}


def test_criteria_straight_from_a_data_editor_frame(engine):
    card = _scorecard(engine)
    frame = admin.list_criteria(engine=engine, scorecard_id=card["id"])
    # A row added in st.data_editor: no id, critical left empty (NaN/NA cells).
    added = pd.DataFrame([{"name": "Follow-up", "weight": 2.0, "max_points": 4}])
    edited = pd.concat([frame, added], ignore_index=True)

    updated = admin.update_scorecard(
        engine=engine,
        record_id=card["id"],
        expected_version=1,
        values={"criteria": edited[["id", "name", "weight", "max_points", "critical"]]},
        actor="admin1",
    )

    assert [c["name"] for c in updated["criteria"]][-1] == "Follow-up"
    assert updated["criteria"][-1]["critical"] is False
    assert [c["id"] for c in updated["criteria"]][:3] == list(frame["id"])


def test_scorecard_name_is_unique(engine):
    _scorecard(engine)
    errors = _errors(
        admin.create_scorecard,
        engine=engine,
        values={"name": "social REPLIES", "criteria": CRITERIA},
        actor="a",
    )
    assert set(errors) == {"name"}


def test_update_scorecard_syncs_criteria_and_bumps_the_version(engine):
    card = _scorecard(engine)
    greeting, accuracy, _protection = card["criteria"]

    updated = admin.update_scorecard(
        engine=engine,
        record_id=card["id"],
        expected_version=1,
        values={
            "criteria": [
                {**accuracy, "weight": 4},  # moved to the top, reweighted
                {"id": greeting["id"], "name": "Greeting and name", "weight": 1, "max_points": 3},
                {"name": "Empathy", "weight": 2, "max_points": 5, "critical": False},
            ]
        },
        actor="alice",
    )

    assert updated["version"] == 2 and updated["updated_by"] == "alice"
    names = [(c["name"], c["weight"], c["position"]) for c in updated["criteria"]]
    assert names == [("Accuracy", 4.0, 0), ("Greeting and name", 1.0, 1), ("Empathy", 2.0, 2)]
    assert updated["criteria"][0]["id"] == accuracy["id"]  # edited in place, id kept
    actions = list_audit(engine=engine, table="scorecard_criteria", username="alice")
    assert sorted(actions["action"]) == ["delete", "insert", "update", "update"]

    with pytest.raises(StaleWriteError) as caught:
        admin.update_scorecard(
            engine=engine,
            record_id=card["id"],
            expected_version=1,
            values={"name": "Bob's name"},
            actor="bob",
        )
    assert caught.value.changed_by == "alice"


def test_stale_scorecard_form_changes_no_criterion(engine):
    card = _scorecard(engine)
    admin.update_scorecard(
        engine=engine, record_id=card["id"], expected_version=1, values={"active": False}, actor="a"
    )
    with pytest.raises(StaleWriteError):
        admin.update_scorecard(
            engine=engine,
            record_id=card["id"],
            expected_version=1,
            values={"criteria": [{"name": "Only one", "weight": 1, "max_points": 1}]},
            actor="bob",
        )
    assert len(admin.list_criteria(engine=engine, scorecard_id=card["id"])) == 3


def test_criteria_of_a_reviewed_scorecard_are_never_removed(engine):
    card = _scorecard(engine)
    with engine.begin() as conn:
        interaction_id = conn.execute(
            interactions.insert().values(
                external_id="i-1",
                channel_id="chat",
                created_at=datetime(2026, 3, 1),
                updated_at=datetime(2026, 3, 1),
            )
        ).inserted_primary_key[0]
        conn.execute(
            qa_reviews.insert().values(
                interaction_id=interaction_id,
                reviewer="qa1",
                scorecard_id=card["id"],
                scores=json.dumps({str(c["id"]): 1 for c in card["criteria"]}),
                total=100.0,
                created_at=datetime(2026, 3, 1),
            )
        )

    errors = _errors(
        admin.update_scorecard,
        engine=engine,
        record_id=card["id"],
        expected_version=1,
        values={"criteria": card["criteria"][:1]},
        actor="a",
    )
    assert set(errors) == {"criteria"}
    assert _count(engine, scorecard_criteria) >= 3
    # Reweighting and adding are still fine.
    admin.update_scorecard(
        engine=engine,
        record_id=card["id"],
        expected_version=1,
        values={"criteria": [*card["criteria"], {"name": "New", "weight": 1, "max_points": 2}]},
        actor="a",
    )


def test_criteria_of_another_scorecard_cannot_be_borrowed(engine):
    first = _scorecard(engine, "First")
    second = _scorecard(engine, "Second")
    errors = _errors(
        admin.update_scorecard,
        engine=engine,
        record_id=second["id"],
        expected_version=1,
        values={"criteria": [first["criteria"][0]]},
        actor="a",
    )
    assert "criteria[0]" in errors


# --- topics -----------------------------------------------------------------------------------


def test_keywords_are_trimmed_lower_cased_and_deduplicated(engine):
    assert admin.normalise_keywords(" Refund, refund ,LATE,, late ,Not Working") == (
        "refund,late,not working"
    )
    created = admin.create_topic(
        engine=engine,
        values={"name": "Returns", "keywords": ["RMA", " rma", "Exchange"]},
        actor="admin1",
    )
    assert (created["keywords"], created["active"]) == ("rma,exchange", True)


def test_topic_names_are_unique_ignoring_case(engine):
    errors = _errors(
        admin.create_topic, engine=engine, values={"name": "BILLING", "keywords": ""}, actor="a"
    )
    assert set(errors) == {"name"}
    assert _errors(admin.create_topic, engine=engine, values={"name": " "}, actor="a") == {
        "name": "is required"
    }
    assert set(
        _errors(admin.create_topic, engine=engine, values={"name": "x" * 65}, actor="a")
    ) == {"name"}


def test_update_topic_and_stale_form(engine):
    billing = admin.list_topics(engine=engine).set_index("name").loc["billing"]
    topic_id, version = int(billing["id"]), int(billing["version"])
    updated = admin.update_topic(
        engine=engine,
        record_id=topic_id,
        expected_version=version,
        values={"keywords": "Bill, BILL, direct debit"},
        actor="alice",
    )
    assert updated["keywords"] == "bill,direct debit"
    # Renaming to its own name in another case is not a clash with itself.
    admin.update_topic(
        engine=engine,
        record_id=topic_id,
        expected_version=version + 1,
        values={"name": "Billing"},
        actor="alice",
    )
    with pytest.raises(StaleWriteError):
        admin.update_topic(
            engine=engine,
            record_id=topic_id,
            expected_version=version,
            values={"active": False},
            actor="bob",
        )
    errors = _errors(
        admin.update_topic,
        engine=engine,
        record_id=topic_id,
        expected_version=version + 2,
        values={"name": "outage"},
        actor="bob",
    )
    assert set(errors) == {"name"}


def test_injection_strings_as_topic_names_and_keywords_are_stored_verbatim(engine):
    topics_before = _count(engine, topics)
    for text in INJECTIONS:
        created = admin.create_topic(
            engine=engine, values={"name": text, "keywords": text.lower()}, actor="admin1"
        )
        assert created["name"] == text
        # A keyword list is split on commas; these strings have none, so each is one keyword.
        assert created["keywords"] == text.lower()

    assert _count(engine, topics) == topics_before + len(INJECTIONS)
    with engine.connect() as conn:
        stored = set(conn.scalars(select(topics.c.name)))
        assert conn.scalar(select(func.count()).select_from(users)) == 0  # table still there
    assert set(INJECTIONS) <= stored
    assert admin.topic_names(engine=engine).count("' OR '1'='1") == 1
    # A playbook entry and a stakeholder may refer to such a topic, verbatim.
    entry = admin.create_playbook_entry(
        engine=engine,
        values={"issue": INJECTIONS[0], "topic": INJECTIONS[1], "response_template": INJECTIONS[2]},
        actor="admin1",
    )
    assert (entry["issue"], entry["topic"], entry["response_template"]) == tuple(INJECTIONS)
    assert set(list_audit(engine=engine, username="' OR '1'='1")["id"]) == set()


# --- playbook and stakeholders ----------------------------------------------------------------


def test_playbook_entries_validate_and_update(engine):
    errors = _errors(
        admin.create_playbook_entry,
        engine=engine,
        values={"issue": "", "topic": "weather", "response_template": "   "},
        actor="a",
    )
    assert errors == {
        "issue": "is required",
        "topic": "is not a known topic",
        "response_template": "is required",
    }

    entry = admin.create_playbook_entry(
        engine=engine,
        values={
            "issue": "Outage reported publicly",
            "topic": "outage",
            "response_template": "Sorry {name}, we're on it — DM us your account number.",
            "escalation": "Tell the network ops lead",
            "move_to_private": True,
        },
        actor="admin1",
    )
    assert entry["move_to_private"] is True and entry["version"] == 1
    updated = admin.update_playbook_entry(
        engine=engine,
        record_id=entry["id"],
        expected_version=1,
        values={"escalation": "", "topic": None},
        actor="admin2",
    )
    assert (updated["escalation"], updated["topic"], updated["version"]) == (None, None, 2)
    assert len(admin.list_playbook_entries(engine=engine)) == 1


def test_stakeholders_need_a_plausible_email(engine):
    for bad in ["", "no-at-sign", "two@@example.com", "spaces in@example.com", "a@b"]:
        errors = _errors(
            admin.create_stakeholder,
            engine=engine,
            values={"name": "Ops", "email": bad},
            actor="a",
        )
        assert set(errors) == {"email"}, bad

    person = admin.create_stakeholder(
        engine=engine,
        values={"name": "Dana Ops", "email": "dana@example.com", "topic": "outage", "role": "Lead"},
        actor="admin1",
    )
    with pytest.raises(StaleWriteError):
        admin.update_stakeholder(
            engine=engine,
            record_id=person["id"],
            expected_version=2,
            values={"role": "Head"},
            actor="bob",
        )
    updated = admin.update_stakeholder(
        engine=engine,
        record_id=person["id"],
        expected_version=1,
        values={"role": "Head"},
        actor="bob",
    )
    assert updated["role"] == "Head"
    assert list(admin.list_stakeholders(engine=engine)["email"]) == ["dana@example.com"]


# --- audit reader -----------------------------------------------------------------------------


def test_list_audit_filters_and_orders_newest_first(engine):
    admin.create_topic(engine=engine, values={"name": "one"}, actor="alice")
    admin.create_topic(engine=engine, values={"name": "two"}, actor="bob")
    card = _scorecard(engine)

    everything = list_audit(engine=engine)
    assert list(everything.columns) == [
        "id",
        "at",
        "username",
        "action",
        "table_name",
        "record_id",
        "before",
        "after",
    ]
    assert list(everything["id"]) == sorted(everything["id"], reverse=True)
    assert list(list_audit(engine=engine, username="ALICE")["username"]) == ["alice"]
    assert len(list_audit(engine=engine, table="scorecard_criteria")) == len(card["criteria"])
    assert len(list_audit(engine=engine, action="insert", table="topics")) == 2
    assert len(list_audit(engine=engine, limit=2)) == 2
    later = utcnow() + timedelta(days=1)
    assert list_audit(engine=engine, start=later).empty
    assert len(list_audit(engine=engine, end=later)) == len(everything)
    assert list_audit(engine=engine, username="' OR '1'='1").empty
    assert list_audit(engine=engine, table="x'; DROP TABLE audit_log; --").empty
    assert len(list_audit(engine=engine)) == len(everything)
