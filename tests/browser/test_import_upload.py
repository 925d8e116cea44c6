"""Real browser: an admin uploads a PBX call log, picks the saved mapping, previews and imports.

The call log (tests/fixtures/call_log.csv) has its own column names, the date and the time in
separate columns, London local times, an answered flag and wait/talk durations: three rows load
and one (a time the clocks skip) is rejected, as worked by hand in tests/test_page_import.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.schema import interactions
from queries.import_mappings import save_mapping
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, open_page, screenshot, wait_until_idle
from tests.test_mapping import CALL_LOG as CALL_LOG_MAPPING
from tests.test_page_import import CALL_LOG_PATH

pytestmark = pytest.mark.browser


@pytest.fixture
def saved_call_log_mapping(browser_db: str) -> str:
    engine = make_engine(browser_db)
    save_mapping(
        engine=engine,
        name="PBX call log",
        definition=CALL_LOG_MAPPING.to_json(),
        problems=[],
        user="admin",
    )
    engine.dispose()
    return browser_db


def _stored_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(interactions))
    engine.dispose()
    return count


def _metric(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return tile.locator('[data-testid="stMetricValue"]').inner_text()


def test_admin_uploads_a_call_log_and_imports_it_with_a_saved_mapping(
    saved_call_log_mapping, served_app, page
):
    log_in(page, served_app, "admin", PASSWORD)
    open_page(page, "Import data", "import_data")
    page.locator('input[type="file"]').set_input_files(str(CALL_LOG_PATH))
    page.get_by_text("1. Map the columns").wait_for()
    wait_until_idle(page)

    page.locator('[data-testid="stSelectbox"]').filter(has_text="Saved mapping").click()
    page.get_by_role("option", name="PBX call log").click()
    page.get_by_text("The first 4 rows as they will be stored").wait_for()
    wait_until_idle(page)
    preview = page.locator('[data-testid="stDataFrame"]').first
    preview.wait_for()

    page.get_by_role("button", name="Import").click()
    page.get_by_text("Result").wait_for()
    counts = [_metric(page, label) for label in ("Loaded", "Already present", "Rejected")]
    assert counts == ["3", "0", "1"]
    assert page.get_by_role("button", name="Download the rejected rows (CSV)").count() == 1
    assert _stored_count(saved_call_log_mapping) == 3
    screenshot(page, "import_call_log")
