"""AppTest of the QA review page: the queue in due order with the interaction in full, the live
total on the default scorecard (hand-worked), submit counts the review, a validation error and a
stale save keep what was typed, edit after submit, and roles."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from db.engine import make_engine
from db.schema import qa_assignments, qa_reviews
from tests.apphelpers import open_page, texts
from tests.qa_pages import FULL_MARKS, assign, seed_contacts, utc_now

PAGE = "pages/qa_review.py"
FULL = {name: int(points) for name, points in FULL_MARKS.items()}


def _radio(at, criterion_name: str):
    return next(r for r in at.radio if criterion_name in r.label)


def _score(at, **by_name) -> None:
    for name, value in by_name.items():
        _radio(at, name).set_value(value)
    at.run()


def _live(at) -> str:
    return next(m for m in at.metric if m.label == "Review score (live)").value


@pytest.fixture
def queued(app_db):
    setup = seed_contacts(app_db)
    assignments = assign(app_db, "qa", quota=1, agent_ids=[setup["agents"][0]])
    return {**setup, "assignments": assignments, "url": app_db}


def test_reviewer_sees_queue_interaction_and_live_total(queued):
    at = open_page("qa", PAGE)
    assert not at.exception
    shown = texts(at)
    assert "1 open assignments" in shown
    queue = next(df.value for df in at.dataframe if "Assignment" in df.value.columns)
    assert queue["Assignment"].tolist() == queued["assignments"]
    assert queue["Agent"].tolist() == ["Ada"]
    assert "Conversation — " in shown and "agent **Ada**" in shown.replace("\\", "")
    # The private contact's form has the six private criteria, critical marked, with descriptions.
    names = [r.label for r in at.radio]
    assert len(names) == 6 and not any("Public defensibility" in n for n in names)
    assert sum("critical" in n for n in names) == 1
    assert "Pass only if identity checks" in shown
    assert _live(at) == "—"
    # Greeting 4/5, Accuracy 5/5, Policy pass, Resolution N/A, Empathy N/A, Spelling 3/3:
    # (1·0.8 + 3·1 + 2·1 + 1·1) / 7 × 100 = 97.1
    _score(
        at,
        **{
            "Greeting and tone": 4,
            "Accuracy": 5,
            "Policy compliance": 1,
            "Resolution": "N/A",
            "Empathy": "N/A",
            "Spelling and grammar": 3,
        },
    )
    assert _live(at) == "97.1"
    _score(at, **{"Policy compliance": 0})
    assert _live(at) == "0.0"
    # unfailed: (0.8 + 3 + 2·0 + 1) / 7 × 100 = 68.6
    assert "Auto-fail" in texts(at) and "68.6 otherwise" in texts(at)


def test_submit_stores_the_review_and_closes_the_assignment(queued):
    at = open_page("qa", PAGE)
    _score(at, **FULL)
    at.text_area(key=next(t.key for t in at.text_area)).input("Textbook").run()
    at.button(key=next(b.key for b in at.button if b.key.endswith("_submit"))).click().run()
    assert not at.exception
    assert "submitted (score 100.0" in texts(at)
    assert "Your queue is empty" in texts(at)
    engine = make_engine(queued["url"])
    with engine.connect() as conn:
        row = conn.execute(select(qa_reviews)).mappings().one()
        status = conn.scalar(select(qa_assignments.c.status))
    engine.dispose()
    assert (row["total"], row["status"], row["comment"], status) == (
        100.0,
        "submitted",
        "Textbook",
        "done",
    )


def test_incomplete_submit_is_refused_and_keeps_what_was_typed(queued):
    at = open_page("qa", PAGE)
    _score(at, **{"Greeting and tone": 3, "Accuracy": 2})
    at.button(key=next(b.key for b in at.button if b.key.endswith("_submit"))).click().run()
    assert not at.exception
    shown = texts(at)
    assert "Nothing was saved" in shown and "Policy compliance" in shown
    assert _radio(at, "Greeting and tone").value == 3
    assert _radio(at, "Accuracy").value == 2
    engine = make_engine(queued["url"])
    with engine.connect() as conn:
        assert conn.scalar(select(qa_reviews.c.id)) is None
    engine.dispose()


def test_draft_then_stale_edit_is_refused_with_who_changed_it(queued):
    at = open_page("qa", PAGE)
    _score(at, **{"Greeting and tone": 3})
    at.button(key=next(b.key for b in at.button if b.key.endswith("_draft"))).click().run()
    assert "Draft of review" in texts(at)
    assert (
        "draft saved"
        in next(df.value for df in at.dataframe if "Draft" in df.value.columns)["Draft"].tolist()
    )
    # Someone (another tab of the same reviewer) saves the draft in between.
    engine = make_engine(queued["url"])
    with engine.begin() as conn:
        conn.execute(update(qa_reviews).values(version=qa_reviews.c.version + 1, updated_by="qa"))
    engine.dispose()
    _score(at, **{"Accuracy": 4})
    at.button(key=next(b.key for b in at.button if b.key.endswith("_draft"))).click().run()
    assert not at.exception
    assert "This record was changed by qa" in texts(at)
    assert _radio(at, "Accuracy").value == 4  # what was typed is still on the form
    # The form moved on to the version shown: saving again applies.
    at.button(key=next(b.key for b in at.button if b.key.endswith("_draft"))).click().run()
    assert "Draft of review" in texts(at)


def test_edit_after_submit_changes_the_score_under_its_version(queued):
    at = open_page("qa", PAGE)
    _score(at, **FULL)
    at.button(key=next(b.key for b in at.button if b.key.endswith("_submit"))).click().run()
    at.segmented_control(key="qa_review_mode").set_value("My submitted reviews").run()
    assert not at.exception
    assert _radio(at, "Accuracy").value == 5
    _score(at, **{"Accuracy": 0})  # 3·0 → (1 + 0 + 2 + 2 + 2 + 1) / 11 × 100 = 72.7
    assert _live(at) == "72.7"
    at.button(key=next(b.key for b in at.button if b.key.endswith("_submit"))).click().run()
    assert "score 72.7, version 2" in texts(at)


@pytest.mark.parametrize(
    "page", ["pages/qa_review.py", "pages/qa_sampling.py", "pages/calibration.py"]
)
@pytest.mark.parametrize("username", ["supervisor", "exec"])
def test_reviewer_pages_refuse_other_roles(queued, page, username):
    at = open_page(username, page)
    assert "You don't have access" in texts(at)
    assert not at.radio and not at.dataframe and not at.get("plotly_chart")


def test_admin_opens_the_page(app_db):
    at = open_page("admin", PAGE)
    assert not at.exception
    assert "Your queue is empty" in texts(at)


def test_settings_scorecard_criteria_show_description_applies_to_and_na(app_db):
    from queries.qa_reviews import default_scorecard_id

    engine = make_engine(app_db)
    card = default_scorecard_id(engine=engine)
    engine.dispose()
    at = open_page("admin", "pages/settings.py")
    at.selectbox(key="scorecard_pick").set_value(card).run()
    assert not at.exception
    criteria = next(d.value for d in at.dataframe if "applies_to" in d.value.columns)
    criteria = criteria.set_index("name")
    public = criteria.loc["Public defensibility"]
    assert public["applies_to"] == "public" and bool(public["allow_na"])
    assert public["description"].startswith("Pass only if the public reply")
    assert not bool(criteria.loc["Accuracy", "allow_na"])
    assert criteria.loc["Accuracy", "applies_to"] == "all"


def test_queue_is_due_first_with_overdue_marked_and_a_public_thread_in_full(app_db):
    setup = seed_contacts(app_db)
    first, second = assign(app_db, "qa", quota=2, agent_ids=[setup["agents"][0]])
    engine = make_engine(app_db)
    with engine.begin() as conn:
        # The second assignment is the public tweet, due yesterday: it comes first, overdue.
        conn.execute(
            update(qa_assignments)
            .where(qa_assignments.c.id == second)
            .values(
                interaction_id=setup["ids"]["tw-1"],
                due_at=utc_now() - timedelta(days=1),
            )
        )
    engine.dispose()
    at = open_page("qa", PAGE)
    assert not at.exception
    queue = next(df.value for df in at.dataframe if "Assignment" in df.value.columns)
    assert queue["Assignment"].tolist() == [second, first]
    assert queue["Overdue"].tolist() == ["OVERDUE", ""]
    shown = texts(at)
    assert "2 open assignments" in shown and "1 overdue" in shown
    # The tweet: the customer's post, the reply that went out, and the public-only criterion.
    assert "public post" in shown and "the reply that went out" in shown
    assert any("Sorry Cleo, please DM us" in t.value for t in at.text)
    assert any("Public defensibility" in r.label for r in at.radio) and len(at.radio) == 7
    others = next(df.value for df in at.dataframe if "Handle" in df.value.columns)
    assert len(others) == 12  # Cleo's 12 chat/email contacts within 30 days, on every channel


def test_the_interactions_times_read_in_local_time_with_the_zone_named(queued):
    """The assigned contact arrived 13:05 UTC on 1 July, answered 13:06, resolved 13:20: in
    London (the default zone) 14:05, 14:06 and 14:20 BST."""
    from db.schema import interactions

    engine = make_engine(queued["url"])
    with engine.begin() as conn:
        contact = conn.scalar(select(qa_assignments.c.interaction_id))
        conn.execute(
            update(interactions)
            .where(interactions.c.id == contact)
            .values(
                created_at=datetime(2026, 7, 1, 13, 5),
                first_response_at=datetime(2026, 7, 1, 13, 6),
                resolved_at=datetime(2026, 7, 1, 13, 20),
            )
        )
    engine.dispose()
    at = open_page("qa", PAGE)
    assert not at.exception
    assert (
        "Arrived Wed 1 Jul 2026, 14:05 BST · first response Wed 1 Jul 2026, 14:06 BST · "
        "resolved Wed 1 Jul 2026, 14:20 BST" in texts(at)
    )
