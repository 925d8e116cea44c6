"""The command line: init-db on a fresh database, and user management."""

import pytest

import cli
from db.engine import get_engine
from db.settings import get_settings
from queries import users as users_q


@pytest.fixture
def cli_db(db_url, monkeypatch):
    monkeypatch.setenv("FLOORLIGHT_DB_URL", db_url)
    monkeypatch.setattr(users_q, "BCRYPT_ROUNDS", 4)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db_url
    get_engine(db_url).dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def _passwords(monkeypatch, *answers):
    replies = iter(answers)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(replies))


def test_init_db_is_idempotent(cli_db, capsys):
    assert cli.main(["init-db"]) == 0
    assert cli.main(["init-db"]) == 0
    assert "newest schema" in capsys.readouterr().out


def test_users_add_roles_reset_and_disable(cli_db, monkeypatch, capsys):
    engine = get_engine()
    _passwords(monkeypatch, "first-password-1", "first-password-1")
    assert cli.main(["users", "add", "Dana", "--roles", "supervisor", "--name", "Dana D"]) == 0
    assert users_q.verify_password(engine=engine, username="dana", password="first-password-1")

    assert cli.main(["users", "roles", "dana", "--roles", "supervisor,executive"]) == 0
    assert users_q.get_user(engine=engine, username="dana")["roles"] == ["supervisor", "executive"]

    _passwords(monkeypatch, "second-password-2", "second-password-2")
    assert cli.main(["users", "reset", "dana"]) == 0
    assert users_q.verify_password(engine=engine, username="dana", password="second-password-2")

    assert cli.main(["users", "disable", "dana"]) == 0
    assert not users_q.verify_password(engine=engine, username="dana", password="second-password-2")
    assert "dana" not in users_q.credentials_for_authenticator(engine=engine)["usernames"]


def test_bad_user_input_is_refused_with_a_message(cli_db, monkeypatch, capsys):
    _passwords(monkeypatch, "short", "short")
    assert cli.main(["users", "add", "eve", "--roles", "supervisor"]) == 2
    assert "password" in capsys.readouterr().err
    _passwords(monkeypatch, "long-enough-pw", "long-enough-pw")
    assert cli.main(["users", "add", "eve", "--roles", "wizard"]) == 2
    assert "roles" in capsys.readouterr().err
    assert cli.main(["users", "roles", "nobody", "--roles", "admin"]) == 2
    assert "No user named" in capsys.readouterr().err
    assert users_q.get_user(engine=get_engine(), username="eve") is None
