"""The Import page's preview, run and result: the importer's own validation, loader and rejects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components import cache_floor, cache_reports
from components.exports import csv_bytes
from components.import_upload import SpooledUpload
from components.plain_text import markdown_text
from db.rollups import refresh_interval_stats
from ingest.importer import import_file
from ingest.mapping import ColumnMapping, map_record
from ingest.validation import RowError, SourceRecord, validate_record
from queries.import_mappings import record_import

PREVIEW_COLUMNS = {
    "line": "Line",
    "problem": "Rejected because",
    "external_id": "Contact id",
    "channel_id": "Channel",
    "created_at": "Arrival (UTC)",
    "first_response_at": "First response (UTC)",
    "resolved_at": "Resolved (UTC)",
    "abandoned_at": "Abandoned (UTC)",
    "status": "Status",
    "handle_seconds": "Handle (s)",
    "queue": "Queue",
    "agent": "Agent",
    "customer": "Customer",
}
_RESULT_KEY = "import_result"


@dataclass(frozen=True)
class ImportOutcome:
    """What the last import of this session did, and its rejects as CSV bytes (neutralised)."""

    file_name: str
    source: str
    loaded: int
    already_present: int
    rejected: int
    rejects_csv: bytes | None


def preview_frame(
    records: Sequence[SourceRecord], mapping: ColumnMapping, channels: Sequence[str]
) -> pd.DataFrame:
    """The first records as the import will store them (times in UTC), or why each is rejected.

    The same mapping and validation as the import; agents and customers are shown by name (the
    loader resolves them to ids when it stores the row).
    """
    rows: list[dict[str, Any]] = []
    for record in records:
        mapped = map_record(record, mapping)
        row: dict[str, Any] = {"line": record.line}
        if mapped.fields is None:
            row["problem"] = mapped.error
        else:
            try:
                valid = validate_record(mapped.fields, channels)
            except RowError as exc:
                row["problem"] = str(exc)
            else:
                row.update(valid.values)
                row.update(agent=valid.agent_name, customer=valid.customer_handle)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(PREVIEW_COLUMNS))
    return frame.rename(columns=PREVIEW_COLUMNS)


def clear_interaction_readers() -> None:
    """Forget the cached readers of interaction figures (new rows change them all)."""
    for reader in (
        cache_reports.offered_by_channel,
        cache_reports.arrival_span,
        cache_reports.service_level_report,
        cache_reports.breaches,
        cache_reports.channel_mix,
        cache_reports.channel_comparison,
        cache_floor.expected_volume,
        cache_floor.first_interval,
        cache_floor.handle_time,
        cache_floor.topic_counts,
    ):
        reader.clear()


def _rejects_csv(path: Path | None) -> bytes | None:
    if path is None:
        return None
    # Read back as text (undecodable input bytes shown as U+FFFD) and served neutralised.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace")
    return csv_bytes(frame)


def run_import(
    spooled: SpooledUpload,
    mapping: ColumnMapping,
    *,
    source: str,
    mapping_name: str | None,
    engine: Engine,
    actor: str,
) -> ImportOutcome:
    """Import the spooled file with a progress bar; audit it; refresh the rollup."""
    bar = st.progress(0.0, text=f"Importing {markdown_text(spooled.name)}…")
    shown = [-1]

    def on_progress(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 100
        if percent != shown[0]:
            shown[0] = percent
            bar.progress(percent / 100, text=f"Read {percent} % of {markdown_text(spooled.name)}")

    reject_path = spooled.path.with_name("rejects.csv")
    result = import_file(
        engine,
        spooled.path,
        fmt=spooled.fmt,
        source=source,
        reject_path=reject_path,
        mapping=mapping,
        on_progress=on_progress,
    )
    bar.progress(1.0, text="Updating the 15-minute figures…")
    refresh_interval_stats(engine)
    outcome = ImportOutcome(
        file_name=spooled.name,
        source=source,
        loaded=result.loaded,
        already_present=result.skipped_duplicates,
        rejected=result.rejected,
        rejects_csv=_rejects_csv(result.reject_path),
    )
    summary = {k: v for k, v in asdict(outcome).items() if k != "rejects_csv"}
    summary.update(mapping=mapping_name, definition=mapping.to_json())
    record_import(engine=engine, user=actor, source=source, summary=summary)
    clear_interaction_readers()
    bar.empty()
    st.session_state[_RESULT_KEY] = outcome
    return outcome


def show_result(outcome: ImportOutcome | None = None) -> None:
    """The counts of the session's last import and its rejects to download."""
    outcome = outcome or st.session_state.get(_RESULT_KEY)
    if outcome is None:
        return
    st.subheader("Result")
    st.caption(f"{markdown_text(outcome.file_name)} as source **{markdown_text(outcome.source)}**")
    loaded, present, rejected = st.columns(3)
    loaded.metric("Loaded", f"{outcome.loaded:,}")
    present.metric("Already present", f"{outcome.already_present:,}")
    rejected.metric("Rejected", f"{outcome.rejected:,}")
    if outcome.rejects_csv is not None:
        st.download_button(
            "Download the rejected rows (CSV)",
            outcome.rejects_csv,
            file_name="rejects.csv",
            mime="text/csv",
            key="import_rejects_download",
            icon=":material/download:",
        )
