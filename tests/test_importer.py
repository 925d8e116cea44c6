"""The CSV/JSONL importer: exact values, rejects with line and reason, idempotent re-import."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from db.schema import agents, customer_handles, customers, interactions
from ingest.importer import ImportFileError, ImportResult, import_file, infer_format
from ingest.validation import RowError, validate_record

FIXTURES = Path(__file__).parent / "fixtures"
CHANNELS = frozenset({"phone", "chat", "email", "twitter", "facebook", "instagram"})


def _copy(name: str, tmp_path: Path) -> Path:
    """A fixture copied to tmp_path, so the rejects file lands there and not in the repo."""
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _interactions(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(interactions)).mappings().all()
    return {row["external_id"]: dict(row) for row in rows}


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.c))]
            for table in (interactions, customers, customer_handles, agents)
        }


def _customer_of(engine: Engine, channel_id: str, handle: str) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(
            select(customer_handles.c.customer_id).where(
                customer_handles.c.channel_id == channel_id, customer_handles.c.handle == handle
            )
        )


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


# --- Good files --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["interactions_good.csv", "interactions_good.jsonl"])
def test_good_file_loads_exact_values(engine: Engine, tmp_path: Path, name: str) -> None:
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    result = import_file(engine, _copy(name, tmp_path))

    assert result == ImportResult(loaded=4, skipped_duplicates=0, rejected=0, reject_path=None)
    assert not (tmp_path / f"{name}.rejects.csv").exists()
    rows = _interactions(engine)
    assert set(rows) == {"c-1", "c-2", "c-3", "c-4"}

    first = rows["c-1"]
    assert first["source"] == "interactions_good"  # the file's stem
    assert first["channel_id"] == "chat"
    assert first["direction"] == "inbound"
    assert first["is_public"] is False
    assert first["conversation_id"] == "conv-1"
    # +02:00 offsets become naive UTC.
    assert first["created_at"] == datetime(2024, 3, 4, 8, 0, 0)
    assert first["first_response_at"] == datetime(2024, 3, 4, 8, 0, 45)
    assert first["resolved_at"] == datetime(2024, 3, 4, 8, 30, 0)
    assert first["abandoned_at"] is None
    assert first["status"] == "resolved"  # inferred from resolved_at
    assert first["queue"] == "billing"
    assert first["priority"] == "high"
    assert first["topic"] == "billing"
    assert first["sentiment"] == -0.5
    assert first["reach"] is None
    assert first["handle_seconds"] == 300
    assert first["csat"] == 4
    assert first["body"] == "Charged twice, please refund.\nThanks"
    assert before <= first["updated_at"] <= datetime.now(UTC).replace(tzinfo=None)

    second = rows["c-2"]
    assert second["is_public"] is True
    assert second["reach"] == 1200
    assert second["sentiment"] == 0.25
    assert (second["status"], second["priority"], second["direction"]) == (
        "open",
        "normal",
        "inbound",
    )
    assert second["agent_id"] is None

    third = rows["c-3"]
    assert third["created_at"] == datetime(2024, 3, 4, 14, 0, 0)  # -05:00
    assert third["abandoned_at"] == datetime(2024, 3, 4, 14, 0, 30)
    assert third["status"] == "abandoned"
    assert third["queue"] == "general"  # the default

    fourth = rows["c-4"]
    assert (fourth["direction"], fourth["status"], fourth["is_public"]) == (
        "outbound",
        "pending",
        False,
    )


# Rows without a status: answered and unresolved (a-1) is waiting on the customer, not an
# agent's current contact; never answered (a-2) is open; an explicit status is kept (a-3, a-4).
STATUS_ROWS = [
    ("a-1", "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", "", ""),
    ("a-2", "2024-03-04T10:00:00Z", "", "", ""),
    ("a-3", "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", "", "open"),
    ("a-4", "2024-03-04T10:00:00Z", "2024-03-04T10:05:00Z", "2024-03-04T11:00:00Z", "pending"),
]
STATUS_EXPECTED = {"a-1": "pending", "a-2": "open", "a-3": "open", "a-4": "pending"}


def _status_file(tmp_path: Path, fmt: str) -> Path:
    names = ("external_id", "created_at", "first_response_at", "resolved_at", "status")
    records = [dict(zip(names, row, strict=True)) for row in STATUS_ROWS]
    if fmt == "csv":
        lines = ["external_id,channel,agent,created_at,first_response_at,resolved_at,status"]
        lines += [
            f"{r['external_id']},chat,Dana Scully,{r['created_at']},{r['first_response_at']},"
            f"{r['resolved_at']},{r['status']}"
            for r in records
        ]
        return _write(tmp_path, "status.csv", "\n".join(lines) + "\n")
    # JSONL leaves out the keys it has no value for, as exports usually do.
    lines = [
        json.dumps({"channel": "chat", "agent": "Dana Scully"} | {k: v for k, v in r.items() if v})
        for r in records
    ]
    return _write(tmp_path, "status.jsonl", "\n".join(lines) + "\n")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_answered_unresolved_rows_without_status_are_pending(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    result = import_file(engine, _status_file(tmp_path, fmt))

    assert (result.loaded, result.rejected) == (4, 0)
    rows = _interactions(engine)
    assert {key: row["status"] for key, row in rows.items()} == STATUS_EXPECTED


@pytest.mark.parametrize("name", ["interactions_good.csv", "interactions_good.jsonl"])
def test_customers_and_agents_are_resolved(engine: Engine, tmp_path: Path, name: str) -> None:
    import_file(engine, _copy(name, tmp_path))
    rows = _interactions(engine)

    # customer_id CRM-1 ties the chat and the twitter handle to one customer.
    alice = _customer_of(engine, "chat", "alice@example.com")
    assert alice is not None
    assert _customer_of(engine, "twitter", "@alice") == alice
    assert rows["c-1"]["customer_id"] == rows["c-2"]["customer_id"] == alice
    assert rows["c-3"]["customer_id"] == _customer_of(engine, "phone", "+441234567890")
    assert len({row["customer_id"] for row in rows.values()}) == 3
    assert _count(engine, customers) == 3

    with engine.connect() as conn:
        staff = {
            name: (agent_id, team)
            for agent_id, name, team in conn.execute(
                select(agents.c.id, agents.c.name, agents.c.team)
            )
        }
    # Agents the database did not know are created, in the queue they first answered.
    assert staff["Dana Scully"][1] == "billing"
    assert rows["c-1"]["agent_id"] == staff["Dana Scully"][0]
    assert rows["c-4"]["agent_id"] == staff["Fox Mulder"][0]


def test_csv_with_bom_and_crlf_line_endings(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        b"\xef\xbb\xbfExternal_ID, Channel ,created_at\r\n"
        b"x-1,Chat,2024-03-04T10:00:00Z\r\n"
        b"x-2,EMAIL,2024-03-04T11:00:00Z\r\n"
    )
    assert import_file(engine, path).loaded == 2
    assert {row["channel_id"] for row in _interactions(engine).values()} == {"chat", "email"}


def test_bare_carriage_returns_in_text_are_kept_exactly(engine: Engine, tmp_path: Path) -> None:
    """Real exports carry a bare CR inside text; a record still ends only at its line feed."""
    path = tmp_path / "cr.csv"
    path.write_bytes(
        b"external_id,channel,created_at,body\n"
        b"r-1,chat,2024-03-04T10:00:00Z,line one\rline two\n"  # unquoted
        b'r-2,chat,2024-03-04T10:01:00Z,"quoted\rand\r\nmulti-line"\r\n'  # CRLF record end
        b"r-3,chat,2024-03-04T10:02:00Z,ends in CR\r\r\n"  # its own CR, then CRLF
        b"r-4,chat,2024-03-04T10:03:00Z,\rleading CR\n"
    )
    result = import_file(engine, path)
    assert (result.loaded, result.rejected) == (4, 0)
    bodies = {key: row["body"] for key, row in _interactions(engine).items()}
    assert bodies == {
        "r-1": "line one\rline two",
        "r-2": "quoted\rand\r\nmulti-line",
        "r-3": "ends in CR\r",
        "r-4": "\rleading CR",
    }


def test_agent_id_column_refers_to_an_existing_agent(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        known = conn.execute(
            agents.insert().values(name="Walter Skinner", team="general", active=True)
        ).inserted_primary_key[0]
        for _ in range(2):  # two agents of one name cannot be told apart
            conn.execute(agents.insert().values(name="John Doe", team="general", active=True))
    path = _write(
        tmp_path,
        "agents.csv",
        "external_id,channel,created_at,agent,agent_id\n"
        f"a-1,chat,2024-03-04T10:00:00Z,,{known}\n"
        f"a-2,chat,2024-03-04T10:00:00Z,Walter Skinner,{known}\n"
        f"a-3,chat,2024-03-04T10:00:00Z,Someone Else,{known}\n"
        "a-4,chat,2024-03-04T10:00:00Z,,99999\n"
        "a-5,chat,2024-03-04T10:00:00Z,John Doe,\n",
    )
    result = import_file(engine, path)

    assert (result.loaded, result.rejected) == (2, 3)
    rows = _interactions(engine)
    assert rows["a-1"]["agent_id"] == rows["a-2"]["agent_id"] == known
    reasons = {r["line"]: r["reason"] for r in _rejects(result.reject_path)}
    assert "does not match agent_id" in reasons["4"]
    assert "agent_id 99999 is not a known agent" in reasons["5"]
    assert "matches several agents" in reasons["6"]


def test_stored_handle_keeps_its_customer(engine: Engine, tmp_path: Path) -> None:
    first = _write(
        tmp_path,
        "first.csv",
        "external_id,channel,created_at,customer\nf-1,chat,2024-03-04T10:00:00Z,carol\n",
    )
    import_file(engine, first)
    carol = _customer_of(engine, "chat", "carol")
    second = _write(
        tmp_path,
        "second.csv",
        "external_id,channel,created_at,customer,customer_id\n"
        "s-1,chat,2024-03-04T11:00:00Z,carol,K-9\n"
        "s-2,email,2024-03-04T11:00:00Z,carol@example.com,K-9\n"
        "s-3,chat,2024-03-04T11:00:00Z,dave,K-9\n",  # dave is new, so he joins K-9 (carol)
    )
    result = import_file(engine, second)

    assert (result.loaded, result.rejected) == (3, 0)
    rows = _interactions(engine)
    assert {rows[key]["customer_id"] for key in ("f-1", "s-1", "s-2", "s-3")} == {carol}
    assert _count(engine, customers) == 1

    third = _write(
        tmp_path,
        "third.csv",
        "external_id,channel,created_at,customer,customer_id\n"
        "t-1,chat,2024-03-04T12:00:00Z,erin,K-10\n"
        "t-2,chat,2024-03-04T12:00:00Z,carol,K-10\n",  # carol is not erin's customer
    )
    result = import_file(engine, third)
    assert (result.loaded, result.rejected) == (1, 1)
    assert "belongs to another customer" in _rejects(result.reject_path)[0]["reason"]


# --- Bad rows ----------------------------------------------------------------------------

# line in interactions_bad_rows.csv -> a fragment of the reason given for it
BAD_CSV_LINES = {
    3: "external_id is required",
    4: "channel 'fax' is not one of chat, email",
    5: "created_at '2024-03-04T10:00:00' has no time zone",
    6: "created_at 'yesterday' is not an ISO 8601 timestamp",
    7: "created_at is required",
    8: "first_response_at 2024-03-04 09:59:59 UTC is before created_at",
    9: "resolved_at 2024-03-04 09:00:00 UTC is before created_at",
    10: "abandoned_at 2024-03-04 09:59:00 UTC is before created_at",
    11: "csat 6 is outside 1..5",
    12: "csat '4.5' is not a whole number",
    13: "sentiment '1.5' is outside -1..1",
    14: "reach -1 is outside 0..",
    15: "handle_seconds 'abc' is not a number",
    16: "is_public 'maybe' is not true/false",
    17: "direction 'sideways' is not one of inbound, outbound",
    18: "status 'closed' is not one of",
    19: "priority 'urgent' is not one of high, normal",
    20: "first_response_at '2024-03-04T10:05:00' has no time zone",
    22: "malformed CSV: expected 15 fields, found 3",
    23: "malformed CSV: ',' expected after '\"'",
}


def test_bad_csv_rows_are_rejected_with_line_and_reason(engine: Engine, tmp_path: Path) -> None:
    path = _copy("interactions_bad_rows.csv", tmp_path)
    result = import_file(engine, path)

    assert result.reject_path == tmp_path / "interactions_bad_rows.csv.rejects.csv"
    assert (result.loaded, result.skipped_duplicates, result.rejected) == (3, 0, len(BAD_CSV_LINES))
    rejects = _rejects(result.reject_path)
    assert [int(r["line"]) for r in rejects] == sorted(BAD_CSV_LINES)
    source_lines = path.read_text(encoding="utf-8").splitlines()
    for reject in rejects:
        line = int(reject["line"])
        assert BAD_CSV_LINES[line] in reject["reason"]
        assert reject["original"] == source_lines[line - 1]  # the row exactly as it was

    rows = _interactions(engine)
    assert set(rows) == {"ok-1", "ok-2", "ok-5"}
    assert rows["ok-1"]["first_response_at"] == datetime(2024, 3, 4, 10, 0, 40)
    assert rows["ok-2"]["created_at"] == datetime(2024, 3, 4, 10, 0, 0)
    assert rows["ok-2"]["status"] == "resolved"


def test_every_problem_of_a_row_is_named() -> None:
    fields = {"external_id": "x", "channel": "chat", "created_at": "2024-03-04T10:00", "csat": 0}
    with pytest.raises(RowError) as caught:
        validate_record(fields, CHANNELS)
    assert "created_at '2024-03-04T10:00' has no time zone" in str(caught.value)
    assert "csat 0 is outside 1..5" in str(caught.value)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("external_id", "x" * 129, "longer than 128 characters"),
        ("queue", "q" * 65, "longer than 64 characters"),
        ("body", "nul \x00 byte", "contains a NUL character"),
        ("sentiment", "nan", "not a finite number"),
        ("reach", str(2**31), "is outside 0..2147483647"),
        ("csat", True, "is not a number"),
        ("is_public", "", None),  # blank means not given
        ("agent_id", "0", "is outside 1.."),
        ("conversation_id", {"nested": 1}, "must be text, not dict"),
    ],
)
def test_field_rules(column: str, value: Any, reason: str | None) -> None:
    fields = {"external_id": "x", "channel": "chat", "created_at": "2024-03-04T10:00:00Z"}
    fields[column] = value
    if reason is None:
        validate_record(fields, CHANNELS)
        return
    with pytest.raises(RowError, match=reason):
        validate_record(fields, CHANNELS)


def test_integral_numbers_are_accepted_in_any_spelling() -> None:
    fields = {
        "external_id": 7,
        "channel": " Twitter ",
        "created_at": "2024-03-04 10:00:00.250-03:30",
        "csat": 5.0,
        "reach": "1200.0",
        "is_public": "YES",
    }
    row = validate_record(fields, CHANNELS)
    assert row.values["external_id"] == "7"
    assert row.values["channel_id"] == "twitter"
    assert row.values["created_at"] == datetime(2024, 3, 4, 13, 30, 0, 250000)
    assert (row.values["csat"], row.values["reach"], row.values["is_public"]) == (5, 1200, True)


def test_bad_jsonl_lines_are_rejected(engine: Engine, tmp_path: Path) -> None:
    result = import_file(engine, _copy("interactions_bad_lines.jsonl", tmp_path))

    assert (result.loaded, result.rejected) == (3, 6)
    reasons = {int(r["line"]): r["reason"] for r in _rejects(result.reject_path)}
    assert reasons[2].startswith("invalid JSON")
    assert reasons[3] == "line is not a JSON object"
    assert "csat 6 is outside 1..5" in reasons[4]
    assert reasons[6] == "column 'channel' is given twice"
    assert "created_at 1709546400 is not an ISO 8601 timestamp" in reasons[8]
    assert "channel ['chat'] is not one of" in reasons[9]
    rows = _interactions(engine)
    assert set(rows) == {"j-1", "6", "j-9"}
    assert rows["6"]["is_public"] is True
    assert (rows["j-9"]["channel_id"], rows["j-9"]["csat"]) == ("chat", 5)


def test_undecodable_bytes_are_rejected_and_kept(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    bad_line = b"u-2,chat,2024-03-04T10:00:00Z,caf\xe9"
    path.write_bytes(
        b"external_id,channel,created_at,body\nu-1,chat,2024-03-04T10:00:00Z,ok\n" + bad_line
    )
    result = import_file(engine, path)

    assert (result.loaded, result.rejected) == (1, 1)
    assert b"body is not valid UTF-8" in result.reject_path.read_bytes()
    assert bad_line in result.reject_path.read_bytes()  # the original bytes, unchanged


# --- Duplicates and safety of stored data ------------------------------------------------


@pytest.mark.parametrize("batch_size", [1000, 2])
def test_reimport_creates_no_duplicates(engine: Engine, tmp_path: Path, batch_size: int) -> None:
    path = _copy("interactions_good.csv", tmp_path)
    import_file(engine, path, batch_size=batch_size)
    before = _snapshot(engine)

    again = import_file(engine, path, batch_size=batch_size)

    assert again == ImportResult(loaded=0, skipped_duplicates=4, rejected=0, reject_path=None)
    assert _snapshot(engine) == before  # no new customers, handles or agents either


@pytest.mark.parametrize("batch_size", [1000, 2])
def test_duplicates_within_a_file_count_as_duplicates(
    engine: Engine, tmp_path: Path, batch_size: int
) -> None:
    path = _write(
        tmp_path,
        "repeats.csv",
        "external_id,channel,created_at,body\n"
        "r-1,chat,2024-03-04T10:00:00Z,first\n"
        "r-2,chat,2024-03-04T10:00:00Z,\n"
        "r-1,chat,2024-03-04T10:00:00Z,second\n"
        "r-3,chat,2024-03-04T10:00:00Z,\n"
        "r-1,email,2024-03-04T10:00:00Z,third\n",
    )
    result = import_file(engine, path, batch_size=batch_size)

    assert (result.loaded, result.skipped_duplicates, result.rejected) == (3, 2, 0)
    assert _interactions(engine)["r-1"]["body"] == "first"  # the first occurrence wins


def test_source_scopes_external_ids(engine: Engine, tmp_path: Path) -> None:
    path = _copy("interactions_good.csv", tmp_path)
    import_file(engine, path, source="crm-a")
    result = import_file(engine, path, source="crm-b")
    assert result.loaded == 4
    assert _count(engine, interactions) == 8


def test_bad_import_leaves_stored_rows_untouched(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, _copy("interactions_good.csv", tmp_path), source="crm")
    before = _snapshot(engine)
    hostile = _write(
        tmp_path,
        "hostile.csv",
        "external_id,channel,created_at,customer,agent,csat,body\n"
        "c-1,email,2025-01-01T00:00:00Z,mallory,Eve,1,overwritten?\n"  # same id, new values
        "c-2,chat,2024-03-04T10:00:00Z,,,9,\n"  # same id and invalid
        'c-3,"chat\n'  # broken quoting to the end of the file
        "c-4,chat,2024-03-04T10:00:00Z,,,,\n",
    )
    result = import_file(engine, hostile, source="crm")

    assert (result.loaded, result.skipped_duplicates, result.rejected) == (0, 1, 2)
    assert _snapshot(engine) == before


def test_missing_required_column_fails_before_loading(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, "nochannel.csv", "external_id,created_at\nn-1,2024-03-04T10:00:00Z\n")
    with pytest.raises(ImportFileError, match="missing required columns: channel"):
        import_file(engine, path)
    assert _count(engine, interactions) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no header line"),
        ("external_id,channel,Channel,created_at\n", "header column 'channel' is given twice"),
    ],
)
def test_unusable_header_is_a_file_error(
    engine: Engine, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        import_file(engine, _write(tmp_path, "header.csv", text))


def test_clean_import_removes_a_stale_rejects_file(engine: Engine, tmp_path: Path) -> None:
    custom = tmp_path / "out" / "rejects.csv"
    custom.parent.mkdir()
    custom.write_text("line,reason,original\n1,old,old\n", encoding="utf-8")
    result = import_file(engine, _copy("interactions_good.csv", tmp_path), reject_path=custom)
    assert result.reject_path is None
    assert not custom.exists()


def test_progress_bar_reports_bytes(engine: Engine, tmp_path: Path, capsys) -> None:
    import_file(engine, _copy("interactions_good.jsonl", tmp_path), progress=True)
    assert "Importing interactions_good.jsonl" in capsys.readouterr().err


def test_format_is_inferred_from_the_extension() -> None:
    assert infer_format(Path("a.CSV")) == "csv"
    assert infer_format(Path("a.ndjson")) == "jsonl"
    with pytest.raises(ValueError, match="pass fmt"):
        infer_format(Path("a.xlsx"))


def test_arguments_are_checked(engine: Engine, tmp_path: Path) -> None:
    path = _copy("interactions_good.csv", tmp_path)
    with pytest.raises(ValueError, match="unknown format"):
        import_file(engine, path, fmt="xml")
    with pytest.raises(ValueError, match="batch_size"):
        import_file(engine, path, batch_size=0)
    with pytest.raises(ValueError, match="must not be the input"):
        import_file(engine, path, reject_path=path)
