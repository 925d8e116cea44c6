"""`python cli.py retag [--since DATE] [--batch N]`: re-apply the topic taxonomy after it changed.

DATE is a local date (the centre's time zone) or an ISO timestamp with a zone; rows that
arrived from then on are tagged again (ingest/retag.py: batched, progress bar, resumable,
idempotent). Prints how many rows were read and how many changed topic.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from zoneinfo import ZoneInfo

from db.engine import get_engine
from db.settings import get_settings
from ingest.retag import retag_interactions


def add_retag_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `retag` sub-command on the CLI's sub-parsers."""
    retag = sub.add_parser("retag", help="tag stored interactions again with the current topics")
    retag.add_argument("--since", help="only rows that arrived from this date (YYYY-MM-DD, local)")
    retag.add_argument("--batch", type=int, default=5000, help="rows per transaction")
    retag.set_defaults(func=cmd_retag)


def parse_since(value: str | None, tz: str) -> datetime | None:
    """`--since` as naive UTC: a date is local midnight in `tz`; a timestamp needs its zone."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
        moment = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    except ValueError:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a --since timestamp needs its time zone, e.g. +00:00") from None
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def cmd_retag(args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since, get_settings().timezone)
    except ValueError as exc:
        print(f"--since: {exc}")
        return 2
    if args.batch < 1:
        print("--batch must be at least 1")
        return 2
    result = retag_interactions(
        engine=get_engine(), since=since, batch_size=args.batch, progress=True
    )
    resumed = ""
    if result.resumed_from is not None:
        resumed = f" (resumed from {result.resumed_from:%Y-%m-%d %H:%M:%S} UTC)"
    print(f"retag: read {result.read:,} rows, {result.changed:,} changed topic{resumed}.")
    return 0
