"""Source records and their validation into interaction rows, shared by every import format.

A reader (CSV, JSONL, an adapter such as TWCS) turns a file into `SourceRecord`s: the line it
started on, its original text, and either its fields keyed by the documented column names
(ingest/FORMATS.md) or the reason it could not be parsed. `validate_record` checks one record's
fields and returns a `ValidRow` ready for the loader, or raises `RowError` naming every problem
in the row, so a user can fix a rejected row in one go. Nothing here touches the database or a
file; the loader resolves customers and agents.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from db.schema import agents, customer_handles, interactions

T = TypeVar("T")

DIRECTIONS = ("inbound", "outbound")
PRIORITIES = ("normal", "high")
STATUSES = ("open", "pending", "resolved", "abandoned")
REQUIRED_COLUMNS = ("external_id", "channel", "created_at")
# Times that mark a later event of the contact; none may precede its arrival.
LATER_TIMES = ("first_response_at", "resolved_at", "abandoned_at")

# PostgreSQL INTEGER is 32-bit; a larger value would fail the whole batch instead of one row.
MAX_INT = 2**31 - 1
# The longest body (and any other text field) either format accepts, in characters: the same
# for CSV and JSONL (ingest/FORMATS.md).
MAX_TEXT_CHARS = 1_000_000
# Every timestamp must lie in [EARLIEST_TIME, import time + LATEST_AHEAD]. Outside it a value
# is a typo or a placeholder (0001-01-01, 9999-12-31), not an event: storing it would put a
# contact outside every period (and outside pandas' datetime64[ns] range, 1677-2262).
EARLIEST_TIME = datetime(1970, 1, 1)
LATEST_AHEAD = timedelta(days=1)
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


class RowError(ValueError):
    """A source row that cannot be loaded; the message says why, for the rejects file."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of an input file: where it started, its original text, and its fields or error."""

    line: int
    raw: str
    fields: Mapping[str, Any] | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ValidRow:
    """A validated interaction: column values plus the references the loader resolves to ids."""

    values: dict[str, Any]  # interactions columns except source, customer_id, agent_id, updated_at
    customer_handle: str | None
    customer_key: str | None
    agent_name: str | None
    agent_id: int | None


def normalise_column(name: str) -> str:
    """Column names match case-insensitively and ignore surrounding spaces."""
    return name.strip().lower()


def is_blank(value: Any) -> bool:
    """Missing, null and empty (or all-space) strings all mean "not given"."""
    return value is None or (isinstance(value, str) and not value.strip())


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and undecodable input bytes arrive as lone surrogates
    # (the readers decode with surrogateescape so the rejects file can reproduce them exactly).
    if "\x00" in text:
        raise RowError("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RowError("is not valid UTF-8") from None
    return text


def text_parser(max_length: int | None) -> Callable[[Any], str]:
    """A parser for an identifier-like text field: stripped, at most `max_length` characters."""

    def parse(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise RowError(f"must be text, not {type(value).__name__}")
        text = _storable(str(value).strip())
        if max_length is not None and len(text) > max_length:
            raise RowError(f"is longer than {max_length} characters")
        return text

    return parse


def parse_body(value: Any) -> str:
    """Free text is kept exactly as given (no stripping), up to MAX_TEXT_CHARS characters."""
    if not isinstance(value, str):
        raise RowError(f"must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT_CHARS:
        raise RowError(f"is longer than {MAX_TEXT_CHARS:,} characters ({len(value):,})")
    return _storable(value)


def choice_parser(allowed: Collection[str]) -> Callable[[Any], str]:
    """A parser accepting one of `allowed`, case-insensitively."""

    def parse(value: Any) -> str:
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in allowed:
            raise RowError(f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return text

    return parse


def parse_bool(value: Any) -> bool:
    """true/false, 1/0, yes/no (any case), or a JSON boolean."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"{value!r} is not true/false, 1/0 or yes/no")


def _number(value: Any) -> Decimal:
    # Decimal, not float: "119237.0" and 5.0 are integers, and big ids keep every digit.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise RowError(f"{value!r} is not a finite number")
    return number


def parse_integer(value: Any) -> int:
    """An integer, also written as an integral decimal ("5", 5, 5.0, "119237.0")."""
    if isinstance(value, str):
        try:
            return int(value)  # the common case, several times faster than Decimal
        except ValueError:
            pass
    number = _number(value)
    if number != number.to_integral_value():
        raise RowError(f"{value!r} is not a whole number")
    return int(number)


def range_parser(low: int, high: int) -> Callable[[Any], int]:
    """A parser for an integer between `low` and `high` inclusive."""

    def parse(value: Any) -> int:
        number = parse_integer(value)
        if not low <= number <= high:
            raise RowError(f"{number} is outside {low}..{high}")
        return number

    return parse


def parse_sentiment(value: Any) -> float:
    """A number from -1 to 1."""
    number = float(_number(value))
    if not -1.0 <= number <= 1.0:
        raise RowError(f"{value!r} is outside -1..1")
    return number


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 with an offset or Z (or an aware datetime), as a naive UTC datetime.

    A time without an offset is refused rather than guessed: the same wall-clock time means
    different instants in different centres, and a wrong guess shifts every SLA figure.
    """
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RowError(f"{value!r} is not an ISO 8601 timestamp") from None
    else:
        raise RowError(f"{value!r} is not an ISO 8601 timestamp")
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise RowError(f"{value!r} has no time zone (add Z or an offset such as +02:00)")
    try:
        return stamp.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        raise RowError(f"{value!r} is outside the accepted range") from None


def timestamp_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The accepted range of every timestamp (naive UTC): 1970-01-01 to `now` + 1 day."""
    now = now if now is not None else datetime.now(UTC).replace(tzinfo=None)
    return EARLIEST_TIME, now + LATEST_AHEAD


def _length(column: Any) -> int:
    return column.type.length


_EXTERNAL_ID = text_parser(_length(interactions.c.external_id))
_CONVERSATION = text_parser(_length(interactions.c.conversation_id))
_QUEUE = text_parser(_length(interactions.c.queue))
_TOPIC = text_parser(_length(interactions.c.topic))
_HANDLE = text_parser(_length(customer_handles.c.handle))
_AGENT_NAME = text_parser(_length(agents.c.name))
_CUSTOMER_KEY = text_parser(MAX_TEXT_CHARS)  # only used in memory, never stored
_COUNT = range_parser(0, MAX_INT)
_CSAT = range_parser(1, 5)
_AGENT_ID = range_parser(1, MAX_INT)
_DIRECTION = choice_parser(DIRECTIONS)
_PRIORITY = choice_parser(PRIORITIES)
_STATUS = choice_parser(STATUSES)


def infer_status(
    first_response_at: datetime | None, resolved_at: datetime | None, abandoned_at: datetime | None
) -> str:
    """The status a row without one gets: abandoned, else resolved, else pending when it was
    answered (waiting on the customer), else open (not answered yet).

    An answered, unresolved row is not `open`: the Floor counts an agent's `open` contacts as
    the ones they are working now, and imported history would otherwise read as current work.
    """
    if abandoned_at is not None:
        return "abandoned"
    if resolved_at is not None:
        return "resolved"
    if first_response_at is not None:
        return "pending"
    return "open"


def validate_record(
    fields: Mapping[str, Any],
    channels: Collection[str],
    *,
    bounds: tuple[datetime, datetime] | None = None,
) -> ValidRow:
    """Check one record's fields; return the row to load or raise RowError with every problem.

    `channels` are the channel ids known to the database; `bounds` the accepted range of the
    timestamps (default `timestamp_bounds()`). Unknown columns are ignored.
    """
    earliest, latest = bounds if bounds is not None else timestamp_bounds()
    problems: list[str] = []

    def field(name: str, parse: Callable[[Any], T], *, required: bool = False) -> T | None:
        value = fields.get(name)
        if is_blank(value):
            if required:
                problems.append(f"{name} is required")
            return None
        try:
            return parse(value)
        except RowError as exc:
            problems.append(f"{name} {exc}")
            return None

    values: dict[str, Any] = {
        "external_id": field("external_id", _EXTERNAL_ID, required=True),
        "channel_id": field("channel", choice_parser(channels), required=True),
        "created_at": field("created_at", parse_timestamp, required=True),
        "direction": field("direction", _DIRECTION) or "inbound",
        "is_public": bool(field("is_public", parse_bool)),
        "conversation_id": field("conversation_id", _CONVERSATION),
        "queue": field("queue", _QUEUE) or "general",
        "priority": field("priority", _PRIORITY) or "normal",
        "topic": field("topic", _TOPIC),
        "sentiment": field("sentiment", parse_sentiment),
        "reach": field("reach", _COUNT),
        "first_response_at": field("first_response_at", parse_timestamp),
        "resolved_at": field("resolved_at", parse_timestamp),
        "abandoned_at": field("abandoned_at", parse_timestamp),
        "handle_seconds": field("handle_seconds", _COUNT),
        "status": field("status", _STATUS),
        "csat": field("csat", _CSAT),
        "body": field("body", parse_body),
    }
    references = {
        "customer_handle": field("customer", _HANDLE),
        "customer_key": field("customer_id", _CUSTOMER_KEY),
        "agent_name": field("agent", _AGENT_NAME),
        "agent_id": field("agent_id", _AGENT_ID),
    }
    for name in ("created_at", *LATER_TIMES):
        stamp = values[name]
        if stamp is not None and not earliest <= stamp <= latest:
            problems.append(
                f"{name} {stamp.isoformat(sep=' ')} UTC is outside the accepted range "
                f"{earliest:%Y-%m-%d} to {latest:%Y-%m-%d %H:%M} UTC"
            )
            values[name] = None  # one reason per value, not also "before created_at"
    created_at = values["created_at"]
    for name in LATER_TIMES:
        if created_at is not None and values[name] is not None and values[name] < created_at:
            problems.append(
                f"{name} {values[name]:%Y-%m-%d %H:%M:%S} UTC is before created_at "
                f"{created_at:%Y-%m-%d %H:%M:%S} UTC"
            )
    if problems:
        raise RowError("; ".join(problems))
    if values["status"] is None:
        values["status"] = infer_status(
            values["first_response_at"], values["resolved_at"], values["abandoned_at"]
        )
    return ValidRow(values=values, **references)
