"""Helpers for app-level tests: a database with one user per role, and logged-in AppTests."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.testing.v1 import AppTest

from components.auth import SESSION_VERSION_KEY
from db.engine import make_engine
from db.settings import PROJECT_ROOT, get_settings

PASSWORD = "correct-horse-battery"
ROLE_USERS = {  # username -> roles
    "supervisor": ["supervisor"],
    "qa": ["qa_reviewer"],
    "exec": ["executive"],
    "admin": ["admin"],
    "norole": [],
}
COOKIE_KEY = "test-cookie-key-" + "x" * 40


def add_role_users(url: str) -> None:
    """Create the users of ROLE_USERS (password PASSWORD) in the database at `url`."""
    import bcrypt

    from db.schema import users
    from queries.writes import utcnow

    # Low bcrypt cost: the hashes are for tests only and the login path is the same.
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {
                    "username": name,
                    "display_name": name.title() + " User",
                    "password_hash": hashed,
                    "roles": ",".join(roles),
                    "disabled": False,
                    "failed_logins": 0,
                    "version": 1,
                    "created_at": utcnow(),
                }
                for name, roles in ROLE_USERS.items()
            ],
        )
    engine.dispose()


@contextmanager
def app_environment(url: str) -> Iterator[None]:
    """Point the app at `url` with a test cookie key and no login sleep; caches cleared."""
    saved = {
        k: os.environ.get(k)
        for k in ("FLOORLIGHT_DB_URL", "FLOORLIGHT_COOKIE_KEY", "FLOORLIGHT_LOGIN_SLEEP_SECONDS")
    }
    os.environ.update(
        {
            "FLOORLIGHT_DB_URL": url,
            "FLOORLIGHT_COOKIE_KEY": COOKIE_KEY,
            "FLOORLIGHT_LOGIN_SLEEP_SECONDS": "0",
        }
    )
    _reset_caches()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_caches()


def _reset_caches() -> None:
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def new_app() -> AppTest:
    """An AppTest of the entry script (not yet run)."""
    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)


def logged_in_app(username: str) -> AppTest:
    """The entry script run once as `username`, logged in through session state."""
    at = new_app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    at.session_state["roles"] = ROLE_USERS[username]
    at.session_state[SESSION_VERSION_KEY] = 1  # the version every user starts with
    at.run()
    return at


def open_page(username: str, page: str) -> AppTest:
    """The page file `page` (e.g. "pages/channels.py") run as `username`."""
    at = logged_in_app(username)
    at.switch_page(page).run()
    return at


# A backslash before ASCII punctuation (CommonMark) and the word joiners of
# components.plain_text: invisible to the reader, so assertions read past them.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The text a reader sees of `markdown` escaped by components.plain_text.markdown_text."""
    return _ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def csv_downloads(monkeypatch) -> list[bytes]:
    """A list that fills with the bytes of every CSV a page offers for download from now on."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    downloads: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        if mimetype == "text/csv":
            downloads.append(bytes(path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return downloads


def texts(at: AppTest) -> str:
    """All markdown, captions, errors and titles of a run as the reader sees them (escapes
    resolved, see `shown`), as one string for assertions."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
    ):
        parts.extend(str(el.value) for el in at.get(kind))
    return shown("\n".join(parts))
