"""The column-mapping form of the Import page: a select box per field, saved mappings by name."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components.plain_text import markdown_text
from components.record_form import show_field_errors, show_stale
from ingest.mapping import (
    ANSWERED,
    ARRIVAL_DATE,
    ARRIVAL_TIME,
    DATE_FORMATS,
    TALK,
    TARGETS,
    WAIT,
    ColumnMapping,
    guess_mapping,
)
from queries.import_mappings import save_mapping
from queries.writes import StaleWriteError, ValidationError

TARGET_LABELS = {
    "external_id": "Contact id (external_id)",
    "channel": "Channel",
    "created_at": "Arrival date and time (one column)",
    ARRIVAL_DATE: "Arrival date (own column)",
    ARRIVAL_TIME: "Arrival time (own column)",
    ANSWERED: "Answered yes/no",
    WAIT: "Wait before answer or hang-up (s or h:mm:ss)",
    TALK: "Talk / handle duration (s or h:mm:ss)",
    "first_response_at": "First response time stamp",
    "resolved_at": "Resolved time stamp",
    "abandoned_at": "Abandoned time stamp",
    "status": "Status",
    "handle_seconds": "Handle seconds",
}
ESSENTIAL = ("external_id", "channel", "created_at", ARRIVAL_DATE, ARRIVAL_TIME)
OUTCOME = (ANSWERED, WAIT, TALK, "first_response_at", "resolved_at", "abandoned_at", "status")
MORE = tuple(t for t in TARGETS if t not in ESSENTIAL + OUTCOME)
NOT_IN_FILE = "— not mapped —"
NEW_MAPPING = "New mapping (from this file's column names)"
SAVE_LABELS = {"name": "Mapping name", "mapping": "Mapping"}
_VERSION_KEY = "import_mapping_version"
_PICK_KEY = "import_saved_mapping"
_PENDING_PICK_KEY = "import_saved_mapping_pending"
_FLASH_KEY = "import_mapping_flash"


def _slot(saved: pd.Series | None) -> str:
    return "new" if saved is None else str(saved["id"])


def choose_saved_mapping(saved: pd.DataFrame) -> pd.Series | None:
    """A select box of the saved mappings; the chosen row, or None for a new mapping."""
    names = dict(zip(saved["id"], saved["name"], strict=True))
    if _PENDING_PICK_KEY in st.session_state:  # the mapping just saved is the one in use
        st.session_state[_PICK_KEY] = st.session_state.pop(_PENDING_PICK_KEY)
    chosen = st.selectbox(
        "Saved mapping",
        [None, *names],
        format_func=lambda i: NEW_MAPPING if i is None else names[i],
        key=_PICK_KEY,
        help="A saved mapping fills every box below; change any box and save it again.",
    )
    return None if chosen is None else saved.loc[saved["id"] == chosen].iloc[0]


def _column_box(target: str, options: list[str | None], default: str | None, slot: str) -> str:
    return st.selectbox(
        TARGET_LABELS.get(target, target),
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda c: NOT_IN_FILE if c is None else c,
        key=f"import_map_{slot}_{target}",
    )


def mapping_form(
    columns: Sequence[str], saved: pd.Series | None, channels: Sequence[str], default_tz: str
) -> ColumnMapping:
    """Select boxes mapping the file's `columns` to our fields; the mapping they describe.

    Defaults come from the chosen saved mapping, else from columns named like ours.
    """
    base = ColumnMapping.from_json(saved["definition"]) if saved is not None else None
    defaults = dict(base.columns) if base else guess_mapping(columns)
    missing = sorted(set(defaults.values()) - {c.strip().lower() for c in columns})
    if missing:
        st.warning(
            "This file has no column "
            + ", ".join(f"**{markdown_text(c)}**" for c in missing)
            + " that the saved mapping reads.",
            icon=":material/warning:",
        )
    options: list[str | None] = [None, *dict.fromkeys([*columns, *missing])]
    slot = _slot(saved)
    chosen: dict[str, str] = {}
    left, right = st.columns(2)
    with left:
        st.markdown("**Contact and arrival**")
        for target in ESSENTIAL:
            chosen[target] = _column_box(target, options, defaults.get(target), slot)
        channel_options = [None, *channels]
        fixed = base.channel if base else None
        channel = st.selectbox(
            "Channel of every row (when no channel column)",
            channel_options,
            index=channel_options.index(fixed) if fixed in channel_options else 0,
            format_func=lambda c: NOT_IN_FILE if c is None else c,
            key=f"import_map_{slot}_fixed_channel",
        )
    with right:
        st.markdown("**Outcome**")
        for target in OUTCOME:
            chosen[target] = _column_box(target, options, defaults.get(target), slot)
    with st.expander("More columns (agent, customer, queue, topic, CSAT, text, …)"):
        cols = st.columns(3)
        for n, target in enumerate(MORE):
            with cols[n % 3]:
                chosen[target] = _column_box(target, options, defaults.get(target), slot)
    zones = [None, *sorted(available_timezones())]
    zone = base.timezone if base else default_tz
    left, right = st.columns(2)
    timezone = left.selectbox(
        "Time zone of times without an offset",
        zones,
        index=zones.index(zone) if zone in zones else 0,
        format_func=lambda z: "None: refuse times without an offset" if z is None else z,
        key=f"import_map_{slot}_timezone",
        help="A time the clocks skip or pass twice in this zone is rejected with the reason.",
    )
    formats = list(DATE_FORMATS)
    date_format = right.selectbox(
        "Date format of the date column",
        formats,
        index=formats.index(base.date_format) if base else 0,
        format_func=DATE_FORMATS.get,
        key=f"import_map_{slot}_date_format",
    )
    return ColumnMapping(
        columns={t: c for t, c in chosen.items() if c},
        channel=channel,
        timezone=timezone,
        date_format=date_format,
    )


def save_mapping_form(
    mapping: ColumnMapping, saved: pd.Series | None, *, engine: Engine, actor: str
) -> None:
    """Name and save the mapping (a new one, or the chosen one again); messages on the form."""
    slot = _slot(saved)
    version_key = f"{_VERSION_KEY}_{slot}"
    if _FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(_FLASH_KEY), icon=":material/check:")
    if saved is not None:
        st.session_state.setdefault(version_key, int(saved["version"]))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input(
        "Mapping name",
        value="" if saved is None else saved["name"],
        key=f"import_map_{slot}_name",
        max_chars=100,
    )
    if not right.button("Save mapping", key=f"import_map_{slot}_save", icon=":material/save:"):
        return
    try:
        stored = save_mapping(
            engine=engine,
            name=name,
            definition=mapping.to_json(),
            problems=mapping.problems(),
            user=actor,
            record_id=None if saved is None else int(saved["id"]),
            expected_version=st.session_state.get(version_key),
        )
    except ValidationError as error:
        show_field_errors(error, SAVE_LABELS)
        return
    except StaleWriteError as error:
        show_stale(error, SAVE_LABELS, version_key)
        return
    st.session_state[f"{_VERSION_KEY}_{stored['id']}"] = stored["version"]
    st.session_state[_PENDING_PICK_KEY] = stored["id"]
    st.session_state[_FLASH_KEY] = (
        f"Saved mapping **{markdown_text(stored['name'])}** (version {stored['version']})."
    )
    st.rerun()
