"""AppTest of Settings and Audit: admin edits validated, versioned, audited; stale saves refused."""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from db.schema import audit_log, interval_stats, sla_policies, topics
from queries import admin
from queries.writes import utcnow
from tests.apphelpers import open_page, texts
from tests.builders import insert_interactions, interaction


def _topic_form(at, slot="new"):
    return (
        at.text_input(key=f"topic_{slot}_name"),
        at.text_area(key=f"topic_{slot}_keywords"),
    )


def _submit(at, form_key):
    button = next(b for b in at.button if b.proto.form_id == form_key)
    button.click()
    return at.run()


def _rows(url, table):
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table))]
    engine.dispose()
    return rows


def test_admin_creates_a_topic_and_the_write_is_audited(app_db):
    at = open_page("admin", "pages/settings.py")
    assert not at.exception
    name, keywords = _topic_form(at)
    name.input("Refund delay")
    keywords.input("Refund, late refund , refund")
    at = _submit(at, "topic_form_new")
    assert not at.exception
    assert "Saved Refund delay" in texts(at)
    stored = next(t for t in _rows(app_db, topics) if t["name"] == "Refund delay")
    assert stored["keywords"] == "refund,late refund"
    entry = next(a for a in _rows(app_db, audit_log) if a["table_name"] == "topics")
    assert (entry["username"], entry["action"]) == ("admin", "insert")


def test_bad_policy_input_is_refused_with_a_message_and_the_input_kept(app_db):
    before = _rows(app_db, sla_policies)
    at = open_page("admin", "pages/settings.py")
    at.number_input(key="sla_new_target_seconds").set_value(0)
    at.radio(key="sla_new_effective").set_value("backdate")
    at.text_input(key="sla_new_active_from").input("not a date")
    at = _submit(at, "sla_form_new")
    message = texts(at)
    assert "Nothing was saved" in message
    assert "Target (seconds)" in message and "Back-date to" in message
    assert at.text_input(key="sla_new_active_from").value == "not a date"
    assert _rows(app_db, sla_policies) == before


def _chat_history(url: str) -> None:
    """Three chat contacts in May 2026, answered in 10, 45 and 50 s (all met under 60 s)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(2026, 5, d, 10), frt=frt)
                for d, frt in ((4, 10), (5, 45), (6, 50))
            ],
        )
    refresh_interval_stats(engine)
    engine.dispose()


def _chat_met(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        met = conn.scalar(
            select(func.sum(interval_stats.c.met)).where(interval_stats.c.channel_id == "chat")
        )
    engine.dispose()
    return met


def _change_chat_target(at, url: str, target: int):
    """Pick chat's policy on the form and type a new target; returns the policy as stored."""
    chat = next(p for p in _rows(url, sla_policies) if p["channel_id"] == "chat")
    at.selectbox(key="sla_pick").set_value(chat["id"]).run()
    at.number_input(key=f"sla_{chat['id']}_target_seconds").set_value(target)
    return chat


def _back_date_chat_target(url: str, target: int, when: str):
    """Open Settings, change chat's target back-dated to `when` and submit the form."""
    at = open_page("admin", "pages/settings.py")
    chat = _change_chat_target(at, url, target)
    at.radio(key=f"sla_{chat['id']}_effective").set_value("backdate")
    at.text_input(key=f"sla_{chat['id']}_active_from").input(when)
    return _submit(at, f"sla_form_{chat['id']}")


def test_a_policy_change_takes_effect_from_now_and_keeps_the_old_version(app_db):
    _chat_history(app_db)
    at = open_page("admin", "pages/settings.py")
    before = _change_chat_target(at, app_db, 30)
    at = _submit(at, f"sla_form_{before['id']}")
    assert not at.exception
    chat = sorted(
        (p for p in _rows(app_db, sla_policies) if p["channel_id"] == "chat"),
        key=lambda p: p["active_from"],
    )
    # The old version is untouched but for its version (a second submit is refused as stale).
    assert [(p["target_seconds"], p["active_from"]) for p in chat][0] == (60, datetime(2000, 1, 1))
    assert chat[0]["version"] == before["version"] + 1
    assert chat[1]["target_seconds"] == 30
    assert abs(chat[1]["active_from"] - utcnow()) < timedelta(minutes=5)
    assert "re-judges" not in texts(at)  # nothing stored is re-judged: no question asked
    assert _chat_met(app_db) == 3  # May still judged at 60 s
    # Both versions are listed as a reader reads them; the old one until the new one starts.
    shown = next(d.value for d in at.dataframe if "Until" in d.value.columns)
    versions = shown[shown["Channel"] == "Chat"]
    assert versions["Target"].tolist() == ["1 min", "30 s"]
    assert versions["Goal"].tolist() == ["80 %", "80 %"]
    assert versions["Until"].iloc[0] == versions["From"].iloc[1]
    assert versions["Until"].iloc[1] == "in force"


def test_back_dating_says_how_many_contacts_it_re_judges_and_asks_first(app_db):
    _chat_history(app_db)
    count_before = len(_rows(app_db, sla_policies))
    at = _back_date_chat_target(app_db, 30, "2026-05-05 00:00")
    # Arrivals from 5 May on: the 45 s and 50 s contacts. Nothing is written yet.
    assert "re-judges **2 contacts that already arrived**" in texts(at)
    assert len(_rows(app_db, sla_policies)) == count_before
    assert _chat_met(app_db) == 3
    at = at.button(key="sla_confirm").click().run()
    assert not at.exception
    assert len(_rows(app_db, sla_policies)) == count_before + 1
    # Recounted from 5 May for chat: 45 s and 50 s are now over the 30 s target.
    assert _chat_met(app_db) == 1


def test_back_dating_can_be_cancelled(app_db):
    _chat_history(app_db)
    before_rows = _rows(app_db, sla_policies)
    at = _back_date_chat_target(app_db, 30, "2026-05-01 00:00")
    assert "re-judges **3 contacts" in texts(at)
    at = at.button(key="sla_cancel").click().run()
    assert "re-judges" not in texts(at)
    assert _rows(app_db, sla_policies) == before_rows and _chat_met(app_db) == 3


def test_a_stale_save_is_refused_and_names_who_changed_the_record(app_db):
    engine = make_engine(app_db)
    billing = next(t for t in _rows(app_db, topics) if t["name"] == "billing")
    at = open_page("admin", "pages/settings.py")
    at.selectbox(key="topic_pick").set_value(billing["id"]).run()
    # Another admin saves the same topic after this form was opened.
    admin.update_topic(
        engine=engine,
        record_id=billing["id"],
        expected_version=billing["version"],
        values={"keywords": "bill,invoice"},
        actor="other_admin",
    )
    _, keywords = _topic_form(at, str(billing["id"]))
    keywords.input("charges")
    at = _submit(at, f"topic_form_{billing['id']}")
    assert "changed by other_admin" in texts(at)
    # When, in the centre's time and zone (the default Europe/London: GMT or BST).
    assert re.search(
        r"changed by other_admin on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST) ", texts(at)
    )
    stored = next(t for t in _rows(app_db, topics) if t["id"] == billing["id"])
    assert stored["keywords"] == "bill,invoice"  # nothing silently overwritten
    assert at.text_area(key=f"topic_{billing['id']}_keywords").value == "charges"  # input kept
    engine.dispose()


def test_sql_injection_text_is_stored_verbatim(app_db):
    at = open_page("admin", "pages/settings.py")
    name, keywords = _topic_form(at)
    name.input("x'; DROP TABLE topics; --")
    keywords.input("' OR '1'='1")
    at = _submit(at, "topic_form_new")
    names = [t["name"] for t in _rows(app_db, topics)]
    assert "x'; DROP TABLE topics; --" in names and "billing" in names


def test_audit_page_lists_the_writes(app_db):
    at = open_page("admin", "pages/settings.py")
    name, keywords = _topic_form(at)
    name.input("Audit me")
    keywords.input("audit")
    _submit(at, "topic_form_new")
    at = open_page("admin", "pages/audit.py")
    assert not at.exception
    table = at.dataframe[0].value
    mine = table[(table["Record kind"] == "Topic") & (table["User"] == "admin")]
    assert mine["Record"].tolist() == ["Audit me"]
    assert mine["Action"].tolist() == ["Created"]
