"""The Topics chart: weeks labelled by their local Monday, and no zero weeks before the data."""

from __future__ import annotations

from datetime import date

import pandas as pd

from components.topic_charts import topic_trend_figure


def _weeks(mondays: list[date], counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": mondays,
            "topic": ["billing"] * len(mondays),
            "count": counts,
            "share": [100.0 if c else None for c in counts],
            "is_spike": [False] * len(mondays),
            "z": [0.0] * len(mondays),
        }
    )


def test_weeks_are_labelled_by_their_monday_and_start_with_the_data():
    # 2026-09-28 and 2026-10-05 hold nothing (before the history); then three weeks of data,
    # the middle one across the October clock change in Europe.
    mondays = [date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 19), date(2026, 10, 26)]
    fig = topic_trend_figure(
        _weeks(mondays, [0, 0, 7, 9]), granularity="week", title="t", rule_text="rule"
    )
    assert fig.layout.xaxis.ticktext == ("Mon 19 Oct", "Mon 26 Oct")
    line = next(trace for trace in fig.data if trace.name == "billing")
    assert list(line.y) == [7, 9]  # the empty weeks before the data are not drawn as zeros
