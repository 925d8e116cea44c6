"""Many-viewers benchmark: what a wall of Floor screens costs the database, and an import
running while they watch.

    python -m bench.viewers [--viewers 1,50] [--minutes 1] [--import-rows 200000]
                            [--import-viewers 0,10] [--backend postgresql|sqlite] [--weeks 2]

A fresh database gets the demo centre (`--weeks` of history) and one supervisor login; the app
is served by `streamlit run` in a process that counts every SQL statement it sends
(bench/counting_app.py); the rollup refresher runs next to it (`make run`'s layout). Viewers are
browser contexts of one headless Debian Chromium (Playwright), each logged in and on the Floor;
50 separate browsers would not fit the two cores this was built on.

For each viewer count it prints the page time of each viewer's Floor (navigation until the page
is drawn and idle: p50 / p95) and the app's statements per minute once all of them watch: the
figures' statements, and the login checks (every session re-checks its login in the database on
each refresh, so those grow with the viewers by design).
Then, for each count of `--import-viewers` watching (0: nobody), it imports `--import-rows`
contacts of a file of their own with `cli.py import` and prints the sustained rows/s, with the
machine's load average (other work on a shared machine moves the figure).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bulk_load import PG_ADMIN_URL, postgresql_database, sqlite_database
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.reference import seed_reference_data
from db.settings import PROJECT_ROOT, get_settings

CHROMIUM = os.environ.get("FLOORLIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERNAME = "wallboard"
COOKIE_NAME = get_settings().cookie_name
DRAWN = "Agents by state"  # a heading the Floor draws after its figures


def build(url: str, weeks: int) -> str:
    """Migrate, seed and fill `url` with the demo; returns the bench login's password."""
    from ingest.demo import build_demo
    from queries import users as users_q

    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            seed_reference_data(conn)
        build_demo(engine, weeks=weeks, seed=7)
        password = secrets.token_urlsafe(12)
        users_q.create_user(
            engine=engine,
            username=USERNAME,
            display_name="Wallboard",
            password=password,
            roles=["supervisor"],
            actor="bench",
        )
        return password
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_app(url: str, count_file: Path, log: Path):
    """The app (statements counted into `count_file`) and the refresher, for `url`."""
    port = _free_port()
    env = {
        **os.environ,
        "FLOORLIGHT_DB_URL": url,
        "FLOORLIGHT_COOKIE_KEY": secrets.token_urlsafe(48),
        "FLOORLIGHT_LOGIN_SLEEP_SECONDS": "0",
        "FLOORLIGHT_SECRETS_FILE": str(log.parent / "no-secrets.toml"),
    }
    options = ["--server.port", str(port), "--server.headless", "true"]
    options += ["--server.fileWatcherType", "none"]
    with log.open("w") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "bench.counting_app", str(count_file), *options],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        refresher = subprocess.Popen(
            [sys.executable, "cli.py", "refresh-rollups", "--follow"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base)
            yield base, env
        finally:
            for process in (refresher, app):
                process.terminate()
                process.wait(timeout=30)


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("the app did not start")


def _statements(count_file: Path) -> dict[str, int]:
    time.sleep(0.6)  # the counter is written twice a second
    return json.loads(count_file.read_text())


def open_viewer(browser, base: str, password: str) -> tuple[object, float]:
    """A logged-in context on the Floor; returns it and the Floor's page time in seconds."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(base)
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    page.get_by_text("Welcome,").first.wait_for()
    _wait_idle(page)
    # The login cookie is written by the browser after the login run; leaving the page before
    # that would open the Floor logged out.
    deadline = time.monotonic() + 120
    while not any(c["name"] == COOKIE_NAME for c in context.cookies()):
        if time.monotonic() > deadline:
            raise TimeoutError("the login cookie was never written")
        page.wait_for_timeout(200)
    started = time.perf_counter()
    page.goto(f"{base}/floor")
    try:
        page.get_by_text(DRAWN, exact=True).first.wait_for()
        _wait_idle(page)
    except Exception:
        print("The Floor did not draw; the page showed:", page.inner_text("body")[:800])
        raise
    return context, time.perf_counter() - started


def _wait_idle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def watch(browser, base: str, password: str, count_file: Path, viewers: int, minutes: float):
    """Open `viewers` Floors, then count the app's statements over `minutes` of watching."""
    contexts, times = [], []
    for _ in range(viewers):
        context, seconds = open_viewer(browser, base, password)
        contexts.append(context)
        times.append(seconds)
    time.sleep(15)  # every viewer's refresh timer running
    first = _statements(count_file)
    time.sleep(60 * minutes - 0.6)
    last = _statements(count_file)
    per_minute = {kind: (last[kind] - first[kind]) / minutes for kind in last}
    return contexts, times, per_minute


def write_export(path: Path, rows: int) -> None:
    """`rows` contacts of today, in the importer's CSV format."""
    start = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=6)
    step = 6 * 3600 / rows
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "channel", "created_at", "first_response_at", "queue"])
        for n in range(rows):
            created = start + timedelta(seconds=n * step)
            answered = created + timedelta(seconds=n % 300)
            writer.writerow(
                [
                    f"bulk-{n}",
                    ("phone", "chat", "email", "twitter")[n % 4],
                    f"{created:%Y-%m-%dT%H:%M:%S}Z",
                    f"{answered:%Y-%m-%dT%H:%M:%S}Z",
                    "general",
                ]
            )


def timed_import(env: dict[str, str], path: Path) -> tuple[float, float, str]:
    """Run `cli.py import`; returns (seconds in all, seconds until the rows were stored, i.e.
    before the command's rollup refresh, and its summary line)."""
    started = time.perf_counter()
    stored = None
    lines: list[str] = []
    with tempfile.TemporaryFile("w+") as errors:  # the progress bar; a pipe could fill up
        process = subprocess.Popen(
            [sys.executable, "cli.py", "import", str(path)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("Loaded") and stored is None:  # printed before the refresh
                stored = time.perf_counter() - started
        process.wait()
        if not lines:
            errors.seek(0)
            lines = errors.read().strip().splitlines()[-1:] or ["no output"]
    seconds = time.perf_counter() - started
    return seconds, stored or seconds, lines[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.viewers", description=__doc__)
    parser.add_argument("--viewers", default="1,50", help="comma-separated viewer counts")
    parser.add_argument("--minutes", type=float, default=1.0, help="watching time per count")
    parser.add_argument("--import-rows", type=int, default=200_000, help="0: no import")
    parser.add_argument(
        "--import-viewers",
        default="10",
        help="comma-separated viewer counts to import under, one import each (0: none)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--weeks", type=int, default=2, help="demo history")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="server to create on")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    database = (
        sqlite_database() if args.backend == "sqlite" else postgresql_database(args.pg_admin_url)
    )
    with database as url, tempfile.TemporaryDirectory(prefix="floorlight_viewers_") as folder:
        work = Path(folder)
        started = time.perf_counter()
        password = build(url, args.weeks)
        print(f"{args.backend}: demo of {args.weeks} weeks built in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        count_file = work / "statements"
        count_file.write_text('{"figures": 0, "login checks": 0}')
        with (
            served_app(url, count_file, work / "streamlit.log") as (base, env),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            print(
                f"  {'viewers':>7} {'page p50 s':>10} {'page p95 s':>10} "
                f"{'figure statements/min':>22} {'login checks/min':>17}"
            )
            for viewers in [int(v) for v in args.viewers.split(",")]:
                contexts, times, per_minute = watch(
                    browser, base, password, count_file, viewers, args.minutes
                )
                print(
                    f"  {viewers:>7} {statistics.median(times):>10.1f} "
                    f"{_percentile(times, 95):>10.1f} {per_minute['figures']:>22.0f} "
                    f"{per_minute['login checks']:>17.0f}",
                    flush=True,
                )
                for context in contexts:
                    context.close()
            for watching in [int(v) for v in args.import_viewers.split(",")]:
                if not args.import_rows:
                    break
                # A file (so a source) per run: each import stores all its rows.
                export = work / f"export_{watching}_viewers.csv"
                write_export(export, args.import_rows)
                contexts = [open_viewer(browser, base, password)[0] for _ in range(watching)]
                load_before = os.getloadavg()[0]
                seconds, stored, summary = timed_import(env, export)
                print(
                    f"  import of {args.import_rows:,} rows with {watching} viewers watching: "
                    f"rows stored in {stored:.1f} s, {args.import_rows / stored:,.0f} rows/s "
                    f"(the command start included); with its rollup refresh {seconds:.1f} s, "
                    f"{args.import_rows / seconds:,.0f} rows/s; load average "
                    f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after - {summary}",
                    flush=True,
                )
                for context in contexts:
                    context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
