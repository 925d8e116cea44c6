"""AppTest of the Import page: an admin imports a PBX call log by mapping its columns.

tests/fixtures/call_log.csv (London local times, date and time apart, answered flag, wait and
talk durations), worked by hand:
- c-1 4 Mar 09:15 GMT, answered after 65 s, talk 4:30 -> arrival 09:15:00 UTC, first response
  09:16:05, resolved 09:20:35, handle 270 s.
- c-2 4 Mar 09:20 GMT, not answered, waited 40 s -> abandoned 09:20:40 UTC.
- c-3 1 Jul 09:15 BST (UTC+1), answered after 20 s, talk 120 s -> 08:15:00, 08:15:20, 08:17:20.
- c-4 29 Mar 01:30: the clocks jump from 01:00 to 02:00 that night -> rejected.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from db.schema import agents, audit_log, import_mappings, interactions
from tests.apphelpers import csv_downloads, open_page, texts
from tests.test_page_settings import _rows

CALL_LOG_PATH = Path(__file__).parent / "fixtures" / "call_log.csv"
CALL_LOG = CALL_LOG_PATH.read_bytes()
COLUMN_CHOICES = {
    "external_id": "call id",
    "arrival_date": "date",
    "arrival_time": "time",
    "answered": "answered",
    "wait_duration": "wait",
    "talk_duration": "talk",
    "agent": "agent",
    "queue": "queue",
}


def _upload(at, name="pbx_march.csv", data=CALL_LOG):
    at.file_uploader(key="import_file").set_value((name, data, "text/csv"))
    return at.run()


def _map_call_log(at, slot="new"):
    for target, column in COLUMN_CHOICES.items():
        at.selectbox(key=f"import_map_{slot}_{target}").set_value(column)
    at.selectbox(key=f"import_map_{slot}_fixed_channel").set_value("phone")
    at.selectbox(key=f"import_map_{slot}_timezone").set_value("Europe/London")
    at.selectbox(key=f"import_map_{slot}_date_format").set_value("%d/%m/%Y")
    return at.run()


def _click(at, key):
    at.button(key=key).click()
    return at.run()


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_admin_imports_a_call_log_by_mapping_and_a_reimport_adds_nothing(app_db, monkeypatch):
    downloads = csv_downloads(monkeypatch)
    at = open_page("admin", "pages/import_data.py")
    assert not at.exception
    at = _map_call_log(_upload(at))
    assert not at.exception

    (preview,) = [f.value for f in at.dataframe if "Rejected because" in f.value.columns]
    preview = preview.set_index("Contact id")
    assert list(preview.index) == ["c-1", "c-2", "c-3", None]
    assert preview.loc["c-1", "Arrival (UTC)"] == datetime(2026, 3, 4, 9, 15)
    assert preview.loc["c-1", "First response (UTC)"] == datetime(2026, 3, 4, 9, 16, 5)
    assert preview.loc["c-2", "Abandoned (UTC)"] == datetime(2026, 3, 4, 9, 20, 40)
    assert preview.loc["c-3", "Arrival (UTC)"] == datetime(2026, 7, 1, 8, 15)
    assert "does not exist in Europe/London" in preview["Rejected because"].iloc[3]

    at = _click(at, "import_run")
    assert not at.exception
    assert _metrics(at) == {"Loaded": "3", "Already present": "0", "Rejected": "1"}
    stored = {r["external_id"]: r for r in _rows(app_db, interactions)}
    assert set(stored) == {"c-1", "c-2", "c-3"}
    assert {r["source"] for r in stored.values()} == {"pbx_march"}
    c1, c2, c3 = stored["c-1"], stored["c-2"], stored["c-3"]
    assert (c1["channel_id"], c1["created_at"]) == ("phone", datetime(2026, 3, 4, 9, 15))
    assert c1["first_response_at"] == datetime(2026, 3, 4, 9, 16, 5)
    assert (c1["resolved_at"], c1["handle_seconds"]) == (datetime(2026, 3, 4, 9, 20, 35), 270)
    assert (c2["status"], c2["abandoned_at"]) == ("abandoned", datetime(2026, 3, 4, 9, 20, 40))
    assert c2["first_response_at"] is None
    assert (c3["created_at"], c3["resolved_at"]) == (
        datetime(2026, 7, 1, 8, 15),
        datetime(2026, 7, 1, 8, 17, 20),
    )
    dana = next(a for a in _rows(app_db, agents) if a["name"] == "Dana Scully")
    assert c1["agent_id"] == c3["agent_id"] == dana["id"]

    # The rejects file offered for download (captured as the page serves it).
    rejects = list(csv.DictReader(io.StringIO(downloads[-1].decode())))
    assert [(r["line"], r["original"]) for r in rejects] == [
        ("5", "c-4,29/03/2026,01:30,Yes,10,60,Dana Scully,sales")
    ]
    assert "01:30:00 does not exist in Europe/London" in rejects[0]["reason"]

    entry = next(a for a in _rows(app_db, audit_log) if a["action"] == "import")
    assert (entry["username"], entry["record_id"]) == ("admin", "pbx_march")
    assert '"loaded": 3' in entry["after"] and '"rejected": 1' in entry["after"]

    at = _click(at, "import_run")  # the same file again
    assert _metrics(at) == {"Loaded": "0", "Already present": "3", "Rejected": "1"}
    assert len(_rows(app_db, interactions)) == 3


def test_a_saved_mapping_fills_the_form_for_the_next_export(app_db):
    at = open_page("admin", "pages/import_data.py")
    at = _map_call_log(_upload(at))
    at.text_input(key="import_map_new_name").input("PBX call log")
    at = _click(at, "import_map_new_save")
    assert "Saved mapping **PBX call log** (version 1)" in texts(at)
    (saved,) = _rows(app_db, import_mappings)
    assert (saved["name"], saved["updated_by"]) == ("PBX call log", "admin")
    assert any(a["table_name"] == "import_mappings" for a in _rows(app_db, audit_log))

    at = open_page("admin", "pages/import_data.py")
    at = _upload(at, name="pbx_april.csv")
    at.selectbox(key="import_saved_mapping").set_value(saved["id"])
    at = at.run()
    slot = str(saved["id"])
    assert at.selectbox(key=f"import_map_{slot}_wait_duration").value == "wait"
    assert at.selectbox(key=f"import_map_{slot}_timezone").value == "Europe/London"
    at = _click(at, "import_run")
    assert _metrics(at)["Loaded"] == "3"


def test_an_incomplete_mapping_says_what_is_missing_and_imports_nothing(app_db):
    at = _upload(open_page("admin", "pages/import_data.py"))
    assert "map a column to external_id" in texts(at)
    assert not [b for b in at.button if b.key == "import_run"]
    assert _rows(app_db, interactions) == []


@pytest.mark.parametrize("username", ["supervisor", "exec", "qa"])
def test_only_admins_can_import(app_db, username):
    at = open_page(username, "pages/import_data.py")
    assert "You don't have access to **Import data**" in texts(at)
    assert not at.file_uploader


def test_a_file_with_a_column_named_twice_is_refused_with_the_reason(app_db):
    at = _upload(open_page("admin", "pages/import_data.py"), data=b"id,ID,when\n1,2,3\n")
    assert not at.exception
    assert "This file cannot be imported" in texts(at) and "given twice" in texts(at)
    assert not at.selectbox
