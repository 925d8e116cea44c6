"""Validation of a whole chunk of records at once, column by column, with exactly the verdicts
and messages of `validate_record`.

Most rows of a real export are plainly valid: every value in its usual spelling (text without a
NUL, a timestamp like 2024-03-04T10:00:00Z, a known channel). `validate_chunk` checks each
column for the whole chunk in one pass (timestamps with numpy) and builds the rows whose every
value passes straight from the columns. Every other row — a value in a rarer spelling (a JSON
number as an id, `5.0` as a whole number, a week date), a problem, an odd type — is left to
`validate_record` (ingest/validation.py), row by row, so a rejected row gets the same reasons,
and a row in an unusual but accepted spelling the same values, as before. The fast path only
ever accepts what `validate_record` accepts, with the same values; it never rejects anything.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from db.schema import agents, customer_handles, interactions
from ingest.validation import (
    _FALSE,
    _TRUE,
    LATER_TIMES,
    MAX_INT,
    MAX_TEXT_CHARS,
    ValidRow,
    timestamp_bounds,
)

# The usual ISO 8601 spelling, with its fields in range: fromisoformat accepts every string
# this matches except an impossible day of the month (2024-02-30), which numpy refuses too.
# Anything else (week dates, basic format, a missing zone) is left to validate_record.
_ISO = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
)
# A plain decimal: float(text) equals float(Decimal(text)), validate_record's reading.
_DECIMAL = re.compile(r"-?\d{1,3}(?:\.\d{1,17})?")
_MAX_INT_DIGITS = len(str(MAX_INT))

# A column parse: values (None where blank) -> (parsed values, accepted mask).
ColumnCheck = Callable[[list[Any]], tuple[list[Any], np.ndarray]]


def _blank_to_none(values: list[Any]) -> list[Any]:
    """None for every blank value (None, '', all spaces), as `is_blank` decides."""
    return [None if v is None or (type(v) is str and not v.strip()) else v for v in values]


def _clean_texts(texts: list[str]) -> np.ndarray:
    """Per text: storable (no NUL, valid UTF-8); one pass over the whole column when clean."""
    joined = "".join(texts)
    if "\x00" not in joined and _encodes(joined):
        return np.ones(len(texts), dtype=bool)
    return np.fromiter(
        ("\x00" not in t and _encodes(t) for t in texts), dtype=bool, count=len(texts)
    )


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(max_length: int, *, strip: bool = True) -> ColumnCheck:
    """Text columns: a str (ints and other types are left to validate_record)."""

    def check(values: list[Any]) -> tuple[list[Any], np.ndarray]:
        parsed = [v.strip() if strip and type(v) is str else v for v in values]
        is_text = [type(v) is str for v in parsed]
        texts = [v for v, ok in zip(parsed, is_text, strict=True) if ok]
        ok = np.array([v is None or ok for v, ok in zip(parsed, is_text, strict=True)], bool)
        if texts:
            good = _clean_texts(texts) & np.fromiter(
                (len(t) <= max_length for t in texts), dtype=bool, count=len(texts)
            )
            ok[np.flatnonzero(is_text)] = good
        return parsed, ok

    return check


def _choice(allowed: Collection[str]) -> ColumnCheck:
    def check(values: list[Any]) -> tuple[list[Any], np.ndarray]:
        parsed = [v.strip().lower() if type(v) is str else v for v in values]
        ok = np.array([v is None or (type(v) is str and v in allowed) for v in parsed], bool)
        return parsed, ok

    return check


def _boolean(values: list[Any]) -> tuple[list[Any], np.ndarray]:
    words = [v.strip().lower() if type(v) is str else v for v in values]
    # Only str and bool reach the set lookups: a JSON list or object is not hashable.
    parsed = [
        w if type(w) is not str else True if w in _TRUE else False if w in _FALSE else None
        for w in words
    ]
    ok = np.array(
        [
            w is None or type(w) is bool or (type(w) is str and (w in _TRUE or w in _FALSE))
            for w in words
        ],
        dtype=bool,
    )
    return parsed, ok


def _integer(low: int, high: int) -> ColumnCheck:
    """Whole numbers written as plain digits (or JSON integers) within [low, high]."""

    def check(values: list[Any]) -> tuple[list[Any], np.ndarray]:
        parsed = [
            int(v)
            if type(v) is str and v.isascii() and v.isdigit() and len(v) <= _MAX_INT_DIGITS
            else v
            for v in values
        ]
        ok = np.array([v is None or (type(v) is int and low <= v <= high) for v in parsed], bool)
        return parsed, ok

    return check


def _sentiment(values: list[Any]) -> tuple[list[Any], np.ndarray]:
    parsed = [
        float(v) if type(v) is str and _DECIMAL.fullmatch(v) else v if type(v) is float else None
        for v in values
    ]
    ok = np.array(
        [
            v is None or (p is not None and -1.0 <= p <= 1.0)
            for v, p in zip(values, parsed, strict=True)
        ],
        dtype=bool,
    )
    return parsed, ok


def _timestamps(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """UTC instants (datetime64[us], NaT where blank or not accepted) and the accepted mask."""
    count = len(values)
    stamps = np.full(count, np.datetime64("NaT"), dtype="datetime64[us]")
    ok = np.array([v is None for v in values], dtype=bool)
    texts = [v.strip() if type(v) is str else "" for v in values]
    where = [n for n, text in enumerate(texts) if _ISO.fullmatch(text)]
    if not where:
        return stamps, ok
    matched = [texts[n] for n in where]
    local = [t[:-1] if t[-1] == "Z" else t[:-6] for t in matched]
    try:
        parsed = np.array(local, dtype="datetime64[us]")
    except ValueError:  # an impossible date (2024-02-30) somewhere: find it, leave it out
        days = [_day(text) for text in local]
        where = [n for n, day in zip(where, days, strict=True) if not np.isnat(day)]
        matched = [t for t, day in zip(matched, days, strict=True) if not np.isnat(day)]
        parsed = np.array([day for day in days if not np.isnat(day)], dtype="datetime64[us]")
        if not where:
            return stamps, ok
    if not all(t[-1] == "Z" for t in matched):
        minutes = [
            0 if t[-1] == "Z" else (int(t[-5:-3]) * 60 + int(t[-2:])) * (-1 if t[-6] == "-" else 1)
            for t in matched
        ]
        parsed = parsed - np.array(minutes, dtype="timedelta64[m]")
    index = np.array(where)
    stamps[index] = parsed
    ok[index] = True
    return stamps, ok


class _AllNone(Sequence[Any]):
    """An endless column of None (zip stops at the chunk's real columns)."""

    def __getitem__(self, index: Any) -> None:
        return None

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _day(text: str) -> np.datetime64:
    """`text` (a local time the _ISO pattern matched) as datetime64, NaT if no such date."""
    try:
        return np.datetime64(text, "us")
    except ValueError:
        return np.datetime64("NaT")


def _length(column: Any) -> int:
    return column.type.length


# (row key, source column, check, required); the times are handled apart.
_VALUES: tuple[tuple[str, str, ColumnCheck | None, bool], ...] = (
    ("external_id", "external_id", _text(_length(interactions.c.external_id)), True),
    ("channel_id", "channel", None, True),  # the known channels, given per call
    ("direction", "direction", _choice(("inbound", "outbound")), False),
    ("is_public", "is_public", _boolean, False),
    ("conversation_id", "conversation_id", _text(_length(interactions.c.conversation_id)), False),
    ("queue", "queue", _text(_length(interactions.c.queue)), False),
    ("priority", "priority", _choice(("normal", "high")), False),
    ("topic", "topic", _text(_length(interactions.c.topic)), False),
    ("sentiment", "sentiment", _sentiment, False),
    ("reach", "reach", _integer(0, MAX_INT), False),
    ("handle_seconds", "handle_seconds", _integer(0, MAX_INT), False),
    ("status", "status", _choice(("open", "pending", "resolved", "abandoned")), False),
    ("csat", "csat", _integer(1, 5), False),
    ("body", "body", _text(MAX_TEXT_CHARS, strip=False), False),
)
_REFERENCE_COLUMNS: tuple[tuple[str, str, ColumnCheck], ...] = (
    ("customer_handle", "customer", _text(_length(customer_handles.c.handle))),
    ("customer_key", "customer_id", _text(MAX_TEXT_CHARS)),
    ("agent_name", "agent", _text(_length(agents.c.name))),
    ("agent_id", "agent_id", _integer(1, MAX_INT)),
)
_TIME_COLUMNS = ("created_at", *LATER_TIMES)
# The keys of ValidRow.values, in validate_record's order.
_ROW_KEYS = (
    "external_id",
    "channel_id",
    "created_at",
    "direction",
    "is_public",
    "conversation_id",
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
# Stands for a column no record of the chunk gives: None for every row.
_NONE: Sequence[Any] = _AllNone()


def validate_chunk(
    chunk: Sequence[Mapping[str, Any]],
    channels: Collection[str],
    *,
    bounds: tuple[datetime, datetime] | None = None,
) -> list[ValidRow | None]:
    """Per record of `chunk` (fields keyed by column): its ValidRow when every value is in its
    usual spelling and valid, else None — validate that record with `validate_record`, which
    either accepts it (an unusual spelling) or names every problem."""
    count = len(chunk)
    if not count:
        return []
    earliest, latest = bounds if bounds is not None else timestamp_bounds()
    present = set().union(*chunk)  # a column no record has is skipped, not read 10,000 times
    accepted = np.ones(count, dtype=bool)

    def column(name: str) -> list[Any] | None:
        """The column's values, None where blank; None when no record gives any value."""
        if name not in present:
            return None
        values = _blank_to_none([fields.get(name) for fields in chunk])
        return None if values.count(None) == count else values

    def run(name: str, check: ColumnCheck, required: bool) -> Sequence[Any]:
        nonlocal accepted
        values = column(name)
        if values is None:
            if required:
                accepted[:] = False
            return _NONE
        parsed, ok = check(values)
        if required:
            ok &= np.array([v is not None for v in values], dtype=bool)
        accepted &= ok
        return parsed

    choose_channel = _choice(frozenset(channels))
    parsed = {key: run(name, check or choose_channel, req) for key, name, check, req in _VALUES}
    references = [run(name, check, False) for _key, name, check in _REFERENCE_COLUMNS]

    stamps: dict[str, np.ndarray] = {}
    low, high = np.datetime64(earliest, "us"), np.datetime64(latest, "us")
    for name in _TIME_COLUMNS:
        values = column(name)
        if values is None:
            stamp, ok = np.full(count, np.datetime64("NaT"), "datetime64[us]"), np.ones(count, bool)
        else:
            stamp, ok = _timestamps(values)
        given = ~np.isnat(stamp)
        # Out of range or before arrival: validate_record words the reason.
        ok &= ~given | ((stamp >= low) & (stamp <= high))
        if name == "created_at":
            ok &= given
        else:
            ok &= ~given | (stamp >= stamps["created_at"])
        accepted &= ok
        stamps[name] = stamp
    if not accepted.any():
        return [None] * count

    for name in _TIME_COLUMNS:
        parsed[name] = (
            stamps[name].astype(object).tolist() if (~np.isnat(stamps[name])).any() else _NONE
        )
    parsed["status"] = _statuses(parsed["status"], stamps)
    for key, default in (("direction", "inbound"), ("queue", "general"), ("priority", "normal")):
        if parsed[key] is _NONE:
            parsed[key] = itertools.repeat(default)
        else:
            parsed[key] = [v or default for v in parsed[key]]
    parsed["is_public"] = (
        itertools.repeat(False) if parsed["is_public"] is _NONE else map(bool, parsed["is_public"])
    )
    rows: list[ValidRow | None] = [None] * count
    keep = accepted.tolist()
    for n, values, refs in zip(
        range(count),
        zip(*(parsed[key] for key in _ROW_KEYS), strict=False),
        zip(*references, strict=False),
        strict=False,  # the repeat()s of absent columns are endless
    ):
        if keep[n]:
            rows[n] = ValidRow(dict(zip(_ROW_KEYS, values, strict=True)), *refs)
    return rows


def _statuses(given: Sequence[Any], stamps: dict[str, np.ndarray]) -> list[str]:
    """The status column: the given one, else `infer_status` of the row's times."""
    inferred = np.where(
        ~np.isnat(stamps["abandoned_at"]),
        "abandoned",
        np.where(
            ~np.isnat(stamps["resolved_at"]),
            "resolved",
            np.where(~np.isnat(stamps["first_response_at"]), "pending", "open"),
        ),
    ).tolist()
    if given is _NONE:
        return inferred
    return [g or i for g, i in zip(given, inferred, strict=True)]
