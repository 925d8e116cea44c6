"""Real browser: each role's home shows its summary, and the summary's link opens its page."""

import pytest

from tests.apphelpers import PASSWORD
from tests.browser.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.browser

SUMMARIES = {
    # user: (summary heading, its link, the page it opens, text that page shows)
    "supervisor": ("Supervisor: The floor today", "Open Floor (live)", "floor", "Agents by state"),
    "exec": (
        "Executive: Last week against the week before",
        "Open Weekly trends",
        "weekly_trends",
        "Weeks shown",
    ),
    "qa": ("QA reviewer: Your review queue", "Open QA review", "qa_review", "Work on"),
    "admin": ("Admin: Changes and sign-ins", "Open Audit log", "audit", "Record kind"),
}


@pytest.mark.parametrize("username", sorted(SUMMARIES))
def test_the_home_summary_links_to_its_page(served_app, page, username):
    heading, link, path, shown = SUMMARIES[username]
    log_in(page, served_app, username, PASSWORD)
    # .first: a rerun can briefly draw the summary beside its stale copy.
    page.get_by_role("heading", name=heading).first.wait_for()
    wait_until_idle(page)
    screenshot(page, f"home_{username}")
    main = page.locator('[data-testid="stMain"]')
    for attempt in range(3):  # a click during the login's rerun can be dropped
        # .first: while a rerun moves it, the old link can stand beside the new for a moment.
        main.get_by_role("link", name=link).first.click()
        try:
            page.wait_for_url(f"**/{path}", timeout=10_000)
            break
        except Exception:
            if attempt == 2:
                raise
    page.get_by_text(shown).first.wait_for()
