"""Number formats of the report tables: counts grouped in thousands, rates with one decimal."""

from __future__ import annotations

import pandas as pd

from components.table_format import number_formats


def test_counts_are_localized_rates_have_one_decimal_and_text_is_left_alone() -> None:
    table = pd.DataFrame(
        {
            "Channel": ["Phone"],
            "Offered (n)": pd.Series([15_652], dtype="int64"),
            "Share of offered %": [34.3],
            "Public": [True],
        }
    )
    formats = number_formats(table)
    assert set(formats) == {"Offered (n)", "Share of offered %"}
    assert formats["Offered (n)"]["type_config"]["format"] == "localized"
    assert formats["Share of offered %"]["type_config"]["format"] == "%.1f"
