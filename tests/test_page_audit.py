"""AppTest of the Audit log as a reader reads it (issue 14): each change as "label: before →
after" with the record's name, passwords never shown, local times with the zone, and the CSV of
exactly the filtered rows."""

from __future__ import annotations

import io
import re

import pandas as pd

from components.audit_view import change_text, record_name
from db.engine import make_engine
from queries import admin
from queries import users as users_q
from tests.apphelpers import PASSWORD, csv_downloads, open_page, texts

PAGE = "pages/audit.py"
WHEN = re.compile(r"^\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2} (GMT|BST)$")


def _changes(url: str) -> None:
    """A topic created then changed, a user's roles changed and password reset (by admin)."""
    engine = make_engine(url)
    topic = admin.create_topic(
        engine=engine, values={"name": "Refunds", "keywords": "refund"}, actor="admin"
    )
    admin.update_topic(
        engine=engine,
        record_id=topic["id"],
        expected_version=topic["version"],
        values={"keywords": "refund,money back", "priority": 5},
        actor="admin",
    )
    user = users_q.get_user(engine=engine, username="qa")
    users_q.set_roles(
        engine=engine,
        username="qa",
        roles=["supervisor", "qa_reviewer"],
        actor="admin",
        expected_version=user["version"],
    )
    users_q.reset_password(
        engine=engine,
        username="qa",
        password="another-" + PASSWORD,
        actor="admin",
        expected_version=user["version"] + 1,
    )
    engine.dispose()


def _table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Changes" in d.value.columns)


def test_an_update_reads_as_label_before_and_after_with_the_records_name(app_db):
    _changes(app_db)
    at = open_page("admin", PAGE)
    assert not at.exception
    table = _table(at)
    topic = table[(table["Record kind"] == "Topic") & (table["Action"] == "Changed")]
    assert topic["Record"].tolist() == ["Refunds"]
    assert topic["Changes"].tolist() == ["Keywords: refund → refund,money back; Priority: 100 → 5"]
    user = table[(table["Record kind"] == "User") & (table["Action"] == "Changed")]
    assert set(user["Record"]) == {"qa"}
    assert set(user["Changes"]) == {
        "Roles: QA reviewer → Supervisor, QA reviewer",
        "Password: changed",
    }
    assert all(WHEN.match(w) for w in table["When"])
    everything = table.to_csv()
    assert "$2b$" not in everything and "redacted" not in everything  # no hash, no marker


def test_the_csv_holds_exactly_the_filtered_rows_as_shown(app_db, monkeypatch):
    _changes(app_db)
    downloads = csv_downloads(monkeypatch)
    at = open_page("admin", PAGE)
    at.selectbox(key="audit_table").set_value("topics")
    at.button(key="audit_filters_submit").click().run()
    shown = _table(at)
    exported = pd.read_csv(io.BytesIO(downloads[-1]), keep_default_na=False)
    assert list(exported.columns) == ["When", "User", "Action", "Record kind", "Record", "Changes"]
    assert exported["Action"].tolist() == ["Changed", "Created"]  # newest first
    assert exported["Record"].tolist() == ["Refunds", "Refunds"]
    assert exported.equals(shown.astype(str))


def test_an_entry_reads_in_full_with_every_field_on_its_own_line(app_db):
    engine = make_engine(app_db)
    long_keywords = ",".join(f"keyword{n}" for n in range(20))  # 179 characters
    admin.create_topic(
        engine=engine, values={"name": "Long", "keywords": long_keywords}, actor="admin"
    )
    engine.dispose()
    at = open_page("admin", PAGE)
    table = _table(at)
    created = int(table.index[(table["Record"] == "Long") & (table["Action"] == "Created")][0])
    assert "…" in table.loc[created, "Changes"]  # cut short in the table
    at.selectbox(key="audit_entry").set_value(created).run()
    assert not at.exception
    shown = texts(at)
    assert "**Created** topic **Long** by admin, " in shown
    assert f"- Keywords: {long_keywords}" in shown  # whole
    assert "- Name: Long" in shown


def test_sla_policy_changes_read_as_durations_channels_and_local_times():
    before = '{"target_seconds": 60, "active_from": "2026-07-01T13:05:00", "version": 1}'
    after = '{"target_seconds": 14400, "active_from": "2026-11-30T13:05:00", "version": 2}'
    assert change_text("update", before, after, "Europe/London") == (
        "Target: 1 min → 4 h; Active from: Wed 1 Jul 2026, 14:05 BST → Mon 30 Nov 2026, 13:05 GMT"
    )
    created = '{"channel_id": "twitter", "is_public": true, "goal_percent": 85.0, "priority": null}'
    assert change_text("insert", None, created, "UTC") == (
        "Channel: Twitter / X; Visibility: public only; Goal: 85 %; Priority: —"
    )
    assert record_name("sla_policies", "7", None, created, {}) == "Twitter / X policy #7"
    # The version a new one replaces is saved with only its version moved on.
    assert change_text("update", '{"version": 1}', '{"version": 2}', "UTC") == "Version: 1 → 2"


def test_a_deleted_record_keeps_the_name_its_entry_wrote_and_unnamed_kinds_read_by_number():
    assert record_name("topics", "3", '{"name": "Old topic"}', None, {}) == "Old topic"
    assert change_text("delete", '{"name": "Old topic", "version": 4}', None, "UTC") == (
        "Name: Old topic"
    )
    # A sign-in after a failure: its own time is the entry's; the failures it reset are said.
    signed_in = change_text("login", '{"failed_logins": 1}', '{"at": "2026-11-30T10:00"}', "UTC")
    assert signed_in == "Failed sign-ins before: 1"
    assert record_name("topics", "3", '{"name": "Old"}', None, {("topics", "3"): "New"}) == "New"
    assert record_name("qa_reviews", "12", None, "{}", {}) == "QA review #12"
