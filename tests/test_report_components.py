"""Figure builders and display tables of the Service level and Channels pages, without Streamlit:
titles state metric and period, axes carry units, channels keep their colours, empty data gives
an empty-state figure, and the breaches CSV is the on-screen table."""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.mix_charts import channel_comparison_chart, channel_mix_chart, social_split_chart
from components.report_filters import period_choice, period_label
from components.sl_charts import frt_distribution, service_level_over_time
from components.sl_tables import breach_csv, breach_table, comparison_table, group_table
from components.theme import channel_colour

LONDON = "Europe/London"


def _series(sl: list[float | None], group: str = "chat") -> pd.DataFrame:
    starts = pd.date_range("2026-11-20", periods=len(sl), freq="D", tz=LONDON)
    met = [0 if v is None else int(v) for v in sl]
    missed = [0 if v is None else 100 - int(v) for v in sl]
    return pd.DataFrame(
        {
            "period_key": range(len(sl)),
            "period_start": starts,
            "group_key": group,
            "group_label": group.title(),
            "offered": [m + n for m, n in zip(met, missed, strict=True)],
            "met": met,
            "missed": missed,
            "pending": 0,
            "service_level_percent": [np.nan if v is None else float(v) for v in sl],
        }
    )


GOALS = pd.DataFrame(
    {"channel_id": ["phone", "chat"], "channel": ["Phone", "Chat"], "goal_percent": [80.0, 80.0]}
)


def test_service_level_chart_has_title_units_goal_and_gaps():
    fig = service_level_over_time(
        _series([70, None, 90]),
        goals=GOALS,
        group_by="channel",
        granularity="day",
        title="Service level % by channel per day — 20–22 Nov 2026",
        subtitle="abandon rule: each policy",
        tz=LONDON,
    )
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text.startswith("Service level % by channel")
    assert fig.layout.yaxis.title.text == "Service level (%)"
    assert "Europe/London" in fig.layout.xaxis.title.text
    line, goal = fig.data
    assert line.line.color == channel_colour("chat")
    assert np.isnan(line.y[1]) and line.connectgaps is False  # no data is a gap, not 0 %
    assert goal.name == "Goal 80 % (all channels)" and list(goal.y) == [80.0, 80.0]


def test_service_level_chart_without_measured_contacts_is_an_empty_state():
    fig = service_level_over_time(
        _series([None, None]),
        goals=GOALS,
        group_by="channel",
        granularity="day",
        title="Service level % — 20–21 Nov 2026",
        subtitle="",
        tz=LONDON,
    )
    assert not fig.data and "no service level" in fig.layout.annotations[0].text


def _buckets() -> pd.DataFrame:
    rows = []
    for channel, family, labels in (
        ("phone", "live", ["0–20 s", "20–60 s"]),
        ("email", "async", ["0–1 h", "1–4 h"]),
    ):
        for order, label in enumerate(labels):
            rows.append(
                {
                    "channel_id": channel,
                    "channel": channel.title(),
                    "family": family,
                    "bucket": label,
                    "bucket_order": order,
                    "count": order + 1,
                }
            )
    return pd.DataFrame(rows)


def test_frt_distribution_splits_seconds_and_hours():
    fig = frt_distribution(_buckets(), title="First response time — 20–26 Nov 2026", subtitle="")
    names = [a.text for a in fig.layout.annotations]
    assert "Phone and chat (seconds)" in names and "Email and social (hours)" in names
    assert [t.marker.color for t in fig.data] == [channel_colour("phone"), channel_colour("email")]
    assert fig.layout.yaxis.title.text == "Answered contacts (count)"
    empty = frt_distribution(_buckets().assign(count=0), title="FRT — x", subtitle="")
    assert not empty.data


def _mix() -> pd.DataFrame:
    starts = pd.date_range("2026-11-23", periods=2, freq="D", tz=LONDON)
    rows = []
    for key, start in enumerate(starts):
        for channel, offered, public in (("phone", 3, 0), ("twitter", 1, 1), ("instagram", 0, 0)):
            rows.append(
                {
                    "period_key": key,
                    "period_start": start,
                    "channel_id": channel,
                    "channel": channel.title(),
                    "is_social": channel != "phone",
                    "offered": offered,
                    "public_offered": public,
                    "private_offered": offered - public,
                    "share_percent": 100.0 * offered / 4,
                }
            )
    return pd.DataFrame(rows)


def test_channel_mix_share_and_count():
    share = channel_mix_chart(_mix(), mode="share", granularity="day", title="Mix — share")
    assert (
        share.layout.barmode == "stack" and share.layout.yaxis.title.text == "Share of offered (%)"
    )
    totals = np.sum([np.asarray(t.y, dtype=float) for t in share.data], axis=0)
    assert totals.tolist() == [100.0, 100.0]
    assert [t.marker.color for t in share.data] == [
        channel_colour(c) for c in ("phone", "twitter", "instagram")
    ]
    count = channel_mix_chart(_mix(), mode="count", granularity="week", title="Mix — count")
    assert count.layout.yaxis.title.text == "Offered (count)"
    with pytest.raises(ValueError, match="mode"):
        channel_mix_chart(_mix(), mode="pie", granularity="day", title="x")
    assert not channel_mix_chart(
        _mix().assign(offered=0), mode="share", granularity="day", title="x"
    ).data


def test_social_split_has_neutral_legend_swatches():
    split = pd.DataFrame(
        {
            "channel_id": ["twitter", "facebook"],
            "offered": [4, 2],
            "public_offered": [3, 0],
            "private_offered": [1, 2],
            "public_share_percent": [75.0, 0.0],
        }
    )
    fig = social_split_chart(split, title="Social: public vs private — 23–29 Nov 2026")
    bars = [t for t in fig.data if t.type == "bar"]
    assert all(t.showlegend is False for t in bars)  # per-channel colours: no misleading legend
    legend = [t.name for t in fig.data if t.type == "scatter"]
    assert legend == ["Public (posts, comments)", "Private (messages)"]
    assert fig.layout.xaxis.title.text == "Offered (count)"


def test_channel_comparison_chart_and_table():
    table = pd.DataFrame(
        {
            "channel_id": ["phone", "email"],
            "channel": ["Phone", "Email"],
            "offered": [10, 0],
            "met": [9, 0],
            "missed": [1, 0],
            "frt_n": [10, 0],
            "service_level_percent": [90.0, np.nan],
            "goal_percent": [80.0, 90.0],
            "targets": ["20 s", "4 h (business hours)"],
            "abandon_rule": ["exclude_short", "fail"],
            "frt_median": [12.0, np.nan],
            "frt_p90": [30.0, np.nan],
            "frt_mean": [14.0, np.nan],
            "aht_seconds": [300.0, np.nan],
            "abandonment_rate": [5.0, np.nan],
            "csat_rated": [4, 0],
            "csat_percent": [50.0, np.nan],
            "csat_mean": [3.25, np.nan],
        }
    )
    fig = channel_comparison_chart(table, title="SL, FRT, AHT by channel — 23–29 Nov 2026")
    assert fig.layout.yaxis2.type == "log"
    assert "AHT" in fig.layout.annotations[2].text or "handle" in fig.layout.annotations[2].text
    shown = comparison_table(table)
    assert shown["FRT median"].tolist() == ["12 s", "—"]
    assert shown["Abandon rule"].tolist() == ["exclude short", "fail"]
    assert shown["CSAT (4–5)"].tolist() == ["50.0 %", "no ratings"]  # never 0 %
    assert shown["CSAT mean"].tolist()[0] == 3.25 and shown["Rated"].tolist() == [4, 0]
    assert shown["SL n (met + missed)"].tolist() == [10, 0]
    assert shown["FRT n (answered)"].tolist() == [10, 0]
    assert "Service level % (previous)" not in shown.columns
    # n under each channel's name on the chart.
    assert list(fig.data[0].x) == ["Phone<br>n=10", "Email<br>n=0"]
    # Against a previous period where phone was at 75 % over 8 offered and email absent.
    before = table.iloc[[0]].assign(offered=8, service_level_percent=75.0)
    compared = comparison_table(table, before)
    assert compared["Offered (previous)"].tolist() == [8, 0]
    assert compared["Service level % (previous)"].tolist()[0] == 75.0
    assert compared["SL change (pts)"].tolist()[0] == 15.0
    assert compared["SL change (pts)"].isna().tolist()[1]  # no data: no change, not 0
    empty = channel_comparison_chart(
        table.assign(service_level_percent=np.nan, frt_median=np.nan, aht_seconds=np.nan),
        title="x",
    )
    assert not empty.data


def _breaches() -> pd.DataFrame:
    arrival = pd.to_datetime(
        ["2026-11-26 10:00:00", "2026-11-26 11:00:00", "2026-11-26 09:00:00"]
    ).tz_localize(LONDON)
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "channel_id": ["chat"] * 3,
            "channel": ["Chat"] * 3,
            "queue": ["general"] * 3,
            "agent": ["Ann", None, None],
            "status": ["Answered late", "Open, past target", "Abandoned"],
            "arrival_local": arrival,
            "value_seconds": [61.0, 90.4, 10.0],
            "target_seconds": [60, 60, 60],
            "missed_by_seconds": [1.0, 30.4, np.nan],
        }
    )


def test_breach_table_orders_and_the_csv_is_the_table():
    newest = breach_table(_breaches(), tz=LONDON)
    assert newest["ID"].tolist() == [2, 1, 3]
    assert newest.columns.tolist()[5] == "Arrival (Europe/London)"
    assert newest["Agent"].tolist() == ["—", "Ann", "—"]
    assert newest["Missed by (s)"].tolist()[:2] == [30, 1] and pd.isna(newest["Missed by (s)"][2])
    late = breach_table(_breaches(), tz=LONDON, sort="late")
    assert late["ID"].tolist() == [2, 1, 3]  # the abandon before target (no "missed by") last
    back = pd.read_csv(io.BytesIO(breach_csv(newest)), dtype=str, keep_default_na=False)
    assert back.columns.tolist() == newest.columns.tolist()
    assert back.values.tolist() == newest.astype(str).replace("<NA>", "").values.tolist()
    with pytest.raises(ValueError, match="sort"):
        breach_table(_breaches(), tz=LONDON, sort="random")


def test_empty_breach_table_keeps_its_columns():
    empty = breach_table(_breaches().iloc[0:0], tz=LONDON)
    assert empty.empty and len(empty.columns) == 10


def test_group_table_reads_durations_and_no_data():
    by_group = pd.DataFrame(
        {
            "group_label": ["Chat"],
            "offered": [6],
            "answered": [2],
            "abandoned": [2],
            "met": [1],
            "missed": [4],
            "pending": [1],
            "service_level_percent": [20.0],
            "frt_median": [60.5],
            "frt_p90": [60.9],
            "frt_mean": [60.5],
            "asa_seconds": [60.5],
            "aht_seconds": [np.nan],
            "answer_rate": [100 / 3],
            "abandonment_rate": [50.0],
            "csat_rated": [4],
            "csat_percent": [50.0],
            "csat_mean": [3.25],
        }
    )
    shown = group_table(by_group, group_label="Channel")
    row = shown.iloc[0]
    assert (row["Channel"], row["Service level %"], row["FRT median"]) == ("Chat", 20.0, "1 min")
    assert row["AHT"] == "—" and row["Answer rate %"] == 33.3
    assert (row["CSAT (4–5)"], row["CSAT mean"], row["Rated"]) == ("50.0 %", 3.25, 4)


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (date(2026, 11, 26), date(2026, 11, 26), "Thu 26 Nov 2026"),
        (date(2026, 11, 20), date(2026, 11, 26), "20–26 Nov 2026"),
        (date(2026, 11, 28), date(2026, 12, 4), "28 Nov – 4 Dec 2026"),
        (date(2025, 12, 29), date(2026, 1, 4), "29 Dec 2025 – 4 Jan 2026"),
    ],
)
def test_period_label(first, last, text):
    assert period_label(first, last) == text


TODAY = date(2026, 11, 30)
WEEK = (date(2026, 11, 24), TODAY)


@pytest.mark.parametrize(
    ("span", "opens_on", "low", "high", "moved"),
    [
        # Live data through today: the usual last 7 days, reaching back to the first arrival.
        (
            (datetime(2011, 5, 2, 9), datetime(2026, 11, 30, 9)),
            WEEK,
            date(2011, 5, 2),
            TODAY,
            False,
        ),
        # A log from 1999 only: its own last 7 days; today stays reachable.
        (
            (datetime(1999, 3, 1, 10), datetime(1999, 3, 10, 10)),
            (date(1999, 3, 4), date(1999, 3, 10)),
            date(1999, 3, 1),
            TODAY,
            True,
        ),
        # A log shorter than the default: from its first day only.
        (
            (datetime(2011, 5, 9, 10), datetime(2011, 5, 11, 10)),
            (date(2011, 5, 9), date(2011, 5, 11)),
            date(2011, 5, 9),
            TODAY,
            True,
        ),
        # Data that started two days ago: the default, cut to the first arrival's day.
        (
            (datetime(2026, 11, 28, 9), datetime(2026, 11, 30, 8)),
            (date(2026, 11, 28), TODAY),
            date(2026, 11, 28),
            TODAY,
            False,
        ),
        # An empty database: the default, nothing further back.
        ((None, None), WEEK, WEEK[0], TODAY, False),
    ],
)
def test_period_choice_is_bounded_by_the_data(span, opens_on, low, high, moved):
    choice = period_choice(span, tz=LONDON, today=TODAY, default=WEEK)
    assert (choice.default, choice.min_value, choice.max_value, choice.moved) == (
        opens_on,
        low,
        high,
        moved,
    )


def test_period_choice_uses_local_dates():
    # 23:30 UTC on 31 May is 00:30 on 1 Jun in London (BST): the data's last day is 1 Jun.
    span = (datetime(2026, 5, 20, 12), datetime(2026, 5, 31, 23, 30))
    choice = period_choice(span, tz=LONDON, today=TODAY, default=WEEK)
    assert choice.default == (date(2026, 5, 26), date(2026, 6, 1))


def _with_ends(series: pd.DataFrame) -> pd.DataFrame:
    return series.assign(period_end=series["period_start"] + pd.Timedelta(days=1))


def test_the_running_period_is_drawn_dotted_and_marked():
    # Days 20, 21, 22 Nov (London = UTC in November); now is 22 Nov 15:00 UTC: the 22nd runs.
    fig = service_level_over_time(
        _with_ends(_series([70, 60, 90])),
        goals=GOALS,
        group_by="channel",
        granularity="day",
        title="t",
        subtitle="s",
        tz=LONDON,
        now=datetime(2026, 11, 22, 15, 0),
    )
    solid, running = fig.data[0], fig.data[1]
    assert list(solid.y[:2]) == [70.0, 60.0] and np.isnan(solid.y[2])  # the line stops
    assert list(running.y) == [60.0, 90.0]  # last complete day -> the running one
    assert running.line.dash == "dot" and running.marker.symbol == "circle-open"
    assert running.line.color == solid.line.color and running.showlegend is False
    assert "still running" in running.hovertemplate
    assert "period still running" in fig.data[2].name  # the legend says what dotted means
    assert not any(t.line.dash == "dot" for t in fig.data if (t.name or "").startswith("Goal"))
    # The day after: every period is complete, nothing is dotted.
    done = service_level_over_time(
        _with_ends(_series([70, 60, 90])),
        goals=GOALS,
        group_by="channel",
        granularity="day",
        title="t",
        subtitle="s",
        tz=LONDON,
        now=datetime(2026, 11, 23, 0, 0),
    )
    assert [t.name for t in done.data] == ["Chat", "Goal 80 % (all channels)"]


def test_by_agent_the_no_agent_contacts_are_no_line_and_the_axis_fits_the_agents():
    agent = _series([85, 90, 95], group="7")
    nobody = _series([0, 0, 0], group="-").assign(group_label="No agent recorded")
    fig = service_level_over_time(
        pd.concat([agent, nobody], ignore_index=True),
        goals=GOALS,
        group_by="agent",
        granularity="day",
        title="t",
        subtitle="s",
        tz=LONDON,
    )
    assert [t.name for t in fig.data] == ["7", "Goal 80 % (all channels)"]
    # From 70 % (10 under the lowest of the agents' 85 % and the 80 % goal) to the top.
    assert tuple(fig.layout.yaxis.range) == (70.0, 102)
