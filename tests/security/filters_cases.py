"""Plain-text cases of the report filters, the channel mix panel, the per-group table and the
hour × weekday heatmap (merged into test_plain_text's walk).

Imported at the end of tests/security/test_plain_text.py, so its helpers already exist.
"""

from __future__ import annotations

import pandas as pd

from tests.security.test_plain_text import HOSTILE, LABELS, N, Shown, _figure, _rendered


def _mix() -> pd.DataFrame:
    start = pd.Timestamp("2026-11-23", tz="UTC")
    return pd.DataFrame(
        {
            "period_start": [start] * N,
            "period_end": [start + pd.Timedelta(weeks=1)] * N,
            "channel_id": list(HOSTILE),
            "channel": list(HOSTILE),
            "is_social": [False] * N,
            "offered": [5] * N,
            "public_offered": [0] * N,
            "private_offered": [5] * N,
            "share_percent": [100.0 / N] * N,
        }
    )


def case_render_channel_mix() -> Shown:
    from datetime import date, datetime

    from components.channel_mix_view import render_channel_mix
    from components.report_filters import ReportPeriod

    period = ReportPeriod(date(2026, 11, 23), date(2026, 11, 29), "custom", True, None)
    shown = _rendered(
        render_channel_mix,
        _mix(),
        previous_mix=_mix(),
        mode="share",
        granularity="week",
        period=period,
        now=datetime(2026, 11, 25),
    )
    return Shown(shown.markdown, shown.figures, expect_figure=LABELS)


def case_pattern_heatmap() -> Shown:
    from components.heatmap_view import pattern_heatmap

    pattern = pd.DataFrame(
        {"weekday": [0], "hour": [9], "hours": [1], "offered": [3], "offered_per_hour": [3.0]}
    ).assign(met=2, missed=1, pending=0, service_level_percent=200 / 3)
    # Axes and hover are fixed weekday and hour names; the title is the page's (code).
    return Shown(figures=[_figure(pattern_heatmap(pattern, title="t", goal=80.0))])


FILTERS_CASES = {
    "channel_mix_view.render_channel_mix": case_render_channel_mix,
    "heatmap_view.pattern_heatmap": case_pattern_heatmap,
}
FILTERS_NO_DATA_TEXT = {
    "report_filters.remember": "no text: session state",
    "report_filters.kept_value": "no text: session state",
    "report_filters.report_period": "widgets labelled by code; options are fixed preset names",
    "channel_mix_view.mix_controls": "radios labelled by code",
    "channel_mix_view.mix_caption": "a fixed sentence",
    "heatmap_view.service_level_scale": "colours",
    "sl_charts.partial_periods": "booleans, draws nothing",
    "sl_groups.split_no_agent": "frames, not drawn",
    "sl_groups.render_group_table": "frames for st.dataframe (plain cells) and a fixed caption",
    "sl_tables.mix_table": "a frame for st.dataframe (cells are plain text)",
    "theme.text_colour_on": "a colour",
    "table_format.number_formats": "column formats, no text",
}
