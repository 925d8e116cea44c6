"""Real browser: the Floor page refreshes itself and keeps the user's channel filter.

The served app refreshes every 2 s (FLOORLIGHT_REFRESH_SECONDS in `served_app`). The database
holds five weeks of demo history, so the screenshot shows a realistic floor with an expected
curve; new contacts are then written straight into it, as the live simulator would.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from ingest.demo import build_demo
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, open_page, screenshot
from tests.builders import insert_interactions, interaction

pytestmark = pytest.mark.browser

REFRESH_WAIT_MS = 20_000


def _tile_value(page, label: str):
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$"))
    )
    return tile.locator('[data-testid="stMetricValue"]')


def _as_of(page):
    return page.get_by_text(re.compile(r"^As of \d\d:\d\d:\d\d"))


def _add_contacts(url: str, channels: list[str]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(url)
    with engine.begin() as conn:
        insert_interactions(
            conn, [interaction(now - timedelta(seconds=5), channel_id=c) for c in channels]
        )
    refresh_interval_stats(engine)
    engine.dispose()


def test_floor_tiles_update_without_a_click_and_the_filter_stays(served_app, browser_db, page):
    engine = make_engine(browser_db)
    build_demo(engine, weeks=5, seed=11)
    engine.dispose()

    log_in(page, served_app, "supervisor", PASSWORD)
    open_page(page, "Floor (live)", "floor")
    offered = _tile_value(page, "Offered today")
    offered.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    before = int(offered.inner_text().replace(",", ""))

    _add_contacts(browser_db, ["chat", "chat", "twitter"])
    # No click, no reload: the fragment's run_every picks the new rows up.
    expect(offered).to_have_text(f"{before + 3:,}", timeout=REFRESH_WAIT_MS)
    # Streamlit scrolls inside its own container, so a full-page shot shows only the viewport:
    # make the viewport as tall as the page for the one screenshot a person looks at.
    page.set_viewport_size({"width": 1400, "height": 4000})
    page.wait_for_timeout(1500)  # let the chart redraw at the new size
    screenshot(page, "floor")
    page.set_viewport_size({"width": 1400, "height": 1000})

    # Narrow to chat: the filter lives outside the fragment, so refreshes leave it alone.
    channels = page.locator('.st-key-floor_channels [data-testid="stMultiSelect"]')
    channels.click()
    page.keyboard.type("Chat")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(_tile_value(page, "Twitter / X")).to_have_count(0, timeout=10_000)
    chat_offered = int(offered.inner_text().replace(",", ""))
    stamp = _as_of(page).inner_text()
    expect(_as_of(page)).not_to_have_text(stamp, timeout=REFRESH_WAIT_MS)  # a refresh ran
    _add_contacts(browser_db, ["chat", "phone"])
    expect(offered).to_have_text(f"{chat_offered + 1:,}", timeout=REFRESH_WAIT_MS)
    chips = channels.locator("[data-tag]")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Chat")
    screenshot(page, "floor_chat_only")
