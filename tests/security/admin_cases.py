"""Plain-text cases of the home, Settings and Audit components (merged into test_plain_text's
walk). Imported at the end of tests/security/test_plain_text.py, so its helpers already exist;
the home summaries over hostile stored data are walked in test_admin_pages.py."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from tests.security.test_plain_text import HOSTILE, Shown, _rendered


def case_render_entry() -> Shown:
    from components.audit_view import render_entry

    entry = pd.Series(
        {"Action": HOSTILE[0], "Record kind": "Topic", "Record": HOSTILE[2], "User": HOSTILE[3],
         "When": HOSTILE[4]}
    )  # fmt: skip
    return _rendered(render_entry, entry, list(HOSTILE), expect=HOSTILE)


ADMIN_CASES: dict[str, Callable[[], Shown]] = {"audit_view.render_entry": case_render_entry}

# Drawn only inside a logged-in page (tests/security/test_admin_pages.py and the "home",
# "settings" and "audit" pages of test_plain_text walk them over hostile stored data).
ADMIN_PAGE_CASES: dict[str, str] = {
    "home_summaries.floor_today": "home of a supervisor: a hostile channel name on its tile",
    "home_summaries.weeks_compared": "home of an executive: figure labels from the weekly tiles",
    "home_summaries.review_queue_summary": "home of a QA reviewer: counts and a time",
    "home_summaries.admin_overview": "home of an admin (the 'home' page walk): counts only",
}

ADMIN_NO_DATA_TEXT: dict[str, str] = {
    "admin_tables.yes_no": "a word",
    "admin_tables.cell_text": "a cell's text for a dataframe (cells are plain text)",
    "admin_tables.record_table": "a frame for st.dataframe (cells are plain text)",
    "admin_tables.show_record_table": "a dataframe (plain cells), CSV and a fixed empty message",
    "user_admin.role_names": "text for a dataframe cell (plain text)",
    "user_admin.users_table": "a frame for st.dataframe (cells are plain text)",
    "sla_policy_form.local_moment_text": "a time, not drawn",
    "record_form.stale_message": "a sentence; show_stale draws it through markdown_text",
    "audit_view.field_label": "text for a dataframe cell (plain text)",
    "audit_view.value_text": "text for a dataframe cell (plain text)",
    "audit_view.change_text": "text for a dataframe cell (plain text)",
    "audit_view.change_lines": "lines render_entry draws through markdown_text (walked)",
    "audit_view.record_name": "text for a dataframe cell (plain text)",
    "audit_view.audit_table": "a frame for st.dataframe (cells are plain text)",
    "home_summaries.last_two_weeks": "dates",
    "home_summaries.open_assignments": "a cached reader: returns a frame, draws nothing",
    "home_summaries.account_overview": "a cached reader: returns counts, draws nothing",
}
