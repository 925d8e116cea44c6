"""Real browser: the Service level and Channels pages render their charts on a week of demo data;
full-page screenshots are kept in data/screenshots/ for a person to look at."""

from __future__ import annotations

import pytest

from db.engine import make_engine
from ingest.demo import build_demo
from tests.apphelpers import PASSWORD
from tests.browser.conftest import fit_to_content, log_in, open_page, screenshot

pytestmark = pytest.mark.browser

WIDTH = 1400


@pytest.fixture
def demo_week(browser_db: str) -> str:
    engine = make_engine(browser_db)
    build_demo(engine, weeks=1, seed=7)
    engine.dispose()
    return browser_db


def _open(page, label: str, path: str) -> None:
    open_page(page, label, path)
    page.locator(".js-plotly-plot").first.wait_for()


def test_service_level_page_renders(served_app, demo_week, page):
    log_in(page, served_app, "supervisor", PASSWORD)
    _open(page, "Service level", "service_level")
    page.get_by_text("Breaches (").wait_for()
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 2
    assert "Service level % by channel" in plots.nth(0).inner_text()
    assert "First response time distribution" in plots.nth(1).inner_text()
    # One download per table: the per-channel table and the breaches.
    assert page.get_by_text("Download CSV").count() == 2
    fit_to_content(page, WIDTH)
    screenshot(page, "service_level")


def test_channels_page_renders(served_app, demo_week, page):
    log_in(page, served_app, "supervisor", PASSWORD)
    _open(page, "Channels", "channels")
    page.get_by_text("Channels side by side").wait_for()
    page.locator(".js-plotly-plot").nth(3).wait_for()
    titles = page.locator(".js-plotly-plot").all_inner_texts()
    assert any("Channel mix — share of offered per day" in t for t in titles)
    assert any("Social: public posts vs private messages" in t for t in titles)
    fit_to_content(page, WIDTH)
    screenshot(page, "channels")
