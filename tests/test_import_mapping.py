"""Saved mappings and imports through them: the CLI's --mapping, JSONL, and the write rules."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from sqlalchemy import select

import cli
from db.engine import get_engine
from db.schema import audit_log, interactions
from ingest.importer import import_file
from ingest.mapping import ColumnMapping
from queries.import_mappings import get_mapping, save_mapping
from queries.writes import StaleWriteError, ValidationError
from tests.test_cli import cli_db  # noqa: F401 - the CLI's database fixture
from tests.test_mapping import CALL_LOG as CALL_LOG_MAPPING
from tests.test_page_import import CALL_LOG_PATH


def _save(engine, name="PBX call log", mapping=CALL_LOG_MAPPING, **kw):
    return save_mapping(
        engine=engine,
        name=name,
        definition=mapping.to_json(),
        problems=mapping.problems(),
        user="admin",
        **kw,
    )


def _stored(engine):
    with engine.connect() as conn:
        return {r.external_id: r for r in conn.execute(select(interactions))}


@pytest.mark.usefixtures("cli_db")
def test_cli_imports_a_call_log_through_a_saved_mapping_and_again_adds_nothing(tmp_path, capsys):
    engine = get_engine()
    _save(engine)
    path = tmp_path / "pbx_march.csv"
    shutil.copy(CALL_LOG_PATH, path)
    assert cli.main(["import", str(path), "--mapping", "PBX call log"]) == 1  # one reject
    out = capsys.readouterr().out
    assert "Loaded 3 rows; 0 already present; 1 rejected" in out
    stored = _stored(engine)
    assert sorted(stored) == ["c-1", "c-2", "c-3"]
    assert stored["c-1"].first_response_at == datetime(2026, 3, 4, 9, 16, 5)
    assert stored["c-3"].created_at == datetime(2026, 7, 1, 8, 15)  # BST
    assert "does not exist in Europe/London" in (tmp_path / "pbx_march.csv.rejects.csv").read_text()

    assert cli.main(["import", str(path), "--mapping", "PBX call log"]) == 1
    assert "Loaded 0 rows; 3 already present; 1 rejected" in capsys.readouterr().out
    assert len(_stored(engine)) == 3


@pytest.mark.usefixtures("cli_db")
def test_cli_names_an_unknown_mapping_and_the_help_names_the_format_doc(tmp_path, capsys):
    path = tmp_path / "x.csv"
    shutil.copy(CALL_LOG_PATH, path)
    assert cli.main(["import", str(path), "--mapping", "nope"]) == 2
    assert "no saved mapping named 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    assert "ingest/FORMATS.md" in capsys.readouterr().out


def test_a_helpdesk_jsonl_export_with_naive_times_imports_through_a_mapping(engine, tmp_path):
    mapping = ColumnMapping(
        columns={
            "external_id": "ticket",
            "channel": "via",
            "created_at": "opened",
            "first_response_at": "first reply",
            "csat": "rating",
        },
        timezone="America/New_York",
    )
    path = tmp_path / "desk.jsonl"
    rows = [
        {
            "ticket": 1,
            "via": "Email",
            "opened": "2026-03-08 01:59",
            "first reply": "2026-03-08 03:01",
            "rating": 5,
        },
        {"ticket": 2, "via": "chat", "opened": "2026-03-08 02:30", "first reply": None},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = import_file(engine, path, mapping=mapping)
    # New York springs forward on 8 March 2026 at 02:00: 01:59 EST = 06:59 UTC, 03:01 EDT =
    # 07:01 UTC (an FRT of 2 minutes); 02:30 does not exist.
    assert (result.loaded, result.rejected) == (1, 1)
    (row,) = _stored(engine).values()
    assert (row.channel_id, row.created_at) == ("email", datetime(2026, 3, 8, 6, 59))
    assert (row.first_response_at, row.csat) == (datetime(2026, 3, 8, 7, 1), 5)


def test_saved_mappings_are_validated_versioned_and_audited(engine):
    first = _save(engine)
    assert first["version"] == 1
    with pytest.raises(ValidationError) as taken:
        _save(engine)
    assert "exists already" in taken.value.field_errors["name"]
    with pytest.raises(ValidationError) as bad:
        _save(engine, name="broken", mapping=ColumnMapping(columns={"queue": "q"}))
    assert "external_id" in bad.value.field_errors["mapping"]

    columns = {**CALL_LOG_MAPPING.columns, "topic": "reason"}
    changed = ColumnMapping(columns=columns, channel="phone")
    _save(engine, mapping=changed, record_id=first["id"], expected_version=1)
    with pytest.raises(StaleWriteError) as stale:
        _save(engine, record_id=first["id"], expected_version=1)
    assert stale.value.changed_by == "admin"
    stored = ColumnMapping.from_json(get_mapping(engine=engine, name="PBX call log")["definition"])
    assert stored.columns["topic"] == "reason"
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_log))]
    assert actions == ["insert", "update"]
