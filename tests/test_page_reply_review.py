"""AppTest of Reply review and Playbook per role: the queue, the form's flags and decisions,
a stale decision told who acted, and the waiting count on Floor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.schema import agents, audit_log, customers, playbook_entries, replies, stakeholders
from queries.replies import create_reply
from queries.review_rules import create_review_rule
from queries.writes import utcnow
from tests.apphelpers import open_page, texts
from tests.builders import insert_interactions, interaction

PAGE = "pages/reply_review.py"
PRIVATE = "We've sent you a private message."


@pytest.fixture
def review_db(app_db):
    """Two waiting public posts with caught replies: #1 (billing, phone number in the draft,
    20 min old) and #2 (negative, 5 min old); the scripted private reply in the playbook."""
    now = utcnow()
    engine = make_engine(app_db)
    with engine.begin() as conn:
        conn.execute(customers.insert(), [{"id": 1, "name": "Jo"}])
        conn.execute(agents.insert(), [{"id": 1, "name": "Ann", "team": "social"}])
        rows = [
            interaction(now - timedelta(minutes=minutes), channel_id="twitter", is_public=True,
                        topic=topic, sentiment=sentiment, reach=reach, customer_id=1,
                        conversation_id=f"c{n}", body=body)
            for n, (minutes, topic, sentiment, reach, body) in enumerate(
                [(20, "billing", -0.2, 900, "Bill doubled"), (5, "delivery", -0.9, 50, "Late!")]
            )
        ]  # fmt: skip
        insert_interactions(conn, rows)
        conn.execute(
            playbook_entries.insert(),
            [
                {"issue": "Moved to private", "response_template": PRIVATE, "version": 1},
                {"issue": "Billing dispute", "topic": "billing", "version": 1,
                 "response_template": "Sorry about the bill, please DM us your account number."},
            ],
        )  # fmt: skip
        conn.execute(
            stakeholders.insert(),
            [{"name": "Tom", "email": "tom@example.com", "topic": "billing", "version": 1}],
        )
        post_ids = [r.id for r in conn.execute(select(rows_table().c.id).order_by("id"))]
    create_review_rule(engine=engine, values={"name": "Billing", "kind": "topic",
                                              "topic": "billing"}, actor="admin")  # fmt: skip
    create_review_rule(engine=engine, values={"name": "Negative", "kind": "negative",
                                              "threshold": -0.5}, actor="admin")  # fmt: skip
    for post, body in zip(
        post_ids,
        ["Call us on 020 7946 0958 about the bill", "Sorry, it's on its way!"],
        strict=True,
    ):
        create_reply(engine=engine, interaction_id=post, author_agent_id=1, body=body,
                     actor="agent")  # fmt: skip
    engine.dispose()
    return app_db


def rows_table():
    from db.schema import interactions

    return interactions


def _replies(url):
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {r["id"]: dict(r) for r in conn.execute(select(replies)).mappings()}
    engine.dispose()
    return rows


def test_reviewer_sees_the_queue_most_urgent_first_with_flags(review_db):
    at = open_page("qa", PAGE)
    assert not at.exception
    table = next(f.value for f in at.dataframe if "Time left" in f.value.columns)
    # Twitter public target is 30 min in the seeded policies: #1 (20 min old) has less left.
    assert table["Reply"].tolist() == [1, 2]
    assert table["Rule"].tolist() == ["Billing", "Negative"]
    assert at.selectbox(key="reply_review_pick").value == 1
    shown = texts(at)
    assert "Phone number in a public reply" in shown and "020 7946 0958" in shown
    assert "Bill doubled" in shown and "Tell Tom" in shown
    assert len(at.tabs) == 1  # no analytics tab for a QA reviewer


def test_approve_from_the_form_publishes_and_audits_the_reviewer(review_db):
    at = open_page("qa", PAGE)
    at.radio(key="reply_1_action").set_value("approve")
    at.button(key="reply_1_submit").click().run()
    assert not at.exception
    assert "Reply #1: approved" in texts(at)
    stored = _replies(review_db)[1]
    assert (stored["state"], stored["outcome"], stored["reviewer"]) == ("published", "approved",
                                                                        "qa")  # fmt: skip
    # The queue now holds only #2.
    table = next(f.value for f in at.dataframe if "Time left" in f.value.columns)
    assert table["Reply"].tolist() == [2]
    engine = make_engine(review_db)
    with engine.connect() as conn:
        decided = (audit_log.c.table_name == "replies") & (audit_log.c.action == "update")
        who = conn.execute(select(audit_log.c.username).where(decided)).scalars().all()
    engine.dispose()
    assert who == ["qa"]


def test_edited_draft_needs_edit_and_approve_and_keeps_both(review_db):
    at = open_page("supervisor", PAGE)
    at.text_area(key="reply_1_body").set_value("Sorry about the bill, please DM us.").run()
    assert "Phone number" not in texts(at)  # flags follow the edit
    at.radio(key="reply_1_action").set_value("approve")
    at.button(key="reply_1_submit").click().run()
    assert "choose **Edit and approve**" in texts(at)
    assert at.text_area(key="reply_1_body").value == "Sorry about the bill, please DM us."
    at.radio(key="reply_1_action").set_value("edit_approve")
    at.button(key="reply_1_submit").click().run()
    stored = _replies(review_db)[1]
    assert stored["outcome"] == "edited"
    assert stored["original_body"] == "Call us on 020 7946 0958 about the bill"


def test_reject_without_a_reason_is_refused_then_with_one_goes_back(review_db):
    at = open_page("qa", PAGE)
    at.radio(key="reply_1_action").set_value("reject")
    at.button(key="reply_1_submit").click().run()
    assert "Pick a reason" in texts(at)
    assert _replies(review_db)[1]["state"] == "pending_review"
    at.selectbox(key="reply_1_reason").set_value("Personal data in public")
    at.text_area(key="reply_1_comment").set_value("No phone numbers in public")
    at.button(key="reply_1_submit").click().run()
    stored = _replies(review_db)[1]
    assert (stored["state"], stored["reason"]) == ("rejected", "Personal data in public")


def test_move_to_private_from_the_form(review_db):
    at = open_page("qa", PAGE)
    at.radio(key="reply_1_action").set_value("move_private")
    at.button(key="reply_1_submit").click().run()
    assert "moved to private" in texts(at)
    stored = _replies(review_db)[1]
    assert stored["body"] == PRIVATE and stored["follow_up_interaction_id"] is not None


def test_the_second_reviewer_is_told_who_acted(review_db):
    from queries.replies import decide_reply

    second = open_page("supervisor", PAGE)
    # Another reviewer (on another app server: this one's cached queue still shows the reply)
    # approves it after the supervisor opened the form.
    engine = make_engine(review_db)
    decide_reply(engine=engine, reply_id=1, expected_version=1, action="approve", actor="qa")
    engine.dispose()
    second.radio(key="reply_1_action").set_value("reject")
    second.selectbox(key="reply_1_reason").set_value("Tone")
    second.button(key="reply_1_submit").click().run()
    shown = texts(second)
    assert "changed by qa" in shown and "Your changes were not saved" in shown
    assert _replies(review_db)[1]["outcome"] == "approved"


def test_executive_sees_analytics_only(review_db):
    at = open_page("exec", PAGE)
    assert not at.exception
    assert len(at.tabs) == 1
    assert not [f for f in at.dataframe if "Time left" in f.value.columns]
    assert len(at.get("plotly_chart")) == 3
    assert "Turnaround, median" in [m.label for m in at.metric]


def test_supervisor_has_both_tabs_and_floor_counts_waiting_replies(review_db):
    at = open_page("supervisor", PAGE)
    assert len(at.tabs) == 2
    floor = open_page("supervisor", "pages/floor.py")
    assert not floor.exception
    assert "Reply review: **2** replies waiting" in texts(floor)


@pytest.mark.parametrize("user", ["supervisor", "qa", "exec", "admin"])
def test_every_role_reads_the_playbook(review_db, user):
    at = open_page(user, "pages/playbook.py")
    assert not at.exception
    shown = texts(at)
    assert "Billing dispute" in shown and "Tell Tom" in shown


def test_a_user_without_the_role_gets_no_data(review_db):
    at = open_page("norole", PAGE)
    assert "You don't have access to **Reply review**" in texts(at)
    assert not at.dataframe


def test_times_read_in_local_time_with_the_zone_and_flags_have_a_material_icon(review_db):
    """Post #1 arrived at 13:05 UTC on 1 July: 14:05 BST in London (the default zone), in the
    caption and in its conversation; a stale decision names when the other reviewer acted."""
    from queries.replies import decide_reply

    engine = make_engine(review_db)
    with engine.begin() as conn:
        conn.execute(
            rows_table()
            .update()
            .where(rows_table().c.id == 1)
            .values(created_at=datetime(2026, 7, 1, 13, 5))
        )
    engine.dispose()
    at = open_page("supervisor", PAGE)
    assert "arrived Wed 1 Jul 2026, 14:05 BST" in texts(at)
    thread = next(f.value for f in at.dataframe if "Message" in f.value.columns)
    assert thread["Time"].tolist() == ["Wed 1 Jul 2026, 14:05 BST"]
    # Labelled like the other pages: channel names and Yes/No, not stored codes.
    assert "channel_id" not in thread.columns and "is_public" not in thread.columns
    assert set(thread["Channel"]) <= {"Twitter / X", "Facebook", "Instagram"}
    assert set(thread["Public"]) <= {"Yes", "No"}
    flag = next(w for w in at.warning if "Phone number" in w.value)
    assert flag.icon == ":material/warning:"

    engine = make_engine(review_db)
    decide_reply(engine=engine, reply_id=1, expected_version=1, action="approve", actor="qa")
    with engine.begin() as conn:  # 09:30 UTC on 30 November is 09:30 GMT
        conn.execute(replies.update().values(updated_at=datetime(2026, 11, 30, 9, 30)))
    engine.dispose()
    at.radio(key="reply_1_action").set_value("reject")
    at.selectbox(key="reply_1_reason").set_value("Tone")
    at.button(key="reply_1_submit").click().run()
    assert "changed by qa on Mon 30 Nov 2026, 09:30 GMT after you opened it" in texts(at)
