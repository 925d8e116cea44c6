"""Real browser: a supervisor follows the Floor's topic-spike alert to the Topics page, sees whom
to tell and the playbook, records "stakeholders informed", and follows one of the spiking
contacts to its customer's journey across two channels."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, open_page, screenshot, wait_until_idle
from tests.builders import add_ana_and_whom_to_tell, insert_interactions, interaction

pytestmark = pytest.mark.browser


def _post(created: datetime, **fields) -> dict:
    row = {"channel_id": "twitter", "is_public": True, "topic": "outage", "sentiment": -0.6,
           "customer_id": None, "agent_id": None, "body": "Internet down again"}  # fmt: skip
    return interaction(created, **{**row, **fields})


@pytest.fixture
def spike(browser_db: str) -> str:
    """Outage: one post at this hour on each of the last 14 days, 12 in the last hour (the
    Floor's rule: z = (12 − 1) / 1 = 11, at least 10); the newest is Ana's, who phoned too."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    rows = [_post(now - timedelta(days=d, minutes=30), frt=300) for d in range(1, 15)]
    rows += [_post(now - timedelta(minutes=50 - 3 * k)) for k in range(11)]
    rows.append(_post(now - timedelta(minutes=2), customer_id=1, body="@Acme still down!!"))
    rows.append(
        _post(now - timedelta(days=2), channel_id="phone", is_public=False, topic="billing",
              customer_id=1, agent_id=1, frt=45, body="Phoned about the bill")
    )  # fmt: skip
    engine = make_engine(browser_db)
    with engine.begin() as conn:
        add_ana_and_whom_to_tell(conn)
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    engine.dispose()
    return browser_db


def test_from_a_floor_spike_to_the_stakeholders_and_a_customers_journey(served_app, spike, page):
    log_in(page, served_app, "supervisor", PASSWORD)
    open_page(page, "Floor (live)", "floor")
    # More than two alerts read as one line of counts; their details open on demand.
    details = page.get_by_text("Alert details")
    details.wait_for()
    wait_until_idle(page)
    details.click()
    page.get_by_text(re.compile("Topic outage is spiking")).wait_for()
    link = page.get_by_role("link", name=re.compile("Whom to tell about outage"))
    wait_until_idle(page)
    link.click()
    page.wait_for_url(re.compile(r".*/topics\?topic=outage"))

    page.get_by_text(re.compile(r"Priya Desai \(Network operations lead\)")).wait_for()
    expect(page.get_by_text(re.compile("Engineers are on it"))).to_be_visible()
    page.get_by_text("Nobody has recorded informing the stakeholders").wait_for()
    wait_until_idle(page)
    page.get_by_role("button", name=re.compile("Stakeholders informed about outage")).click()
    page.get_by_text(re.compile("supervisor informed Priya Desai")).wait_for()
    screenshot(page, "topics_spike")

    wait_until_idle(page)
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Follow a contact")
    option = page.get_by_role("option", name=re.compile("Ana Silva"))
    for attempt in range(3):  # a rerun finishing under the click can close the list again
        wait_until_idle(page)
        picker.locator("input").click()
        try:
            option.wait_for(timeout=5_000)
            break
        except Exception:
            if attempt == 2:
                screenshot(page, "topics_picker")
                raise
    option.click()
    journey = page.get_by_role("link", name=re.compile(r"Customer journey \(interaction"))
    wait_until_idle(page)
    journey.click()
    page.wait_for_url(re.compile(r".*/customer_journey\?interaction=\d+"))
    page.get_by_text("Ana Silva (customer #1)").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_contain_text("Phone")
    expect(table).to_contain_text("Twitter / X")
    screenshot(page, "customer_journey")
