"""queries.audit's lookups for the Audit log and the admin's home, on SQLite and PostgreSQL:
record names by (table, id) in one query per table, and entries counted per action."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.schema import audit_log
from queries import admin
from queries.audit import action_counts, record_names


def test_record_names_are_the_records_names_now(engine):
    topic = admin.create_topic(engine=engine, values={"name": "Refunds"}, actor="alice")
    admin.update_topic(
        engine=engine,
        record_id=topic["id"],
        expected_version=1,
        values={"name": "Refunds and returns"},
        actor="alice",
    )
    policy = admin.list_sla_policies(engine=engine).iloc[0]
    refs = [
        ("topics", str(topic["id"])),
        ("sla_policies", str(policy["id"])),
        ("topics", "999999"),  # gone: no name
        ("qa_reviews", "1"),  # a kind without a name column
        ("users", None),  # a failed sign-in of an unknown name has no record
    ]
    names = record_names(engine=engine, refs=refs)
    assert names == {
        ("topics", str(topic["id"])): "Refunds and returns",
        ("sla_policies", str(policy["id"])): policy["channel_id"],
    }
    assert record_names(engine=engine, refs=[]) == {}


def test_action_counts_count_each_action_in_the_window(engine):
    moment = datetime(2030, 1, 10, 12)  # far from any entry the migrated template holds
    entries = [("insert", 1), ("update", 2), ("update", 3), ("login_failed", 1), ("delete", 9)]
    with engine.begin() as conn:
        conn.execute(
            audit_log.insert(),
            [
                {"at": moment - timedelta(days=age), "username": "alice", "action": action,
                 "table_name": "topics", "record_id": "1"}
                for action, age in entries
            ],
        )  # fmt: skip
    week = moment - timedelta(days=7)
    assert action_counts(engine=engine, start=week) == {
        "insert": 1,
        "update": 2,
        "login_failed": 1,
    }
    assert action_counts(engine=engine, start=week, end=moment - timedelta(days=1, hours=12)) == {
        "update": 2
    }
    assert action_counts(engine=engine, start=datetime(2100, 1, 1)) == {}
