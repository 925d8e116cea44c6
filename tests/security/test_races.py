"""Writes that can't race (issue 9, items 12-14), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from threading import Barrier

import pytest
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.schema import audit_log, scorecards, users
from queries import users as users_q
from queries.scorecards import create_scorecard, list_scorecards
from queries.topics import create_topic, list_topics, update_topic
from queries.writes import ValidationError

NOW = datetime(2026, 11, 30, 12, 0, 0)


def _all_at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..count-1) in `count` threads released together; results or exceptions."""
    barrier = Barrier(count)

    def run(index: int) -> object:
        barrier.wait()
        try:
            return work(index)
        except Exception as exc:  # collected: the test asserts which errors are acceptable
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _enabled_admins(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(users.c.username, users.c.roles).where(users.c.disabled.is_(False))
        ).all()
    return sorted(row.username for row in rows if "admin" in row.roles.split(","))


def _disable(engine: Engine, pairs: list, versions: dict, index: int) -> dict:
    actor, target = pairs[index]
    return users_q.set_disabled(
        engine=engine,
        username=target,
        disabled=True,
        expected_version=versions[target],
        actor=actor,
    )


def test_two_admins_disabling_each_other_always_leave_an_enabled_admin(engine):
    for name in ("ada", "bea"):
        users_q.create_user(
            engine=engine,
            username=name,
            display_name=name.title(),
            password="long enough password",
            roles=["admin"],
            actor="setup",
        )
    pairs = [("ada", "bea"), ("bea", "ada")]  # (actor, target)
    for _ in range(10):
        with engine.begin() as conn:  # both enabled again, as at the start of each round
            conn.execute(update(users).values(disabled=False))
        versions = {
            name: users_q.get_user(engine=engine, username=name)["version"]
            for name in ("ada", "bea")
        }
        results = _all_at_once(2, partial(_disable, engine, pairs, versions))
        assert len(_enabled_admins(engine)) == 1
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], ValidationError)
        assert errors[0].field_errors == {"disabled": "at least one enabled admin must remain"}


CRITERIA = [{"name": "Greeting", "weight": 1, "max_points": 3}]
# kind -> (create one with this name, the stored names, the form's message for a taken name)
CASE_FORMS = {
    "topic": (
        lambda engine, name, actor: create_topic(
            engine=engine, values={"name": name, "keywords": "case"}, actor=actor
        ),
        lambda engine: list(list_topics(engine=engine)["name"]),
        "a topic with this name already exists",
    ),
    "scorecard": (
        lambda engine, name, actor: create_scorecard(
            engine=engine, values={"name": name, "criteria": CRITERIA}, actor=actor
        ),
        lambda engine: list(list_scorecards(engine=engine)["name"]),
        "a scorecard with this name already exists",
    ),
}


@pytest.mark.parametrize("kind", CASE_FORMS)
def test_twenty_admins_creating_one_name_in_two_spellings_store_one(engine, kind):
    create, stored_names, taken = CASE_FORMS[kind]
    results = _all_at_once(
        20, lambda i: create(engine, "Case-name" if i % 2 else "CASE-name", f"admin{i}")
    )
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 1 and len(refused) == 19
    assert all(
        isinstance(e, ValidationError) and e.field_errors == {"name": taken} for e in refused
    )
    assert [n for n in stored_names(engine) if n.lower() == "case-name"] == [created[0]["name"]]


def test_renaming_a_topic_to_another_topics_name_in_other_case_is_refused(engine):
    create_topic(engine=engine, values={"name": "Zeta billing"}, actor="a")
    other = create_topic(engine=engine, values={"name": "Zeta refunds"}, actor="a")
    with pytest.raises(ValidationError) as refused:
        update_topic(
            engine=engine,
            record_id=other["id"],
            expected_version=other["version"],
            values={"name": "ZETA BILLING"},
            actor="a",
        )
    assert refused.value.field_errors == {"name": "a topic with this name already exists"}


def test_the_database_itself_refuses_names_that_differ_only_in_case(engine):
    # Past the form's check (a raw insert): the unique index on lower(name) decides.
    from db.schema import topics

    with engine.begin() as conn:
        conn.execute(insert(topics).values(name="Zeta", keywords="", active=True, version=1))
        conn.execute(insert(scorecards).values(name="Zeta calls", active=True, version=1))
    for statement in (
        insert(topics).values(name="zeta", keywords="", active=True, version=1),
        insert(scorecards).values(name="ZETA CALLS", active=True, version=1),
    ):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(statement)


def test_twenty_concurrent_failed_logins_lock_the_account_once(engine, bob):
    results = _all_at_once(
        20,
        lambda _: users_q.record_login_failure(
            engine=engine, username="bob", now=NOW, max_failed=5, lockout_minutes=15
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    until = NOW + timedelta(minutes=15)
    # Attempts 1-4 are counted, the 5th locks, the other 15 find the account locked.
    assert Counter(results) == {None: 4, until: 16}
    with engine.connect() as conn:
        stored = conn.execute(select(users).where(users.c.username == "bob")).mappings().one()
        lockouts = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "lockout")
        ).scalar()
    assert (stored["failed_logins"], stored["locked_until"], lockouts) == (0, until, 1)


def test_failures_after_the_lockout_expired_count_from_zero(engine, bob):
    fail = dict(engine=engine, username="bob", max_failed=2, lockout_minutes=15)
    assert users_q.record_login_failure(now=NOW, **fail) is None
    assert users_q.record_login_failure(now=NOW, **fail) == NOW + timedelta(minutes=15)
    later = NOW + timedelta(minutes=15)
    assert users_q.record_login_failure(now=later, **fail) is None  # count 1 of a new round
    assert users_q.record_login_failure(now=later, **fail) == later + timedelta(minutes=15)
