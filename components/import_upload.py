"""The uploaded file of the Import page: spooled to a private temp file, then read as a stream.

Streamlit hands the page the upload as a file object; it is copied to disk in 1 MB chunks once
per upload (not on every rerun) and every later step — the column list, the preview, the import
— reads the disk copy through the importer's streaming readers, so no step holds the whole
file as text or rows. The copy of a replaced upload is removed.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from ingest.importer import infer_format, read_csv_records, read_jsonl_records
from ingest.validation import SourceRecord

CHUNK_BYTES = 1 << 20
_SPOOL_KEY = "import_spooled"


@dataclass(frozen=True)
class SpooledUpload:
    """An upload on disk: its file id, the user's file name, the temp path, size and format."""

    file_id: str
    name: str
    path: Path
    size: int
    fmt: str


def spooled_upload(upload: Any) -> SpooledUpload:
    """The disk copy of `upload` (an st.file_uploader value), made once per uploaded file."""
    held: SpooledUpload | None = st.session_state.get(_SPOOL_KEY)
    if held is not None and held.file_id == upload.file_id and held.path.is_file():
        return held
    discard_upload()
    fmt = infer_format(Path(upload.name))
    folder = Path(tempfile.mkdtemp(prefix="floorlight-import-"))
    path = folder / ("upload" + Path(upload.name).suffix.lower())
    upload.seek(0)
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle, CHUNK_BYTES)
    spooled = SpooledUpload(upload.file_id, upload.name, path, path.stat().st_size, fmt)
    st.session_state[_SPOOL_KEY] = spooled
    return spooled


def discard_upload() -> None:
    """Remove the disk copy of the session's last upload (and its rejects), if any."""
    held: SpooledUpload | None = st.session_state.pop(_SPOOL_KEY, None)
    if held is not None:
        shutil.rmtree(held.path.parent, ignore_errors=True)


def first_records(spooled: SpooledUpload, limit: int) -> tuple[list[str], list[SourceRecord]]:
    """(the file's column names, its first `limit` records), read as a stream.

    Names are as the importer matches them (lower case, spaces trimmed); for JSONL they are
    the keys of the first records.
    """
    if spooled.fmt == "csv":
        records = read_csv_records(spooled.path, required=())
    else:
        records = read_jsonl_records(spooled.path)
    head = list(itertools.islice(records, limit))
    records.close()
    columns = [name for r in head if r.fields for name in r.fields]
    return list(dict.fromkeys(columns)), head
