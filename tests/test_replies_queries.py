"""Reply review writes and reads on SQLite and PostgreSQL: rules caught at creation, every
decision (allowed and forbidden), locking between two reviewers, audit, the private follow-up,
and the analytics reads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import select

from db.schema import agents, audit_log, customers, interactions, playbook_entries, replies
from queries.replies import ForbiddenTransitionError, create_reply, decide_reply
from queries.replies_read import reply_context, review_queue, waiting_replies
from queries.replies_stats import public_social_frt, reviewed_replies
from queries.review_rules import create_review_rule, update_review_rule
from queries.writes import StaleWriteError, ValidationError
from tests.builders import insert_interactions, interaction

NOW = datetime(2026, 11, 30, 12, 0, 0)
PRIVATE_TEXT = "We've sent you a private message so we can sort this out with you."


def _setup(engine) -> dict[str, int]:
    """Two public twitter posts (billing, negative; delivery, calm), one old agent, one rule
    set: billing topic, negative ≤ -0.5, wording 'refund'; the scripted private reply."""
    with engine.begin() as conn:
        conn.execute(customers.insert(), [{"id": 1, "name": "Jo"}])
        conn.execute(agents.insert(), [{"id": 1, "name": "Ann", "team": "social"}])
        _insert_rows(
            conn,
            [
                interaction(NOW - timedelta(days=90), frt=60, agent_id=1, external_id="old"),
                interaction(
                    NOW - timedelta(minutes=20),
                    channel_id="twitter",
                    is_public=True,
                    topic="billing",
                    sentiment=-0.8,
                    reach=20_000,
                    customer_id=1,
                    conversation_id="c1",
                    external_id="p1",
                    body="My bill doubled!!",
                ),
                interaction(
                    NOW - timedelta(minutes=10),
                    channel_id="twitter",
                    is_public=True,
                    topic="delivery",
                    sentiment=0.2,
                    customer_id=1,
                    conversation_id="c2",
                    external_id="p2",
                ),
                interaction(NOW - timedelta(days=2), channel_id="email", customer_id=1,
                            frt=3600, external_id="e1", body="Earlier email"),
            ],
        )  # fmt: skip
        conn.execute(
            playbook_entries.insert(),
            [
                {"issue": "Moved to private", "response_template": PRIVATE_TEXT, "version": 1},
                {"issue": "Billing dispute", "topic": "billing", "version": 1,
                 "response_template": "Please DM us your account number."},
            ],
        )  # fmt: skip
        ids = dict(conn.execute(select(interactions.c.external_id, interactions.c.id)).all())
    for values in (
        {"name": "Billing", "kind": "topic", "topic": "billing"},
        {"name": "Negative", "kind": "negative", "threshold": -0.5},
        {"name": "Refunds", "kind": "wording", "words": "refund, voucher"},
    ):
        create_review_rule(engine=engine, values=values, actor="admin")
    return ids


def _insert_rows(conn, rows):
    """One executemany takes one set of columns: fill each row's missing ones with None."""
    keys = {key for row in rows for key in row}
    insert_interactions(conn, [{key: row.get(key) for key in keys} for row in rows])


def _reply(engine, post, body="Sorry! DM us.", **kw):
    return create_reply(
        engine=engine, interaction_id=post, author_agent_id=1, body=body, actor="agent",
        now=NOW, **kw,
    )  # fmt: skip


def _row(engine, table, record_id):
    with engine.connect() as conn:
        return dict(conn.execute(select(table).where(table.c.id == record_id)).mappings().one())


def test_rules_are_matched_and_stored_at_creation(engine):
    ids = _setup(engine)
    caught = _reply(engine, ids["p1"], body="We'll refund you")
    assert caught["state"] == "pending_review" and caught["submitted_at"] == NOW
    assert caught["rules"].split("\n") == ["Billing", "Negative", "Refunds"]
    calm = _reply(engine, ids["p2"], body="On its way, sorry for the wait!")
    assert (calm["state"], calm["rules"], calm["published_at"]) == ("published", None, NOW)
    # Went straight out: the post is answered now.
    assert _row(engine, interactions, ids["p2"])["first_response_at"] == NOW
    assert _row(engine, interactions, ids["p1"])["first_response_at"] is None
    # The wording rule reads the draft: the calm post with "voucher" is caught.
    assert _reply(engine, ids["p2"], body="Here's a voucher")["rules"] == "Refunds"


def test_an_inactive_rule_catches_nothing(engine):
    ids = _setup(engine)
    rules = {r["name"]: r for r in _list_rules(engine)}
    for name in ("Billing", "Negative"):
        update_review_rule(engine=engine, record_id=rules[name]["id"],
                           expected_version=1, values={"active": False}, actor="admin")  # fmt: skip
    assert _reply(engine, ids["p1"])["state"] == "published"


def _list_rules(engine):
    from queries.review_rules import list_review_rules

    return list_review_rules(engine=engine).to_dict("records")


def test_a_rule_needs_the_field_its_kind_reads(engine):
    _setup(engine)
    with pytest.raises(ValidationError) as error:
        create_review_rule(engine=engine, values={"name": "x", "kind": "reach"}, actor="admin")
    assert "threshold" in error.value.field_errors
    with pytest.raises(ValidationError) as error:
        create_review_rule(engine=engine, values={"name": "Billing", "kind": "topic",
                                                  "topic": "nope"}, actor="admin")  # fmt: skip
    assert set(error.value.field_errors) == {"name", "topic"}


def _decide(engine, reply, action, user="ana", **kw):
    return decide_reply(
        engine=engine,
        reply_id=reply["id"],
        expected_version=reply["version"],
        action=action,
        actor=user,
        now=NOW + timedelta(minutes=5),
        **kw,
    )


def test_approve_publishes_and_is_audited(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"])
    done = _decide(engine, reply, "approve")
    assert (done["state"], done["outcome"], done["reviewer"]) == ("published", "approved", "ana")
    post = _row(engine, interactions, ids["p1"])
    assert post["first_response_at"] == NOW + timedelta(minutes=5) and post["status"] == "pending"
    with engine.connect() as conn:
        audit = conn.execute(
            select(audit_log).where(audit_log.c.table_name == "replies", audit_log.c.action ==
                                    "update")).mappings().all()  # fmt: skip
    assert [(a["username"], a["record_id"]) for a in audit] == [("ana", str(reply["id"]))]
    assert '"outcome": "approved"' in audit[0]["after"]
    # A decided reply cannot be decided again, even with its current version.
    with pytest.raises(ForbiddenTransitionError, match="already decided"):
        _decide(engine, done, "reject", reason="Tone")


def test_edit_and_approve_keeps_both_versions(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"], body="We'll refund you today")
    with pytest.raises(ForbiddenTransitionError, match="Nothing was edited"):
        _decide(engine, reply, "edit_approve", body=" We'll refund you today ")
    done = _decide(engine, reply, "edit_approve", body="Please DM us so we can check the bill.")
    assert done["outcome"] == "edited"
    assert done["original_body"] == "We'll refund you today"
    assert done["body"] == "Please DM us so we can check the bill."


def test_reject_needs_a_reason_and_a_new_version_before_approval(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"])
    with pytest.raises(ForbiddenTransitionError, match="reason"):
        _decide(engine, reply, "reject")
    rejected = _decide(engine, reply, "reject", reason="Tone", comment="Too curt")
    assert (rejected["state"], rejected["reason"], rejected["comment"]) == (
        "rejected", "Tone", "Too curt")  # fmt: skip
    with pytest.raises(ForbiddenTransitionError, match="new version"):
        _decide(engine, rejected, "approve")
    with pytest.raises(ForbiddenTransitionError, match="only with a new version"):
        _decide(engine, rejected, "resubmit", user="agent", body="Sorry! DM us.")
    again = _decide(engine, rejected, "resubmit", user="agent", body="Sorry, DM us please.")
    assert (again["state"], again["reviewer"], again["outcome"]) == ("pending_review", None, None)
    assert _decide(engine, again, "approve")["state"] == "published"


def test_move_to_private_sends_the_script_and_opens_a_private_follow_up(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"], body="Your account 12345 shows a late fee")
    done = _decide(engine, reply, "move_private", comment="account details")
    assert (done["outcome"], done["body"]) == ("moved_private", PRIVATE_TEXT)
    assert done["original_body"] == "Your account 12345 shows a late fee"
    follow = _row(engine, interactions, done["follow_up_interaction_id"])
    assert (follow["customer_id"], follow["channel_id"], follow["is_public"]) == (1, "twitter",
                                                                                 False)  # fmt: skip
    assert (follow["direction"], follow["status"], follow["agent_id"]) == ("outbound", "open", 1)
    with engine.connect() as conn:
        tables = conn.execute(
            select(audit_log.c.table_name, audit_log.c.action).where(audit_log.c.username == "ana")
        ).all()
    assert ("interactions", "insert") in tables and ("replies", "update") in tables


def test_a_stale_reviewer_is_told_who_acted(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"])
    _decide(engine, reply, "approve", user="ana")
    with pytest.raises(StaleWriteError) as error:
        _decide(engine, reply, "reject", user="ben", reason="Tone")
    assert error.value.changed_by == "ana"
    assert error.value.current["state"] == "published"


# A real race needs concurrent writers: PostgreSQL (SQLite serialises every writer).
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_reviewers_racing_on_one_reply_make_one_decision(engine):
    ids = _setup(engine)
    reply = _reply(engine, ids["p1"])
    barrier = Barrier(2)
    actions = [("ana", "approve", {}), ("ben", "reject", {"reason": "Tone"})]

    def act(index):
        user, action, kw = actions[index]
        barrier.wait()
        try:
            return _decide(engine, reply, action, user=user, **kw)
        except StaleWriteError as exc:
            return exc

    for _ in range(3):  # the winner varies; the outcome may not
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(act, range(2)))
        wins = [r for r in results if isinstance(r, dict)]
        losses = [r for r in results if isinstance(r, StaleWriteError)]
        assert len(wins) == 1 and len(losses) == 1
        assert losses[0].changed_by == wins[0]["reviewer"]
        with engine.connect() as conn:
            decisions = conn.execute(
                select(audit_log).where(audit_log.c.table_name == "replies",
                                        audit_log.c.action == "update")).all()  # fmt: skip
        assert len(decisions) == 1
        with engine.begin() as conn:  # reset for the next round
            conn.execute(audit_log.delete().where(audit_log.c.table_name == "replies"))
            conn.execute(replies.update().values(state="pending_review", version=1,
                                                 reviewer=None, outcome=None))  # fmt: skip
        reply = {**reply, "version": 1}


def test_queue_context_and_waiting_count(engine):
    ids = _setup(engine)
    first = _reply(engine, ids["p1"])
    _reply(engine, ids["p2"], body="A voucher for you")
    queue = review_queue(engine=engine)
    assert queue["reply_id"].tolist()[0] == first["id"]
    row = queue.iloc[0]
    assert (row["channel_id"], row["reach"], row["topic"], row["agent"]) == (
        "twitter", 20_000, "billing", "Ann")  # fmt: skip
    assert row["target_seconds"] > 0
    assert waiting_replies(engine=engine) == (2, NOW)
    context = reply_context(engine=engine, reply_id=first["id"])
    assert context["post"]["body"] == "My bill doubled!!"
    assert context["thread"]["id"].tolist() == [ids["p1"]]
    assert set(context["other_contacts"]["id"]) == {ids["p2"], ids["e1"]}
    assert set(context["playbook"]["issue"]) == {"Moved to private", "Billing dispute"}
    assert reply_context(engine=engine, reply_id=999) is None


def test_analytics_reads(engine):
    ids = _setup(engine)
    reviewed = _reply(engine, ids["p1"])
    _decide(engine, reviewed, "approve")
    _reply(engine, ids["p2"], body="On its way!")  # straight out at NOW
    frame = reviewed_replies(engine=engine, start=NOW - timedelta(days=1), end=NOW + timedelta(1))
    assert frame["outcome"].tolist() == ["approved"]
    frt = public_social_frt(engine=engine, start=NOW - timedelta(days=1), end=NOW + timedelta(1))
    by_post = frt.set_index("reviewed")["frt_seconds"].to_dict()
    # p1 arrived 20 min before NOW and was approved 5 min after: 1,500 s; p2 600 s, direct.
    assert by_post == {True: 1500.0, False: 600.0}
