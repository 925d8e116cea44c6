"""`cli.py demo` creates one valid login per role (the demo's own users pass the real checks)."""

import cli
from db.engine import get_engine
from db.settings import get_settings
from queries import users as users_q


def test_demo_users_are_created_once_per_role(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("FLOORLIGHT_DB_URL", db_url)
    monkeypatch.setattr(users_q, "BCRYPT_ROUNDS", 4)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        created = cli._create_demo_users()
        assert sorted(roles[0] for _, _, roles in created) == sorted(
            ["supervisor", "qa_reviewer", "executive", "admin"]
        )
        for username, password, roles in created:
            assert users_q.verify_password(
                engine=get_engine(), username=username, password=password
            )
            assert users_q.get_user(engine=get_engine(), username=username)["roles"] == roles
        assert cli._create_demo_users() == []  # a second run adds nobody
    finally:
        get_engine(db_url).dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()
