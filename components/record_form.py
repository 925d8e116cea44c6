"""One editor for every versioned admin record: pick a record (or "new"), edit it in a form, save.

Driven by field specs, so SLA policies, topics, playbook entries and stakeholders share it.
Saving goes through the record's queries function: a ValidationError lists each bad field on the
form, a StaleWriteError says who changed the record and shows the current version. In both cases
what the user typed stays in the form (the widgets keep their keyed state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pandas as pd
import streamlit as st

from analytics.time_text import EMPTY, format_datetime
from components.exports import csv_download
from components.plain_text import markdown_text
from db.settings import get_settings
from queries.writes import StaleWriteError, ValidationError

FieldKind = Literal["text", "textarea", "int", "float", "bool", "select", "datetime", "table"]
NEW = "__new__"
NONE = "__none__"


@dataclass(frozen=True)
class FieldSpec:
    """One form field: the record column, its label and widget kind.

    `unit` ("seconds" or "%") and `column` (a shorter header) say how the field reads in the
    record tables (components.admin_tables): "4 h" under "Target", not 14400 under
    "Target (seconds)".
    """

    name: str
    label: str
    kind: FieldKind = "text"
    options: tuple[Any, ...] = ()
    option_labels: Mapping[Any, str] = field(default_factory=dict)
    help: str | None = None
    default: Any = None
    unit: Literal["seconds", "%"] | None = None
    column: str | None = None


@dataclass(frozen=True)
class RecordKind:
    """A kind of admin record and the queries functions that write it."""

    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    describe: Callable[[Mapping[str, Any]], str]
    create: Callable[..., dict[str, Any]]
    update: Callable[..., dict[str, Any]]


def field_widget(spec: FieldSpec, key: str, value: Any) -> Any:
    """The widget of one field, keyed `key`, opened at `value`; returns what the user entered."""
    if spec.kind == "textarea":
        return st.text_area(spec.label, value=value or "", key=key, help=spec.help)
    if spec.kind == "int":
        return st.number_input(
            spec.label,
            value=int(value if value is not None else 0),
            step=1,
            key=key,
            help=spec.help,
        )
    if spec.kind == "float":
        return st.number_input(
            spec.label, value=float(value if value is not None else 0.0), key=key, help=spec.help
        )
    if spec.kind == "bool":
        return st.checkbox(spec.label, value=bool(value), key=key, help=spec.help)
    if spec.kind == "select":
        # Streamlit shows a None option as "no selection", so None travels as a sentinel.
        options = [NONE if option is None else option for option in spec.options]
        wanted = NONE if value is None else value
        index = options.index(wanted) if wanted in options else 0
        choice = st.selectbox(
            spec.label,
            options,
            index=index,
            key=key,
            help=spec.help,
            format_func=lambda o: spec.option_labels.get(None if o == NONE else o, str(o)),
        )
        return None if choice == NONE else choice
    if spec.kind == "table":
        # options = the columns; rows without an id are new. Extra rows can be added/deleted.
        frame = pd.DataFrame(value or [], columns=list(spec.options))
        # option_labels: the column headers (a column without one shows its name).
        headers = {c: spec.option_labels[c] for c in spec.options if c in spec.option_labels}
        edited = st.data_editor(
            frame,
            num_rows="dynamic",
            key=key,
            hide_index=True,
            disabled=["id"],
            column_config={**headers, "id": None},
            width="stretch",
        )
        return [
            {k: clean_value(v) for k, v in row.items()}
            for row in edited.to_dict("records")
            if any(clean_value(v) not in (None, "") for k, v in row.items() if k != "id")
        ]
    if spec.kind == "datetime":
        text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else value or ""
        return st.text_input(spec.label, value=text, key=key, help=spec.help)
    return st.text_input(spec.label, value=value or "", key=key, help=spec.help)


def clean_value(value: Any) -> Any:
    """A cell as a form field holds it: pandas missing values -> None, numpy scalars -> Python."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def show_field_errors(error: ValidationError, labels: Mapping[str, str]) -> None:
    """The form's validation messages, one per field, named as on the form."""
    lines = [
        f"- **{labels.get(name.split('[')[0].split('.')[0], name)}** {markdown_text(message)}"
        for name, message in error.field_errors.items()
    ]
    st.error("Nothing was saved. Please correct:\n" + "\n".join(lines), icon=":material/error:")


def stale_message(error: StaleWriteError, tz: str) -> str:
    """Who saved the record after this form opened it, and when (local time in `tz`)."""
    who = error.changed_by or "another user"
    when = f" on {format_datetime(error.changed_at, tz)}" if error.changed_at else ""
    return (
        f"This record was changed by {who}{when} after you opened it. Your changes were not "
        "saved; the current version is shown — review it and apply your changes again."
    )


def _shown_value(value: Any, tz: str) -> Any:
    value = clean_value(value)
    if isinstance(value, datetime):
        return format_datetime(value, tz)
    return EMPTY if value is None else value


def show_stale(error: StaleWriteError, labels: Mapping[str, str], version_key: str) -> None:
    """Who changed the record first, and the record as it is now; the form's remembered
    version moves on, so the user's next save applies on top of what they have now seen."""
    tz = get_settings().timezone
    st.warning(markdown_text(stale_message(error, tz)), icon=":material/sync_problem:")
    st.caption("The record as it is now:")
    current = pd.DataFrame(
        [{labels.get(k, k): _shown_value(v, tz) for k, v in error.current.items()}]
    )
    st.dataframe(current, hide_index=True, key=f"{version_key}_current")
    csv_download(current, key=f"{version_key}_current_csv", file_name="current-record.csv")
    st.session_state[version_key] = error.current["version"]


def record_editor(
    kind: RecordKind,
    records: pd.DataFrame,
    *,
    engine: Any,
    actor: str,
    on_saved: Callable[[], None],
) -> None:
    """Pick-and-edit form for `kind`; `records` is the current list (with id and version)."""
    rows = {
        int(r["id"]): {k: clean_value(v) for k, v in r.items()} for r in records.to_dict("records")
    }
    choice = st.selectbox(
        f"{kind.title} to edit",
        [NEW, *rows],
        format_func=lambda rid: f"+ New {kind.title.lower()}"
        if rid == NEW
        else kind.describe(rows[rid]),
        key=f"{kind.key}_pick",
    )
    record = rows.get(choice) if choice != NEW else None
    slot = "new" if record is None else str(choice)
    version_key = f"{kind.key}_version_{slot}"
    if record is not None and version_key not in st.session_state:
        # The version this form was opened at; a save against an older one is refused.
        st.session_state[version_key] = record["version"]

    flash_key = f"{kind.key}_flash"
    if flash := st.session_state.pop(flash_key, None):
        st.success(markdown_text(flash), icon=":material/check_circle:")

    with st.form(f"{kind.key}_form_{slot}", enter_to_submit=True):
        values = {
            spec.name: field_widget(
                spec,
                f"{kind.key}_{slot}_{spec.name}",
                record.get(spec.name) if record else spec.default,
            )
            for spec in kind.fields
        }
        submitted = st.form_submit_button(
            "Create" if record is None else "Save changes",
            type="primary",
            key=f"{kind.key}_{slot}_submit",
        )
    if not submitted:
        return
    labels = {spec.name: spec.label for spec in kind.fields}
    try:
        if record is None:
            saved = kind.create(engine=engine, values=values, actor=actor)
        else:
            changed = {k: v for k, v in values.items() if v != record.get(k)}
            if not changed:
                st.info("Nothing changed, so nothing was saved.")
                return
            saved = kind.update(
                engine=engine,
                record_id=record["id"],
                expected_version=st.session_state[version_key],
                values=changed,
                actor=actor,
            )
    except ValidationError as error:
        show_field_errors(error, labels)
        return
    except StaleWriteError as error:
        show_stale(error, labels, version_key)
        return
    st.session_state.pop(version_key, None)
    if record is None:
        for spec in kind.fields:
            st.session_state.pop(f"{kind.key}_new_{spec.name}", None)
    st.session_state[flash_key] = f"Saved {kind.describe(saved)} (version {saved['version']})."
    on_saved()
    st.rerun()
