"""Real browser, on two weeks of demo data: a QA reviewer draws a sample, scores the first review
of their queue, and sees it counted on Agent quality (the agent's n and the period's total move by
one); an admin reads a calibration session's alpha. Screenshots of each page are kept in
data/screenshots/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.schema import qa_samples
from ingest.demo import build_demo
from tests.apphelpers import PASSWORD
from tests.browser.conftest import (
    fit_to_content,
    log_in,
    open_page,
    screenshot,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

WIDTH = 1400


@pytest.fixture
def demo(browser_db: str) -> str:
    engine = make_engine(browser_db)
    build_demo(engine, weeks=2, seed=7)
    engine.dispose()
    return browser_db


def _total_reviews(page) -> int:
    text = page.get_by_text(re.compile(r"\d+ submitted reviews")).first.inner_text()
    return int(re.search(r"(\d+) submitted reviews", text).group(1))


def _agent_reviews(page, agent: str) -> int:
    """The agent's review count as the drill-down picker lists it (0 when not listed: no review
    in the period)."""
    picker = page.locator(".st-key-qa_quality_drill_agent")
    options = page.locator('[role="option"]')
    for attempt in range(3):  # a click made during a rerun can be dropped: click again
        wait_until_idle(page)
        picker.locator("input").click()
        try:
            options.first.wait_for(timeout=5_000)
            # The list is virtualised (only the first rows exist): filter it to the agent.
            page.keyboard.type(agent)
            page.wait_for_timeout(500)
            break
        except Exception:
            if attempt == 2:
                raise
    names = options.all_inner_texts()
    page.keyboard.press("Escape")
    wait_until_idle(page)
    listed = [name for name in names if name.startswith(f"{agent} (") and "reviews" in name]
    assert len(listed) <= 1, names
    return int(re.search(r"— (\d+) reviews", listed[0]).group(1)) if listed else 0


def test_reviewer_samples_reviews_and_sees_the_agent_counted(served_app, demo, page):
    log_in(page, served_app, "qa", PASSWORD)
    page.get_by_role("link", name="Open QA review").first.wait_for()  # the home's queue summary

    # 1. Draw a sample of one contact per agent, assigned to me.
    open_page(page, "QA sampling", "qa_sampling")
    page.get_by_text("contacts drawn for").wait_for()
    quota = page.locator(".st-key-qa_sample_quota input")
    quota.fill("1")
    quota.press("Enter")
    wait_until_idle(page)
    seed = int(page.locator(".st-key-qa_sample_seed input").input_value())
    page.get_by_role("button", name="Draw and assign").click()
    page.get_by_text(re.compile(r"Run \d+ stored: \d+ contacts assigned")).wait_for()
    engine = make_engine(demo)
    with engine.connect() as conn:  # the run keeps the seed the form showed (pre-filled)
        stored = conn.scalar(select(qa_samples.c.seed).order_by(qa_samples.c.id.desc()).limit(1))
    engine.dispose()
    assert stored == seed and seed > 0
    fit_to_content(page, WIDTH)
    screenshot(page, "qa_sampling")

    # 2. The first assignment of my queue: whose contact is it?
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    open_page(page, "QA review", "qa_review")
    page.get_by_text("open assignments").wait_for()
    heading = page.get_by_text(re.compile(r"Interaction \d+ · ")).first.inner_text()
    agent = re.search(r"agent (.+?) \(", heading).group(1).strip()

    # 3. Agent quality before the review.
    open_page(page, "Agent quality", "agent_quality")
    page.locator(".js-plotly-plot").first.wait_for()
    total_before = _total_reviews(page)
    agent_before = _agent_reviews(page, agent)

    # 4. Score every criterion at full marks and submit.
    open_page(page, "QA review", "qa_review")
    page.get_by_text("open assignments").wait_for()
    rated = page.get_by_text(re.compile(r"\d+ of \d+ criteria rated"))
    total = int(re.search(r"of (\d+) criteria", rated.inner_text()).group(1))
    criteria = page.locator("[class*='st-key-'][class*='_criterion_']")
    criteria.nth(total - 1).wait_for()
    assert criteria.count() == total
    for index in range(total):
        option = criteria.nth(index).locator('[role="radiogroup"] label').last
        for _ in range(3):  # a click made during a rerun can be dropped: click again
            option.click()
            wait_until_idle(page)
            if option.locator("input").is_checked():
                break
        assert option.locator("input").is_checked()
    page.get_by_text(f"{total} of {total} criteria rated").wait_for()
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "100.0"
    fit_to_content(page, WIDTH)
    screenshot(page, "qa_review")
    submitted = page.get_by_text(re.compile(r"Review \d+ submitted \(score 100\.0"))
    for attempt in range(3):  # a click made during a rerun can be dropped: click again
        wait_until_idle(page)
        page.get_by_role("button", name="Submit review").click()
        try:
            submitted.wait_for(timeout=10_000)
            break
        except Exception:
            screenshot(page, "qa_review_submit_retry")
            if attempt == 2:
                raise

    # 5. Counted on Agent quality: n and the total move by one.
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    open_page(page, "Agent quality", "agent_quality")
    page.locator(".js-plotly-plot").first.wait_for()
    assert _total_reviews(page) == total_before + 1
    assert _agent_reviews(page, agent) == agent_before + 1
    plots = page.locator(".js-plotly-plot").all_inner_texts()
    assert any("QA score by agent with 95 % interval" in t for t in plots)
    assert any("Weekly QA score by agent" in t for t in plots)
    fit_to_content(page, WIDTH)
    screenshot(page, "agent_quality")


def test_admin_reads_calibration_alpha(served_app, demo, page):
    log_in(page, served_app, "admin", PASSWORD)
    open_page(page, "Calibration", "calibration")
    page.get_by_role("tab", name="Results").click()
    page.locator(".js-plotly-plot").first.wait_for()
    assert "Agreement per criterion" in page.locator(".js-plotly-plot").first.inner_text()
    fit_to_content(page, WIDTH)
    screenshot(page, "calibration")
