"""Column mappings: turn a foreign export's rows into the importer's own rows (pure).

A telephony or helpdesk export has its own column names and its own way of saying what happened
to a contact: an "answered" yes/no flag instead of timestamps, wait and talk durations in
seconds or h:mm:ss, the date and the time in separate columns, local times without an offset.
A `ColumnMapping` names, for each of our fields, the export's column that holds it, plus a
fixed channel, the time zone of times written without an offset and the date format.
`map_record` applies it to one `SourceRecord` and returns a record keyed by the documented
column names (ingest/FORMATS.md), so the importer's validation, duplicate skipping and rejects
apply unchanged. A row the mapping cannot read comes back with the reason (the importer
rejects it with its line and original text); nothing is guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.validation import (
    REQUIRED_COLUMNS,
    RowError,
    SourceRecord,
    is_blank,
    normalise_column,
    parse_bool,
)

# Our fields an export's columns can be mapped to, beyond the documented columns: the arrival
# as a date and a time in two columns, and the telephony outcome as a flag and durations.
ARRIVAL_DATE = "arrival_date"
ARRIVAL_TIME = "arrival_time"
ANSWERED = "answered"
WAIT = "wait_duration"
TALK = "talk_duration"
EXTRA_FIELDS = (ARRIVAL_DATE, ARRIVAL_TIME, ANSWERED, WAIT, TALK)
# The documented columns (ingest/FORMATS.md) a column can be mapped to, straight through.
DIRECT_FIELDS = (
    "external_id",
    "channel",
    "created_at",
    "direction",
    "is_public",
    "conversation_id",
    "customer",
    "customer_id",
    "agent",
    "agent_id",
    "queue",
    "priority",
    "topic",
    "sentiment",
    "reach",
    "first_response_at",
    "resolved_at",
    "abandoned_at",
    "handle_seconds",
    "status",
    "csat",
    "body",
)
TARGETS = DIRECT_FIELDS + EXTRA_FIELDS
TIMESTAMP_FIELDS = ("created_at", "first_response_at", "resolved_at", "abandoned_at")
# Date formats offered for a date column (and the date part of a timestamp column).
DATE_FORMATS = {
    "%Y-%m-%d": "2024-03-31 (ISO)",
    "%d/%m/%Y": "31/03/2024 (day first)",
    "%m/%d/%Y": "03/31/2024 (month first)",
    "%d.%m.%Y": "31.03.2024",
}
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f")
_ANSWERED_WORDS = {"answered": True, "abandoned": False, "missed": False, "unanswered": False}


class MappingError(ValueError):
    """A mapping that cannot be applied; the message lists every problem."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which export column feeds each of our fields, and how to read times.

    `columns` maps a target (TARGETS) to the export's column name (matched like the importer
    matches columns: case-insensitively, surrounding spaces ignored). `channel` is the channel
    of every row when no column is mapped to `channel`; `timezone` the IANA zone of times
    written without an offset (None: such times are refused, as in a plain import);
    `date_format` the strptime format of the date column.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    channel: str | None = None
    timezone: str | None = None
    date_format: str = "%Y-%m-%d"

    def __post_init__(self) -> None:
        cleaned = {t: normalise_column(c) for t, c in self.columns.items() if c and c.strip()}
        object.__setattr__(self, "columns", cleaned)

    def problems(self) -> list[str]:
        """Why this mapping cannot import anything (empty when it can)."""
        found = [f"unknown field {t!r}" for t in self.columns if t not in TARGETS]
        if "external_id" not in self.columns:
            found.append("map a column to external_id (the export's id of each contact)")
        if "channel" not in self.columns and not self.channel:
            found.append("map a column to channel or choose one channel for every row")
        has_date = ARRIVAL_DATE in self.columns or ARRIVAL_TIME in self.columns
        if "created_at" in self.columns and has_date:
            found.append("map the arrival either as one timestamp or as a date and a time")
        elif "created_at" not in self.columns and not (
            ARRIVAL_DATE in self.columns and ARRIVAL_TIME in self.columns
        ):
            found.append("map created_at, or both a date column and a time column")
        if ANSWERED in self.columns and not {WAIT, "first_response_at"} & set(self.columns):
            found.append(
                "an answered flag needs a wait duration (or answer time) column: without it "
                "neither the answer nor the abandonment time is known"
            )
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                found.append(f"unknown time zone {self.timezone!r}")
        if self.date_format not in DATE_FORMATS:
            found.append(f"unknown date format {self.date_format!r}")
        return found

    def check(self) -> None:
        """Raise MappingError naming every problem of this mapping."""
        problems = self.problems()
        if problems:
            raise MappingError("; ".join(problems))

    def source_columns(self) -> list[str]:
        """The export's columns this mapping reads, each once (a header must hold them all)."""
        return list(dict.fromkeys(self.columns.values()))

    def to_json(self) -> str:
        return json.dumps(
            {
                "columns": dict(sorted(self.columns.items())),
                "channel": self.channel,
                "timezone": self.timezone,
                "date_format": self.date_format,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        data = json.loads(text)
        return cls(
            columns=data.get("columns", {}),
            channel=data.get("channel"),
            timezone=data.get("timezone"),
            date_format=data.get("date_format", "%Y-%m-%d"),
        )


def guess_mapping(columns: Iterable[str]) -> dict[str, str]:
    """Targets whose documented name is one of `columns` (an export in our own format)."""
    names = {normalise_column(c): c for c in columns}
    return {target: names[target] for target in TARGETS if target in names}


# --- Values ----------------------------------------------------------------------------------


def parse_duration(value: Any) -> int:
    """Whole seconds from `75`, `75.0`, `1:15` (m:ss) or `0:01:15` / `1:02:03` (h:mm:ss)."""
    text = str(value).strip()
    parts = text.split(":")
    try:
        if len(parts) == 1:
            seconds = float(text)
        elif len(parts) in (2, 3):
            numbers = [float(p) for p in parts]
            if any(n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
                raise ValueError
            seconds = sum(n * 60**i for i, n in enumerate(reversed(numbers)))
        else:
            raise ValueError
    except ValueError:
        raise RowError(f"{value!r} is not a duration (seconds, m:ss or h:mm:ss)") from None
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        raise RowError(f"{value!r} is not a duration of zero seconds or more")
    return round(seconds)


def parse_answered(value: Any) -> bool:
    """yes/no, true/false, 1/0 (any case), or answered / abandoned / missed."""
    if isinstance(value, str) and value.strip().lower() in _ANSWERED_WORDS:
        return _ANSWERED_WORDS[value.strip().lower()]
    try:
        return parse_bool(value)
    except RowError:
        raise RowError(f"{value!r} is not yes/no, true/false, 1/0 or answered/abandoned") from None


def _parse_time_of_day(value: Any) -> timedelta:
    text = str(value).strip()
    for fmt in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return timedelta(
            hours=moment.hour,
            minutes=moment.minute,
            seconds=moment.second,
            microseconds=moment.microsecond,
        )
    raise RowError(f"{value!r} is not a time of day (HH:MM or HH:MM:SS)")


def _parse_date(value: Any, date_format: str) -> datetime:
    try:
        return datetime.strptime(str(value).strip(), date_format)
    except ValueError:
        example = DATE_FORMATS.get(date_format, date_format).split(" ")[0]
        raise RowError(f"{value!r} is not a date like {example}") from None


def _parse_wall_clock(value: Any, date_format: str) -> datetime:
    """A timestamp column: ISO 8601 (with or without offset) or `<date format> HH:MM[:SS]`."""
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    day, _, clock = text.partition(" ")
    if clock:
        try:
            return _parse_date(day, date_format) + _parse_time_of_day(clock)
        except RowError:
            pass
    raise RowError(f"{value!r} is not a timestamp (ISO 8601 or the date format and HH:MM:SS)")


def localise(wall: datetime, timezone: str | None) -> datetime:
    """`wall` as an aware datetime: kept if it has an offset, else read in `timezone`.

    A local time the clocks skip (spring forward) does not exist and one they pass twice (fall
    back) is two instants: both are refused with the reason rather than guessed. Without a
    zone a naive time stays naive, and validation refuses it as it does in a plain import.
    """
    if wall.tzinfo is not None or not timezone:
        return wall
    zone = ZoneInfo(timezone)
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    stamp = f"{wall:%Y-%m-%d %H:%M:%S}"
    if round_trip != wall:
        raise RowError(
            f"{stamp} does not exist in {timezone} (the clocks went forward at that hour)"
        )
    raise RowError(
        f"{stamp} happens twice in {timezone} (the clocks went back at that hour); "
        "give this time with its offset"
    )


# --- Rows ------------------------------------------------------------------------------------


def map_fields(fields: Mapping[str, Any], mapping: ColumnMapping) -> dict[str, Any]:
    """One export row's fields as the importer's fields; raises RowError naming every problem."""
    problems: list[str] = []

    def value(target: str) -> Any:
        column = mapping.columns.get(target)
        found = fields.get(column) if column else None
        return None if is_blank(found) else found

    def read(target: str, parse: Any, *args: Any) -> Any:
        raw = value(target)
        if raw is None:
            return None
        try:
            return parse(raw, *args)
        except RowError as exc:
            problems.append(f"{target} ({mapping.columns[target]}) {exc}")
            return None

    out: dict[str, Any] = {t: value(t) for t in DIRECT_FIELDS if t in mapping.columns}
    if "channel" not in mapping.columns:
        out["channel"] = mapping.channel
    for target in TIMESTAMP_FIELDS:
        wall = read(target, _parse_wall_clock, mapping.date_format)
        if wall is not None:
            out[target] = _localised(wall, mapping, target, problems)
    if ARRIVAL_DATE in mapping.columns:
        day = read(ARRIVAL_DATE, _parse_date, mapping.date_format)
        clock = read(ARRIVAL_TIME, lambda v: _parse_time_of_day(v))
        if value(ARRIVAL_DATE) is None or value(ARRIVAL_TIME) is None:
            missing = ARRIVAL_DATE if value(ARRIVAL_DATE) is None else ARRIVAL_TIME
            problems.append(f"{missing} ({mapping.columns[missing]}) is required")
        elif day is not None and clock is not None:
            out["created_at"] = _localised(day + clock, mapping, "created_at", problems)
    answered = read(ANSWERED, parse_answered)
    wait = read(WAIT, parse_duration)
    talk = read(TALK, parse_duration)
    if ANSWERED in mapping.columns and value(ANSWERED) is None and not problems:
        problems.append(f"answered ({mapping.columns[ANSWERED]}) is required")
    if problems:
        raise RowError("; ".join(problems))
    has_flag = ANSWERED in mapping.columns
    _apply_outcome(out, answered=answered, wait=wait, talk=talk, has_flag=has_flag)
    return out


def _localised(wall: datetime, mapping: ColumnMapping, target: str, problems: list[str]) -> Any:
    try:
        return localise(wall, mapping.timezone)
    except RowError as exc:
        problems.append(f"{target} {exc}")
        return None


def _apply_outcome(
    out: dict[str, Any],
    *,
    answered: bool | None,
    wait: int | None,
    talk: int | None,
    has_flag: bool,
) -> None:
    """Turn the flag and durations into our timestamps, never overriding a mapped timestamp.

    Answered (or no flag at all) with a wait: first response = arrival + wait; resolved =
    answer + talk. Not answered: abandoned = arrival + wait. Talk is the handle time.
    """
    created = out.get("created_at")
    if talk is not None and out.get("handle_seconds") is None:
        out["handle_seconds"] = talk
    if created is None or not isinstance(created, datetime):
        return
    if has_flag and answered is False:
        if wait is None and out.get("abandoned_at") is None:
            raise RowError("the contact was not answered but its wait duration is empty")
        if out.get("abandoned_at") is None:
            out["abandoned_at"] = created + timedelta(seconds=wait)
        out.pop("first_response_at", None)
        return
    if has_flag and wait is None and out.get("first_response_at") is None:
        raise RowError("the contact was answered but its wait duration is empty")
    if wait is not None and out.get("first_response_at") is None:
        out["first_response_at"] = created + timedelta(seconds=wait)
    answer = out.get("first_response_at")
    if talk is not None and out.get("resolved_at") is None and isinstance(answer, datetime):
        out["resolved_at"] = answer + timedelta(seconds=talk)


def map_record(record: SourceRecord, mapping: ColumnMapping) -> SourceRecord:
    """`record` with its fields mapped to ours, or with the reason it cannot be mapped."""
    if record.fields is None:
        return record
    try:
        return SourceRecord(record.line, record.raw, fields=map_fields(record.fields, mapping))
    except RowError as exc:
        return SourceRecord(record.line, record.raw, error=str(exc))


def map_records(records: Iterable[SourceRecord], mapping: ColumnMapping) -> Iterable[SourceRecord]:
    """Every record mapped (see `map_record`), lazily: a file is never held in memory."""
    return (map_record(record, mapping) for record in records)


def required_source_columns(mapping: ColumnMapping) -> list[str]:
    """The export columns a CSV header must hold for this mapping: those of the required
    fields (external_id, channel, the arrival) and every other mapped one."""
    required = [*REQUIRED_COLUMNS, ARRIVAL_DATE, ARRIVAL_TIME]
    first = [mapping.columns[t] for t in required if t in mapping.columns]
    return list(dict.fromkeys([*first, *mapping.source_columns()]))
