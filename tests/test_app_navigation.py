"""AppTest of the login, the role-based sidebar and the per-page role guard."""

import pytest

from components.navigation import PAGES, pages_for
from tests.apphelpers import PASSWORD, ROLE_USERS, logged_in_app, new_app, open_page, texts


def _sidebar_links(at) -> list[str]:
    """Labels of the sidebar's page links."""
    return [el.proto.label for el in at.sidebar.get("page_link")]


def _login(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()  # the form's submit button is the only button on the login view
    return at.run()


def test_logged_out_visitor_sees_only_the_login_form(app_db):
    at = new_app().run()
    assert at.text_input(key="login_username") is not None
    assert not at.get("page_link")
    assert "Welcome" not in texts(at)


def test_login_with_the_right_password_opens_the_home_view(app_db):
    at = _login(new_app().run(), "Supervisor", PASSWORD)  # usernames are case-insensitive
    assert not at.exception
    assert "Welcome, Supervisor User" in texts(at)
    assert at.session_state["username"] == "supervisor"


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(app_db):
    from queries.login import failure_message

    refused = failure_message(15)
    at = new_app().run()
    for _ in range(5):  # the 5th failure locks
        at = _login(at, "supervisor", "wrong-password")
        assert refused in texts(at)
    # Even the right password is refused while locked, and the lock is stored, not in session.
    at = _login(new_app().run(), "supervisor", PASSWORD)
    assert refused in texts(at)
    assert "Welcome" not in texts(at)


@pytest.mark.parametrize("username", sorted(ROLE_USERS))
def test_sidebar_lists_exactly_the_pages_of_the_role(app_db, username):
    at = logged_in_app(username)
    expected = ["Home"] + [p.label for p in pages_for(ROLE_USERS[username])]
    assert _sidebar_links(at) == expected


def test_every_registered_page_exists_and_admin_sees_them_all():
    from db.settings import PROJECT_ROOT

    assert all((PROJECT_ROOT / p.path).is_file() for p in PAGES)
    assert pages_for(["admin"]) == list(PAGES)


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.path)
@pytest.mark.parametrize("username", ["supervisor", "qa", "exec", "norole"])
def test_page_opened_without_its_role_shows_access_message_and_no_data(app_db, spec, username):
    at = open_page(username, spec.path)
    allowed = bool(spec.roles & set(ROLE_USERS[username]))
    if allowed:
        assert not at.exception, at.exception
        assert "You don't have access" not in texts(at)
    else:
        assert "You don't have access" in texts(at)
        assert not at.get("plotly_chart")
        assert not at.dataframe
        assert not at.metric


@pytest.mark.parametrize(
    ("username", "summary_link", "says"),
    [
        ("supervisor", "floor", "Supervisor: The floor today"),
        ("qa", "qa_review", "QA reviewer: Your review queue"),
        ("exec", "weekly_trends", "Executive: Last week against the week before"),
        ("admin", "audit", "Admin: Changes and sign-ins"),
    ],
)
def test_every_role_lands_on_a_home_that_says_what_it_can_do(app_db, username, summary_link, says):
    at = logged_in_app(username)
    assert not at.exception
    shown = texts(at)
    assert "no role yet" not in shown
    assert says in shown
    pages = pages_for(ROLE_USERS[username])
    links = at.main.get("page_link")
    # The role's summary links to its page, before the list of pages.
    assert links[0].proto.page == summary_link
    # Then every page the user can open, in order, with one line each on what it is for.
    assert [link.proto.label for link in links][-len(pages) :] == [p.label for p in pages]
    assert all(p.summary in shown for p in pages)


def test_a_user_without_a_role_is_told_to_ask_an_admin(app_db):
    at = logged_in_app("norole")
    assert "Your account has no role yet" in texts(at)
    assert not at.main.get("page_link")
