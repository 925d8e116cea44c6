"""Many-viewers benchmark: what a wall of Floor screens costs the database, and an import
running while they watch.

    python -m bench.viewers [--viewers 1,50] [--minutes 1] [--import-rows 200000]
                            [--import-viewers 0,10] [--backend postgresql|sqlite] [--weeks 2]

A fresh database gets the demo centre (`--weeks` of history) and one supervisor login; the app
is served by `streamlit run` in a process that counts every SQL statement it sends
(bench/counting_app.py); the rollup refresher runs next to it (`make run`'s layout). Viewers are
browser contexts of one headless Debian Chromium (Playwright); 50 separate browsers would not
fit the two cores this was built on. The bench logs in once through the login form and every
viewer's context starts with that browser's login cookie, as a wall of screens that were each
logged in once: every viewer is still its own Streamlit session (its own websocket, page run and
refresh ticks), restored from the cookie, but 50 logins (bcrypt) and home pages are not part of
what is measured.

For each viewer count it prints the page time of each viewer's Floor as it joins the ones
already watching, `--join` at a time (navigation until the page is drawn and idle, measured in
the page: p50 / p95), then, once all of
them watch, the app's statements per minute and per refresh (one refresh interval): the
figures' statements, and the login checks (statements on `users`: every refresh tick of every
session checks its login, against one row per user and refresh window). It also prints how many
viewers' Floors showed a newer "As of" time after the minute than before it (all of them, or
the count is not what it claims), the app process's CPU and the machine's load average.
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
from dataclasses import dataclass
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
VIEWPORT = {"width": 1440, "height": 900}  # the Floor's designed fold
# A page opened while 49 others refresh on a shared 2-core machine can take minutes.
PAGE_TIMEOUT_MS = 300_000
REFRESH_SECONDS = get_settings().refresh_seconds


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
            yield base, env, app.pid
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def login_state(browser, base: str, password: str) -> dict:
    """Log in once through the login form; the browser state (the login cookie) it leaves."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(base)
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    page.get_by_text("Welcome,").first.wait_for()
    # The login cookie is written by the browser after the login run.
    deadline = time.monotonic() + 120
    while not any(c["name"] == COOKIE_NAME for c in context.cookies()):
        if time.monotonic() > deadline:
            raise TimeoutError("the login cookie was never written")
        page.wait_for_timeout(200)
    state = context.storage_state()
    context.close()
    return state


# Run in every viewer's page: when the Floor has drawn (DRAWN shown) and then gone idle (no
# "Running" status widget), it notes the time since the navigation began. Measured in the page,
# so a page that finished while the bench waited on another one is not charged the wait.
_PAGE_CLOCK = """
(() => {
  const check = () => {
    if (window.__floorIdle) return;
    if (!window.__floorDrawn) {
      for (const el of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
        if (el.textContent.trim() === DRAWN) { window.__floorDrawn = performance.now(); break; }
      }
    } else {
      const status = document.querySelector('[data-testid="stStatusWidget"]');
      if (status && status.getClientRects().length) return;
      window.__floorIdle = performance.now();
    }
  };
  setInterval(check, 100);
})();
""".replace("DRAWN", json.dumps(DRAWN))


def start_viewer(browser, base: str, state: dict) -> tuple[object, object]:
    """A context with the login cookie, navigating to the Floor (not waited for)."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    context.add_init_script(_PAGE_CLOCK)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{base}/floor", wait_until="commit")
    return context, page


def page_seconds(page) -> float:
    """Seconds from the navigation to the Floor drawn and idle, as the page measured them."""
    try:
        page.wait_for_function("() => window.__floorIdle")
    except Exception:
        print("The Floor did not draw; the page showed:", page.inner_text("body")[:800])
        raise
    return page.evaluate("() => window.__floorIdle") / 1000


def open_viewers(browser, base: str, state: dict, count: int, join: int):
    """`count` viewers on the Floor, `join` at a time; their contexts, pages and page times."""
    contexts, pages, times = [], [], []
    while len(pages) < count:
        batch = [start_viewer(browser, base, state) for _ in range(min(join, count - len(pages)))]
        times += [page_seconds(page) for _, page in batch]
        contexts += [context for context, _ in batch]
        pages += [page for _, page in batch]
        if len(pages) % 10 == 0:
            print(f"    {len(pages)} viewers on the Floor", flush=True)
    return contexts, pages, times


def _as_of(page) -> str:
    """The Floor's "As of" caption: it changes when the page shows a new refresh tick."""
    return page.get_by_text("As of", exact=False).first.inner_text()


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Watched:
    """One viewer count's figures."""

    contexts: list
    page_seconds: list[float]
    per_minute: dict[str, float]
    refreshed: int
    app_cpu: float  # share of one core the app process used while they watched
    load: tuple[float, float, float]


def watch(browser, base: str, state: dict, app_pid: int, count_file: Path, viewers: int,
          minutes: float, join: int) -> Watched:  # fmt: skip
    """Open `viewers` Floors, `join` at a time, then count the app's statements over `minutes`
    of all of them watching."""
    contexts, pages, times = open_viewers(browser, base, state, viewers, join)
    time.sleep(15)  # every viewer's refresh timer running
    before = [_as_of(page) for page in pages]
    first, cpu_first, started = _statements(count_file), _cpu_seconds(app_pid), time.monotonic()
    time.sleep(60 * minutes - 0.6)
    last, cpu_last, ended = _statements(count_file), _cpu_seconds(app_pid), time.monotonic()
    load = os.getloadavg()
    refreshed = sum(_as_of(page) != shown for page, shown in zip(pages, before, strict=True))
    return Watched(
        contexts=contexts,
        page_seconds=times,
        per_minute={kind: (last[kind] - first[kind]) / minutes for kind in last},
        refreshed=refreshed,
        app_cpu=(cpu_last - cpu_first) / (ended - started),
        load=load,
    )


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
    parser.add_argument(
        "--join", type=int, default=10, help="viewers that open the Floor at the same moment"
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
            served_app(url, count_file, work / "streamlit.log") as (base, env, app_pid),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            state = login_state(browser, base, password)
            per_refresh = REFRESH_SECONDS / 60
            print(
                f"  refresh every {REFRESH_SECONDS} s; statements per minute (per refresh)\n"
                f"  {'viewers':>7} {'page p50 s':>10} {'page p95 s':>10} {'figures':>13} "
                f"{'login checks':>13} {'refreshed':>9} {'app CPU':>7}  load average 1/5/15 min"
            )
            for viewers in [int(v) for v in args.viewers.split(",")]:
                seen = watch(
                    browser, base, state, app_pid, count_file, viewers, args.minutes, args.join
                )
                figures, logins = seen.per_minute["figures"], seen.per_minute["login checks"]
                print(
                    f"  {viewers:>7} {statistics.median(seen.page_seconds):>10.1f} "
                    f"{_percentile(seen.page_seconds, 95):>10.1f} "
                    f"{f'{figures:.0f} ({figures * per_refresh:.1f})':>13} "
                    f"{f'{logins:.0f} ({logins * per_refresh:.1f})':>13} "
                    f"{f'{seen.refreshed}/{viewers}':>9} {seen.app_cpu:>7.0%}  "
                    + " / ".join(f"{value:.1f}" for value in seen.load),
                    flush=True,
                )
                for context in seen.contexts:
                    context.close()
            for watching in [int(v) for v in args.import_viewers.split(",")]:
                if not args.import_rows:
                    break
                # A file (so a source) per run: each import stores all its rows.
                export = work / f"export_{watching}_viewers.csv"
                write_export(export, args.import_rows)
                contexts = open_viewers(browser, base, state, watching, args.join)[0]
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
