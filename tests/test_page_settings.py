"""AppTest of Settings and Audit: admin edits validated, versioned, audited; stale saves refused."""

from sqlalchemy import select

from db.engine import make_engine
from db.schema import audit_log, sla_policies, topics
from queries import admin
from tests.apphelpers import open_page, texts


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
    at.text_input(key="sla_new_active_from").input("not a date")
    at = _submit(at, "sla_form_new")
    message = texts(at)
    assert "Nothing was saved" in message
    assert "Target (seconds)" in message and "Active from" in message
    assert at.text_input(key="sla_new_active_from").value == "not a date"
    assert _rows(app_db, sla_policies) == before


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
    assert ((table["table_name"] == "topics") & (table["username"] == "admin")).any()
