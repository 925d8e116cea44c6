"""docs/metrics.md is what the code computes: its worked-example figures are parsed from the doc and
recomputed with the app's own rules (service level, ASA, business-hours FRT, buckets, CSAT)."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest

from analytics.business_hours import business_seconds
from analytics.distributions import frt_bucket
from analytics.service_level import Policy, service_level_summary
from db.settings import PROJECT_ROOT
from queries.csat import csat_figures

DOC = (PROJECT_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
NOW = datetime(2026, 6, 1, 12, 0, 0)
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def _worked_example() -> pd.DataFrame:
    """The six chat contacts a–f of the doc, at now = 12:00:00."""
    t = pd.Timestamp

    def row(created, response=None, abandoned=None):
        return {
            "created_at": t(created),
            "first_response_at": t(response),
            "abandoned_at": t(abandoned),
        }

    return pd.DataFrame(
        [
            row("2026-06-01 11:50:00", response="2026-06-01 11:51:00"),  # a: 60 s
            row("2026-06-01 11:50:00", response="2026-06-01 11:51:01"),  # b: 61 s
            row("2026-06-01 11:59:30"),  # c: open
            row("2026-06-01 11:58:30"),  # d: open
            row("2026-06-01 11:40:00", abandoned="2026-06-01 11:40:10"),  # e
            row("2026-06-01 11:40:00", abandoned="2026-06-01 11:40:03"),  # f
        ]
    )


def _rule_table() -> dict[str, tuple[int, int, float]]:
    """The doc's 'abandon rule | met | missed | service level' rows."""
    rows = re.findall(
        r"^\| (fail|exclude|exclude_short) \| (\d+) \| (\d+) \| ([\d.]+) % \|$", DOC, re.M
    )
    return {rule: (int(met), int(missed), float(sl)) for rule, met, missed, sl in rows}


def _bold(figure: str) -> bool:
    return f"**{figure}**" in DOC


def test_the_doc_lists_every_abandon_rule():
    assert set(_rule_table()) == {"fail", "exclude", "exclude_short"}


@pytest.mark.parametrize("rule", ["fail", "exclude", "exclude_short"])
def test_service_level_rows_equal_the_code(rule):
    policy = Policy(target_seconds=60, goal_percent=80, abandon_rule=rule, short_abandon_seconds=5)
    summary = service_level_summary(_worked_example(), policy, NOW)
    met, missed, percent = _rule_table()[rule]
    assert (summary.met, summary.missed) == (met, missed)
    assert round(summary.service_level_percent, 1) == percent


def test_asa_abandonment_backlog_and_oldest_waiting_equal_the_code():
    policy = Policy(target_seconds=60, goal_percent=80)
    summary = service_level_summary(_worked_example(), policy, NOW)
    assert _bold(f"{summary.asa_seconds:g} s")  # 60.5 s
    assert _bold(f"{summary.abandonment_rate:.1f} %")  # 50.0 %
    assert _bold(str(summary.backlog))
    assert _bold(f"{summary.oldest_waiting_seconds:g} s")  # 90 s


def test_business_hours_example_equals_the_code():
    seconds = business_seconds(
        datetime(2026, 11, 1, 0, 0), datetime(2026, 11, 7, 23, 59), OFFICE, "UTC"
    )  # Sunday 00:00 to the next Saturday 23:59
    assert _bold(f"{seconds:,.0f} s")  # 144,000 s
    wall_clock = (datetime(2026, 11, 7, 23, 59) - datetime(2026, 11, 1)).total_seconds()
    assert f"{wall_clock:,.0f} s" in DOC


@pytest.mark.parametrize("seconds", [3_599, 3_600, 86_400])
def test_bucket_edges_equal_the_code(seconds):
    assert f"{seconds:,} s → **{frt_bucket(seconds, 'email')}**" in DOC


def test_csat_example_equals_the_code():
    ratings = pd.Series([5, 4, 3, 1, None])
    rated = ratings.dropna()
    counts = pd.DataFrame(
        {
            "csat_rated": [len(rated)],
            "csat_satisfied": [int((rated >= 4).sum())],
            "csat_sum": [rated.sum()],
        }
    )
    figures = csat_figures(counts)
    assert _bold(f"{figures['csat_percent'].iloc[0]:.1f} %")  # 50.0 %
    assert _bold(f"{figures['csat_mean'].iloc[0]:g}")  # 3.25
    assert _bold(f"{len(rated)} rated")


def test_the_doc_is_self_contained():
    assert "DESIGN" not in DOC and "../shared" not in DOC
