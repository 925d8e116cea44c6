"""Import interactions from CSV, JSONL or the Kaggle TWCS export into the interaction database.

Every format is turned into `SourceRecord`s (ingest/validation.py) and goes through one loader:
rows are validated a batch at a time, column by column (ingest/chunk_validation.py; a row that
is not plainly valid is validated on its own, which names its problems), bad rows go to a
rejects CSV with their line number, reason and original text, and good rows are stored in
batches of one transaction each (on PostgreSQL COPYed into a staging table and moved with one
INSERT ... SELECT, ingest/bulk.py). Inserts ignore rows
whose (source, external_id) is already stored, so re-importing a file — or resuming after an
interrupted import — adds only what is missing and never alters a stored row's values. The one
thing a new row can change in stored rows is which message of its conversation is the thread
start (db/threads.py), recomputed in the same transaction as each batch. A row without a topic
is tagged by the topic taxonomy and a customer's message without a sentiment gets VADER's score
(ingest/tagging.py), each with its source stored. The column reference is ingest/FORMATS.md.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, String, Table, any_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError
from tqdm import tqdm

from db.partitions import dedupe_keys
from db.schema import agents, channels, customer_handles, customers, interactions
from db.threads import mark_thread_starts
from ingest import twcs
from ingest.bulk import copy_insert_ignoring_conflicts
from ingest.chunk_validation import validate_chunk
from ingest.mapping import ColumnMapping, map_records, required_source_columns
from ingest.tagging import enrich_values, load_taxonomy
from ingest.validation import (
    MAX_TEXT_CHARS,
    REQUIRED_COLUMNS,
    RowError,
    SourceRecord,
    ValidRow,
    normalise_column,
    timestamp_bounds,
    validate_record,
)

FORMATS = ("csv", "jsonl", "twcs")
EXTENSION_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
REJECT_COLUMNS = ("line", "reason", "original")
# Rows per transaction. Each batch costs a few fixed round trips (lookups, staging table,
# commit); 10,000 rows make those negligible while a killed import loses at most one batch's
# work (re-run adds it) and the batch's rows stay a few MB in memory.
DEFAULT_BATCH_SIZE = 10_000
# Keeps IN (...) lists well under SQLite's bound-parameter limit whatever the batch size.
LOOKUP_CHUNK = 500
SOURCE_MAX_LENGTH = interactions.c.source.type.length
_TEXT_ARRAY = postgresql.ARRAY(String)
# The csv module refuses fields over 131,072 characters by default. Its limit is set well above
# MAX_TEXT_CHARS, so that a long body reaches validation and is rejected with the same reason
# as in JSONL; only a runaway field (an unclosed quote swallowing the rest of the file) hits it.
CSV_FIELD_LIMIT = 16 * MAX_TEXT_CHARS
# Stands in for a bare carriage return while the csv module reads a line: the module takes any
# CR as the end of a record, but real exports carry bare CRs inside text, and a record ends only
# at a line feed. A lone high surrogate never comes out of decoding (surrogateescape only makes
# U+DC80..U+DCFF), so it cannot clash with the file's own text.
BARE_CR = "\ud800"
# Called with (bytes read so far, file size) as a file is read.
ProgressCallback = Callable[[int, int], None]


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header, missing or repeated columns)."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows stored, rows already stored, rows rejected and where they went."""

    loaded: int
    skipped_duplicates: int
    rejected: int
    reject_path: Path | None  # None when nothing was rejected


def import_file(
    engine: Engine,
    path: Path | str,
    *,
    fmt: str | None = None,
    source: str | None = None,
    reject_path: Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    mapping: ColumnMapping | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the interactions in `path` and say what was loaded, skipped and rejected.

    `fmt` is "csv", "jsonl" or "twcs" (default: from the extension — .csv, .jsonl/.ndjson);
    `source` names where the rows come from (default: the file's stem) and scopes external_id;
    rejected rows go to `reject_path` (default `<file>.rejects.csv` beside the input), written
    only when something is rejected. Raises ImportFileError when the file cannot be read as
    the format at all; a bad row never stops the import.

    `mapping` (CSV and JSONL) reads a foreign export through a column mapping
    (ingest/mapping.py) before validation; `on_progress(bytes_read, total_bytes)` is called as
    the file is read (the browser's progress bar).
    """
    path = Path(path)
    fmt = fmt or infer_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if mapping is not None:
        if fmt == "twcs":
            raise ValueError("a column mapping applies to CSV and JSONL files, not TWCS")
        mapping.check()
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    source = (source if source is not None else path.stem).strip()
    if not source or len(source) > SOURCE_MAX_LENGTH:
        raise ValueError(f"source must be 1 to {SOURCE_MAX_LENGTH} characters")
    reject_path = Path(reject_path) if reject_path is not None else default_reject_path(path)
    if reject_path.resolve() == path.resolve():
        raise ValueError("reject_path must not be the input file")

    with RejectFile(reject_path) as rejects:
        counts = load_records(
            engine,
            _records(path, fmt, progress, mapping, on_progress),
            source=source,
            rejects=rejects,
            batch_size=batch_size,
        )
    return ImportResult(
        loaded=counts.loaded,
        skipped_duplicates=counts.duplicates,
        rejected=rejects.count,
        reject_path=reject_path if rejects.count else None,
    )


def infer_format(path: Path) -> str:
    """The format implied by a file's extension; TWCS is a .csv too, so it is never inferred."""
    try:
        return EXTENSION_FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(
            f"cannot tell the format of {path.name!r} from its extension; pass fmt"
        ) from None


def default_reject_path(path: Path) -> Path:
    """`<file>.rejects.csv` beside the input."""
    return path.with_name(path.name + ".rejects.csv")


def _records(
    path: Path,
    fmt: str,
    progress: bool,
    mapping: ColumnMapping | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterable[SourceRecord]:
    if fmt == "jsonl":
        records = read_jsonl_records(path, progress=progress, on_progress=on_progress)
        return records if mapping is None else map_records(records, mapping)
    if fmt == "csv":
        if mapping is None:
            return read_csv_records(
                path, required=REQUIRED_COLUMNS, progress=progress, on_progress=on_progress
            )
        records = read_csv_records(
            path,
            required=required_source_columns(mapping),
            progress=progress,
            on_progress=on_progress,
        )
        return map_records(records, mapping)

    def read_pass(description: str) -> Iterator[SourceRecord]:
        return read_csv_records(
            path, required=twcs.REQUIRED_COLUMNS, progress=progress, description=description
        )

    return twcs.twcs_records(read_pass)


# --- Reading -------------------------------------------------------------------------------


class _PhysicalLines:
    """The decoded lines of a file, counted, keeping those of the record being read.

    The csv module reports where a record ended, not where it started nor its text; reading
    through this iterator gives both, so a reject can quote the original record exactly.
    """

    def __init__(
        self,
        handle: BinaryIO,
        bar: tqdm,
        *,
        protect_cr: bool = False,
        on_progress: ProgressCallback | None = None,
        total: int = 0,
    ) -> None:
        self._handle = handle
        self._bar = bar
        self._on_progress = on_progress
        self._total = total
        self._read = 0
        self._protect_cr = protect_cr
        self.number = 0
        self.protected = False  # the current record had a bare CR replaced by BARE_CR
        self._current: list[str] = []

    def __iter__(self) -> _PhysicalLines:
        return self

    def __next__(self) -> str:
        data = self._handle.readline()
        if not data:
            raise StopIteration
        self._bar.update(len(data))
        if self._on_progress is not None:
            self._read += len(data)
            self._on_progress(self._read, self._total)
        # surrogateescape keeps undecodable bytes: the row is rejected, its bytes kept intact.
        text = data.decode("utf-8", "surrogateescape")
        if self.number == 0:
            text = text.removeprefix("\ufeff")  # spreadsheet exports often start with a BOM
        self.number += 1
        self._current.append(text)
        if self._protect_cr and "\r" in _without_ending(text):
            self.protected = True
            return _protect_bare_cr(text)
        return text

    def take(self) -> str:
        """The original text of the lines read since the last call, without the line ending."""
        text = "".join(self._current).rstrip("\r\n")
        self._current.clear()
        self.protected = False
        return text


def _without_ending(line: str) -> str:
    """`line` without its one line ending (LF or CRLF); a CR before a CRLF is text."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith("\n") else line


def _protect_bare_cr(line: str) -> str:
    """`line` with every CR that is not part of its CRLF ending replaced by BARE_CR."""
    body = _without_ending(line)
    return body.replace("\r", BARE_CR) + line[len(body) :]


@contextmanager
def _physical_lines(
    path: Path,
    description: str,
    progress: bool,
    *,
    protect_cr: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Iterator[_PhysicalLines]:
    total = path.stat().st_size
    with (
        path.open("rb") as handle,
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc=description,
            disable=not progress,
        ) as bar,
    ):
        yield _PhysicalLines(
            handle, bar, protect_cr=protect_cr, on_progress=on_progress, total=total
        )


def keyed_fields(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Fields keyed by normalised column name; a name given twice is an error, not a guess."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        key = normalise_column(name)
        if key in fields:
            raise RowError(f"column {key!r} is given twice")
        fields[key] = value
    return fields


def _csv_header(reader: Iterator[list[str]], required: Sequence[str], path: Path) -> list[str]:
    try:
        names = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}: the header line is not valid CSV ({exc})") from None
    if not names:
        raise ImportFileError(f"{path.name}: no header line")
    try:
        header = list(keyed_fields((name, None) for name in names))
    except RowError as exc:
        raise ImportFileError(f"{path.name}: header {exc}") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportFileError(f"{path.name}: missing required columns: {', '.join(missing)}")
    return header


def read_csv_records(
    path: Path,
    *,
    required: Sequence[str],
    progress: bool = False,
    description: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[SourceRecord]:
    """Each record of a CSV file with a header line; malformed records come back as errors.

    A record ends at a line feed (or CRLF) outside quotes; a bare CR is text, kept exactly.
    """
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    description = description or f"Importing {path.name}"
    with _physical_lines(
        path, description, progress, protect_cr=True, on_progress=on_progress
    ) as lines:
        # strict: a stray quote is reported instead of silently merged into the field.
        reader = csv.reader(lines, strict=True)
        header = _csv_header(reader, required, path)
        lines.take()
        while True:
            start = lines.number + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield SourceRecord(start, lines.take(), error=f"malformed CSV: {exc}")
                continue
            if lines.protected:
                row = [value.replace(BARE_CR, "\r") for value in row]
            raw = lines.take()
            if not row:
                continue  # blank line
            if len(row) != len(header):
                error = f"malformed CSV: expected {len(header)} fields, found {len(row)}"
                yield SourceRecord(start, raw, error=error)
                continue
            yield SourceRecord(start, raw, fields=dict(zip(header, row, strict=True)))


def read_jsonl_records(
    path: Path, *, progress: bool = False, on_progress: ProgressCallback | None = None
) -> Iterator[SourceRecord]:
    """Each non-blank line of a JSON Lines file as a record; invalid lines come back as errors."""
    with _physical_lines(
        path, f"Importing {path.name}", progress, on_progress=on_progress
    ) as lines:
        for _ in lines:
            raw = lines.take()
            if not raw.strip():
                continue
            try:
                data = json.loads(raw, object_pairs_hook=_json_object)
            except _RepeatedKeyError as exc:
                yield SourceRecord(lines.number, raw, error=str(exc))
                continue
            except (ValueError, RecursionError) as exc:
                yield SourceRecord(lines.number, raw, error=f"invalid JSON: {exc}")
                continue
            if not isinstance(data, dict):
                yield SourceRecord(lines.number, raw, error="line is not a JSON object")
                continue
            try:
                yield SourceRecord(lines.number, raw, fields=keyed_fields(data.items()))
            except RowError as exc:
                yield SourceRecord(lines.number, raw, error=str(exc))


class _RepeatedKeyError(RowError):
    """A JSON object names a key twice (json.loads would silently keep the last value)."""


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _RepeatedKeyError(f"key {repeated!r} is given twice in one JSON object")
    return data


# --- Rejects -------------------------------------------------------------------------------


class RejectFile:
    """The rejects CSV (line, reason, original), created on the first reject.

    An import with no rejects removes a rejects file left at the same path by an earlier run,
    so the file beside the input always describes the latest import.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: Any = None
        self._writer: Any = None

    def add(self, line: int, reason: str, original: str) -> None:
        if self._writer is None:
            # surrogateescape writes undecodable input bytes back exactly as they were read.
            self._handle = self.path.open(
                "w", newline="", encoding="utf-8", errors="surrogateescape"
            )
            self._writer = csv.writer(self._handle)
            self._writer.writerow(REJECT_COLUMNS)
        self._writer.writerow((line, reason, original))
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = self._writer = None
        elif self.count == 0:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RejectFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


# --- Loading -------------------------------------------------------------------------------


@dataclass
class LoadCounts:
    """Rows stored and rows skipped because their (source, external_id) was already there."""

    loaded: int = 0
    duplicates: int = 0


@dataclass
class _References:
    """Agents and customer keys resolved so far in this import, so each is looked up once.

    ChainMaps, so that a batch works on a child whose additions are kept only once the batch
    has committed (`keep`): a rolled-back batch must not leave ids of rows that never existed.
    """

    agent_by_name: ChainMap[str, int | None] = field(default_factory=ChainMap)  # None: ambiguous
    agent_name_by_id: ChainMap[int, str] = field(default_factory=ChainMap)
    customer_by_key: ChainMap[str, int] = field(default_factory=ChainMap)

    def child(self) -> _References:
        return _References(
            self.agent_by_name.new_child(),
            self.agent_name_by_id.new_child(),
            self.customer_by_key.new_child(),
        )

    def keep(self, child: _References) -> None:
        """Adopt what `child` learnt (call after its batch committed)."""
        self.agent_by_name.update(child.agent_by_name.maps[0])
        self.agent_name_by_id.update(child.agent_name_by_id.maps[0])
        self.customer_by_key.update(child.customer_by_key.maps[0])


@dataclass(slots=True)
class _Pending:
    """A valid row on its way into the database, with the ids resolved for it."""

    record: SourceRecord
    row: ValidRow
    agent_id: int | None = None
    customer_id: int | None = None
    problem: str | None = None
    duplicate: bool = False  # (source, external_id) already stored, or earlier in the batch
    stored_customer_id: int | None = None  # the customer of the stored row it duplicates


def load_records(
    engine: Engine,
    records: Iterable[SourceRecord],
    *,
    source: str,
    rejects: RejectFile,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> LoadCounts:
    """Validate `records` and store the good ones in batches; bad ones go to `rejects`."""
    with engine.connect() as conn:
        known_channels = frozenset(conn.scalars(select(channels.c.id)))
        # Read once: every row of this import is tagged by the same taxonomy.
        taxonomy = load_taxonomy(engine=conn)
    # One range for the whole import, so a row's verdict does not depend on when it was read.
    bounds = timestamp_bounds()
    counts = LoadCounts()
    with _BatchWriter(engine, source, rejects, counts) as writer:
        refused: list[_Refused] = []  # rejects since the last batch, written before it
        batch: list[_Pending] = []
        for chunk in _chunks_of(records, batch_size):
            # The whole chunk is validated column by column; a row that is not plainly valid
            # (None) is validated on its own below, which names its problems.
            checked = iter(_validate_chunk(chunk, known_channels, bounds))
            for record in chunk:
                if record.fields is None:
                    refused.append((record.line, record.error or "unreadable record", record.raw))
                    continue
                row = next(checked)
                if row is None:
                    try:
                        row = validate_record(record.fields, known_channels, bounds=bounds)
                    except RowError as exc:
                        refused.append((record.line, str(exc), record.raw))
                        continue
                    except Exception as exc:  # noqa: BLE001 - whatever one row trips over, it alone is refused
                        reason = f"unreadable row ({type(exc).__name__}: {exc})"
                        refused.append((record.line, reason, record.raw))
                        continue
                # A missing topic is tagged from the text, a customer's missing sentiment scored.
                row.values.update(enrich_values(row.values, taxonomy))
                batch.append(_Pending(record, row))
                if len(batch) >= batch_size:
                    writer.submit(refused, batch)
                    refused, batch = [], []
        writer.submit(refused, batch)
    return counts


# A rejected row: its line, the reason, its original text.
_Refused = tuple[int, str, str]


class _CollectedRejects(list[_Refused]):
    """Rejects kept in memory (the RejectFile interface) until their batch is done."""

    def add(self, line: int, reason: str, original: str) -> None:
        self.append((line, reason, original))


class _BatchWriter:
    """Stores batches in a thread of its own while the next batch is read and validated.

    The database does most of a batch's work, and the driver lets other Python code run while
    it waits: storing batch N while batch N+1 is parsed keeps both the server and Python busy
    (on two cores, close to the larger of the two times instead of their sum). One batch at a
    time is stored, in file order; the rows rejected while a batch was read and the rows the
    database refused in it are written together in line order, so the rejects file is in line
    order. An error storing a batch (a lost connection) is raised at the next submit or at the
    end.
    """

    def __init__(self, engine: Engine, source: str, rejects: RejectFile, counts: LoadCounts):
        self._engine, self._source, self._rejects, self._counts = engine, source, rejects, counts
        self._references = _References()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._running: Future[None] | None = None

    def submit(self, refused: list[_Refused], batch: list[_Pending]) -> None:
        """Store `batch` after writing `refused`, once the batch before has been stored."""
        self._wait()
        if refused or batch:
            self._running = self._pool.submit(self._store, refused, batch)

    def _store(self, refused: list[_Refused], batch: list[_Pending]) -> None:
        collected = _CollectedRejects(refused)
        if batch:
            _flush(self._engine, batch, self._source, self._references, collected, self._counts)
        # The batch's rows and `refused` were read between the same two batches: in line
        # order together, the whole rejects file is in line order.
        for line, reason, raw in sorted(collected, key=lambda refusal: refusal[0]):
            self._rejects.add(line, reason, raw)

    def _wait(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def __enter__(self) -> _BatchWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._wait()
        finally:
            # On an error the batch being stored finishes (or fails) before the rejects file
            # closes; nothing is left writing behind the caller's back.
            self._pool.shutdown(wait=True)


def _validate_chunk(
    chunk: list[SourceRecord], known_channels: frozenset[str], bounds: tuple[datetime, datetime]
) -> list[ValidRow | None]:
    """`validate_chunk` of the chunk's readable records; should it trip over a value it did
    not foresee, every row is validated on its own instead: no row is refused for that."""
    fields = [r.fields for r in chunk if r.fields is not None]
    try:
        return validate_chunk(fields, known_channels, bounds=bounds)
    except Exception:  # noqa: BLE001 - the row-by-row path is always correct, only slower
        return [None] * len(fields)


def _chunks_of(records: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    """`records` in lists of `size`, read lazily (a file is never held whole in memory)."""
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _flush(
    engine: Engine,
    batch: list[_Pending],
    source: str,
    references: _References,
    rejects: RejectFile | _CollectedRejects,
    counts: LoadCounts,
) -> None:
    """Store one batch in one transaction, then record what it rejected.

    A row the database refuses although it passed validation rolls its batch back; the batch
    is then stored in halves, and so on down to that row alone, so only it is rejected (with
    the database's reason) in a number of tries that grows with the log of the batch size, not
    with the size itself. A lost connection is not a row's fault and stops the import: the
    committed batches stay.
    """
    scratch = references.child()
    try:
        with engine.begin() as conn:
            loaded, duplicates = _store_batch(conn, batch, source, scratch)
    except (DataError, IntegrityError) as exc:
        if len(batch) > 1:
            middle = len(batch) // 2
            for half in (batch[:middle], batch[middle:]):
                fresh = [_Pending(pending.record, pending.row) for pending in half]
                _flush(engine, fresh, source, references, rejects, counts)
            return
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        batch[0].problem = f"the database refused the row: {reason}"
        loaded = duplicates = 0
    else:
        references.keep(scratch)
    counts.loaded += loaded
    counts.duplicates += duplicates
    for pending in batch:
        if pending.problem is not None:
            rejects.add(pending.record.line, pending.problem, pending.record.raw)


def _store_batch(
    conn: Connection, batch: list[_Pending], source: str, references: _References
) -> tuple[int, int]:
    """Insert the batch's new rows; returns (loaded, duplicates) and marks rejected rows.

    Duplicates are set aside first, but still tie their customer_id key to the customer they
    were stored with, so a re-import judges every other row exactly as the first import did.
    Agents are created last, only for rows that are about to be inserted (no ghost agents).
    """
    stored = _stored_rows(conn, source, [p.row.values["external_id"] for p in batch])
    fresh: list[_Pending] = []
    seen: set[str] = set()
    for pending in batch:
        external_id = pending.row.values["external_id"]
        if external_id in stored or external_id in seen:
            pending.duplicate = True
            pending.stored_customer_id = stored.get(external_id)
        else:
            seen.add(external_id)
            fresh.append(pending)
    _resolve_agents(conn, fresh, references)
    _resolve_customers(conn, batch, references)
    insertable = [p for p in fresh if p.problem is None]
    _create_agents(conn, insertable, references)
    now = datetime.now(UTC).replace(tzinfo=None)
    loaded = _insert_new_interactions(
        conn,
        [
            {
                **p.row.values,
                "source": source,
                "customer_id": p.customer_id,
                "agent_id": p.agent_id,
                "updated_at": now,
            }
            for p in insertable
        ],
    )
    # A new message may start a stored conversation earlier than its stored first message, or
    # follow it: recompute which row of each touched conversation is the contact.
    mark_thread_starts(
        conn,
        source=source,
        conversation_ids={p.row.values["conversation_id"] for p in insertable},
        now=now,
    )
    # What the insert skipped was stored meanwhile by a concurrent import.
    return loaded, len(batch) - len(fresh) + len(insertable) - loaded


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]


def _insert_ignoring_conflicts(conn: Connection, table: Table, keys: list[str]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO NOTHING in the connection's dialect.

    The conflict target is named so that only the uniqueness of `keys` is ignored; any other
    constraint violation still fails loudly (SQLite's INSERT OR IGNORE would hide it).
    """
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    try:
        insert = dialects[conn.dialect.name]
    except KeyError:
        raise NotImplementedError(f"import is not supported on {conn.dialect.name}") from None
    return insert(table).on_conflict_do_nothing(index_elements=keys)


def _insert_new_interactions(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert rows whose (source, external_id) is new; returns how many were inserted."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        # COPY into a staging table and one INSERT ... SELECT: several times faster than a
        # multi-row INSERT ... RETURNING, whose per-row statement work dominated an import.
        return copy_insert_ignoring_conflicts(conn, interactions, rows, dedupe_keys(conn))
    statement = _insert_ignoring_conflicts(conn, interactions, dedupe_keys(conn))
    return len(conn.execute(statement.returning(interactions.c.id), rows).all())


def _stored_rows(conn: Connection, source: str, external_ids: list[str]) -> dict[str, int | None]:
    """The customer_id of each of `external_ids` already stored for `source`."""
    found: dict[str, int | None] = {}
    wanted = sorted(set(external_ids))
    if conn.dialect.name == "postgresql" and wanted:
        # One statement with an array for the whole batch: IN lists of LOOKUP_CHUNK would cost
        # a round trip and a plan per 500 rows.
        query = select(interactions.c.external_id, interactions.c.customer_id).where(
            interactions.c.source == source,
            interactions.c.external_id == any_(bindparam("ids", wanted, type_=_TEXT_ARRAY)),
        )
        found.update(conn.execute(query).tuples().all())
        return found
    for chunk in _chunks(wanted):
        query = select(interactions.c.external_id, interactions.c.customer_id).where(
            interactions.c.source == source, interactions.c.external_id.in_(chunk)
        )
        found.update(conn.execute(query).tuples().all())
    return found


def _look_up_agents(conn: Connection, fresh: list[_Pending], references: _References) -> None:
    """Load the agents this batch names that this import has not seen yet."""
    ids = {p.row.agent_id for p in fresh if p.row.agent_id is not None}
    for chunk in _chunks(sorted(ids - references.agent_name_by_id.keys())):
        query = select(agents.c.id, agents.c.name).where(agents.c.id.in_(chunk))
        references.agent_name_by_id.update(conn.execute(query).tuples().all())
    names = {p.row.agent_name for p in fresh if p.row.agent_id is None and p.row.agent_name}
    for chunk in _chunks(sorted(names - references.agent_by_name.keys())):
        query = select(agents.c.id, agents.c.name).where(agents.c.name.in_(chunk))
        for agent_id, name in conn.execute(query).tuples():
            references.agent_name_by_id[agent_id] = name
            # Two agents with one name cannot be told apart: the rows must give agent_id.
            references.agent_by_name[name] = None if name in references.agent_by_name else agent_id


def _resolve_agents(conn: Connection, fresh: list[_Pending], references: _References) -> None:
    """Set each row's agent_id from agent_id or a known agent name; refuse unusable references.

    A name no agent has is left for `_create_agents`, once the row is sure to be stored.
    """
    _look_up_agents(conn, fresh, references)
    for pending in fresh:
        row = pending.row
        if row.agent_id is not None:
            name = references.agent_name_by_id.get(row.agent_id)
            if name is None:
                pending.problem = f"agent_id {row.agent_id} is not a known agent"
            elif row.agent_name is not None and row.agent_name != name:
                pending.problem = (
                    f"agent {row.agent_name!r} does not match agent_id {row.agent_id} ({name!r})"
                )
            else:
                pending.agent_id = row.agent_id
        elif row.agent_name in references.agent_by_name:
            pending.agent_id = references.agent_by_name[row.agent_name]
            if pending.agent_id is None:
                pending.problem = f"agent {row.agent_name!r} matches several agents; give agent_id"


def _create_agents(conn: Connection, insertable: list[_Pending], references: _References) -> None:
    """Create the agents that rows about to be stored name but nobody has yet."""
    for pending in insertable:
        name = pending.row.agent_name
        if pending.row.agent_id is not None or name is None:
            continue
        if name not in references.agent_by_name:
            # An export from another system names agents Floorlight has not met yet; the
            # queue they first answered is the best team there is.
            new_id = conn.execute(
                agents.insert().values(name=name, team=pending.row.values["queue"], active=True)
            ).inserted_primary_key[0]
            references.agent_by_name[name] = new_id
            references.agent_name_by_id[new_id] = name
        pending.agent_id = references.agent_by_name[name]


def _handle_owners(conn: Connection, handles: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The customer owning each stored (channel, handle) among `handles`."""
    owners: dict[tuple[str, str], int] = {}
    by_channel = itertools.groupby(sorted(handles), key=lambda handle: handle[0])
    for channel_id, group in by_channel:
        for chunk in _chunks([handle for _, handle in group]):
            query = select(customer_handles.c.handle, customer_handles.c.customer_id).where(
                customer_handles.c.channel_id == channel_id,
                customer_handles.c.handle.in_(chunk),
            )
            owners.update(
                ((channel_id, handle), customer_id)
                for handle, customer_id in conn.execute(query).tuples()
            )
    return owners


def _resolve_customers(conn: Connection, batch: list[_Pending], references: _References) -> None:
    """Set each row's customer from its handle and customer_id, creating customers as needed.

    A stored handle keeps its customer. A customer_id key ties the handles of this import's
    rows to one customer; a row whose key and stored handle point at different customers is
    rejected rather than merging two customers behind the user's back. A duplicate row ties
    its key to the customer it is stored with, in file order, as it did when it was stored.
    """
    wanted = [
        p
        for p in batch
        if not p.duplicate and p.problem is None and (p.row.customer_handle or p.row.customer_key)
    ]
    owners = _handle_owners(conn, {_handle_key(p) for p in wanted if p.row.customer_handle})
    new_handles: list[tuple[str, str]] = []
    new_keys: list[str] = []
    placeholders = 0  # customers to create, numbered -1, -2, ... until inserted
    for pending in batch:
        key = pending.row.customer_key
        if pending.duplicate:
            if key and pending.stored_customer_id is not None:
                references.customer_by_key.setdefault(key, pending.stored_customer_id)
            continue
        if pending.problem is not None or not (pending.row.customer_handle or key):
            continue
        handle = _handle_key(pending) if pending.row.customer_handle else None
        owner = owners.get(handle) if handle else None
        tied = references.customer_by_key.get(key) if key else None
        if owner is not None and tied is not None and owner != tied:
            pending.problem = (
                f"customer {pending.row.customer_handle!r} on {handle[0]} belongs to another "
                f"customer than earlier rows with customer_id {key!r}"
            )
            continue
        customer = owner if owner is not None else tied
        if customer is None:
            placeholders += 1
            customer = -placeholders
        if handle and owner is None:
            owners[handle] = customer
            new_handles.append(handle)
        if key and tied is None:
            references.customer_by_key[key] = customer
            new_keys.append(key)
        pending.customer_id = customer

    real = _insert_customers(conn, placeholders)
    for key in new_keys:
        customer = references.customer_by_key[key]
        references.customer_by_key[key] = real.get(customer, customer)
    for pending in wanted:
        if pending.customer_id is not None:
            pending.customer_id = real.get(pending.customer_id, pending.customer_id)
    if new_handles:
        _insert_handles(
            conn, {handle: real.get(owners[handle], owners[handle]) for handle in new_handles}
        )
        # A handle another writer stored meanwhile keeps its owner; the rows follow the handle.
        stored = _handle_owners(conn, set(new_handles))
        for pending in wanted:
            if pending.customer_id is not None and pending.row.customer_handle:
                pending.customer_id = stored.get(_handle_key(pending), pending.customer_id)


def _handle_key(pending: _Pending) -> tuple[str, str]:
    return (pending.row.values["channel_id"], pending.row.customer_handle or "")


def _insert_customers(conn: Connection, count: int) -> dict[int, int]:
    """Insert `count` customers; maps placeholders -1..-count to their new ids."""
    if not count:
        return {}
    # The new customers are interchangeable (no name yet), so the order of the ids is moot.
    created = conn.scalars(
        customers.insert().returning(customers.c.id), [{"name": None}] * count
    ).all()
    return {-number: customer_id for number, customer_id in enumerate(created, start=1)}


def _insert_handles(conn: Connection, owners: dict[tuple[str, str], int]) -> None:
    """Store new (channel, handle) -> customer links, leaving any stored meanwhile alone."""
    statement = _insert_ignoring_conflicts(conn, customer_handles, ["channel_id", "handle"])
    conn.execute(
        statement,
        [
            {"channel_id": channel_id, "handle": handle, "customer_id": customer_id}
            for (channel_id, handle), customer_id in owners.items()
        ],
    )
