"""Real browser: the Service level and Channels pages render their charts on a week of demo data,
and filters set on one page are still set after a visit to the other; full-page screenshots are
kept in data/screenshots/ for a person to look at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.periods import local_today
from components.report_filters import period_label
from db.engine import make_engine
from db.settings import get_settings
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
def demo_week(browser_db: str) -> str:
    engine = make_engine(browser_db)
    build_demo(engine, weeks=1, seed=7)
    engine.dispose()
    return browser_db


def _open(page, label: str, path: str) -> None:
    open_page(page, label, path)
    # A report page's first run reads its period and the previous one with every cache cold; on
    # a CI machine running the other test worker too that has taken over 30 s.
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)


def test_service_level_page_renders(served_app, demo_week, page):
    log_in(page, served_app, "supervisor", PASSWORD)
    _open(page, "Service level", "service_level")
    page.get_by_text("Breaches (").wait_for()
    plots = page.locator(".js-plotly-plot")
    plots.nth(2).wait_for()
    assert plots.count() == 3
    assert "Service level % by channel" in plots.nth(0).inner_text()
    assert "First response time distribution" in plots.nth(1).inner_text()
    assert "Offered and service level by hour and weekday" in plots.nth(2).inner_text()
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
    assert any("Channel mix — share of offered per week" in t for t in titles)
    assert any("Social: public posts vs private messages" in t for t in titles)
    fit_to_content(page, WIDTH)
    screenshot(page, "channels")


def _choose(page, label: str, option: str, *, then: str, attempts: int = 3) -> None:
    """Pick `option` in the select box `label` (Streamlit 1.67: a combo box) as a person types,
    until the text `then` shows; a choice made during a rerun can be dropped: choose again."""
    box = page.get_by_role("combobox", name=label, exact=True)
    for attempt in range(attempts):
        wait_until_idle(page)
        box.click()
        box.press_sequentially(option, delay=30)
        page.wait_for_timeout(500)  # the list filters to the typed option
        box.press("Enter")
        try:
            page.get_by_text(then).first.wait_for(timeout=30_000)
            wait_until_idle(page)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def test_filters_survive_a_visit_to_channels(served_app, demo_week, page):
    log_in(page, served_app, "supervisor", PASSWORD)
    _open(page, "Service level", "service_level")
    _choose(page, "Group by", "Agent", then="Service level % by agent")
    yesterday = local_today(datetime.now(UTC), get_settings().timezone) - timedelta(days=1)
    _choose(
        page, "Period", "Yesterday", then=f"by agent per day — {period_label(yesterday, yesterday)}"
    )
    _open(page, "Channels", "channels")
    assert page.get_by_role("combobox", name="Period", exact=True).input_value() == "Yesterday"
    _open(page, "Service level", "service_level")
    page.get_by_text("Service level % by agent").first.wait_for(timeout=90_000)
    assert page.get_by_role("combobox", name="Group by", exact=True).input_value() == "Agent"
    assert page.get_by_role("combobox", name="Period", exact=True).input_value() == "Yesterday"
