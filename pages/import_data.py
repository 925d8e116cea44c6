"""Import (admin): upload a CSV/JSONL export, map its columns, preview, import with progress."""

from pathlib import Path

import streamlit as st

from components.db import app_engine, database_errors
from components.guard import require_page
from components.import_form import choose_saved_mapping, mapping_form, save_mapping_form
from components.import_run import preview_frame, run_import, show_result
from components.import_upload import discard_upload, first_records, spooled_upload
from components.plain_text import markdown_text
from db.settings import get_settings
from queries.channels_list import channel_ids
from queries.import_mappings import list_mappings

PREVIEW_ROWS = 10
user = require_page(__file__)
engine = app_engine()
st.title("Import data")
st.caption(
    "Bring interactions in from a CSV or JSON Lines file — our own format, or another system's "
    "export mapped column by column. Rows go through the same checks as `cli.py import`: a row "
    "already imported from the same source is skipped, a bad row is rejected with its reason "
    "and never stops the others. The column reference is in the README's import section."
)

upload = st.file_uploader(
    "CSV or JSON Lines file",
    type=["csv", "jsonl", "ndjson"],
    key="import_file",
    help="UTF-8, first CSV line the header. Large files are copied to disk and read as a stream.",
)
if upload is None:
    discard_upload()
    show_result()
    st.stop()

spooled = spooled_upload(upload)
try:
    columns, head = first_records(spooled, PREVIEW_ROWS)
except ValueError as exc:  # no header, a column named twice: the file as a whole is refused
    st.error(f"This file cannot be imported: {markdown_text(exc)}", icon=":material/error:")
    st.stop()
if not columns:
    st.warning("No rows could be read from this file: is it empty, or not CSV/JSON Lines?")
    st.stop()
st.caption(
    f"**{markdown_text(spooled.name)}** · {spooled.size:,} bytes · "
    f"{len(columns)} columns: {markdown_text(', '.join(columns))}"
)

with database_errors():
    channels = channel_ids(engine=engine)
    st.subheader("1. Map the columns")
    saved = choose_saved_mapping(list_mappings(engine=engine))
    mapping = mapping_form(columns, saved, channels, get_settings().timezone)
    save_mapping_form(mapping, saved, engine=engine, actor=user.username)

problems = mapping.problems()
st.subheader("2. Preview")
if problems:
    st.info(
        "To import, " + "; ".join(markdown_text(p) for p in problems) + ".",
        icon=":material/info:",
    )
    st.stop()
st.caption(f"The first {len(head)} rows as they will be stored (times in UTC).")
st.dataframe(preview_frame(head, mapping, channels), hide_index=True, key="import_preview")

st.subheader("3. Import")
source = st.text_input(
    "Source",
    value=Path(spooled.name).stem,
    key="import_source",
    max_chars=64,
    help="Names where the rows come from: a contact id already imported from this source is "
    "skipped, so importing the same file again adds nothing.",
)
if st.button("Import", type="primary", key="import_run", icon=":material/upload:"):
    with database_errors():
        try:
            run_import(
                spooled,
                mapping,
                source=source,
                mapping_name=None if saved is None else str(saved["name"]),
                engine=engine,
                actor=user.username,
            )
        except ValueError as exc:  # the file as a whole cannot be read this way
            st.error(f"Nothing imported: {markdown_text(exc)}", icon=":material/error:")
            st.stop()
show_result()
