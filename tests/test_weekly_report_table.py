"""The frozen weekly report as its table shows it: counts have no n, rates show theirs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.weekly_panels import report_table


def test_report_table_shows_a_dash_for_no_n_and_groups_thousands() -> None:
    figures = pd.DataFrame(
        {
            "section": ["Volume", "Service level"],
            "label": ["Offered, all channels", "Service level, all channels"],
            "value": [14_750.0, 84.9],
            "unit": ["count", "percent"],
            "n": [np.nan, 14_620.0],
            "live_value": [14_750.0, 84.9],
            "restated": [False, False],
        }
    )
    table = report_table(figures)
    assert table["n"].tolist() == ["—", "14,620"]
    assert table["Status"].tolist() == ["as reported", "as reported"]
