"""Plain-text cases of the paged breaches list (merged into test_plain_text's walk)."""

from __future__ import annotations

BREACH_NO_DATA_TEXT = {
    "breach_list.shown_range": "numbers: '101–200 of 1,234'",
}

__all__ = ["BREACH_NO_DATA_TEXT"]
