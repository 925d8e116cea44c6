"""Sessions that end when they should (issue 9, items 7-10).

A browser's cookie is fed to the app through Streamlit's client context (what `st.context.cookies`
reads), as a replayed or forged cookie would arrive.
"""

from __future__ import annotations

import ast
import base64
import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from components.auth import issue_cookie_token
from db.engine import make_engine
from db.schema import users
from db.settings import PROJECT_ROOT, get_settings
from queries import users as users_q
from tests.apphelpers import COOKIE_KEY, logged_in_app, new_app, texts


@pytest.fixture
def browser_cookie(monkeypatch):
    """Set the login cookie the next runs' browser sends (None: no cookie)."""
    jar: dict[str, str] = {}

    def client_context():
        return SimpleNamespace(cookies=dict(jar), headers={}, remote_ip="203.0.113.7")

    monkeypatch.setattr("streamlit.runtime.context._get_client_context", client_context)

    def set_cookie(token: str | None) -> None:
        jar.clear()
        if token is not None:
            jar[get_settings().cookie_name] = token

    return set_cookie


def _engine(app_db: str):
    return make_engine(app_db)


def _cookie(username: str, app_db: str) -> str:
    """The cookie a login of `username` issues now."""
    user = users_q.get_user(engine=_engine(app_db), username=username)
    return issue_cookie_token(username, user["session_version"], get_settings())


def _shows_login_form(at: AppTest) -> bool:
    return (
        not at.exception
        and "Welcome" not in texts(at)
        and any(w.key == "login_username" for w in at.text_input)
    )


def _version(app_db: str, username: str) -> int:
    return users_q.get_user(engine=_engine(app_db), username=username)["version"]


def _revoke(how: str, app_db: str, browser_cookie, cookie: str) -> None:
    engine = _engine(app_db)
    common = {
        "engine": engine,
        "username": "supervisor",
        "actor": "admin",
        "expected_version": _version(app_db, "supervisor"),
    }
    if how == "logout":  # the user logs out in the browser that holds the cookie
        browser_cookie(cookie)
        at = new_app().run()
        assert "Welcome, Supervisor User" in texts(at)
        at.button(key="sidebar_logout").click().run()
        assert _shows_login_form(at)
    elif how == "disable":
        users_q.set_disabled(**common, disabled=True)
    elif how == "role change":
        users_q.set_roles(**common, roles=["supervisor", "executive"])
    elif how == "password reset":
        users_q.reset_password(**common, password="a brand new password")


@pytest.mark.parametrize("how", ["logout", "disable", "role change", "password reset"])
def test_a_cookie_issued_before_is_refused_after(app_db, browser_cookie, how):
    cookie = _cookie("supervisor", app_db)
    browser_cookie(cookie)
    assert "Welcome, Supervisor User" in texts(new_app().run())  # the cookie logs in

    _revoke(how, app_db, browser_cookie, cookie)

    browser_cookie(cookie)  # the old cookie, replayed in a new browser
    assert _shows_login_form(new_app().run())


def test_a_new_login_after_logout_gets_a_cookie_that_works(app_db, browser_cookie):
    _revoke("logout", app_db, browser_cookie, _cookie("supervisor", app_db))
    browser_cookie(_cookie("supervisor", app_db))  # issued by the next login
    assert "Welcome, Supervisor User" in texts(new_app().run())


def test_an_open_session_ends_when_the_password_is_reset(app_db):
    at = logged_in_app("supervisor")
    assert "Welcome, Supervisor User" in texts(at)
    users_q.reset_password(
        engine=_engine(app_db),
        username="supervisor",
        password="a brand new password",
        expected_version=1,
        actor="admin",
    )
    at.run()
    assert _shows_login_form(at)


@pytest.mark.parametrize("state", ["disabled", "locked"])
def test_a_disabled_or_locked_user_with_a_valid_cookie_gets_the_login_form(
    app_db, browser_cookie, state
):
    cookie = _cookie("supervisor", app_db)
    # Set directly, without moving the session version: the cookie itself stays valid.
    changes = (
        {"disabled": True}
        if state == "disabled"
        else {"locked_until": datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=10)}
    )
    with _engine(app_db).begin() as conn:
        conn.execute(update(users).where(users.c.username == "supervisor").values(**changes))
    browser_cookie(cookie)
    at = new_app().run()
    assert _shows_login_form(at)
    at.switch_page("pages/floor.py").run()  # a page sends the visitor to the login
    assert _shows_login_form(at)


def _unsigned(header: dict, payload: dict) -> str:
    def part(value: dict) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def _claims(**override) -> dict:
    exp = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    return {"username": "admin", "sv": 1, "exp": exp, **override}


FORGED = {
    "alg none": _unsigned({"alg": "none", "typ": "JWT"}, _claims()),
    "alg None": _unsigned({"alg": "None", "typ": "JWT"}, _claims()),
    "HS512 with the real key": jwt.encode(_claims(), COOKIE_KEY, algorithm="HS512"),
    "HS256 with another key": jwt.encode(_claims(), "another-key-" + "y" * 40, algorithm="HS256"),
    "garbage": "not-a-token",
    "three garbage parts": "a.b.c",
    "binary noise": "\x00\xff%%%",
    "library format without a version": jwt.encode(
        {"username": "admin", "exp_date": _claims()["exp"]}, COOKIE_KEY, algorithm="HS256"
    ),
    "version as text": jwt.encode(_claims(sv="1"), COOKIE_KEY, algorithm="HS256"),
    "username as a list": jwt.encode(_claims(username=["admin"]), COOKIE_KEY, algorithm="HS256"),
    "expired": jwt.encode(_claims(exp=1_000_000), COOKIE_KEY, algorithm="HS256"),
    "expiry as text": jwt.encode(_claims(exp="tomorrow"), COOKIE_KEY, algorithm="HS256"),
}


@pytest.mark.parametrize("token", FORGED.values(), ids=FORGED.keys())
def test_a_forged_cookie_gets_the_login_form_without_a_traceback(app_db, browser_cookie, token):
    browser_cookie(token)
    at = new_app().run()
    assert _shows_login_form(at)
    at.switch_page("pages/settings.py").run()
    assert _shows_login_form(at)


def test_the_genuine_cookie_of_the_same_user_does_log_in(app_db, browser_cookie):
    # The control for the forgeries above: only the signature/format made them fail.
    browser_cookie(jwt.encode(_claims(), COOKIE_KEY, algorithm="HS256"))
    assert "Welcome, Admin User" in texts(new_app().run())


def test_unexpected_errors_show_no_details_in_the_browser():
    from streamlit.config import ShowErrorDetailsConfigOptions

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    value = config["client"]["showErrorDetails"]
    # "none": a generic message only ("false" still means "stacktrace" in Streamlit 1.67).
    assert value == ShowErrorDetailsConfigOptions.NONE


def _fragment_page(change: str) -> None:
    """A page like the Floor: the page guard passes, then the user changes before the tick."""
    import streamlit as st

    from components.auth import current_user
    from components.db import app_engine
    from components.guard import require_fresh_access
    from db.settings import PROJECT_ROOT
    from queries import users as users_q

    if current_user() is None:
        st.write("LOGIN FORM")
        st.stop()
    if st.session_state.get("change_now"):
        st.session_state["change_now"] = False
        engine = app_engine()
        version = users_q.get_user(engine=engine, username="supervisor")["version"]
        common = {"engine": engine, "username": "supervisor", "actor": "admin"}
        if change == "disable":
            users_q.set_disabled(**common, disabled=True, expected_version=version)
        else:
            users_q.set_roles(**common, roles=["executive"], expected_version=version)

    @st.fragment(run_every=60)
    def live() -> None:
        require_fresh_access(str(PROJECT_ROOT / "pages" / "floor.py"))
        st.write("LIVE DATA")

    live()


@pytest.mark.parametrize("change", ["disable", "demote"])
def test_a_fragment_run_stops_sending_data_to_a_disabled_or_demoted_user(app_db, change):
    at = AppTest.from_function(_fragment_page, args=(change,), default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "supervisor"
    at.session_state["auth_session_version"] = 1
    at.run()
    assert "LIVE DATA" in texts(at)
    at.session_state["change_now"] = True
    at.run()
    assert not at.exception
    assert "LIVE DATA" not in texts(at)
    assert "LOGIN FORM" in texts(at)


def _fragments(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text())
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any("fragment" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]


def _fragment_files() -> list[Path]:
    files = sorted((PROJECT_ROOT / "pages").glob("*.py"))
    files += sorted((PROJECT_ROOT / "components").glob("*.py"))
    return [path for path in files if _fragments(path)]


@pytest.mark.parametrize("path", _fragment_files(), ids=lambda p: p.name)
def test_every_fragment_rechecks_login_and_role_first(path):
    for function in _fragments(path):
        body = [
            node
            for node in function.body
            if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Constant)
        ]  # skip the docstring
        first = ast.unparse(body[0])
        assert first.startswith("require_fresh_access("), (
            f"{path.name}: fragment {function.name} must call require_fresh_access first"
        )


def test_the_floor_has_a_guarded_fragment():
    assert PROJECT_ROOT / "pages" / "floor.py" in _fragment_files()
