"""Column mappings (ingest/mapping.py): a telephony export's row becomes our row, hand-checked."""

from datetime import UTC, datetime

import pytest

from ingest.mapping import (
    ColumnMapping,
    MappingError,
    guess_mapping,
    localise,
    map_fields,
    map_record,
    parse_answered,
    parse_duration,
)
from ingest.validation import RowError, SourceRecord, validate_record

CHANNELS = {"phone", "chat", "email"}
# A call log as a PBX exports it: its own names, date and time apart, local times, durations.
CALL_LOG = ColumnMapping(
    columns={
        "external_id": "Call ID",
        "arrival_date": "Date",
        "arrival_time": "Time",
        "answered": "Answered",
        "wait_duration": "Wait",
        "talk_duration": "Talk",
        "agent": "Agent",
        "queue": "Queue",
    },
    channel="phone",
    timezone="Europe/London",
    date_format="%d/%m/%Y",
)


def _row(**overrides):
    row = {
        "call id": "c-1",
        "date": "04/03/2026",
        "time": "09:15:00",
        "answered": "Yes",
        "wait": "0:01:05",
        "talk": "4:30",
        "agent": "Dana",
        "queue": "billing",
    }
    row.update(overrides)
    return row


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_durations_in_seconds_m_ss_and_h_mm_ss():
    assert parse_duration("75") == 75
    assert parse_duration("75.0") == 75
    assert parse_duration("1:15") == 75
    assert parse_duration("0:01:15") == 75
    assert parse_duration("1:02:03") == 3723
    for bad in ("-5", "1:75", "abc", "1:2:3:4"):
        with pytest.raises(RowError):
            parse_duration(bad)


def test_answered_flag_words():
    assert [parse_answered(v) for v in ("Yes", "n", "TRUE", "0", "Answered", "missed")] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    with pytest.raises(RowError, match="not yes/no"):
        parse_answered("maybe")


def test_answered_call_with_separate_date_and_time_in_winter():
    fields = map_fields(_row(), CALL_LOG)
    # 4 March 2026, London is on GMT: 09:15 local = 09:15 UTC; wait 65 s, talk 270 s.
    row = validate_record(fields, CHANNELS)
    assert row.values["channel_id"] == "phone"
    assert row.values["created_at"] == datetime(2026, 3, 4, 9, 15)
    assert row.values["first_response_at"] == datetime(2026, 3, 4, 9, 16, 5)
    assert row.values["resolved_at"] == datetime(2026, 3, 4, 9, 20, 35)
    assert row.values["handle_seconds"] == 270
    assert row.values["abandoned_at"] is None
    assert row.values["status"] == "resolved"
    assert (row.agent_name, row.values["queue"]) == ("Dana", "billing")


def test_abandoned_call_gets_its_abandonment_time_and_no_answer():
    fields = map_fields(_row(answered="No", wait="0:00:40", talk="0"), CALL_LOG)
    row = validate_record(fields, CHANNELS)
    # Summer time (BST, UTC+1) starts 29 March; 4 March is still GMT.
    assert row.values["abandoned_at"] == datetime(2026, 3, 4, 9, 15, 40)
    assert row.values["first_response_at"] is None
    assert row.values["status"] == "abandoned"


def test_summer_time_is_read_in_the_chosen_zone():
    fields = map_fields(_row(date="01/07/2026"), CALL_LOG)
    # 1 July, BST: 09:15 local is 08:15 UTC.
    assert validate_record(fields, CHANNELS).values["created_at"] == datetime(2026, 7, 1, 8, 15)


def test_a_time_the_clocks_skip_is_rejected_with_the_reason():
    # 29 March 2026: London goes from 01:00 GMT straight to 02:00 BST.
    with pytest.raises(RowError, match=r"2026-03-29 01:30:00 does not exist in Europe/London"):
        map_fields(_row(date="29/03/2026", time="01:30"), CALL_LOG)


def test_a_time_the_clocks_pass_twice_is_rejected_with_the_reason():
    # 25 October 2026: 01:00-02:00 happens first in BST, then again in GMT.
    with pytest.raises(RowError, match=r"2026-10-25 01:30:00 happens twice in Europe/London"):
        map_fields(_row(date="25/10/2026", time="01:30"), CALL_LOG)


def test_an_offset_in_the_file_wins_over_the_chosen_zone():
    stamp = localise(datetime.fromisoformat("2026-10-25T01:30:00+01:00"), "Europe/London")
    assert stamp.astimezone(UTC) == _utc(2026, 10, 25, 0, 30)


def test_without_a_zone_naive_times_stay_refused_as_in_a_plain_import():
    mapping = ColumnMapping(columns={"external_id": "id", "created_at": "start"}, channel="chat")
    fields = map_fields({"id": "x", "start": "2026-03-04 09:15"}, mapping)
    with pytest.raises(RowError, match="has no time zone"):
        validate_record(fields, CHANNELS)


def test_an_answered_flag_without_a_wait_is_rejected_per_row():
    with pytest.raises(RowError, match="answered but its wait duration is empty"):
        map_fields(_row(wait=""), CALL_LOG)


def test_a_bad_row_becomes_a_reject_with_every_problem_named():
    record = SourceRecord(7, "raw text", fields=_row(date="31/02/2026", wait="soon"))
    mapped = map_record(record, CALL_LOG)
    assert mapped.fields is None and (mapped.line, mapped.raw) == (7, "raw text")
    assert "arrival_date (date) '31/02/2026' is not a date like 31/03/2024" in mapped.error
    assert "wait_duration (wait) 'soon' is not a duration" in mapped.error


def test_a_mapping_says_what_it_lacks():
    problems = ColumnMapping(columns={"answered": "ok", "arrival_date": "d"}).problems()
    assert problems == [
        "map a column to external_id (the export's id of each contact)",
        "map a column to channel or choose one channel for every row",
        "map created_at, or both a date column and a time column",
        "an answered flag needs a wait duration (or answer time) column: without it neither "
        "the answer nor the abandonment time is known",
    ]
    with pytest.raises(MappingError):
        ColumnMapping(columns={"external_id": "id"}, channel="x", timezone="Mars/Base").check()
    CALL_LOG.check()


def test_mapping_round_trips_through_json_and_our_own_format_maps_itself():
    assert ColumnMapping.from_json(CALL_LOG.to_json()) == CALL_LOG
    assert guess_mapping(["External_ID", "Channel", "Wait"]) == {
        "external_id": "External_ID",
        "channel": "Channel",
    }
