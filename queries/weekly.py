"""The figures of ISO weeks in the centre's time zone, as one long frame (one row per week ×
figure): what the Weekly trends page draws, the frozen report stores and the exports write.

Each metric is read through the route its own page uses, never a second SQL for it: offered,
service level and abandonment from `queries.service_level.service_level_counts` (granularity
"week", grouped by channel, each contact under its policy's abandon rule), FRT from
`frt_values`, CSAT from `queries.csat`, repeat contacts from `queries.journey.journey_counts`
(the Topics and Customer journey rule), the reviews counted from `queries.qa_quality`. Topic counts
are the Topics page's daily counts (`queries.topic_trends`) summed per week. Read here only:
QA review scores by the local week they were submitted in.

FRT is never one figure over phone and email: "live" channels (voice, chat) and "async"
channels (email, social) are reported apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from analytics.distributions import LIVE_KINDS, frt_summary_counted
from analytics.periods import week_bounds
from analytics.sl_frames import COUNT_COLUMNS, add_rates
from analytics.weekly import rising_topics, week_label, window_open
from db.schema import interactions, qa_reviews
from db.topic_rollup import NO_TOPIC, day_number
from queries.csat import csat_counts, csat_overall
from queries.frames import read_frame
from queries.journey import journey_counts
from queries.local_buckets import period_key_expr, period_table
from queries.qa_quality import counted_reviews
from queries.rollup_split import day_period_key
from queries.service_level import channel_policies, frt_values, service_level_counts
from queries.sl_base import channel_ids_for
from queries.topic_trends import daily_topic_counts

FIGURE_COLUMNS: tuple[str, ...] = ("key", "section", "label", "value", "unit", "n", "goal")
SECTIONS: tuple[str, ...] = (
    "Volume",
    "Service level",
    "Response times",
    "Abandonment",
    "Customer satisfaction",
    "Quality",
    "Topics",
    "Rising topics",
    "Repeat contacts",
)
FAMILIES = {"live": "phone and chat", "async": "email and social"}
TOP_TOPICS = 5


@dataclass(frozen=True)
class WeeklyOptions:
    """Settings the weekly figures depend on (from db.settings)."""

    repeat_days: float = 7.0
    rising_baseline_weeks: int = 4
    rising_min_count: int = 5


@dataclass(frozen=True)
class WeeklyFigures:
    """weeks: week, monday, start, end (naive UTC), partial (the week is not over),
    repeat_open (its repeat window is not over), in order. figures: week plus FIGURE_COLUMNS,
    one row per week × figure, sections in SECTIONS order. topics_available / qa_available:
    whether any contact has a topic / any QA review has a score (else those panels say "not
    yet available" and no figure of theirs exists)."""

    weeks: pd.DataFrame
    figures: pd.DataFrame
    topics_available: bool
    qa_available: bool


def _row(key: str, section: str, label: str, value, unit: str, n=None, goal=None) -> dict:
    clean = None if value is None or pd.isna(value) else float(value)
    return {
        "key": key,
        "section": section,
        "label": label,
        "value": clean,
        "unit": unit,
        "n": None if n is None else int(n),
        "goal": goal,
    }


def _service_rows(week: pd.DataFrame, policies: pd.DataFrame) -> list[dict]:
    """Volume, service level and abandonment rows of one week (`week`: per channel counts)."""
    totals = add_rates(week[list(COUNT_COLUMNS)].sum().to_frame().T)
    total = totals.iloc[0]
    rows = [_row("offered.total", "Volume", "Offered, all channels", total["offered"], "contacts")]
    names = policies.set_index("channel_id")
    for channel in week.itertuples():
        name = names.at[channel.group_key, "channel"]
        rows.append(
            _row(
                f"offered.{channel.group_key}",
                "Volume",
                f"Offered — {name}",
                channel.offered,
                "contacts",
            )
        )
    rows.append(
        _row(
            "sl.total",
            "Service level",
            "Service level, all channels",
            total["service_level_percent"],
            "%",
            total["met"] + total["missed"],
        )
    )
    for channel in week.itertuples():
        name = names.at[channel.group_key, "channel"]
        goal = names.at[channel.group_key, "goal_percent"]
        rows.append(
            _row(
                f"sl.{channel.group_key}",
                "Service level",
                f"Service level — {name}",
                channel.service_level_percent,
                "%",
                channel.met + channel.missed,
                None if pd.isna(goal) else float(goal),
            )
        )
    rows.append(
        _row(
            "abandonment.total",
            "Abandonment",
            "Abandonment rate, all channels",
            total["abandonment_rate"],
            "%",
            total["answered"] + total["abandoned"],
        )
    )
    return rows


def _frt_rows(frt: pd.DataFrame, kinds: dict[str, str]) -> list[dict]:
    rows = []
    family = frt["channel_id"].map(lambda c: "live" if kinds.get(c) in LIVE_KINDS else "async")
    for name, described in FAMILIES.items():
        summary = frt_summary_counted(frt.loc[family == name])
        for figure, value in (("median", summary.median), ("p90", summary.p90)):
            rows.append(
                _row(
                    f"frt.{name}.{figure}",
                    "Response times",
                    f"FRT {figure} — {described}",
                    value,
                    "seconds",
                    summary.n,
                )
            )
    return rows


def _topic_counts(engine: Engine, *, start, end, tz: str) -> pd.DataFrame:
    """week key, topic, count of contacts with a topic that arrived in [start, end): the
    Topics page's daily counts (its rollup) summed per ISO week."""
    daily = daily_topic_counts(engine=engine, start=start, end=end, tz=tz)
    daily = daily[daily["topic"] != NO_TOPIC]
    if daily.empty:
        return pd.DataFrame({"period_key": [], "topic": [], "count": []})
    day_numbers = pd.Series([day_number(d) for d in daily["day"]], index=daily.index)
    weeks = daily.assign(period_key=day_period_key(day_numbers, "week"))
    return weeks.groupby(["period_key", "topic"], as_index=False)["count"].sum()


def _qa_scores(conn: Connection, *, start, end, tz: str) -> pd.DataFrame:
    """week key, reviews, score sum of the counted QA reviews submitted in [start, end)."""
    r = qa_reviews.c
    key = period_key_expr(r.submitted_at, start=start, end=end, tz=tz, granularity="week").label(
        "period_key"
    )
    statement = (
        select(key, func.count().label("reviews"), func.sum(r.total).label("total"))
        .where(counted_reviews(), r.submitted_at >= start, r.submitted_at < end)
        .group_by(key)
    )
    return read_frame(engine=conn, statement=statement)


def _has_any(conn: Connection, condition) -> bool:
    return conn.execute(select(interactions.c.id).where(condition).limit(1)).first() is not None


def weekly_figures(
    *,
    engine: Engine,
    tz: str,
    mondays: Sequence[date],
    now: datetime,
    options: WeeklyOptions | None = None,
) -> WeeklyFigures:
    """The figures of the ISO weeks starting on `mondays` (local dates, oldest first).

    now: naive UTC; open contacts are judged at it and a week not over at it is partial.
    """
    options = options or WeeklyOptions()
    bounds = [week_bounds(m, tz) for m in mondays]
    start, end = bounds[0][0], bounds[-1][1]
    policies = channel_policies(engine=engine, at=min(now, end))
    kinds = dict(zip(policies["channel_id"], policies["kind"], strict=True))
    counts = service_level_counts(
        engine=engine,
        start=start,
        end=end,
        tz=tz,
        granularity="week",
        group_by="channel",
        now=now,
    )
    periods = period_table(start=start, end=end, tz=tz, granularity="week")
    key_of = {
        ts.date(): int(k)
        for k, ts in zip(periods["period_key"], periods["period_start"], strict=True)
    }
    baseline_start = week_bounds(mondays[0] - timedelta(weeks=options.rising_baseline_weeks), tz)[0]
    with engine.connect() as conn:
        channel_ids = channel_ids_for(conn, None)
        topics_available = _has_any(conn, interactions.c.topic.is_not(None))
        qa_available = conn.execute(select(qa_reviews.c.id).limit(1)).first() is not None
        qa_frame = _qa_scores(conn, start=start, end=end, tz=tz) if qa_available else None
        csat = csat_counts(
            conn=conn,
            start=start,
            end=end,
            channel_ids=channel_ids,
            group_by="channel",
            per=(tz, "week"),
        )
    topic_frame = _topic_counts(engine, start=baseline_start, end=end, tz=tz)
    repeat = (
        journey_counts(engine=engine, start=start, end=end, tz=tz, window_days=options.repeat_days)
        .groupby("week")[["resolved", "repeated"]]
        .sum()
    )
    topic_weeks = period_table(start=baseline_start, end=end, tz=tz, granularity="week")
    label_of_key = {
        int(k): week_label(ts.date())
        for k, ts in zip(topic_weeks["period_key"], topic_weeks["period_start"], strict=True)
    }
    topic_frame["week"] = topic_frame["period_key"].astype("int64").map(label_of_key)
    topic_frame["count"] = topic_frame["count"].astype(int)
    all_weeks = list(label_of_key.values())

    rows, weeks = [], []
    # One FRT read for all the weeks, exact or from the histogram week by week.
    frt = frt_values(
        engine=engine, start=start, end=end, group_by="channel", now=now, per=(tz, "week")
    )
    for monday, (week_start, week_end) in zip(mondays, bounds, strict=True):
        label = week_label(monday)
        key = key_of[monday]
        week = counts[counts["period_key"] == key]
        week_rows = _service_rows(week, policies)
        week_rows += _frt_rows(frt[frt["period_key"] == key].drop(columns="period_key"), kinds)
        rated = csat_overall(csat[csat["period_key"] == key])
        week_rows.append(
            _row(
                "csat.total",
                "Customer satisfaction",
                "CSAT (ratings 4–5), all channels",
                rated["csat_percent"],
                "%",
                rated["csat_rated"],
            )
        )
        if qa_frame is not None:
            found = qa_frame[qa_frame["period_key"].astype("int64") == key_of[monday]]
            reviews = int(found["reviews"].sum()) if not found.empty else 0
            mean = float(found["total"].sum()) / reviews if reviews else None
            week_rows.append(
                _row("qa.average", "Quality", "QA average score", mean, "score", reviews)
            )
        if topics_available:
            week_rows += _topic_rows(topic_frame, label, all_weeks, options)
        resolved, repeated = repeat.loc[monday].tolist() if monday in repeat.index else (0, 0)
        rate = 100.0 * repeated / resolved if resolved else None
        week_rows.append(
            _row(
                "repeat.rate",
                "Repeat contacts",
                f"Repeat-contact rate ({options.repeat_days:g}-day window)",
                rate,
                "%",
                int(resolved),
            )
        )
        rows += [{"week": label, **r} for r in week_rows]
        weeks.append(
            {
                "week": label,
                "monday": monday,
                "start": week_start,
                "end": week_end,
                "partial": week_end > now,
                "repeat_open": window_open(week_end, now, options.repeat_days),
            }
        )
    figures = pd.DataFrame(rows, columns=["week", *FIGURE_COLUMNS])
    return WeeklyFigures(pd.DataFrame(weeks), figures, topics_available, qa_available)


def _topic_rows(
    topic_frame: pd.DataFrame, label: str, all_weeks: list[str], options: WeeklyOptions
) -> list[dict]:
    """Every topic's count in the week (top ones first) and the week's rising topics."""
    week = topic_frame[topic_frame["week"] == label].sort_values(
        ["count", "topic"], ascending=[False, True], kind="stable"
    )
    total = int(week["count"].sum())
    rows = [
        _row(f"topic.{t.topic}", "Topics", str(t.topic), t.count, "contacts", total)
        for t in week.itertuples()
    ]
    position = all_weeks.index(label)
    baseline = all_weeks[max(0, position - options.rising_baseline_weeks) : position]
    rising = rising_topics(
        topic_frame, week=label, weeks=baseline, min_count=options.rising_min_count
    )
    rows += [
        _row(f"rising.{r.topic}", "Rising topics", str(r.topic), r.increase, "contacts", r.count)
        for r in rising.itertuples()
    ]
    return rows


def top_topic_rows(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures without the topics beyond the top TOP_TOPICS of each week (what is shown,
    frozen and exported; every topic is kept for comparing a frozen one with live data)."""
    is_topic = figures["section"] == "Topics"
    rank = figures[is_topic].groupby("week").cumcount()
    keep = ~is_topic | rank.reindex(figures.index).lt(TOP_TOPICS).fillna(True)
    return figures[keep].reset_index(drop=True)
