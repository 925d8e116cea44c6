"""The write helper every form uses: optimistic locking, idempotency, audit in one transaction."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from db.engine import make_engine
from db.schema import audit_log, qa_samples, sla_policies, topics, users
from queries import writes
from queries.writes import (
    NotFoundError,
    StaleWriteError,
    ValidationError,
    delete_record,
    insert_record,
    update_record,
)


def _audit_rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.table_name == table).order_by(audit_log.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def _count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def _topic(engine: Engine, name: str = "returns") -> dict[str, Any]:
    return insert_record(
        engine=engine,
        table=topics,
        values={"name": name, "keywords": "return,rma", "active": True},
        user="admin1",
    )


def _sample_values(**overrides: Any) -> dict[str, Any]:
    return {
        "created_by": "qa1",
        "created_at": datetime(2026, 3, 2, 9, 0),
        "rule": json.dumps({"per_agent": 5}),
        "seed": 42,
        "size": 5,
        **overrides,
    }


# Row-level concurrency needs PostgreSQL (SQLite has a single writer): these run there only.
ON_POSTGRESQL = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def test_insert_sets_version_stamp_and_audits(engine):
    record = _topic(engine)

    assert record["version"] == 1
    assert record["updated_by"] == "admin1"
    assert isinstance(record["updated_at"], datetime)
    [row] = _audit_rows(engine, "topics")
    assert (row["action"], row["username"], row["record_id"]) == (
        "insert",
        "admin1",
        str(record["id"]),
    )
    assert row["before"] is None
    assert json.loads(row["after"])["name"] == "returns"


def test_update_bumps_version_and_audits_only_changed_fields(engine):
    record = _topic(engine)

    updated = update_record(
        engine=engine,
        table=topics,
        record_id=record["id"],
        expected_version=1,
        changes={"keywords": "return,rma,exchange", "active": True},
        user="admin2",
    )

    assert updated["version"] == 2
    assert updated["updated_by"] == "admin2"
    assert updated["keywords"] == "return,rma,exchange"
    row = _audit_rows(engine, "topics")[-1]
    assert row["action"] == "update"
    # `active` was submitted but did not change, so it is not in the summary.
    assert json.loads(row["before"]) == {"version": 1, "keywords": "return,rma"}
    assert json.loads(row["after"]) == {"version": 2, "keywords": "return,rma,exchange"}


def test_stale_update_names_the_first_writer_and_keeps_their_values(engine):
    record = _topic(engine)
    # Two people open the form: both see version 1.
    seen_by_alice = seen_by_bob = record["version"]

    update_record(
        engine=engine,
        table=topics,
        record_id=record["id"],
        expected_version=seen_by_alice,
        changes={"keywords": "alice"},
        user="alice",
    )
    with pytest.raises(StaleWriteError) as caught:
        update_record(
            engine=engine,
            table=topics,
            record_id=record["id"],
            expected_version=seen_by_bob,
            changes={"keywords": "bob"},
            user="bob",
        )

    error = caught.value
    assert error.changed_by == "alice"
    assert isinstance(error.changed_at, datetime)
    assert "alice" in str(error)
    assert error.current["keywords"] == "alice"
    assert error.current["version"] == 2
    with engine.connect() as conn:
        stored = conn.execute(select(topics).where(topics.c.id == record["id"])).mappings().one()
    assert (stored["keywords"], stored["version"], stored["updated_by"]) == ("alice", 2, "alice")
    assert [row["username"] for row in _audit_rows(engine, "topics")] == ["admin1", "alice"]


def test_update_and_delete_of_a_missing_record_raise_not_found(engine):
    with pytest.raises(NotFoundError):
        update_record(
            engine=engine,
            table=topics,
            record_id=999_999,
            expected_version=1,
            changes={"keywords": "x"},
            user="admin1",
        )
    with pytest.raises(NotFoundError):
        delete_record(
            engine=engine, table=topics, record_id=999_999, expected_version=1, user="admin1"
        )


def test_delete_checks_the_version_and_audits_the_last_state(engine):
    record = _topic(engine)
    update_record(
        engine=engine,
        table=topics,
        record_id=record["id"],
        expected_version=1,
        changes={"keywords": "newer"},
        user="alice",
    )

    with pytest.raises(StaleWriteError):
        delete_record(
            engine=engine, table=topics, record_id=record["id"], expected_version=1, user="bob"
        )
    deleted = delete_record(
        engine=engine, table=topics, record_id=record["id"], expected_version=2, user="bob"
    )

    assert deleted["keywords"] == "newer"
    with engine.connect() as conn:
        assert conn.scalar(select(topics.c.id).where(topics.c.id == record["id"])) is None
    row = _audit_rows(engine, "topics")[-1]
    assert (row["action"], row["username"], row["after"]) == ("delete", "bob", None)
    assert json.loads(row["before"])["keywords"] == "newer"


def test_helpers_refuse_columns_they_own(engine):
    record = _topic(engine)
    with pytest.raises(ValueError, match="version"):
        update_record(
            engine=engine,
            table=topics,
            record_id=record["id"],
            expected_version=1,
            changes={"version": 7},
            user="admin1",
        )
    with pytest.raises(ValueError, match="unknown"):
        insert_record(engine=engine, table=topics, values={"nme": "typo"}, user="admin1")


def test_double_submit_with_the_same_idempotency_key_creates_one_record(engine):
    first = insert_record(
        engine=engine, table=qa_samples, values=_sample_values(), user="qa1", idempotency_key="k-1"
    )
    second = insert_record(
        engine=engine, table=qa_samples, values=_sample_values(), user="qa1", idempotency_key="k-1"
    )
    other = insert_record(
        engine=engine, table=qa_samples, values=_sample_values(), user="qa1", idempotency_key="k-2"
    )

    assert second["id"] == first["id"]
    assert other["id"] != first["id"]
    assert _count(engine, qa_samples) == 2
    assert [row["action"] for row in _audit_rows(engine, "qa_samples")] == ["insert", "insert"]


def test_idempotency_key_needs_a_table_that_has_one(engine):
    with pytest.raises(ValueError, match="idempotency_key"):
        insert_record(
            engine=engine,
            table=topics,
            values={"name": "x", "keywords": ""},
            user="a",
            idempotency_key="k",
        )


def test_failing_write_leaves_no_audit_row(engine):
    # target_seconds = 0 breaks a CHECK constraint: the insert fails inside the transaction.
    with pytest.raises(Exception, match="(?i)check|constraint"):
        insert_record(
            engine=engine,
            table=sla_policies,
            values={
                "channel_id": "chat",
                "target_seconds": 0,
                "goal_percent": 80.0,
                "abandon_rule": "fail",
                "short_abandon_seconds": 5,
                "active_from": datetime(2026, 1, 1),
            },
            user="admin1",
        )
    assert _audit_rows(engine, "sla_policies") == []


def test_audit_failure_rolls_the_change_back(engine, monkeypatch):
    record = _topic(engine)

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(writes, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        update_record(
            engine=engine,
            table=topics,
            record_id=record["id"],
            expected_version=1,
            changes={"keywords": "lost"},
            user="alice",
        )

    with engine.connect() as conn:
        stored = conn.execute(select(topics).where(topics.c.id == record["id"])).mappings().one()
    assert (stored["keywords"], stored["version"]) == ("return,rma", 1)


def test_a_connection_joins_the_callers_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_record(
            engine=conn, table=topics, values={"name": "tmp", "keywords": ""}, user="admin1"
        )
        raise RuntimeError("the rest of the form failed")

    with engine.connect() as conn:
        assert conn.scalar(select(topics.c.id).where(topics.c.name == "tmp")) is None
    assert _audit_rows(engine, "topics") == []


def test_password_hashes_are_redacted_everywhere(engine):
    secret = "$2b$04$" + "x" * 53
    record = insert_record(
        engine=engine,
        table=users,
        values={
            "username": "carol",
            "display_name": "Carol",
            "password_hash": secret,
            "roles": "supervisor",
            "created_at": datetime(2026, 3, 2),
        },
        user="admin1",
    )
    assert "password_hash" not in record
    update_record(
        engine=engine,
        table=users,
        record_id=record["id"],
        expected_version=1,
        changes={"password_hash": "$2b$04$" + "y" * 53},
        user="admin1",
    )
    with pytest.raises(StaleWriteError) as caught:
        update_record(
            engine=engine,
            table=users,
            record_id=record["id"],
            expected_version=1,
            changes={"display_name": "C"},
            user="admin2",
        )

    assert "password_hash" not in caught.value.current
    rows = _audit_rows(engine, "users")
    assert len(rows) == 2
    for row in rows:
        text = f"{row['before']} {row['after']}"
        assert "$2b$" not in text
    assert json.loads(rows[1]["after"])["password_hash"] == writes.REDACTED


def test_validation_error_keeps_a_message_per_field():
    error = ValidationError({"name": "is required", "weight": "must be greater than 0"})
    assert error.field_errors == {"name": "is required", "weight": "must be greater than 0"}
    assert "name: is required" in str(error)


@ON_POSTGRESQL
def test_concurrent_updates_with_the_same_version_exactly_one_wins(engine, db_url):
    record = _topic(engine)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}
    engines = [make_engine(db_url), make_engine(db_url)]  # two separate pools, two sessions

    def save(who: str, own_engine: Engine) -> None:
        barrier.wait()
        try:
            update_record(
                engine=own_engine,
                table=topics,
                record_id=record["id"],
                expected_version=1,
                changes={"keywords": who},
                user=who,
            )
            outcomes[who] = "won"
        except StaleWriteError as exc:
            outcomes[who] = exc

    threads = [
        threading.Thread(target=save, args=(who, eng))
        for who, eng in zip(("alice", "bob"), engines, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for eng in engines:
        eng.dispose()

    winners = [who for who, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, StaleWriteError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].changed_by == winners[0]
    with engine.connect() as conn:
        stored = conn.execute(select(topics).where(topics.c.id == record["id"])).mappings().one()
    assert (stored["keywords"], stored["version"]) == (winners[0], 2)


@ON_POSTGRESQL
def test_overlapping_transactions_the_second_waits_then_sees_it_is_stale(engine):
    """Both transactions are open at once; the winner holds its row lock for a while."""
    record = _topic(engine)
    barrier = threading.Barrier(2)
    outcomes: dict[str, tuple[str, float]] = {}
    hold_seconds = 0.5

    def save(who: str) -> None:
        with engine.connect() as conn:
            barrier.wait()
            started = time.monotonic()
            try:
                with conn.begin():
                    update_record(
                        engine=conn,
                        table=topics,
                        record_id=record["id"],
                        expected_version=1,
                        changes={"keywords": who},
                        user=who,
                    )
                    time.sleep(hold_seconds)  # keep the transaction (and row lock) open
                outcomes[who] = ("won", time.monotonic() - started)
            except StaleWriteError:
                outcomes[who] = ("stale", time.monotonic() - started)

    threads = [threading.Thread(target=save, args=(who,)) for who in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    results = sorted(result for result, _ in outcomes.values())
    assert results == ["stale", "won"]
    # The loser was blocked by the winner's row lock, not merely late to the race.
    [stale_wait] = [elapsed for result, elapsed in outcomes.values() if result == "stale"]
    assert stale_wait >= hold_seconds * 0.8


@ON_POSTGRESQL
def test_concurrent_double_submit_creates_one_record(engine):
    """Both submits pass the "key already used?" check before either commits."""
    barrier = threading.Barrier(2)
    ids: list[int] = []

    def submit() -> None:
        with engine.connect() as conn, conn.begin():
            barrier.wait()
            record = insert_record(
                engine=conn,
                table=qa_samples,
                values=_sample_values(),
                user="qa1",
                idempotency_key="same-click",
            )
            time.sleep(0.3)  # the twin now checks the key and inserts while this is uncommitted
            ids.append(record["id"])

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(ids) == 2 and ids[0] == ids[1]
    assert _count(engine, qa_samples) == 1
    assert len(_audit_rows(engine, "qa_samples")) == 1
