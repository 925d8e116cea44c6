"""Real browser: log in as each role, see exactly that role's navigation, and see a chart render."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from components.navigation import pages_for
from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import PASSWORD, ROLE_USERS
from tests.browser.conftest import log_in, open_page, screenshot
from tests.builders import insert_interactions, interaction

pytestmark = pytest.mark.browser


def _sidebar_labels(page) -> list[str]:
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
    links.first.wait_for()
    return [text.strip() for text in links.all_inner_texts()]


@pytest.mark.parametrize("username", ["supervisor", "qa", "exec", "admin"])
def test_each_role_sees_its_navigation(served_app, page, username):
    log_in(page, served_app, username, PASSWORD)
    expected = ["Home"] + [p.label for p in pages_for(ROLE_USERS[username])]
    assert [label.split("\n")[-1] for label in _sidebar_labels(page)] == expected


def test_channels_chart_renders_and_login_survives_a_refresh(served_app, browser_db, page):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(browser_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(now - timedelta(minutes=i % 50), channel_id=c)
                for i, c in enumerate(["phone", "chat", "email", "twitter"] * 5)
            ],
        )
    refresh_interval_stats(engine)
    engine.dispose()

    log_in(page, served_app, "supervisor", PASSWORD)
    open_page(page, "Channels", "channels")
    page.locator(".js-plotly-plot").first.wait_for()
    assert "Offered by channel" in page.locator(".js-plotly-plot").first.inner_text()
    screenshot(page, "channels")
    page.reload()
    page.locator(".js-plotly-plot").first.wait_for()  # still logged in after a refresh
    assert page.get_by_role("textbox", name="Password").count() == 0


def test_admin_settings_and_audit_pages_render(served_app, page):
    log_in(page, served_app, "admin", PASSWORD)
    open_page(page, "Settings", "settings")
    page.get_by_role("tab", name="SLA policies").click()
    page.get_by_text("SLA policy to change").wait_for()
    screenshot(page, "settings")
    open_page(page, "Audit log", "audit")
    page.get_by_text("Every write and sign-in").wait_for()
    # This very login is audited, so the log is not empty (the grid itself draws on a canvas).
    page.get_by_text(re.compile(r"^\d+ (entry|entries)")).wait_for()
    page.locator('[data-testid="stDataFrame"]').wait_for()
    page.get_by_text("Period").wait_for()
    screenshot(page, "audit")
