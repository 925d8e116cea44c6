"""Home timings: what each role's home summary waits for on a cache miss, on the database the
app points at (FLOORLIGHT_DB_URL, e.g. after `cli.py demo --weeks 8`).

    python -m bench.home_timings [--runs 3] [--reviewer reviewer]

Runs the query functions behind each summary's cached readers (components.home_summaries),
uncached, `--runs` times each, and prints the median. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from analytics.periods import day_bounds, local_today
from components.home_summaries import last_two_weeks
from db.engine import make_engine
from db.settings import get_settings
from queries import floor, weekly
from queries import users as users_queries
from queries.audit import action_counts
from queries.qa_reviews import review_queue
from queries.writes import utcnow


def _median_seconds(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reviewer", default="reviewer")
    args = parser.parse_args()
    settings = get_settings()
    engine, tz, now = make_engine(settings.db_url), settings.timezone, utcnow()
    day_start, day_end = day_bounds(local_today(now, tz), tz)
    before, last = last_two_weeks(local_today(now, tz))
    calls: dict[str, Callable[[], object]] = {
        "supervisor: today's service level per channel": lambda: floor.todays_service_level(
            engine=engine, start=day_start, end=day_end, tz=tz, now=now
        ),
        "supervisor: backlog now": lambda: floor.open_unanswered(engine=engine, now=now),
        "supervisor: policies in force": lambda: floor.channel_policies(engine=engine, at=now),
        "executive: last week and the week before": lambda: weekly.weekly_figures(
            engine=engine, tz=tz, mondays=[before, last], now=now
        ),
        "QA reviewer: open assignments": lambda: review_queue(
            engine=engine, reviewer=args.reviewer, now=now
        ),
        "admin: audit entries per action, 7 days": lambda: action_counts(
            engine=engine, start=now - timedelta(days=7)
        ),
        "admin: users (locked, disabled)": lambda: users_queries.list_users(engine=engine),
    }
    print(f"database: {engine.url.render_as_string(hide_password=True)}; median of {args.runs}")
    for name, call in calls.items():
        print(f"  {name:45s} {_median_seconds(call, args.runs) * 1000:8.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
