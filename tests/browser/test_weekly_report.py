"""Real browser: the executive's path — log in, open Weekly trends, read the frozen report of
last week, download its PDF; the PDF holds the frozen figures and the charts as images."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from analytics.periods import local_today, to_utc_naive
from analytics.weekly import monday_of, week_label
from db.engine import make_engine
from queries.weekly import WeeklyOptions
from queries.weekly_report import freeze
from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, open_page, screenshot, wait_until_idle
from tests.builders import insert_interactions, interaction

pytestmark = pytest.mark.browser
TZ = "Europe/London"


def _download(page, button: str, attempts: int = 3):
    """Click a download button and return the download. A click made while the app is still
    rerunning can be dropped (as for a person clicking too early): wait until the app is idle
    and click again rather than wait forever for a download that was never asked for."""
    for attempt in range(attempts):
        wait_until_idle(page)
        try:
            with page.expect_download(timeout=60_000) as download_info:
                page.get_by_role("button", name=button).click()
            return download_info.value
        except Exception:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def test_executive_downloads_the_frozen_weekly_report_as_pdf(served_app, browser_db, page):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    last_monday = monday_of(local_today(now, TZ)) - timedelta(days=7)
    week = week_label(last_monday)
    tuesday_ten = to_utc_naive(
        datetime.combine(last_monday + timedelta(days=1), datetime.min.time())
        + timedelta(hours=10),
        TZ,
    )
    engine = make_engine(browser_db)
    with engine.begin() as conn:
        insert_interactions(conn, [interaction(tuesday_ten, frt=30, csat=5)])
        insert_interactions(conn, [interaction(tuesday_ten + timedelta(hours=1), frt=90)])
    freeze(engine=engine, tz=TZ, week=week, now=now, user="scheduler", options=WeeklyOptions())
    engine.dispose()

    log_in(page, served_app, "exec", PASSWORD)
    open_page(page, "Weekly trends", "weekly_trends")
    # The page's first run reads 12 weeks with every cache cold; on a CI machine running the
    # other test worker too that has taken over 30 s.
    page.get_by_text(f"Weekly report {week}").wait_for(timeout=90_000)
    page.get_by_text("Frozen report, issue 1").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    wait_until_idle(page)
    screenshot(page, "weekly_trends")
    download = _download(page, "Download PDF")
    assert download.suggested_filename == f"weekly-report-{week}.pdf"
    data = Path(download.path()).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Weekly report {week}" in text and "Frozen report, issue 1" in text
    assert "Service level, all channels 50.0 %" in text
    assert "could not be drawn" not in text
    assert sum(len(p.images) for p in reader.pages) == 7  # every trend chart, no QA chart
