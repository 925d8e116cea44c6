"""AppTest of Settings as a reader reads it (issue 14): labelled columns, option names,
durations as '4 h', '—' for empty, local time with the zone named; the create-user form
empties the password after a user is created and keeps everything after a refusal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from db.engine import make_engine
from db.schema import users
from tests.apphelpers import open_page, texts

PAGE = "pages/settings.py"


def _table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _set_user(url: str, username: str, **values) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == username).values(**values))
    engine.dispose()


def test_users_read_with_labels_role_names_dashes_and_local_time(app_db):
    # 13:05 UTC on 1 July is 14:05 in London (BST, the default time zone).
    _set_user(app_db, "exec", updated_at=datetime(2026, 7, 1, 13, 5), updated_by="admin")
    at = open_page("admin", PAGE)
    assert not at.exception
    table = _table(at, "Display name").set_index("Username")
    assert list(table.columns)[:4] == ["Display name", "Email", "Roles", "Disabled"]
    assert "password_hash" not in table.columns and "roles" not in table.columns
    assert table.loc["exec", "Changed"] == "Wed 1 Jul 2026, 14:05 BST"
    assert table.loc["exec", "Changed by"] == "admin"
    assert table.loc["qa", "Roles"] == "QA reviewer"
    assert table.loc["norole", "Roles"] == "—"
    assert table.loc["qa", "Email"] == "—" and table.loc["qa", "Locked until"] == "—"
    assert table.loc["qa", "Disabled"] == "No"
    assert "Times are in Europe/London" in texts(at)


def test_policies_read_with_channel_names_and_durations(app_db):
    at = open_page("admin", PAGE)
    table = _table(at, "Until")
    email = table[table["Channel"] == "Email"].iloc[0]
    assert (email["Target"], email["Priority"], email["Until"]) == (
        "4 h",
        "any priority",
        "in force",
    )
    assert email["Goal"].endswith(" %")
    assert not any(c in table.columns for c in ("channel_id", "target_seconds", "updated_by"))


def _create_form(at, username: str, password: str) -> None:
    at.text_input(key="users_new_username").input(username)
    at.text_input(key="users_new_display_name").input("New Person")
    at.text_input(key="users_new_password").input(password)
    at.multiselect(key="users_new_roles").set_value(["supervisor"])
    at.button(key="users_new_submit").click()
    at.run()


def test_create_user_empties_the_form_after_success(app_db):
    at = open_page("admin", PAGE)
    _create_form(at, "newbie", "a-long-enough-password")
    assert not at.exception
    assert "Created user newbie." in texts(at)
    assert at.text_input(key="users_new_password").value == ""
    assert at.text_input(key="users_new_username").value == ""
    engine = make_engine(app_db)
    with engine.connect() as conn:
        assert conn.scalar(select(users.c.roles).where(users.c.username == "newbie")) == (
            "supervisor"
        )
    engine.dispose()


def test_a_refused_user_keeps_what_was_typed(app_db):
    at = open_page("admin", PAGE)
    _create_form(at, "newbie", "short")  # fewer than 10 characters
    assert "Nothing was saved" in texts(at)
    assert at.text_input(key="users_new_password").value == "short"
    assert at.text_input(key="users_new_username").value == "newbie"
    assert at.multiselect(key="users_new_roles").value == ["supervisor"]


def test_record_table_reads_each_kind_of_field():
    import pandas as pd

    from components.admin_records import review_rule_kind, sla_policy_kind
    from components.admin_tables import record_table

    policy = sla_policy_kind(["email"], {"office": "Office hours"}, "Europe/London")
    frame = pd.DataFrame(
        {
            "channel_id": ["email"],
            "priority": [None],
            "is_public": [None],
            "target_seconds": [14400],
            "goal_percent": [90.0],
            "business_hours": ["office"],
            "abandon_rule": ["fail"],
            "short_abandon_seconds": [5],
            "active_from": [pd.Timestamp("2026-07-01 13:05")],
            "version": [3],
            "updated_at": [pd.NaT],
            "updated_by": [None],
        }
    )
    row = record_table(frame, policy.fields, "Europe/London").iloc[0].to_dict()
    assert row == {
        "Channel": "Email",
        "Priority": "any priority",
        "Visibility": "public and private",
        "Target": "4 h",
        "Goal": "90 %",
        "Business hours": "Office hours",
        "Abandon rule": "fail — every abandon is a miss",
        "Short-abandon threshold": "5 s",
        "From": "Wed 1 Jul 2026, 14:05 BST",
        "Version": "3",
        "Changed": "—",
        "Changed by": "—",
    }
    rules = pd.DataFrame({"name": ["Wide reach"], "kind": ["reach"], "topic": [None],
                          "threshold": [5000.0], "words": [""], "active": [True]})  # fmt: skip
    rule = record_table(rules, review_rule_kind([]).fields, "UTC").iloc[0].to_dict()
    assert (rule["Topic"], rule["Threshold"], rule["Words"], rule["Active"]) == (
        "—",
        "5000",
        "—",
        "Yes",
    )
