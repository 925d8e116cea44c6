"""Real browser: a QA reviewer approves one reply and moves another to private from the queue."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db.engine import make_engine
from db.schema import audit_log, interactions, replies
from ingest.demo import build_demo
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, open_page, screenshot, wait_until_idle

pytestmark = pytest.mark.browser


def _decide(page, choice: str, outcome: str) -> int:
    """Pick `choice` for the reply on the form, submit, and return the id the app reports."""
    wait_until_idle(page)
    page.get_by_text(choice, exact=True).click()
    wait_until_idle(page)
    page.get_by_role("button", name="Submit decision").click()
    # Plain-text rendering puts an invisible word joiner around ":" and "." — read past them.
    flash = page.get_by_text(re.compile(rf"^Reply #\d+\W+{outcome}\W*$"))
    try:
        expect(flash).to_be_visible(timeout=30_000)
    finally:
        screenshot(page, f"reply_review_{outcome.replace(' ', '_')}")
    return int(re.search(r"#(\d+)", flash.inner_text()).group(1))


def test_reviewer_approves_one_reply_and_moves_another_to_private(served_app, browser_db, page):
    engine = make_engine(browser_db)
    build_demo(engine, weeks=2, seed=3)
    engine.dispose()

    log_in(page, served_app, "qa", PASSWORD)
    open_page(page, "Reply review", "reply_review")
    page.get_by_text("Risk flags").wait_for()
    wait_until_idle(page)
    screenshot(page, "reply_review_form")

    approved = _decide(page, "Approve", "approved")
    moved = _decide(
        page, "Move to private (send the playbook's private-message reply)", "moved to private"
    )
    assert moved != approved
    screenshot(page, "reply_review_after_two_decisions")

    engine = make_engine(browser_db)
    with engine.connect() as conn:
        rows = {
            r.id: r
            for r in conn.execute(select(replies).where(replies.c.id.in_([approved, moved])))
        }
        follow_up = conn.execute(
            select(interactions).where(interactions.c.id == rows[moved].follow_up_interaction_id)
        ).one()
        audited = (
            conn.execute(
                select(audit_log.c.record_id).where(
                    audit_log.c.table_name == "replies", audit_log.c.username == "qa"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert (rows[approved].outcome, rows[approved].reviewer) == ("approved", "qa")
    assert (rows[moved].outcome, rows[moved].state) == ("moved_private", "published")
    assert rows[moved].body.startswith("We've sent you a private message")
    assert (follow_up.is_public, follow_up.direction) == (False, "outbound")
    assert sorted(audited) == sorted([str(approved), str(moved)])
