"""Real-browser fixtures: the app served by `streamlit run` on a free port, driven by Playwright
in Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from db.settings import PROJECT_ROOT
from tests.apphelpers import COOKIE_KEY

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
SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture
def browser_db(app_template: Path, tmp_path: Path) -> str:
    """A fresh SQLite database with role users for one served app."""
    path = tmp_path / "browser.db"
    shutil.copy(app_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def served_app(browser_db: str, tmp_path: Path) -> Iterator[str]:
    """Base URL of the app served on a free port against `browser_db`."""
    port = _free_port()
    env = {
        **os.environ,
        "FLOORLIGHT_DB_URL": browser_db,
        "FLOORLIGHT_COOKIE_KEY": COOKIE_KEY,
        "FLOORLIGHT_LOGIN_SLEEP_SECONDS": "0",
        "FLOORLIGHT_REFRESH_SECONDS": "2",
        "FLOORLIGHT_CACHE_TTL_SECONDS": "1",
        "FLOORLIGHT_SECRETS_FILE": str(tmp_path / "no-secrets.toml"),
    }
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    # Assertions wait as long as actions: a page's first run with cold caches on a loaded CI
    # machine took over expect()'s default 5 s (the wallboard test failed so, twice).
    expect.set_options(timeout=30_000)
    yield tab
    context.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in through the form as a person would (type, press Enter)."""
    page.goto(base_url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    page.get_by_text("Welcome,").first.wait_for()  # a rerun may briefly show it twice
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Wait until the app has finished its current run (the login's cookie write reruns it);
    a click made during that rerun can be dropped, as for a person clicking very fast."""
    status = page.locator('[data-testid="stStatusWidget"]')
    page.wait_for_timeout(300)
    status.wait_for(state="hidden")


def open_page(page, link_name: str, path: str, attempts: int = 3) -> None:
    """Click the sidebar link `link_name` and wait until the browser is on `path`.

    On a loaded two-core machine the app can still be finishing the login's rerun when the link is
    clicked, and Streamlit drops a navigation requested during a rerun: click again, as a person
    would, rather than wait forever for a navigation that was never made.
    """
    link = page.locator('[data-testid="stSidebar"]').get_by_role("link", name=link_name)
    for attempt in range(attempts):
        wait_until_idle(page)
        link.click()
        try:
            page.wait_for_url(f"**/{path}", timeout=10_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def fit_to_content(page, width: int = 1400) -> None:
    """Grow the window to the page's height: Streamlit scrolls inside its own container, so a
    full-page capture of a normal window would stop at the fold."""
    height = page.evaluate(
        "document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 80, 8000)})
    page.wait_for_timeout(1500)  # let plotly redraw at the new size


def screenshot(page, name: str) -> None:
    """Keep a screenshot of what the browser showed, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
