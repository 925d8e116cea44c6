"""Hostile and clumsy input to the importer (issue 9, "Input that breaks the data path").

Each test feeds the importer what a real export or an attacker can produce and checks what a
user gets: every good row stored, every bad row in the rejects file with its line and reason,
and a re-import that adds nothing — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

import ingest.importer as importer
from db.rollups import refresh_interval_stats
from db.schema import agents, customers, interactions
from db.threads import mark_thread_starts
from ingest.importer import ImportResult, import_file
from ingest.simulator import run_tick
from ingest.validation import MAX_TEXT_CHARS
from queries import floor
from queries.breaches import breaches
from queries.service_level import frt_values, service_level_counts
from tests.builders import interaction

HEADER = "external_id,channel,created_at,first_response_at,customer,customer_id,agent,body"


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rejects(result: ImportResult) -> dict[int, str]:
    assert result.reject_path is not None
    with result.reject_path.open(newline="", encoding="utf-8") as handle:
        return {int(row["line"]): row["reason"] for row in csv.DictReader(handle)}


def _stored(engine: Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(interactions)).mappings().all()
    return {row["external_id"]: dict(row) for row in rows}


def _count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def _good(n: int) -> str:
    return f"g-{n},chat,2024-03-04T10:{n // 60:02d}:{n % 60:02d}Z,,,,,good row {n}"


# --- 9.1 one row never takes its neighbours with it ------------------------------------------

BAD_TIMES = {
    # line in the file -> (row, what the reason must say)
    2: ("bad-1,chat,0001-01-01T00:00:00+05:00,,,,,before year 1 in UTC", "outside the accepted"),
    76: ("bad-2,chat,2024-03-04T10:00:00Z,9999-12-31T23:59:59Z,,,,never", "first_response_at"),
    150: (
        "bad-3,chat,9999-12-31T23:59:59-05:00,,,,,after year 9999 in UTC",
        "outside the accepted",
    ),
    151: ("bad-4,chat,1969-12-31T23:59:59Z,,,,,before 1970", "created_at 1969-12-31 23:59:59"),
}


@pytest.mark.parametrize("batch_size", [1000, 10])
def test_rows_with_impossible_times_are_rejected_alone(
    engine: Engine, tmp_path: Path, batch_size: int
) -> None:
    lines = [HEADER] + [_good(n) for n in range(147)]
    for line, (row, _) in sorted(BAD_TIMES.items()):
        lines.insert(line - 1, row)
    result = import_file(engine, _write(tmp_path, "times.csv", lines), batch_size=batch_size)

    assert (result.loaded, result.rejected) == (147, 4)
    assert len(_stored(engine)) == 147
    reasons = _rejects(result)
    assert sorted(reasons) == sorted(BAD_TIMES)
    for line, (_, words) in BAD_TIMES.items():
        assert words in reasons[line]


def test_a_row_the_database_refuses_is_rejected_alone(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation is the first line of defence; should a row pass it and still break a
    constraint, its batch is stored row by row and only that row is rejected."""
    real = importer.enrich_values

    # Every valid row passes here on its way to the database, however it was validated.
    def letting_a_bad_status_through(values, taxonomy):
        enriched = real(values, taxonomy)
        if values["external_id"] == "g-5":
            enriched["status"] = "teleported"  # breaks the status CHECK constraint
        return enriched

    monkeypatch.setattr(importer, "enrich_values", letting_a_bad_status_through)
    lines = [HEADER] + [_good(n) for n in range(10)]
    result = import_file(engine, _write(tmp_path, "refused.csv", lines))
    assert (result.loaded, result.rejected) == (9, 1)
    assert "g-5" not in _stored(engine)
    assert _rejects(result)[7].startswith("the database refused the row")


# --- 9.2 a stated range ------------------------------------------------------------------------


def test_times_are_accepted_from_1970_to_a_day_ahead(engine: Engine, tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    soon = (now + timedelta(hours=23)).isoformat()
    late = (now + timedelta(days=1, hours=1)).isoformat()
    lines = [
        HEADER,
        "epoch,chat,1970-01-01T00:00:00Z,1970-01-01T00:01:00Z,,,,first second accepted",
        f"soon,chat,{soon},,,,,within a day ahead",
        f"late,chat,{late},,,,,more than a day ahead",
        f"late-reply,chat,2024-03-04T10:00:00Z,{late},,,,reply more than a day ahead",
    ]
    result = import_file(engine, _write(tmp_path, "range.csv", lines))
    assert sorted(_stored(engine)) == ["epoch", "soon"]
    reasons = _rejects(result)
    assert sorted(reasons) == [4, 5]
    assert reasons[4].startswith("created_at") and "outside the accepted range" in reasons[4]
    assert reasons[5].startswith("first_response_at") and "1970-01-01 to" in reasons[5]


# --- 9.3 a re-import stores nothing new -------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1000, 1])
def test_reimport_stores_no_row_the_first_import_rejected(
    engine: Engine, tmp_path: Path, batch_size: int
) -> None:
    seed = _write(tmp_path, "seed.csv", [HEADER, "s-1,twitter,2024-03-01T09:00:00Z,,@bob,,,"])
    import_file(engine, seed)
    lines = [
        HEADER,
        # CRM-7 is Alice (a new customer) ...
        "a-1,email,2024-03-04T09:00:00Z,,alice@example.com,CRM-7,,",
        # ... so @bob, stored for another customer, cannot be CRM-7 too: rejected.
        "a-2,twitter,2024-03-04T09:05:00Z,,@bob,CRM-7,,",
    ]
    path = _write(tmp_path, "crm.csv", lines)
    first = import_file(engine, path, batch_size=batch_size)
    assert (first.loaded, first.rejected) == (1, 1)
    assert "belongs to another customer" in _rejects(first)[3]

    again = import_file(engine, path, batch_size=batch_size)
    assert (again.loaded, again.skipped_duplicates, again.rejected) == (0, 1, 1)
    assert sorted(_stored(engine)) == ["a-1", "s-1"]


# --- 9.4 repeated JSON keys ----------------------------------------------------------------------


def test_jsonl_object_with_a_repeated_key_is_refused(engine: Engine, tmp_path: Path) -> None:
    lines = [
        '{"external_id": "j-1", "channel": "chat", "created_at": "2024-03-04T10:00:00Z"}',
        '{"external_id": "j-2", "channel": "chat", "channel": "phone", '
        '"created_at": "2024-03-04T10:00:00Z"}',
        '{"external_id": "j-3", "channel": "chat", "Channel": "phone", '
        '"created_at": "2024-03-04T10:00:00Z"}',
    ]
    result = import_file(engine, _write(tmp_path, "keys.jsonl", lines))
    assert sorted(_stored(engine)) == ["j-1"]
    assert _rejects(result) == {
        2: "key 'channel' is given twice in one JSON object",
        3: "column 'channel' is given twice",
    }


# --- 9.5 no ghost agents -----------------------------------------------------------------------


def test_agents_are_created_only_for_stored_rows(engine: Engine, tmp_path: Path) -> None:
    seed = _write(tmp_path, "seed.csv", [HEADER, "s-1,twitter,2024-03-01T09:00:00Z,,@bob,,,"])
    import_file(engine, seed)
    with engine.connect() as conn:
        before = set(conn.scalars(select(agents.c.name)))
    lines = [
        HEADER,
        "k-1,email,2024-03-04T09:00:00Z,,alice@example.com,CRM-7,Ann Real,",
        # Rejected (customer conflict): its agent must not appear.
        "k-2,twitter,2024-03-04T09:05:00Z,,@bob,CRM-7,Gus Ghost,",
        # Repeats k-1 within the file with another agent: a duplicate, no agent.
        "k-1,email,2024-03-04T09:00:00Z,,alice@example.com,CRM-7,Dup Ghost,",
        # Repeats the stored s-1: a duplicate, no agent.
        "s-1,twitter,2024-03-01T09:00:00Z,,@bob,,Old Ghost,",
    ]
    result = import_file(engine, _write(tmp_path, "seed.csv", lines))
    assert (result.loaded, result.skipped_duplicates, result.rejected) == (1, 2, 1)
    with engine.connect() as conn:
        assert set(conn.scalars(select(agents.c.name))) - before == {"Ann Real"}
    assert _count(engine, customers) == 2  # @bob's and Alice's, none for the rejected row


# --- 9.6 one documented text limit for both formats -------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_long_bodies_load_up_to_the_limit_in_both_formats(
    engine: Engine, tmp_path: Path, fmt: str
) -> None:
    bodies = {"at-limit": "x" * MAX_TEXT_CHARS, "over": "y" * (MAX_TEXT_CHARS + 1)}
    bodies["csv-default-limit"] = "z" * 131_073  # over the csv module's own default
    rows = [
        {"external_id": key, "channel": "email", "created_at": "2024-03-04T10:00:00Z", "body": b}
        for key, b in bodies.items()
    ]
    path = tmp_path / f"long.{fmt}"
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = import_file(engine, path)

    stored = _stored(engine)
    assert sorted(stored) == ["at-limit", "csv-default-limit"]
    assert stored["at-limit"]["body"] == bodies["at-limit"]
    over_line = 3 if fmt == "csv" else 2
    assert _rejects(result) == {over_line: "body is longer than 1,000,000 characters (1,000,001)"}


# --- 9.2 one stored row outside pandas' range fails no page ------------------------------------

NOW = datetime(2026, 11, 26, 11, 0)  # a Thursday, 11:00 UTC
LONDON = "Europe/London"


def _out_of_range_rows() -> list[dict]:
    """Rows another writer could store directly, beyond pandas' datetime64[ns] (1677-2262)."""
    far, ancient = datetime(9999, 12, 31, 23, 0), datetime(1, 1, 1, 0, 0)
    return [
        interaction(far, external_id="arrives-in-9999", updated_at=NOW),
        interaction(ancient, external_id="arrived-in-year-1", updated_at=NOW),
        interaction(NOW - timedelta(hours=1), external_id="answered-in-9999")
        | {"first_response_at": far, "resolved_at": far, "status": "resolved", "updated_at": NOW},
        interaction(NOW - timedelta(hours=2), external_id="resolved-in-9999", channel_id="twitter")
        | {"resolved_at": far, "status": "resolved", "is_public": True, "sentiment": -0.9},
        interaction(NOW - timedelta(minutes=30), frt=30, external_id="normal", topic="billing"),
    ]


def test_a_stored_row_outside_pandas_range_breaks_no_reader(engine: Engine) -> None:
    with engine.begin() as conn:
        for row in _out_of_range_rows():  # one by one: their optional fields differ
            conn.execute(interactions.insert(), row)
        mark_thread_starts(conn)
    day = (datetime(2026, 11, 26), datetime(2026, 11, 27))

    refresh_interval_stats(engine, full=True)
    refresh_interval_stats(engine)
    run_tick(engine, NOW, np.random.default_rng(5), tick_seconds=60.0)
    refresh_interval_stats(engine)

    window = {"start": day[0], "end": day[1], "tz": LONDON, "now": NOW, "group_by": "channel"}
    by_source = {}
    for source in ("rollup", "raw", "rows"):
        frame = service_level_counts(engine=engine, granularity="day", source=source, **window)
        by_source[source] = frame.set_index("group_key")["offered"].to_dict()
    assert by_source["rollup"] == by_source["raw"] == by_source["rows"]
    frt = frt_values(engine=engine, start=day[0], end=day[1], group_by="channel", now=NOW)
    listed = breaches(engine=engine, start=day[0], end=day[1], tz=LONDON, now=NOW)
    assert _id(engine, "answered-in-9999") in set(listed["id"])  # answered far too late
    assert len(frt) >= 2

    floor.todays_service_level(engine=engine, start=day[0], end=day[1], tz=LONDON, now=NOW)
    floor.offered_per_interval(engine=engine, ranges=[day])
    floor.first_interval(engine=engine)
    floor.handle_time_by_channel(engine=engine, start=day[0], end=day[1])
    floor.open_unanswered(engine=engine, now=NOW)
    floor.negative_public_posts(engine=engine, now=NOW)
    floor.latest_agent_states(engine=engine, now=NOW)
    floor.topic_counts_in_windows(engine=engine, windows=[day])
    floor.channel_policies(engine=engine, at=NOW)


def _id(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        query = select(interactions.c.id).where(interactions.c.external_id == external_id)
        return conn.scalar(query)
