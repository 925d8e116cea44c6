"""Floorlight's one command-line entry: init-db, demo, simulate, import, retag, users,
refresh-rollups, partitions, report.

Every command works on the configured database (FLOORLIGHT_DB_URL, else .streamlit/secrets.toml,
else the SQLite file under data/).
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
import time
from pathlib import Path

from db.engine import get_engine
from db.migrate import upgrade_to_head
from db.reference import seed_reference_data
from db.settings import PROJECT_ROOT, get_settings
from ingest.retag_command import add_retag_parser

DEMO_USERS = (  # username, display name, roles
    ("supervisor", "Sam Supervisor", ["supervisor"]),
    ("reviewer", "Quinn Reviewer", ["qa_reviewer"]),
    ("exec", "Erin Executive", ["executive"]),
    ("admin", "Alex Admin", ["admin"]),
)
DEMO_LOGINS_FILE = PROJECT_ROOT / "data" / "demo-logins.txt"


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to a new file readable by its owner only, from the moment it exists.

    A file already there is replaced (not rewritten), so its old, possibly wider mode goes too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def cmd_init_db(_args: argparse.Namespace) -> int:
    url = get_settings().db_url
    upgrade_to_head(url)
    with get_engine().begin() as conn:
        seed_reference_data(conn)
    print("Database is at the newest schema, reference data in place.")
    return 0


def _create_demo_users() -> list[tuple[str, str, list[str]]]:
    from queries import users as users_q

    created = []
    for username, name, roles in DEMO_USERS:
        if users_q.get_user(engine=get_engine(), username=username) is not None:
            continue
        password = secrets.token_urlsafe(9)
        users_q.create_user(
            engine=get_engine(),
            username=username,
            display_name=name,
            password=password,
            roles=roles,
            actor="demo",
        )
        created.append((username, password, roles))
    return created


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import build_demo

    cmd_init_db(args)
    started = time.perf_counter()
    counts = build_demo(
        get_engine(), weeks=args.weeks, seed=args.seed, replace=args.replace, progress=True
    )
    print(f"Demo data built in {time.perf_counter() - started:.1f} s: {counts}")
    created = _create_demo_users()
    if created:
        lines = [f"  {u:<11} {p:<14} ({', '.join(r)})" for u, p, r in created]
        text = "Demo logins (for the demo only; shown once, also in data/demo-logins.txt):\n"
        text += "\n".join(lines)
        print(text)
        write_private_text(DEMO_LOGINS_FILE, text + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from ingest.simulator import run_simulator

    print("Simulating the live floor; Ctrl-C stops it.")
    run_simulator(
        get_engine(), tick_seconds=args.tick, verbose=args.verbose, refresh=not args.no_refresh
    )
    return 0


def _saved_mapping(name: str):
    from ingest.mapping import ColumnMapping
    from queries.import_mappings import get_mapping

    stored = get_mapping(engine=get_engine(), name=name)
    if stored is None:
        raise ValueError(f"no saved mapping named {name!r} (save one on the Import page)")
    return ColumnMapping.from_json(stored["definition"])


def cmd_import(args: argparse.Namespace) -> int:
    from ingest.importer import import_file

    try:
        result = import_file(
            get_engine(),
            Path(args.file),
            fmt=args.format,
            source=args.source,
            reject_path=Path(args.rejects) if args.rejects else None,
            progress=True,
            mapping=_saved_mapping(args.mapping) if args.mapping else None,
        )
    except (OSError, ValueError) as exc:  # unreadable file or not this format: nothing loaded
        print(f"Nothing imported: {exc}", file=sys.stderr)
        return 2
    print(
        f"Loaded {result.loaded:,} rows; {result.skipped_duplicates:,} already present; "
        f"{result.rejected:,} rejected"
        + (f" (see {result.reject_path})" if result.rejected else "")
    )
    from db.rollups import refresh_interval_stats

    refresh_interval_stats(get_engine())
    return 0 if result.rejected == 0 else 1


def cmd_refresh(args: argparse.Namespace) -> int:
    from db.rollups import refresh_interval_stats

    if args.follow:
        from ingest.refresher import follow_rollups

        every = args.every or get_settings().refresh_seconds
        print(f"Refreshing the rollup every {every:g} s; Ctrl-C or SIGTERM stops it.", flush=True)
        follow_rollups(
            get_engine(), every_seconds=every, report=lambda line: print(line, flush=True)
        )
        print("Refresher stopped.", flush=True)
        return 0
    intervals = refresh_interval_stats(get_engine(), full=args.full)
    print(f"Recomputed {intervals:,} 15-minute intervals.")
    return 0


def cmd_partitions(_args: argparse.Namespace) -> int:
    """PostgreSQL: this month's partition of interactions and the next ones (db/partitions.py)."""
    from db.partitions import MONTHS_AHEAD, ensure_months_ahead, is_partitioned

    engine = get_engine()
    with engine.connect() as conn:
        if not is_partitioned(conn):
            print("interactions is not partitioned in this database (SQLite): nothing to do.")
            return 0
    created = ensure_months_ahead(engine)
    done = f"Created {', '.join(created)}." if created else "Nothing to create."
    print(f"{done} Partitions exist up to {MONTHS_AHEAD} months ahead.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Freeze a week's report (idempotent: a week frozen before is kept, never changed)."""
    from datetime import UTC, datetime

    from analytics.periods import local_today
    from analytics.weekly import previous_week
    from queries.weekly_report import WeekNotOverError, freeze, weekly_options

    settings = get_settings()
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    week = previous_week(local_today(now, settings.timezone)) if args.last_week else args.week
    try:
        report = freeze(
            engine=get_engine(),
            tz=settings.timezone,
            week=week,
            now=now,
            user=args.user,
            options=weekly_options(settings),
        )
    except (WeekNotOverError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    stamp = f"{report.frozen_at:%Y-%m-%d %H:%M} UTC by {report.frozen_by}"
    if report.created:
        print(f"Froze {week}: issue {report.issue}, {len(report.figures)} figures ({stamp}).")
    else:
        print(
            f"{week} was frozen before (issue {report.issue}, {stamp}); kept unchanged. "
            "An admin can re-issue it on the Weekly trends page."
        )
    return 0


def _read_password(prompt: str) -> str:
    password = getpass.getpass(prompt)
    if password != getpass.getpass("Repeat: "):
        raise SystemExit("The two passwords differ; nothing changed.")
    return password


def cmd_users(args: argparse.Namespace) -> int:
    from queries import users as users_q
    from queries.writes import StaleWriteError, ValidationError

    engine = get_engine()
    actor = f"cli:{getpass.getuser()}"
    try:
        if args.action == "add":
            users_q.create_user(
                engine=engine,
                username=args.username,
                display_name=args.name or args.username,
                password=_read_password("Password: "),
                roles=args.roles.split(","),
                actor=actor,
                email=args.email,
            )
            print(f"Created {args.username.lower()}.")
            return 0
        user = users_q.get_user(engine=engine, username=args.username)
        if user is None:
            print(f"No user named {args.username!r}.", file=sys.stderr)
            return 2
        common = {
            "engine": engine,
            "username": user["username"],
            "actor": actor,
            "expected_version": user["version"],
        }
        if args.action == "roles":
            users_q.set_roles(roles=args.roles.split(","), **common)
        elif args.action == "reset":
            users_q.reset_password(password=_read_password("New password: "), **common)
        elif args.action == "disable":
            users_q.set_disabled(disabled=not args.enable, **common)
        print(f"Updated {user['username']}.")
        return 0
    except ValidationError as exc:
        for field, message in exc.field_errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    except StaleWriteError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init-db", help="create or upgrade the schema, add reference data").set_defaults(
        func=cmd_init_db
    )

    demo = sub.add_parser("demo", help="build a realistic demo centre and one login per role")
    demo.add_argument("--weeks", type=int, default=8)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--replace", action="store_true", help="delete earlier demo data first")
    demo.set_defaults(func=cmd_demo)

    sim = sub.add_parser("simulate", help="write live floor activity for now until Ctrl-C")
    sim.add_argument("--tick", type=float, default=3.0, help="seconds between ticks")
    sim.add_argument("--verbose", action="store_true")
    sim.add_argument(
        "--no-refresh",
        action="store_true",
        help="leave the rollup to a running `refresh-rollups --follow` (as `make run` does)",
    )
    sim.set_defaults(func=cmd_simulate)

    imp = sub.add_parser(
        "import",
        help="import interactions from CSV, JSONL or the TWCS export",
        description="Import interactions from a CSV, JSON Lines or TWCS file. Columns, values, "
        "duplicates, rejects and column mappings are documented in ingest/FORMATS.md.",
        epilog="Format reference: ingest/FORMATS.md (columns, time zones, rejects, mappings).",
    )
    imp.add_argument("file")
    imp.add_argument("--format", choices=["csv", "jsonl", "twcs"])
    imp.add_argument(
        "--mapping",
        metavar="NAME",
        help="read the file through the column mapping saved under NAME on the Import page "
        "(another system's export; see ingest/FORMATS.md, Column mappings)",
    )
    imp.add_argument("--source", help="source name for external ids (default: file name)")
    imp.add_argument("--rejects", help="reject file (default: <file>.rejects.csv)")
    imp.set_defaults(func=cmd_import)

    add_retag_parser(sub)

    refresh = sub.add_parser("refresh-rollups", help="bring the 15-minute rollup up to date")
    refresh.add_argument("--full", action="store_true", help="rebuild every interval")
    refresh.add_argument(
        "--follow",
        action="store_true",
        help="keep refreshing until Ctrl-C or SIGTERM (the refresher process; safe to run next "
        "to imports, the simulator and another refresher)",
    )
    refresh.add_argument(
        "--every",
        type=float,
        metavar="SECONDS",
        help="with --follow: seconds between refreshes (default: the refresh_seconds setting)",
    )
    refresh.set_defaults(func=cmd_refresh)

    sub.add_parser(
        "partitions",
        help="PostgreSQL: create the coming months' partitions of interactions (run daily)",
    ).set_defaults(func=cmd_partitions)

    report = sub.add_parser(
        "report",
        help="freeze a week's report (safe to repeat; a frozen week is kept as first published)",
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", help="ISO week in the centre's time zone, e.g. 2026-W47")
    which.add_argument("--last-week", action="store_true", help="the last complete week")
    report.add_argument("--user", default="scheduler", help="recorded as who froze it")
    report.set_defaults(func=cmd_report)

    users = sub.add_parser("users", help="manage login users")
    users.add_argument("action", choices=["add", "roles", "reset", "disable"])
    users.add_argument("username")
    users.add_argument("--roles", help="comma-separated: supervisor,qa_reviewer,executive,admin")
    users.add_argument("--name", help="display name (add)")
    users.add_argument("--email")
    users.add_argument("--enable", action="store_true", help="with disable: enable again")
    users.set_defaults(func=cmd_users)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "users" and args.action in ("add", "roles") and not args.roles:
        print("--roles is required for add and roles.", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
