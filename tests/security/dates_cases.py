"""Plain-text cases of the one date format (merged into test_plain_text's walk): the helpers that
turn stored times and periods into shown text render nothing themselves."""

from __future__ import annotations

DATES_NO_DATA_TEXT = {
    "reply_form.shown_messages": "a frame for st.dataframe (cells are plain text)",
    "qa_sampling_form.rule_period": "dates: '20–26 Nov 2026'",
    "topic_panels.period_text": "a date, or the stored period escaped where shown (_render_log)",
}

__all__ = ["DATES_NO_DATA_TEXT"]
