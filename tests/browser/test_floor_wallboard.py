"""Real browser: the Floor's wallboard mode at TV size (1440×900) — opened from ?wallboard=1, no
sidebar, every channel's service level, backlog, oldest wait and abandons above the fold, the
alerts as counts whose details stay open across a refresh; turned off again by its toggle."""

import pytest
from playwright.sync_api import expect

from db.engine import make_engine
from ingest.demo import build_demo
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.browser

REFRESH_WAIT_MS = 5_000  # the served app refreshes every 2 s


def test_wallboard_fits_a_tv_and_keeps_the_alert_details_open(served_app, browser_db, page):
    engine = make_engine(browser_db)
    build_demo(engine, weeks=2, seed=11)
    engine.dispose()
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, served_app, "supervisor", PASSWORD)

    page.goto(f"{served_app}/floor?wallboard=1")
    labels = page.locator('[data-testid="stMetricLabel"]')
    abandons = labels.filter(has_text="Abandons today")
    expect(abandons).to_have_count(6)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    # Above the fold: the last card row (abandons) ends inside the 900-pixel screen.
    for n in range(6):
        box = abandons.nth(n).bounding_box()
        assert box is not None and box["y"] + box["height"] < 900
    expect(labels.filter(has_text="Oldest waiting")).to_have_count(6)
    screenshot(page, "floor-wallboard")

    page.get_by_text("Alert details").click()
    page.wait_for_timeout(REFRESH_WAIT_MS)  # two refresh ticks
    expect(page.locator('[data-testid="stExpander"] details[open]')).to_have_count(1)

    wait_until_idle(page)
    page.get_by_text("Wallboard", exact=True).click()
    page.wait_for_url("**/floor")
    # The wallboard's style goes when the rerun that drops it ends: allow a slow, loaded run.
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Offered today")).to_be_visible()
    screenshot(page, "floor-normal")
