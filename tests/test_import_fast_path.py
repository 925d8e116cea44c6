"""The importer's fast path: chunk validation, the staging-table COPY on PostgreSQL, the writer
thread. What a user relies on: the same verdicts and messages as row-by-row validation,
duplicates skipped inside a batch, across batches and against stored rows, a bad row in the
middle of a batch rejected alone, a row of a month without a partition stored and counted, a
rejects file in line order, and a failure while storing stops the import with the committed
batches kept. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

import ingest.importer as importer
from db.partitions import ensure_months_ahead, is_partitioned
from db.rollups import refresh_interval_stats
from db.schema import interactions, interval_stats
from ingest.chunk_validation import validate_chunk
from ingest.importer import ImportResult, import_file
from ingest.validation import RowError, timestamp_bounds, validate_record

CHANNELS = frozenset({"phone", "chat", "email", "twitter", "facebook", "instagram"})
BOUNDS = timestamp_bounds(datetime(2026, 11, 30, 12, 0))


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(interactions)).mappings().all()
    return {row["external_id"]: dict(row) for row in rows}


def _rejects(result: ImportResult) -> list[tuple[int, str]]:
    assert result.reject_path is not None
    with result.reject_path.open(newline="", encoding="utf-8") as handle:
        return [(int(r["line"]), r["reason"]) for r in csv.DictReader(handle)]


# --- the same verdicts as validate_record -------------------------------------------------

# Values of each column, plain and odd: the chunk path must give validate_record's verdict.
VALUES: dict[str, list[Any]] = {
    "external_id": ["x-1", " padded ", 7, "", "x" * 129, "nul\x00", "bad\udce9", None],
    "channel": ["chat", " Twitter ", "fax", ["chat"], None],
    "created_at": [
        "2024-03-04T10:00:00Z",
        "2024-03-04 10:00:00.25+05:30",
        "2024-03-04T10:00:00.123456-03:30",
        "2024-03-04T10:00:00",  # no zone
        "2024-02-30T10:00:00Z",  # no such day
        "2024-W10-1T10:00:00Z",  # a week date: accepted by fromisoformat
        "1969-12-31T23:59:59Z",
        "2099-01-01T00:00:00Z",
        " 2024-03-04T10:00:00+00:00 ",
        1709546400,
        None,
    ],
    "first_response_at": ["2024-03-04T10:00:30Z", "2024-03-04T09:00:00Z", "soon", "", None],
    "direction": ["outbound", "INBOUND", "sideways", None],
    "is_public": ["yes", "0", True, "maybe", [], None],
    "csat": ["4", "4.5", "5.0", 5, "6", "0005", " 3", True, None],
    "reach": ["1200", "-1", str(2**31), "1200.0", None],
    "sentiment": ["0.25", "-1", "1.5", "nan", 0.5, "1e-1", None],
    "status": ["Resolved", "closed", None],
    "queue": ["billing", "q" * 65, None],
    "body": ['Charged twice,\n"please"\r refund', "   ", "x\x00", None],
    "customer": ["alice@example.com", "h" * 201, None],
    "agent_id": ["0", "abc", None],  # a known agent is the loader's question, not validation's
}


def _records() -> list[dict[str, Any]]:
    """Every value of every column once, among otherwise plain rows, plus a few mixtures."""
    plain = {"external_id": "p", "channel": "chat", "created_at": "2024-03-04T10:00:00Z"}
    records = []
    for column, values in VALUES.items():
        for value in values:
            record = dict(plain)
            if value is None:
                record.pop(column, None)
            else:
                record[column] = value
            records.append(record)
    columns = list(VALUES)
    for n, combo in enumerate(itertools.product(*(VALUES[c][:2] for c in columns[:6]))):
        record = dict(zip(columns[:6], combo, strict=True))
        record["external_id"] = f"combo-{n}"
        records.append(record)
    return records


def _scalar(fields: dict[str, Any]) -> Any:
    try:
        return validate_record(fields, CHANNELS, bounds=BOUNDS)
    except RowError as exc:
        return str(exc)


def test_chunk_validation_accepts_only_what_validate_record_accepts_with_the_same_values():
    records = _records()
    chunked = validate_chunk(records, CHANNELS, bounds=BOUNDS)
    assert len(chunked) == len(records)
    # An odd value leaves its own row to validate_record, not its neighbours.
    assert sum(row is not None for row in chunked) >= 50
    for fields, row in zip(records, chunked, strict=True):
        if row is not None:  # the fast path's verdict must be validate_record's, value for value
            assert row == _scalar(fields), fields


def test_chunk_validation_takes_plain_rows_itself() -> None:
    """Plain rows are built by the chunk path (the point of it), not left for row by row."""
    plain = [
        {
            "external_id": f"p-{n}",
            "channel": "chat",
            "created_at": "2024-03-04T10:00:00Z",
            "first_response_at": "2024-03-04T11:00:30+01:00" if n % 2 else "",
            "csat": str(1 + n % 5),
            "body": "hello",
            "sentiment": "-0.5",
            "is_public": "true",
        }
        for n in range(50)
    ]
    chunked = validate_chunk(plain, CHANNELS, bounds=BOUNDS)
    assert all(row is not None for row in chunked)
    assert [row.values for row in chunked] == [_scalar(f).values for f in plain]
    # An answer at 10:00:30+01:00 came before the 10:00 UTC arrival: left to validate_record.
    early = {**plain[1], "first_response_at": "2024-03-04T10:00:30+01:00"}
    assert validate_chunk([early], CHANNELS, bounds=BOUNDS) == [None]


def test_odd_values_in_a_file_get_the_row_by_row_verdicts(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "timestamp_bounds", lambda: BOUNDS)  # messages name the range
    records = _records()
    for n, record in enumerate(records):
        if isinstance(record.get("external_id"), str) and record["external_id"] in ("p", "x-1"):
            record["external_id"] = f"r-{n}"
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = import_file(engine, path)

    expected = {n + 1: _scalar(r) for n, r in enumerate(json.loads(json.dumps(records)))}
    rejected = dict(_rejects(result))
    assert rejected == {line: v for line, v in expected.items() if isinstance(v, str)}
    stored = _stored(engine)
    for line, verdict in expected.items():
        if not isinstance(verdict, str):
            row = stored[verdict.values["external_id"]]
            assert {k: row[k] for k in ("channel_id", "created_at", "status", "csat", "body")} == {
                k: verdict.values[k] for k in ("channel_id", "created_at", "status", "csat", "body")
            }, line


# --- duplicates, bad rows, partitions ------------------------------------------------------

HEADER = "external_id,channel,created_at,csat,body"


def test_duplicates_inside_a_batch_across_batches_and_stored_are_skipped(
    engine: Engine, tmp_path: Path
) -> None:
    seed = _write(tmp_path, "crm.csv", [HEADER, "s-1,chat,2024-03-01T09:00:00Z,,stored"])
    import_file(engine, seed)
    lines = [
        HEADER,
        "d-1,chat,2024-03-04T10:00:00Z,1,first",
        "d-2,chat,2024-03-04T10:01:00Z,2,",
        "d-1,chat,2024-03-04T10:00:00Z,3,same batch",  # inside the first batch of 4
        "s-1,chat,2024-03-04T11:00:00Z,4,stored with another created_at",
        "d-3,email,2024-03-04T10:02:00Z,5,",
        'd-2,chat,2024-03-04T12:00:00Z,1,"a later batch, another time"',
        "d-4,chat,2024-03-04T10:03:00Z,,",
    ]
    result = import_file(engine, _write(tmp_path, "crm.csv", lines), batch_size=4)

    assert (result.loaded, result.skipped_duplicates, result.rejected) == (4, 3, 0)
    stored = _stored(engine)
    assert sorted(stored) == ["d-1", "d-2", "d-3", "d-4", "s-1"]
    assert (stored["d-1"]["body"], stored["d-1"]["csat"]) == ("first", 1)
    assert stored["d-2"]["created_at"] == datetime(2024, 3, 4, 10, 1)
    assert stored["s-1"]["body"] == "stored"
    again = import_file(engine, _write(tmp_path, "crm.csv", lines), batch_size=4)
    assert (again.loaded, again.skipped_duplicates) == (0, 7)


def test_a_bad_row_in_the_middle_of_a_batch_is_rejected_alone(
    engine: Engine, tmp_path: Path
) -> None:
    tricky = '"comma, ""quote"", back\\slash, tab\t, é, 😀, line\nbreak"'
    lines = [HEADER] + [f"g-{n},chat,2024-03-04T10:{n:02d}:00Z,4,{tricky}" for n in range(40)]
    lines[21] = "bad-1,chat,2024-03-04T10:00:00,9,"  # the middle of the one batch
    result = import_file(engine, _write(tmp_path, "mid.csv", lines))

    assert (result.loaded, result.rejected) == (39, 1)
    [(line, reason)] = _rejects(result)
    assert line == 1 + 20 * 2 + 1  # the body's line break makes each earlier record two lines
    assert reason == (
        "created_at '2024-03-04T10:00:00' has no time zone (add Z or an offset such as +02:00); "
        "csat 9 is outside 1..5"
    )
    stored = _stored(engine)
    assert len(stored) == 39 and "bad-1" not in stored
    assert stored["g-0"]["body"] == 'comma, "quote", back\\slash, tab\t, é, 😀, line\nbreak'


def test_rejects_come_in_line_order_across_batches(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows refused while reading and rows the database refuses, over several batches stored
    by the writer thread, are written in the order of the file."""
    real = importer.enrich_values

    def refused_by_the_database(values, taxonomy):
        enriched = real(values, taxonomy)
        if values["external_id"] in ("g-4", "g-9"):
            enriched["status"] = "teleported"  # breaks the status CHECK constraint
        return enriched

    monkeypatch.setattr(importer, "enrich_values", refused_by_the_database)
    lines = [HEADER] + [f"g-{n},chat,2024-03-04T10:{n:02d}:00Z,4," for n in range(14)]
    for n in (3, 7, 12):  # lines 4, 8 and 13 of the file
        lines[n] = f"v-{n},chat,yesterday,,"
    result = import_file(engine, _write(tmp_path, "order.csv", lines), batch_size=3)

    assert (result.loaded, result.rejected) == (9, 5)
    rejects = _rejects(result)
    # g-4 (line 6) is stored in the batch during whose reading line 8 was refused.
    assert [line for line, _ in rejects] == [4, 6, 8, 11, 13]
    assert rejects[1][1].startswith("the database refused the row")
    assert rejects[2][1] == "created_at 'yesterday' is not an ISO 8601 timestamp"


@pytest.mark.parametrize("batch_size", [10_000, 2])
def test_a_row_of_a_month_without_a_partition_is_stored_and_counted(
    engine: Engine, tmp_path: Path, batch_size: int
) -> None:
    lines = [
        HEADER,
        "old-1,chat,2019-05-06T10:00:00Z,5,",  # no partition for May 2019
        "old-2,chat,2019-05-06T10:05:00Z,,",
        "new-1,chat,2026-11-30T10:00:00Z,,",
    ]
    path = _write(tmp_path, "history.csv", lines)
    result = import_file(engine, path, batch_size=batch_size)

    assert (result.loaded, result.rejected) == (3, 0)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(interactions))
        partitioned = is_partitioned(conn)
        partitions = text("SELECT external_id, tableoid::regclass::text FROM interactions")
        where = dict(conn.execute(partitions).tuples().all()) if partitioned else {}
    assert count == 3
    if partitioned:
        assert where["old-1"] == where["old-2"] == "interactions_default"
        assert where["new-1"] == "interactions_y2026m11"
    again = import_file(engine, path, batch_size=batch_size)
    assert (again.loaded, again.skipped_duplicates) == (0, 3)
    # The refresh gives May 2019 its partition and counts both contacts.
    ensure_months_ahead(engine)
    refresh_interval_stats(engine, full=True)
    with engine.connect() as conn:
        offered = conn.scalar(
            select(func.sum(interval_stats.c.offered)).where(
                interval_stats.c.interval_start < datetime(2020, 1, 1)
            )
        )
        if partitioned:
            moved = conn.scalar(
                text(
                    "SELECT tableoid::regclass::text FROM interactions WHERE external_id = 'old-1'"
                )
            )
            assert moved == "interactions_y2019m05"
    assert offered == 2


def test_a_failure_while_storing_stops_the_import_and_keeps_committed_batches(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer._store_batch
    calls = itertools.count()

    def connection_lost_on_the_second_batch(conn, batch, source, references):
        if next(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(conn, batch, source, references)

    monkeypatch.setattr(importer, "_store_batch", connection_lost_on_the_second_batch)
    lines = [HEADER] + [f"k-{n},chat,2024-03-04T10:{n:02d}:00Z,," for n in range(9)]
    path = _write(tmp_path, "lost.csv", lines)
    with pytest.raises(OperationalError, match="server closed the connection"):
        import_file(engine, path, batch_size=3)
    assert sorted(_stored(engine)) == ["k-0", "k-1", "k-2"]

    monkeypatch.setattr(importer, "_store_batch", real)
    rerun = import_file(engine, path, batch_size=3)
    assert (rerun.loaded, rerun.skipped_duplicates) == (6, 3)
