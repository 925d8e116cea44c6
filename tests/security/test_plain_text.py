"""Issue 9.15: every string from data or users is shown as plain text, everywhere.

Three layers:
1. The helpers (components.plain_text) against a model of what the two renderers do with text:
   Streamlit's markdown (react-markdown + remark-gfm in Streamlit 1.67: backslash escapes while
   tokenising, then bare-URL / e-mail / emoji finders on the resulting text — regexes below are
   the frontend bundle's) and plotly (a subset of HTML tags, then entities, `%{…}` hover fields).
   The model was checked once in Chromium against the real frontend: with the helpers, 15
   hostile strings in st.markdown, st.caption, st.error, metric labels and expander labels gave
   0 links, 0 images, 0 requests to the hostile host and the exact characters on screen;
   without them, 27 links, and the browser fetched the hostile image. Likewise a plotly
   legend, category ticks and title: 3 live links without `plotly_text`, none with it.
2. Every public function of components/ is listed here (found by introspection: a new one fails
   `test_every_public_component_function_is_walked` until it is listed); each that draws text
   or builds a figure is run with hostile strings in every data-driven field, and its markdown
   bodies (AppTest) or figure JSON must hold them escaped and never raw.
3. The real pages, run by AppTest as logged-in users, over a database holding hostile queue
   names, agent and display names, author handles, topic and channel names.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from google.protobuf.json_format import MessageToDict
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

import components
from components.plain_text import markdown_text, plotly_text
from components.theme import channel_label

HOSTILE: tuple[str, ...] = (
    "![x](http://127.0.0.1:9/leak.png)",
    "[click](http://127.0.0.1:9)",
    '=HYPERLINK("http://127.0.0.1:9","x")',
    '<a href="http://127.0.0.1:9">q</a>',
    "<img src=x>",
    "http://127.0.0.1:9/x",
    "**bold**",
    "$x$",
)
MORE_HOSTILE: tuple[str, ...] = (
    "www.example.com",
    "jo@example.com",
    ":smile: :red[r] :material/home:",
    "a &amp; b &lt;c&gt;",
    "# heading",
    "1. item",
    "- item",
    "| a | b |",
    "~~gone~~ `code` _em_",
    "<https://127.0.0.1:9>",
    "%{x} 100%",
    "line one\nline two\r\n===",
    "back\\slash \\*",
)
JOINER = "\u2060"

# --- 1. The renderers' reading of text ----------------------------------------------------------
# Characters that start markdown syntax when not backslash-escaped (CommonMark + GFM, `$` math,
# `:` directives/shortcodes, `&` entities, `=` setext underlines).
_SYNTAX = set("\\`*_{}[]<>()#+-.!|~:$&=")
_TOKEN = re.compile(r"\\[!-/:-@\[-`{-~]|.", re.S)
# remark-gfm's finders, run on text nodes after escapes are resolved (from Streamlit's bundle).
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
_SHORTCODE = re.compile(r":[\w+-][\w_+-]*:")


def markdown_reading(markdown: str) -> tuple[str, set[str]]:
    """(the text Streamlit shows for `markdown` if nothing in it is syntax, the syntax characters
    it would read as markup instead)."""
    text, markup = [], set()
    for token in _TOKEN.findall(markdown):
        if len(token) == 2:  # an escaped character: literal
            text.append(token[1])
        else:
            text.append(token)
            if token in _SYNTAX or token in "\r\n":
                markup.add(token)
    shown = "".join(text)
    for finder in (_GFM_URL, _GFM_EMAIL, _SHORTCODE):
        if finder.search(shown):
            markup.add(finder.pattern)
    return shown.replace(JOINER, ""), markup


_PLOTLY_ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|lt|gt|amp);")


def plotly_reading(text: str) -> tuple[str, set[str]]:
    """(the characters plotly shows for `text`, the tags / template fields / TeX it would read)."""
    markup = set(re.findall(r"<[^<>]*>", text)) | set(re.findall(r"%\{[^}]*\}", text))
    if "$" in text:
        markup.add("$")

    def decode(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.startswith("#x"):
            return chr(int(code[2:], 16))
        if code.startswith("#"):
            return chr(int(code[1:]))
        return {"lt": "<", "gt": ">", "amp": "&"}[code]

    return _PLOTLY_ENTITY.sub(decode, text), markup


@pytest.mark.parametrize("hostile", HOSTILE + MORE_HOSTILE)
def test_markdown_text_reads_as_exactly_its_characters(hostile):
    shown, markup = markdown_reading(markdown_text(hostile))
    assert markup == set()
    assert shown == re.sub(r"[\r\n]+", " ", hostile)  # a label is one line
    # The model sees the threat in the raw string (so the check above is not vacuous).
    assert markdown_reading(hostile)[1]


@pytest.mark.parametrize("hostile", HOSTILE + MORE_HOSTILE)
def test_plotly_text_reads_as_exactly_its_characters(hostile):
    shown, markup = plotly_reading(plotly_text(hostile))
    assert markup == set()
    assert shown == hostile


def test_plain_names_stay_as_they_are():
    assert markdown_text("Twitter / X") == "Twitter / X"
    assert markdown_text("@jo_smith") == "@jo\\_smith"
    assert plotly_text("Twitter / X") == "Twitter / X"
    assert markdown_text(None) == "" and plotly_text(None) == ""


# --- 2. Every component ----------------------------------------------------------------------


@dataclass
class Shown:
    """What a component put on screen: markdown bodies, figure JSON, and the raw strings that
    must appear in them (escaped)."""

    markdown: list[str] = field(default_factory=list)
    figures: list[Any] = field(default_factory=list)
    expect_markdown: list[str] = field(default_factory=list)
    expect_figure: list[str] = field(default_factory=list)


# Figure keys plotly never draws: trace group identifiers.
_NOT_DRAWN = {"legendgroup"}


def _strings(value: Any, keys: set[str] | None = None) -> Iterator[str]:
    """Every string in a JSON-like value (with `keys`: only under those dict keys)."""
    if isinstance(value, str):
        if keys is None:
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in _NOT_DRAWN:
                continue
            if keys is None or key in keys:
                yield from _strings(item)
            else:
                yield from _strings(item, keys)
    elif isinstance(value, list | tuple | np.ndarray | pd.Series | pd.Index):
        for item in value:
            yield from _strings(item, keys)


# Element protos' markdown fields. st.text and st.code draw verbatim; select box and multiselect
# options, dataframe cells and placeholders are plain text (checked in Chromium).
_MARKDOWN_KEYS = {"body", "label", "help", "caption", "captions"}
_VERBATIM = {"text", "code"}


def markdown_bodies(at: AppTest) -> list[str]:
    """Every markdown-rendered string of an AppTest run (main area and sidebar, nested blocks)."""
    found: list[str] = []

    def visit(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in _VERBATIM:
            found.extend(_strings(MessageToDict(proto), _MARKDOWN_KEYS))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.main)
    visit(at.sidebar)
    return found


def figure_specs(at: AppTest) -> list[Any]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _raw_forms() -> list[str]:
    # Channel ids fall back to `id.title()` as their label: that form is shown too.
    return list(dict.fromkeys([*HOSTILE, *(channel_label(h) for h in HOSTILE)]))


def assert_plain(shown: Shown) -> None:
    """No hostile string raw in any markdown body or figure text; the expected ones escaped."""
    bodies = list(shown.markdown)
    texts = [s for figure in shown.figures for s in _strings(figure)]
    for raw in _raw_forms():
        assert markdown_text(raw) != raw
        leaked = [b for b in bodies if raw in b]
        assert not leaked, f"{raw!r} reaches markdown unescaped: {leaked[:2]}"
        if plotly_text(raw) != raw:
            leaked = [t for t in texts if raw in t]
            assert not leaked, f"{raw!r} reaches a figure unescaped: {leaked[:2]}"
    for raw in shown.expect_markdown:
        assert any(markdown_text(raw) in b for b in bodies), f"{raw!r} not shown (escaped)"
    for raw in shown.expect_figure:
        assert any(plotly_text(raw) in t for t in texts), f"{raw!r} not in the figure (escaped)"


def _figure(fig: go.Figure) -> dict[str, Any]:
    return fig.to_plotly_json()


def _call(module: str, name: str, args: tuple, kwargs: dict) -> None:
    """AppTest script: call components.<module>.<name>(*args, **kwargs)."""
    import importlib

    getattr(importlib.import_module(module), name)(*args, **kwargs)


def _render(function: Callable[..., Any], *args: Any, **kwargs: Any) -> AppTest:
    at = AppTest.from_function(
        _call, args=(function.__module__, function.__name__, args, kwargs), default_timeout=30
    )
    at.run()
    assert not at.exception, at.exception
    return at


def _rendered(function: Callable[..., Any], *args: Any, expect: Iterable[str] = (), **kw) -> Shown:
    at = _render(function, *args, **kw)
    return Shown(markdown_bodies(at), figure_specs(at), expect_markdown=list(expect))


# Hostile data builders, one row per hostile string.
N = len(HOSTILE)
LABELS = [channel_label(h) for h in HOSTILE]  # what a hostile channel id is shown as


def _summary() -> pd.DataFrame:
    from analytics.floor import SUMMARY_COLUMNS

    return pd.DataFrame(
        {
            "channel_id": list(HOSTILE),
            "channel": list(HOSTILE),
            "offered": [10] * N,
            "answered": [5] * N,
            "abandoned": [2] * N,
            "backlog": [40] * N,
            "oldest_wait_seconds": [7200.0] * N,
            "met": [1] * N,
            "missed": [4] * N,
            "pending": [0] * N,
            "closed": [5] * N,
            "service_level_percent": [20.0] * N,
            "goal_percent": [80.0] * N,
            "target_seconds": [60.0] * N,
            "abandon_rule": ["fail"] * N,
            "short_abandon_seconds": [5] * N,
            "state": ["bad", "warn"] * (N // 2),
        }
    )[SUMMARY_COLUMNS]


def _spikes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "topic": list(HOSTILE),
            "count": [30] * N,
            "baseline_days": [14] * N,
            "baseline_mean": [2.0] * N,
            "z": [9.0] * N,
            "is_spike": [True] * N,
        }
    )


def _social(author: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"author": [author], "reach": [9000], "time_left_seconds": [-60.0], "past_target": [True]}
    )


def _alerts() -> list:
    from analytics.floor_alerts import floor_alerts

    return [
        alert
        for author in HOSTILE
        for alert in floor_alerts(
            _summary(),
            _spikes(),
            _social(author),
            warn_points=5.0,
            backlog_threshold=25,
            oldest_threshold_seconds=1800,
        )
    ]


def _alert_messages() -> list[str]:
    from components.alerts import alert_message

    return [alert_message(alert) for alert in _alerts()]


def _policies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel_id": list(HOSTILE),
            "channel": list(HOSTILE),
            "abandon_rule": ["fail", "exclude", "exclude_short", "mixed"] * (N // 4),
            "short_abandon_seconds": [5] * N,
            "calendar": [h if n % 2 else None for n, h in enumerate(HOSTILE)],
            "goal_percent": [80.0] * N,
        }
    )


def _social_frame() -> pd.DataFrame:
    now = datetime(2026, 11, 26, 12, 0)
    return pd.DataFrame(
        {
            "id": range(1, N + 1),
            "external_id": list(HOSTILE),
            "channel_id": list(HOSTILE),
            "author": list(HOSTILE),
            "reach": [100 * (N - n) for n in range(N)],
            "sentiment": [-0.8] * N,
            "topic": list(HOSTILE),
            "priority": list(HOSTILE),
            "queue": list(HOSTILE),
            "body": list(HOSTILE),
            "created_at": [now - timedelta(minutes=30)] * N,
            "target_seconds": [600.0] * N,
            "waited_seconds": [1800.0] * N,
            "time_left_seconds": [-1200.0] * N,
            "messages": [1] * N,
        }
    )


def _detail() -> dict[str, Any]:
    when = pd.Timestamp("2026-11-26 10:00")
    return {
        "id": 7,
        "channel": HOSTILE[0],
        "queue": HOSTILE[1],
        "status": HOSTILE[2],
        "is_public": True,
        "priority": HOSTILE[3],
        "topic": HOSTILE[4],
        "customer": HOSTILE[5],
        "agent": HOSTILE[6],
        "team": HOSTILE[7],
        "created_at": when,
        "first_response_at": when + pd.Timedelta(seconds=61),
        "frt_seconds": 61.0,
        "abandoned_at": None,
        "resolved_at": None,
        "handle_seconds": 300,
        "external_id": HOSTILE[0],
        "body": HOSTILE[1],
        "conversation": pd.DataFrame(
            {
                "id": [7, 8],
                "arrival_local": [when, when + pd.Timedelta(minutes=1)],
                "status": list(HOSTILE[:2]),
                "body": list(HOSTILE[2:4]),
            }
        ),
    }


def _overall() -> dict[str, Any]:
    keys = [
        "met",
        "missed",
        "pending",
        "excluded",
        "frt_n",
        "breaches",
        "answered",
        "handled",
        "abandoned",
        "offered",
    ]
    return {
        **dict.fromkeys(keys, 3),
        "service_level_percent": 50.0,
        "frt_median": 60.0,
        "frt_mean": 70.0,
        "frt_p90": 90.0,
        "asa_seconds": 70.0,
        "aht_seconds": 300.0,
        "abandonment_rate": 10.0,
        "answer_rate": 90.0,
        "csat_percent": 50.0,
        "csat_mean": 3.25,
        "csat_rated": 4,
        "csat_satisfied": 2,
    }


def _staffing() -> pd.DataFrame:
    from analytics.staffing import FRAME_COLUMNS

    row = {column: 1.0 for column in FRAME_COLUMNS}
    rows = [
        {**row, "interval": h, "channel_id": h, "channel": h, "basis": h, "note": h}
        for h in HOSTILE
    ]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


# -- cases: one per public function that draws text or builds a figure -------------------------


def case_channel_bars() -> Shown:
    from components.charts import channel_bars

    frame = pd.DataFrame({"channel_id": list(HOSTILE), "a": range(1, N + 1), "b": [2] * N})
    fig = channel_bars(frame, value_columns={"a": "Today", "b": "Week"}, title="t", y_title="y")
    return Shown(figures=[_figure(fig)], expect_figure=LABELS)


def case_service_level_over_time() -> Shown:
    from components.sl_charts import service_level_over_time

    days = pd.to_datetime(["2026-11-25", "2026-11-26"])
    series = pd.DataFrame(
        [
            {
                "period_start": day,
                "period_key": str(day.date()),
                "group_key": h,
                "group_label": h,
                "offered": 4,
                "met": 1,
                "missed": 3,
                "pending": 0,
                "service_level_percent": 25.0,
            }
            for h in HOSTILE
            for day in days
        ]
    )
    goals = _policies().assign(goal_percent=[80.0, 90.0] * (N // 2))
    fig = service_level_over_time(
        series,
        goals=goals,
        group_by="queue",
        granularity="day",
        title="t",
        subtitle="s",
        tz="UTC",
    )
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def case_frt_distribution() -> Shown:
    from components.sl_charts import frt_distribution

    buckets = pd.DataFrame(
        {
            "channel_id": list(HOSTILE),
            "family": ["live", "async"] * (N // 2),
            "bucket": ["0–1 h"] * N,
            "bucket_order": [0] * N,
            "count": [3] * N,
        }
    )
    fig = frt_distribution(buckets, title="t", subtitle="s")
    return Shown(figures=[_figure(fig)], expect_figure=LABELS)


def case_channel_mix_chart() -> Shown:
    from components.mix_charts import channel_mix_chart

    mix = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2026-11-26"] * N),
            "channel_id": list(HOSTILE),
            "offered": [5] * N,
            "share_percent": [100.0 / N] * N,
        }
    )
    figures = [
        _figure(channel_mix_chart(mix, mode=mode, granularity="day", title="t"))
        for mode in ("share", "count")
    ]
    return Shown(figures=figures, expect_figure=LABELS)


def case_social_split_chart() -> Shown:
    from components.mix_charts import social_split_chart

    split = pd.DataFrame(
        {
            "channel_id": list(HOSTILE),
            "public_offered": [3] * N,
            "private_offered": [1] * N,
            "offered": [4] * N,
            "public_share_percent": [75.0] * N,
        }
    )
    return Shown(figures=[_figure(social_split_chart(split, title="t"))], expect_figure=LABELS)


def case_channel_comparison_chart() -> Shown:
    from components.mix_charts import channel_comparison_chart

    table = pd.DataFrame(
        {
            "channel_id": list(HOSTILE),
            "service_level_percent": [50.0] * N,
            "goal_percent": [80.0] * N,
            "frt_median": [60.0] * N,
            "frt_p90": [600.0] * N,
            "aht_seconds": [300.0] * N,
        }
    )
    fig = channel_comparison_chart(table, title="t")
    return Shown(figures=[_figure(fig)], expect_figure=LABELS)


def case_volume_figure() -> Shown:
    from components.volume_chart import volume_figure

    today = pd.DataFrame(
        {
            "interval_start": pd.to_datetime(["2026-11-26 09:00"] * N),
            "channel_id": list(HOSTILE),
            "offered": [2] * N,
        }
    )
    expected = pd.DataFrame(columns=["slot_start", "mean", "low", "high", "days"])
    fig = volume_figure(
        today, expected, day=date(2026, 11, 26), tz="UTC", now_local=datetime(2026, 11, 26, 10)
    )
    return Shown(figures=[_figure(fig)], expect_figure=LABELS)


def case_alert_message() -> Shown:
    return Shown(markdown=_alert_messages(), expect_markdown=list(HOSTILE))


def case_render_alerts() -> Shown:
    from components.alerts import render_alerts

    listed = _rendered(render_alerts, _alerts(), expect=HOSTILE)
    compact = _rendered(render_alerts, _alerts(), compact=True, expect=HOSTILE)  # wallboard
    return Shown(listed.markdown + compact.markdown, expect_markdown=list(HOSTILE))


def case_rule_description() -> Shown:
    from components.sl_panels import rule_description

    return Shown(markdown=[rule_description(_policies(), None)], expect_markdown=list(HOSTILE))


def case_clock_description() -> Shown:
    from components.sl_panels import clock_description

    return Shown(markdown=[clock_description(_policies(), True)], expect_markdown=list(HOSTILE))


def case_kpi_tiles() -> Shown:
    from components.sl_panels import clock_description, kpi_tiles, rule_description

    return _rendered(
        kpi_tiles,
        _overall(),
        rule_text=rule_description(_policies(), None),
        clock_text=clock_description(_policies(), True),
        goal=80.0,
        by_clock={"live": _frt_summary(), "async": _frt_summary()},
        previous=_overall(),
        previous_by_clock={"live": _frt_summary()},
        expect=HOSTILE,
    )


def _frt_summary():
    from analytics.distributions import FrtSummary

    return FrtSummary(median=60.0, p90=90.0, mean=70.0, n=3)


def case_clock_tiles() -> Shown:
    from components.sl_panels import clock_description, clock_tiles

    text = clock_description(_policies(), True)
    return _rendered(clock_tiles, "live", _frt_summary(), None, clock_text=text, expect=HOSTILE)


def case_interaction_panel() -> Shown:
    from components.sl_panels import interaction_panel

    return _rendered(interaction_panel, _detail(), "UTC", expect=HOSTILE[:2])


def case_render_social_watch() -> Shown:
    from components.social_watch import OPEN_KEY

    at = AppTest.from_function(
        _call,
        args=("components.social_watch", "render_social_watch", (_social_frame(), "UTC"), {}),
        default_timeout=30,
    )
    at.session_state[OPEN_KEY] = 4  # a post is open: its header is markdown
    at.run()
    assert not at.exception, at.exception
    return Shown(markdown_bodies(at), expect_markdown=[LABELS[3]])


def case_render_channel_tiles() -> Shown:
    from components.floor_tiles import render_channel_tiles

    return _rendered(render_channel_tiles, _summary(), expect=HOSTILE)


def case_render_wallboard_tiles() -> Shown:
    from components.floor_tiles import render_wallboard_tiles

    return _rendered(render_wallboard_tiles, _summary(), expect=HOSTILE)


def case_render_totals() -> Shown:
    from components.floor_tiles import render_totals

    return _rendered(
        render_totals, _summary(), pd.DataFrame({"state": ["busy"], "name": [HOSTILE[0]]})
    )


def case_render_channel_details() -> Shown:
    from components.floor_tiles import render_channel_details

    return _rendered(render_channel_details, _summary())


def case_render_agent_states() -> Shown:
    from components.floor_tiles import render_agent_states

    agents = pd.DataFrame({"state": ["busy", "break"], "name": list(HOSTILE[:2])})
    return _rendered(render_agent_states, agents)


def case_render_staffing_table() -> Shown:
    from components.staffing_table import render_staffing_table

    return _rendered(render_staffing_table, _staffing())


def case_show_field_errors() -> Shown:
    from components.record_form import show_field_errors
    from queries.writes import ValidationError

    error = ValidationError({f"field{n}": h for n, h in enumerate(HOSTILE)})
    return _rendered(show_field_errors, error, {"field0": "Name"}, expect=HOSTILE)


def _topic_like_kind(name: str, *, stale_by: str | None = None) -> Any:
    from components.record_form import FieldSpec, RecordKind
    from queries.writes import StaleWriteError

    def create(**_: Any) -> dict[str, Any]:
        return {"id": 1, "version": 1, "name": name}

    def update(**_: Any) -> dict[str, Any]:
        raise StaleWriteError({"id": 1, "version": 2, "name": name}, stale_by, None)

    return RecordKind(
        key="hostile",
        title="Topic",
        fields=(FieldSpec("name", "Name"),),
        describe=lambda r: str(r["name"]),
        create=create,
        update=update,
    )


def case_record_editor() -> Shown:
    shown = Shown(expect_markdown=[" ".join(HOSTILE)])
    empty = pd.DataFrame(columns=["id", "version", "name"])
    # A new record saved: the flash names it.
    at = AppTest.from_function(
        _call,
        args=(
            "components.record_form",
            "record_editor",
            (_topic_like_kind(" ".join(HOSTILE)), empty),
            {"engine": None, "actor": "admin", "on_saved": lambda: None},
        ),
        default_timeout=30,
    )
    at.run()
    at.text_input(key="hostile_new_name").set_value("x")
    at.button[0].click().run()
    assert not at.exception, at.exception
    shown.markdown += markdown_bodies(at)
    # A stale save: the warning names who changed it.
    records = pd.DataFrame([{"id": 1, "version": 1, "name": HOSTILE[0]}])
    at = AppTest.from_function(
        _call,
        args=(
            "components.record_form",
            "record_editor",
            (_topic_like_kind(HOSTILE[1], stale_by=" ".join(HOSTILE)), records),
            {"engine": None, "actor": "admin", "on_saved": lambda: None},
        ),
        default_timeout=30,
    )
    at.session_state["hostile_pick"] = 1
    at.run()
    at.text_input(key="hostile_1_name").set_value("changed")
    at.button[0].click().run()
    assert not at.exception, at.exception
    shown.markdown += markdown_bodies(at)
    return shown


def case_mapping_form() -> Shown:
    from components.import_form import mapping_form
    from ingest.mapping import DIRECT_FIELDS, ColumnMapping
    from ingest.validation import normalise_column

    # A saved mapping reading columns this file lacks: the warning names them.
    mapping = ColumnMapping(columns=dict(zip(DIRECT_FIELDS, HOSTILE, strict=False)))
    saved = pd.Series({"id": 1, "name": HOSTILE[0], "definition": mapping.to_json(), "version": 1})
    expect = [normalise_column(h) for h in HOSTILE]
    return _rendered(mapping_form, ["a"], saved, list(HOSTILE), "UTC", expect=expect)


def case_show_result() -> Shown:
    from components.import_run import ImportOutcome, show_result

    outcome = ImportOutcome(" ".join(HOSTILE), HOSTILE[1], 1, 2, 3, b"line,reason,original\r\n")
    return _rendered(show_result, outcome, expect=[" ".join(HOSTILE), HOSTILE[1]])


def _weekly_figures() -> tuple[pd.DataFrame, pd.DataFrame]:
    weeks = pd.DataFrame({"week": ["2026-W12", "2026-W13"], "partial": [False, True]})
    rows = [
        ("offered.total", "Volume", "Offered, all channels", 9.0, "contacts", None),
        ("sl.total", "Service level", "Service level, all channels", 80.0, "%", 5),
    ]
    for h in HOSTILE:
        rows.append((f"offered.{h}", "Volume", f"Offered — {h}", 1.0, "contacts", None))
        rows.append((f"sl.{h}", "Service level", f"Service level — {h}", 50.0, "%", 2))
        rows.append((f"topic.{h}", "Topics", h, 3.0, "contacts", 9))
        rows.append((f"rising.{h}", "Rising topics", h, 2.0, "contacts", 3))
    frame = pd.DataFrame(
        [(w, *r) for w in weeks["week"] for r in rows],
        columns=["week", "key", "section", "label", "value", "unit", "n"],
    )
    frame["goal"] = [
        80.0 if k.startswith("sl.") and k != "sl.total" else None for k in frame["key"]
    ]
    return frame, weeks


def case_weekly_trend_chart() -> Shown:
    from components.weekly_charts import weekly_trend_chart

    figures, weeks = _weekly_figures()
    keys = [f"sl.{h}" for h in HOSTILE]
    fig = weekly_trend_chart(figures, weeks, keys=keys, title=HOSTILE[0], unit="%")
    labels = [f"Service level — {h}" for h in HOSTILE]
    return Shown(figures=[_figure(fig)], expect_figure=[*labels, HOSTILE[0]])


def case_weekly_offered_chart() -> Shown:
    from components.weekly_charts import weekly_offered_chart

    figures, weeks = _weekly_figures()
    fig = weekly_offered_chart(figures, weeks, title="t")
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def case_trend_charts() -> Shown:
    from components.weekly_charts import trend_charts

    figures, weeks = _weekly_figures()
    charts = trend_charts(figures, weeks, period=HOSTILE[1], qa=True)
    return Shown(
        figures=[_figure(f) for f in charts.values()], expect_figure=[*HOSTILE, HOSTILE[1]]
    )


def case_week_tiles() -> Shown:
    from components.weekly_panels import week_tiles

    figures, _ = _weekly_figures()
    hostile_tiles = figures.assign(
        label=lambda f: [
            " ".join(HOSTILE) if k == "offered.total" else label
            for k, label in zip(f["key"], f["label"], strict=True)
        ]
    )
    return _rendered(
        week_tiles, hostile_tiles, week="2026-W13", previous="2026-W12", expect=[" ".join(HOSTILE)]
    )


def case_goals_caption() -> Shown:
    from components.weekly_panels import goals_caption

    figures, _ = _weekly_figures()
    return _rendered(goals_caption, figures, week="2026-W13", expect=HOSTILE)


# -- Topics and customer journeys ------------------------------------------------------------


def _topic_table() -> pd.DataFrame:
    from analytics.topic_trends import mark_spikes, weekly_table

    days = [date(2026, 1, 5) + timedelta(weeks=w) for w in range(6)]
    daily = pd.DataFrame(
        [
            {"day": d, "topic": h, "count": 30 if w == 5 else 2, "negative": 1, "scored": 2}
            for w, d in enumerate(days)
            for h in HOSTILE
        ]
    )
    table = weekly_table(daily, days[0], days[-1])
    return mark_spikes(table, baseline_periods=8, z_threshold=3, min_count=10,
                       history_start=days[0])  # fmt: skip


def case_topic_trend_figure() -> Shown:
    from components.topic_charts import topic_trend_figure

    table = _topic_table()
    assert table["is_spike"].any()
    fig = topic_trend_figure(table, granularity="week", title="t", rule_text="rule")
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def case_render_rising_falling() -> Shown:
    from components.topic_panels import render_rising_falling

    wow = pd.DataFrame(
        {"topic": list(HOSTILE), "count": [5, 1] * (N // 2), "previous": [1, 5] * (N // 2)}
    ).assign(change=lambda f: f["count"] - f["previous"])
    return _rendered(render_rising_falling, wow, "2026-W02", "2026-W01", expect=HOSTILE[:6])


def _topic_contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(1, N + 1),
            "created_at": [datetime(2026, 1, 5, 9)] * N,
            "channel_id": list(HOSTILE),
            "is_public": [True] * N,
            "customer_id": range(1, N + 1),
            "customer": list(HOSTILE),
            "agent": list(HOSTILE),
            "sentiment": [-0.5] * N,
            "status": ["open"] * N,
            "first_response_at": [None] * N,
            "body": list(HOSTILE),
        }
    )


def case_render_topic_contacts() -> Shown:
    from components.topic_panels import render_topic_contacts

    at = AppTest.from_function(
        _call,
        args=("components.topic_panels", "render_topic_contacts", (_topic_contacts(),),
              {"tz": "UTC", "topic": HOSTILE[0], "period": HOSTILE[1]}),
        default_timeout=30,
    )  # fmt: skip
    at.session_state["topics_contact_open"] = 1  # a contact chosen: its journey link shows
    at.run()
    assert not at.exception, at.exception
    assert render_topic_contacts.__name__
    return Shown(markdown_bodies(at), expect_markdown=list(HOSTILE[:2]))


def case_render_whom_to_tell() -> Shown:
    from components.topic_panels import render_whom_to_tell

    playbook = pd.DataFrame(
        {"issue": list(HOSTILE), "topic": list(HOSTILE), "response_template": list(HOSTILE),
         "escalation": list(HOSTILE), "move_to_private": [True] * N}
    )  # fmt: skip
    people = pd.DataFrame(
        {"name": list(HOSTILE), "email": list(HOSTILE), "role": list(HOSTILE),
         "topic": list(HOSTILE)}
    )  # fmt: skip
    log = pd.DataFrame(
        {"topic": list(HOSTILE), "period": list(HOSTILE), "stakeholders": list(HOSTILE),
         "note": list(HOSTILE), "informed_by": list(HOSTILE),
         "informed_at": [datetime(2026, 1, 5, 9)] * N}
    )  # fmt: skip
    return _rendered(
        render_whom_to_tell,
        topic=HOSTILE[0],
        period="2026-W02",
        playbook=playbook,
        stakeholders=people,
        log=log,
        tz="UTC",
        record=lambda values, key: {},
        expect=HOSTILE,
    )


def _timeline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(1, N + 1),
            "created_at": [datetime(2026, 1, 5, 9) + timedelta(hours=n) for n in range(N)],
            "channel_id": list(HOSTILE),
            "direction": ["inbound", "outbound"] * (N // 2),
            "is_public": [True] * N,
            "conversation_id": list(HOSTILE),
            "is_contact": [True, False] * (N // 2),
            "agent": list(HOSTILE),
            "topic": list(HOSTILE),
            "sentiment": [-0.2] * N,
            "first_response_at": [datetime(2026, 1, 5, 10)] * N,
            "resolved_at": [datetime(2026, 1, 5, 11)] * N,
            "abandoned_at": [None] * N,
            "status": ["resolved"] * N,
            "csat": [4] * N,
            "body": list(HOSTILE),
        }
    )


def case_journey_figure() -> Shown:
    from components.journey_view import journey_figure

    fig = journey_figure(_timeline(), "UTC", "t")
    return Shown(figures=[_figure(fig)], expect_figure=[*LABELS, *HOSTILE])


def case_render_customer_header() -> Shown:
    from components.journey_view import render_customer_header

    handles = pd.DataFrame({"channel_id": list(HOSTILE), "handle": list(HOSTILE)})
    return _rendered(render_customer_header, HOSTILE[0], 1, handles, expect=HOSTILE)


def case_render_journey_figures() -> Shown:
    from components.journey_view import render_journey_figures

    counts = pd.DataFrame(
        {"week": [date(2026, 1, 5)] * N, "channel_id": list(HOSTILE), "topic": list(HOSTILE),
         "resolved": [4] * N, "repeated": [2] * N, "switched": [1] * N,
         "answered_pairs": [2] * N, "same_agent": [1] * N}
    )  # fmt: skip
    return _rendered(render_journey_figures, counts, "topic", window_days=7, key="k")


# --- QA pages' components ------------------------------------------------------------------------


def _criteria() -> list:
    from queries.qa_reviews import ReviewCriterion

    return [
        ReviewCriterion(n, h, 1.0, 3, n == 0, description=h, allow_na=True)
        for n, h in enumerate(HOSTILE)
    ]


def _qa_detail() -> Any:
    from queries.qa_reviews import InteractionDetail

    at = datetime(2026, 11, 2, 9, 0)
    row = {
        "id": 7, "channel_id": HOSTILE[0], "is_public": True, "customer": HOSTILE[1],
        "agent": HOSTILE[2], "team": HOSTILE[3], "created_at": at, "first_response_at": at,
        "resolved_at": None, "status": HOSTILE[4],
    }  # fmt: skip
    messages = pd.DataFrame(
        {
            "at": [at] * N,
            "direction": ["inbound", "outbound"] * (N // 2),
            "author": list(HOSTILE),
            "body": list(HOSTILE),
            "kind": ["message", "reply"] * (N // 2),
            "state": [None, "published"] * (N // 2),
        }
    )
    others = pd.DataFrame(
        {
            "id": range(N), "channel_id": list(HOSTILE), "handle": list(HOSTILE),
            "created_at": [at] * N, "topic": list(HOSTILE), "status": list(HOSTILE),
            "agent": list(HOSTILE), "body": list(HOSTILE),
        }
    )  # fmt: skip
    return InteractionDetail(row, messages, others)


def _quality_scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agent_id": range(N), "agent": list(HOSTILE), "team": list(reversed(HOSTILE)),
            "n": [6, 2] * (N // 2), "mean": [80.0] * N, "ci_low": [70.0] * N,
            "ci_high": [90.0] * N, "rank": [1, None] * (N // 2),
        }
    )  # fmt: skip


def case_qa_score_chart() -> Shown:
    from components.qa_charts import qa_score_chart

    fig = qa_score_chart(_quality_scores(), by="agent", title="QA score")
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def case_qa_trend_chart() -> Shown:
    from components.qa_charts import qa_trend_chart

    trend = pd.DataFrame(
        {
            "week_start": [datetime(2026, 11, 2)] * N, "agent_id": range(N),
            "agent": list(HOSTILE), "team": list(HOSTILE), "n": range(1, N + 1),
            "mean": [75.0] * N, "auto_fails": [0] * N,
        }
    )  # fmt: skip
    fig = qa_trend_chart(trend, by="team", title="Weekly QA score")
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def _agreement() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "criterion_id": range(N), "criterion": list(HOSTILE), "level": ["interval"] * N,
            "alpha": [0.5] * N, "interactions": [2] * N, "raters": [3] * N, "note": [""] * N,
        }
    )  # fmt: skip


def case_alpha_chart() -> Shown:
    from components.calibration_panels import alpha_chart

    fig = alpha_chart(_agreement(), title="Agreement")
    return Shown(figures=[_figure(fig)], expect_figure=list(HOSTILE))


def case_calibration_results() -> Shown:
    from components.calibration_panels import calibration_results
    from queries.calibration import CalibrationRatings

    criteria = [c.for_scoring() for c in _criteria()]
    ratings = pd.DataFrame(
        [
            (item, reviewer, c.id, float(points))
            for item in (1, 2)
            for reviewer, points in ((HOSTILE[0], 1), (HOSTILE[1], 3))
            for c in criteria
        ],
        columns=["interaction_id", "reviewer", "criterion_id", "points"],
    )
    name = " ".join(HOSTILE)
    at = _render(calibration_results, CalibrationRatings(ratings, criteria, 2), name=name)
    return Shown(markdown_bodies(at), figure_specs(at), expect_figure=list(HOSTILE))


def case_session_caption() -> Shown:
    from components.calibration_panels import session_caption

    session = {"created_by": HOSTILE[0], "created_at": datetime(2026, 11, 2), "reviewers": HOSTILE}
    text = session_caption(session, tz="UTC")
    return Shown(markdown=[text], expect_markdown=[HOSTILE[0]])


def case_criterion_label() -> Shown:
    from components.qa_scoring import criterion_label

    return Shown(markdown=[criterion_label(c) for c in _criteria()], expect_markdown=list(HOSTILE))


def case_score_widgets() -> Shown:
    from components.qa_scoring import score_widgets

    return _rendered(score_widgets, _criteria(), key="k", expect=HOSTILE)


def case_live_total() -> Shown:
    from components.qa_scoring import live_total

    return _rendered(live_total, _criteria(), {0: 0.0, 1: 3.0}, expect=HOSTILE[:1])


def case_show_review_errors() -> Shown:
    from components.qa_scoring import show_review_errors
    from queries.writes import ValidationError

    error = ValidationError({f"scores.{n}": h for n, h in enumerate(HOSTILE)})
    return _rendered(show_review_errors, error, _criteria(), expect=HOSTILE)


def case_show_stale_review() -> Shown:
    from components.qa_scoring import show_stale_review
    from queries.writes import StaleWriteError

    current = {"id": 1, "reviewer": HOSTILE[0], "status": "submitted", "version": 2}
    error = StaleWriteError(current, " ".join(HOSTILE), None)
    return _rendered(show_stale_review, error, expect=[" ".join(HOSTILE)])


def case_interaction_view() -> Shown:
    from components.qa_interaction import interaction_view

    return _rendered(interaction_view, _qa_detail(), tz="UTC", key="k", expect=HOSTILE)


def case_message_heading() -> Shown:
    from components.qa_interaction import message_heading

    rows = _qa_detail().messages.to_dict("records")
    return Shown(markdown=[message_heading(r, "UTC") for r in rows], expect_markdown=list(HOSTILE))


def case_coaching_notes_view() -> Shown:
    from components.qa_disputes import coaching_notes_view

    notes = pd.DataFrame(
        {
            "id": range(N), "author": list(HOSTILE), "body": list(HOSTILE),
            "created_at": [datetime(2026, 11, 2)] * N, "review_ids": [[1, 2]] * N,
        }
    )  # fmt: skip
    return _rendered(coaching_notes_view, notes, tz="UTC", expect=HOSTILE)


def case_show_run_result() -> Shown:
    from types import SimpleNamespace

    from components.qa_sampling_form import show_run_result

    run = SimpleNamespace(
        sample_id=1,
        created=True,
        drawn_ids=list(range(N)),
        assignments=pd.DataFrame({"reviewer": list(HOSTILE)}),
    )
    return _rendered(show_run_result, run, expect=HOSTILE)


def case_sampling_show_errors() -> Shown:
    from components.qa_sampling_form import show_errors
    from queries.writes import ValidationError

    error = ValidationError({f"field{n}": h for n, h in enumerate(HOSTILE)})
    return _rendered(show_errors, error, expect=HOSTILE)


CASES: dict[str, Callable[[], Shown]] = {
    "charts.channel_bars": case_channel_bars,
    "sl_charts.service_level_over_time": case_service_level_over_time,
    "sl_charts.frt_distribution": case_frt_distribution,
    "mix_charts.channel_mix_chart": case_channel_mix_chart,
    "mix_charts.social_split_chart": case_social_split_chart,
    "mix_charts.channel_comparison_chart": case_channel_comparison_chart,
    "volume_chart.volume_figure": case_volume_figure,
    "alerts.alert_message": case_alert_message,
    "alerts.render_alerts": case_render_alerts,
    "sl_panels.rule_description": case_rule_description,
    "sl_panels.clock_description": case_clock_description,
    "sl_panels.kpi_tiles": case_kpi_tiles,
    "sl_panels.clock_tiles": case_clock_tiles,
    "sl_panels.interaction_panel": case_interaction_panel,
    "social_watch.render_social_watch": case_render_social_watch,
    "floor_tiles.render_channel_tiles": case_render_channel_tiles,
    "floor_tiles.render_totals": case_render_totals,
    "floor_tiles.render_wallboard_tiles": case_render_wallboard_tiles,
    "floor_tiles.render_channel_details": case_render_channel_details,
    "floor_tiles.render_agent_states": case_render_agent_states,
    "staffing_table.render_staffing_table": case_render_staffing_table,
    "record_form.show_field_errors": case_show_field_errors,
    "record_form.record_editor": case_record_editor,
    "import_form.mapping_form": case_mapping_form,
    "import_run.show_result": case_show_result,
    "weekly_charts.weekly_trend_chart": case_weekly_trend_chart,
    "weekly_charts.weekly_offered_chart": case_weekly_offered_chart,
    "weekly_charts.trend_charts": case_trend_charts,
    "weekly_panels.week_tiles": case_week_tiles,
    "weekly_panels.goals_caption": case_goals_caption,
    "topic_charts.topic_trend_figure": case_topic_trend_figure,
    "topic_panels.render_rising_falling": case_render_rising_falling,
    "topic_panels.render_topic_contacts": case_render_topic_contacts,
    "topic_panels.render_whom_to_tell": case_render_whom_to_tell,
    "journey_view.journey_figure": case_journey_figure,
    "journey_view.render_customer_header": case_render_customer_header,
    "journey_view.render_journey_figures": case_render_journey_figures,
    "qa_charts.qa_score_chart": case_qa_score_chart,
    "qa_charts.qa_trend_chart": case_qa_trend_chart,
    "calibration_panels.alpha_chart": case_alpha_chart,
    "calibration_panels.calibration_results": case_calibration_results,
    "calibration_panels.session_caption": case_session_caption,
    "qa_scoring.criterion_label": case_criterion_label,
    "qa_scoring.score_widgets": case_score_widgets,
    "qa_scoring.live_total": case_live_total,
    "qa_scoring.show_review_errors": case_show_review_errors,
    "qa_scoring.show_stale_review": case_show_stale_review,
    "qa_interaction.interaction_view": case_interaction_view,
    "qa_interaction.message_heading": case_message_heading,
    "qa_disputes.coaching_notes_view": case_coaching_notes_view,
    "qa_sampling_form.show_run_result": case_show_run_result,
    "qa_sampling_form.show_errors": case_sampling_show_errors,
}

# Drawn only inside a logged-in page (they need the login, the sidebar's page files or the
# database): `test_pages_show_stored_hostile_text` runs them with hostile stored data.
PAGE_CASES: dict[str, str] = {
    "navigation.render_sidebar": "display name in the sidebar (home and every page)",
    "guard.render_session_sidebar": "calls navigation.render_sidebar",
    "guard.require_page": "draws the sidebar; its access message names only the page",
    "user_admin.users_tab": "Settings page: users with hostile display names",
    "auth.restore_login": "reads the display name the sidebar shows",
    "home_view.render_home": "home view: the welcome names the hostile display name",
    "breach_list.render_breaches": "Service level page: breaches with hostile queues, drill-down",
    "import_form.save_mapping_form": "Import page: a mapping saved under a hostile name",
    "import_run.run_import": "Import page: progress text and result name the hostile file",
    "weekly_report.render_report": "Weekly trends page: the report's status and table",
    "topic_panels.render_focus_topic": "Topics page: hostile topic, playbook and stakeholders",
    "qa_scoring.review_editor": "QA review and Calibration pages: hostile criteria, agents",
    "qa_drill_down.agent_drill_down": "Agent quality page: hostile agent, dispute, coaching note",
    "qa_disputes.resolve_dispute_form": "Agent quality page as a reviewer: a hostile dispute",
    "qa_sampling_form.show_preview": "QA sampling page: hostile agents and teams (in tables)",
    "qa_queue.pick_assignment": "QA review page: a queue of a hostile agent",
}

# Functions that draw no data-driven text: why each needs no case.
NO_DATA_TEXT: dict[str, str] = {
    "alerts.render_floor_alerts": "computes the alerts, then render_alerts (walked) draws them",
    "record_form.clean_value": "a value, not drawn",
    "record_form.field_widget": "a widget labelled by the record kind's field specs (code)",
    "record_form.show_stale": "drawn by record_editor's stale-save path (walked)",
    "sla_policy_form.clear_policy_readers": "no text",
    "sla_policy_form.policy_table": "a dataframe (plain cells)",
    "sla_policy_form.sla_policy_editor": "channel names in select options (plain); messages fixed",
    "auth.client_address": "no text",
    "auth.current_user": "no text",
    "auth.forget_login": "no text",
    "auth.issue_cookie_token": "no text",
    "auth.read_cookie_token": "no text",
    "db.schedule_retry": "no text (a timer that reruns the page)",
    "guard.require_fresh_access": "no text: reruns the page when the login or role is gone",
    "session_check.shared_session_user": "no text: a user row or None",
    "channel_volume.offered_today_and_week": "a frame of counts",
    "charts.local_naive": "time arithmetic",
    "charts.local_time_axis": "tick labels are dates",
    "charts.period_ticks": "dates",
    "report_filters.opening_note": "a sentence of dates",
    "report_filters.period_choice": "dates",
    "report_filters.week_to_date": "dates",
    "report_help.metrics_document": "the product's own metrics document",
    "report_help.report_help": "fixed help texts (code)",
    "sl_filters.service_level_filters": "widgets whose options are labelled by code",
    "sl_panels.csat_tile": "numbers",
    "sl_panels.change_text": "numbers and durations",
    "sl_panels.previous_text": "a number or duration",
    "sl_tables.csat_text": "numbers",
    "plain_text.markdown_text": "the helper itself (layer 1)",
    "plain_text.plotly_text": "the helper itself (layer 1)",
    "exports.neutralise_cell": "CSV export: tests/security/test_exports.py",
    "exports.neutralise_formulas": "CSV export: tests/security/test_exports.py",
    "exports.csv_bytes": "CSV export: tests/security/test_exports.py",
    "sl_tables.breach_csv": "CSV export: tests/security/test_exports.py",
    "sl_tables.breach_table": "a frame for st.dataframe (cells are plain text)",
    "sl_tables.group_table": "a frame for st.dataframe (cells are plain text)",
    "sl_tables.comparison_table": "a frame for st.dataframe (cells are plain text)",
    "charts.empty_figure": "title and message are written by code",
    "charts.legend_swatch": "legend names are written by code",
    "sl_charts.group_colours": "colours only",
    "sl_charts.legend_below": "layout only",
    "sl_charts.busiest_groups": "returns keys, draws nothing",
    "alerts.alert_rules": "numbers from settings only",
    "alerts.alert_counts": "counts and fixed kind names",
    "agent_list.agent_table": "a frame, not drawn",
    "agent_list.render_agent_list": "names and teams only in a dataframe and select options "
    "(plain cells); its caption is counts",
    "wallboard.wallboard_toggle": "a toggle and fixed CSS",
    "floor_tiles.abandon_rule_text": "rule from a fixed set, number",
    "floor_tiles.service_level_help": "numbers and a rule from a fixed set",
    "floor_tiles.compact_wait": "a duration",
    "floor_tiles.wall_wait": "a duration",
    "floor_tiles.sample_text": "a count",
    "floor_tiles.service_level_text": "numbers and a fixed phrase",
    "social_watch.signed_duration": "a duration",
    "staffing_table.gap_colour": "a cell style",
    "volume_chart.volume_title": "a date",
    "theme.channel_colour": "a colour",
    "theme.channel_label": "a label; escaped where drawn",
    "theme.format_seconds": "a duration",
    "report_filters.period_label": "dates",
    "report_filters.utc_bounds": "time arithmetic",
    "navigation.pages_for": "the page registry (code)",
    "navigation.page_spec": "the page registry (code)",
    "guard.configure_page": "page title from the registry (code)",
    "auth.build_authenticator": "no text but a fixed configuration message",
    "auth.logout": "no text",
    "auth.render_login_form": "fixed texts; login messages never echo the username typed",
    "admin_records.sla_policy_kind": "field specs; describe() reaches markdown via record_editor",
    "admin_records.topic_kind": "field specs; describe() reaches markdown via record_editor",
    "admin_records.playbook_kind": "field specs; describe() reaches markdown via record_editor",
    "admin_records.stakeholder_kind": "field specs; describe() reaches markdown via record_editor",
    "admin_records.scorecard_kind": "field specs; describe() reaches markdown via record_editor",
    "admin_records.kind_columns": "column names (code)",
    "db.app_engine": "no text",
    "db.database_errors": "fixed message and an exception class name",
    "qa_help.qa_help": "fixed help texts (code)",
    "qa_scoring.forget_form": "no text",
    "qa_pickers.pick_row": "select box options (plain text)",
    "qa_interaction.local_time": "a time",
    "qa_charts.group_names": "names for figures; escaped where drawn (qa_score_chart, walked)",
    "qa_quality_tables.quality_table": "a frame for st.dataframe (cells are plain text)",
    "qa_quality_tables.criterion_table": "a frame for st.dataframe (cells are plain text)",
    "qa_quality_tables.overall_criteria": "a frame for st.dataframe (cells are plain text)",
    "qa_quality_tables.reviews_table": "a frame for st.dataframe (cells are plain text)",
    "qa_queue.queue_table": "a frame for st.dataframe (cells are plain text)",
    "qa_queue.pick_submitted": "a table and select box options (plain text); fixed captions",
    "qa_disputes.disputes_table": "a frame for st.dataframe (cells are plain text)",
    "qa_disputes.open_dispute_form": "widgets labelled by code; errors via show_review_errors",
    "qa_disputes.coaching_form": "widgets labelled by code; errors via show_review_errors",
    "qa_drill_down.pick_agent": "select box options (plain text)",
    "qa_sampling_form.sampling_rule": "widgets labelled by code; options are plain text",
    "qa_sampling_form.preview_tables": "frames for st.dataframe (cells are plain text)",
    "qa_sampling_form.form_token": "no text",
    "qa_sampling_form.new_run_button": "a button labelled by code",
    "qa_sampling_form.assignment_inputs": "widgets labelled by code; options are plain text",
    "qa_sampling_form.runs_table": "a frame for st.dataframe (cells are plain text)",
    "qa_sampling_form.redraw_message": "a sentence of counts",
    "calibration_panels.new_session_form": "widgets labelled by code; options are plain text",
    "calibration_panels.pick_session": "select box options (plain text)",
    "calibration_panels.pick_item": "a table and select box options (plain text)",
    "calibration_panels.items_table": "a frame for st.dataframe (cells are plain text)",
    "journey_links.journey_link": "a link labelled with ids (numbers)",
    "journey_links.link_to_page": "labels escaped by the callers (alerts, journey_link: walked)",
    "journey_view.message_kind": "a word from a fixed set",
    "journey_view.timeline_table": "a frame for st.dataframe (cells are plain text)",
    "journey_view.customer_rates": "numbers",
    "journey_view.rates_table": "a frame for st.dataframe (cells are plain text)",
    "topic_filters.topic_filters": "widgets whose options are labelled by code",
    "topic_panels.spike_rule": "numbers from settings only",
    "topic_panels.week_table": "a frame for st.dataframe (cells are plain text)",
    "topic_panels.period_at": "a date",
    "topic_panels.record_for": "no text: the write behind the form",
    "import_upload.spooled_upload": "no text: copies the upload to disk",
    "import_upload.discard_upload": "no text",
    "import_upload.first_records": "records, not drawn",
    "import_form.choose_saved_mapping": "saved names only as select options (plain)",
    "import_run.preview_frame": "a frame for st.dataframe (cells are plain text)",
    "import_run.clear_interaction_readers": "no text",
    "exports.table_csv": "CSV export: tests/security/test_exports.py",
    "exports.csv_download": "a download button with a fixed label; the CSV is neutralised",
    "exports.sheet_name": "a worksheet name",
    "exports.xlsx_bytes": "an XLSX file, text neutralised: tests/test_report_exports.py",
    "exports.figure_pngs": "images of figures built (and walked) elsewhere",
    "exports.pdf_bytes": "a PDF: text drawn as text, no markup: tests/test_report_exports.py",
    "report_export.report_sheets": "export sheets (frames), not drawn",
    "report_export.report_xlsx": "an XLSX file: tests/test_report_exports.py",
    "report_export.report_pdf": "a PDF file: tests/test_report_exports.py",
    "weekly_charts.week_ticks": "ISO week labels",
    "weekly_panels.definition": "fixed help texts (code)",
    "weekly_panels.format_figure": "a number",
    "weekly_panels.change_text": "a number",
    "weekly_panels.not_available": "fixed texts (code)",
    "weekly_panels.topics_panel": "a dataframe (plain cells); a fixed caption",
    "weekly_panels.report_table": "a frame for st.dataframe (cells are plain text)",
    "weekly_panels.report_status": "plain text; render_report shows it through markdown_text",
    "weekly_panels.report_actions": "buttons and a form with fixed labels",
}
# Modules of cached readers: they return frames and draw nothing.
READER_MODULES = {
    "cache_floor",
    "cache_reports",
    "weekly_cache",
    "cache_replies",
    "cache_topics",
    "cache_qa",
}

from tests.security.reply_cases import REPLY_CASES, REPLY_NO_DATA_TEXT  # noqa: E402

CASES.update(REPLY_CASES)
NO_DATA_TEXT.update(REPLY_NO_DATA_TEXT)

from tests.security.admin_cases import (  # noqa: E402
    ADMIN_CASES,
    ADMIN_NO_DATA_TEXT,
    ADMIN_PAGE_CASES,
)

CASES.update(ADMIN_CASES)
PAGE_CASES.update(ADMIN_PAGE_CASES)
NO_DATA_TEXT.update(ADMIN_NO_DATA_TEXT)

from tests.security.filters_cases import FILTERS_CASES, FILTERS_NO_DATA_TEXT  # noqa: E402

CASES.update(FILTERS_CASES)
NO_DATA_TEXT.update(FILTERS_NO_DATA_TEXT)

from tests.security.floor_cases import FLOOR_CASES, FLOOR_NO_DATA_TEXT  # noqa: E402

CASES.update(FLOOR_CASES)
NO_DATA_TEXT.update(FLOOR_NO_DATA_TEXT)


def public_component_functions() -> set[str]:
    """'module.function' for every public function (cached ones too) defined in components/."""
    found = set()
    for info in pkgutil.iter_modules(components.__path__):
        if info.name in READER_MODULES:
            continue
        module = importlib.import_module(f"components.{info.name}")
        for name, obj in vars(module).items():
            if (
                not name.startswith("_")
                and callable(obj)
                and not inspect.isclass(obj)
                and getattr(obj, "__module__", None) == module.__name__
            ):
                found.add(f"{info.name}.{name}")
    return found


def test_every_public_component_function_is_walked():
    listed = set(CASES) | set(PAGE_CASES) | set(NO_DATA_TEXT)
    assert not set(CASES) & set(NO_DATA_TEXT)
    found = public_component_functions()
    assert found - listed == set(), (
        "new public functions in components/: add a case (draws data-driven text) or say in "
        "NO_DATA_TEXT why it draws none"
    )
    assert listed - found == set(), "listed functions that no longer exist"


@pytest.mark.parametrize("name", sorted(CASES))
def test_component_shows_hostile_strings_as_plain_text(name):
    shown = CASES[name]()
    assert shown.markdown or shown.figures
    assert_plain(shown)


# --- 3. The real pages over a database holding hostile strings --------------------------------

DISPLAY_NAME = " ".join(HOSTILE)


def _seed_hostile(url: str) -> None:
    from db.engine import make_engine
    from db.rollups import refresh_interval_stats
    from db.schema import (
        agents,
        channels,
        customer_handles,
        customers,
        playbook_entries,
        sla_policies,
        stakeholders,
        topics,
        users,
    )
    from tests.builders import insert_interactions, interaction

    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(update(users).values(display_name=DISPLAY_NAME))
        conn.execute(
            channels.insert(),
            [{"id": "pigeon", "name": HOSTILE[3], "kind": "chat", "is_social": False,
              "sort_order": 99}],
        )  # fmt: skip
        conn.execute(
            sla_policies.insert(),
            [{"channel_id": "pigeon", "target_seconds": 60, "goal_percent": 80.0,
              "abandon_rule": "fail", "short_abandon_seconds": 5,
              "active_from": datetime(2000, 1, 1), "version": 1}],
        )  # fmt: skip
        conn.execute(agents.insert(), [{"id": 1, "name": HOSTILE[6], "team": HOSTILE[7]}])
        conn.execute(topics.insert(), [{"name": h, "keywords": h} for h in HOSTILE])
        conn.execute(
            stakeholders.insert(),
            [{"name": h, "email": h, "topic": h, "role": h, "version": 1} for h in HOSTILE],
        )
        conn.execute(
            playbook_entries.insert(),
            [{"issue": h, "topic": h, "response_template": h, "escalation": h, "version": 1}
             for h in HOSTILE],
        )  # fmt: skip
        conn.execute(customers.insert(), [{"id": n, "name": h} for n, h in enumerate(HOSTILE, 1)])
        conn.execute(
            customer_handles.insert(),
            [
                {"customer_id": n, "channel_id": "twitter", "handle": h}
                for n, h in enumerate(HOSTILE, 1)
            ],
        )
        late = now - timedelta(minutes=30)
        # Hours old: past every social target, so the Floor alerts on the widest reach.
        older = now - timedelta(hours=5)
        # One insert per row shape (an executemany takes one set of columns).
        answered = [
            interaction(late, frt=120, queue=h, topic=h, agent_id=1, body=h) for h in HOSTILE
        ]
        insert_interactions(conn, answered)
        insert_interactions(conn, [interaction(late, channel_id="pigeon", queue=HOSTILE[0])])
        posts = [
            interaction(
                older,
                channel_id="twitter",
                is_public=True,
                sentiment=-0.9,
                customer_id=n,
                reach=1000 * n,
                queue=h,
                topic=h,
                body=h,
            )  # fmt: skip
            for n, h in enumerate(HOSTILE, 1)
        ]
        insert_interactions(conn, posts)
        _seed_hostile_replies(conn, now)
    refresh_interval_stats(engine)
    engine.dispose()


def _seed_hostile_replies(conn, now: datetime) -> None:
    """Pending and decided replies, review rules, playbook and stakeholders, all hostile."""
    from db.schema import interactions, playbook_entries, replies, review_rules, stakeholders

    public = conn.execute(
        select(interactions.c.id).where(interactions.c.is_public.is_(True))
    ).scalars()
    conn.execute(
        replies.insert(),
        [
            {"interaction_id": post, "author_agent_id": 1, "body": h, "state": state,
             "rules": f"{h}\n{h}", "reason": h, "reviewer": None if state == "pending_review"
             else h, "outcome": None if state == "pending_review" else "rejected",
             "version": 1, "created_at": now, "submitted_at": now - timedelta(hours=1),
             "reviewed_at": None if state == "pending_review" else now}
            for (post, h), state in zip(zip(public, HOSTILE, strict=False),
                                        ["pending_review", "rejected"] * (N // 2), strict=True)
        ],
    )  # fmt: skip
    conn.execute(
        review_rules.insert(),
        [{"name": h, "kind": "wording", "words": h, "active": True, "version": 1}
         for h in HOSTILE],
    )  # fmt: skip
    conn.execute(
        playbook_entries.insert(),
        [{"issue": h, "topic": h, "response_template": h, "escalation": h, "version": 1}
         for h in HOSTILE],
    )  # fmt: skip
    conn.execute(
        stakeholders.insert(),
        [{"name": h, "email": h, "topic": h, "role": h, "version": 1} for h in HOSTILE],
    )


@pytest.fixture
def hostile_db(app_db: str) -> str:
    _seed_hostile(app_db)
    return app_db


def _page(username: str, page: str | None, prepare: Callable[[AppTest], None] | None = None):
    from tests.apphelpers import logged_in_app

    at = logged_in_app(username)
    if page:
        at.switch_page(page).run()
    if prepare:
        prepare(at)
    assert not at.exception, at.exception
    return at


def _open_first_breach(at: AppTest) -> None:
    table = next(
        frame.value
        for frame in at.dataframe
        if {"ID", "Queue", "Status"} <= set(frame.value.columns)
    )
    chosen = int(table.loc[table["Queue"] == HOSTILE[1], "ID"].iloc[0])
    at.selectbox(key="sl_breach_open").set_value(chosen).run()


IMPORT_FILE = "[click](x) **bold** <img src=x>.csv"
MAPPING_NAME = "[click](http://127.0.0.1:9) **bold** <img src=x>"
IMPORT_HEADER = ["external_id", "channel", "created_at", *HOSTILE]


def _import_hostile_file(at: AppTest) -> None:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows([IMPORT_HEADER, ["x-1", "chat", "2026-11-26T10:00:00Z", *HOSTILE]])
    at.file_uploader(key="import_file").set_value(
        (IMPORT_FILE, text.getvalue().encode(), "text/csv")
    )
    at.run()
    at.button(key="import_run").click().run()


def _save_hostile_mapping(at: AppTest) -> None:
    _import_hostile_file(at)
    at.text_input(key="import_map_new_name").input(MAPPING_NAME)
    at.button(key="import_map_new_save").click().run()


def _focus_hostile_topic(at: AppTest) -> None:
    at.selectbox(key="topics_focus").set_value(HOSTILE[0]).run()


def _open_hostile_customer(at: AppTest) -> None:
    at.query_params["customer"] = "1"
    at.run()


def _group_by_queue(at: AppTest) -> None:
    at.selectbox(key="sl_group_by").set_value("queue").run()


def _read_this_week(at: AppTest) -> None:
    # The hostile contacts arrived half an hour ago: this (partial) week's goals and topics.
    at.selectbox(key="wk_week").set_value(at.selectbox(key="wk_week").options[0]).run()


PAGES = {
    # page: (user, page file, interaction, raw strings that must show in markdown / figures)
    "home": ("admin", None, None, [DISPLAY_NAME], []),
    "floor": ("supervisor", "pages/floor.py", None, [DISPLAY_NAME, HOSTILE[-1], HOSTILE[3]], []),
    "service_level_by_queue": (
        "supervisor",
        "pages/service_level.py",
        _group_by_queue,
        [DISPLAY_NAME],
        list(HOSTILE),
    ),
    "service_level_drill_down": (
        "supervisor",
        "pages/service_level.py",
        _open_first_breach,
        [DISPLAY_NAME, HOSTILE[1]],
        [],
    ),
    "channels": ("exec", "pages/channels.py", None, [DISPLAY_NAME], []),
    "topics": (
        "supervisor",
        "pages/topics.py",
        _focus_hostile_topic,
        [DISPLAY_NAME, HOSTILE[0]],
        list(HOSTILE),
    ),
    "customer_journey": (
        "qa",
        "pages/customer_journey.py",
        _open_hostile_customer,
        [DISPLAY_NAME, HOSTILE[0]],
        [HOSTILE[0]],
    ),
    "settings": ("admin", "pages/settings.py", None, [DISPLAY_NAME], []),
    "audit": ("admin", "pages/audit.py", None, [DISPLAY_NAME], []),
    "import_result": (
        "admin",
        "pages/import_data.py",
        _import_hostile_file,
        [DISPLAY_NAME, IMPORT_FILE, IMPORT_FILE.removesuffix(".csv"), "Loaded"],
        [],
    ),
    "import_saved_mapping": (
        "admin",
        "pages/import_data.py",
        _save_hostile_mapping,
        [DISPLAY_NAME, IMPORT_FILE, MAPPING_NAME],
        [],
    ),
    "weekly_trends": (
        "exec",
        "pages/weekly_trends.py",
        _read_this_week,
        [DISPLAY_NAME, HOSTILE[3]],
        [HOSTILE[3]],
    ),
    "reply_review": ("supervisor", "pages/reply_review.py", None, [DISPLAY_NAME, HOSTILE[0]], []),
    "reply_review_second": (
        "qa",
        "pages/reply_review.py",
        lambda at: at.selectbox(key="reply_review_pick").set_value(3).run(),
        [HOSTILE[2]],
        [],
    ),
    "playbook": ("exec", "pages/playbook.py", None, list(HOSTILE), []),
}


def _assert_page_plain(spec: tuple) -> None:
    username, page, prepare, in_markdown, in_figures = spec
    at = _page(username, page, prepare)
    assert_plain(
        Shown(
            markdown_bodies(at),
            figure_specs(at),
            expect_markdown=in_markdown,
            expect_figure=in_figures,
        )
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_show_stored_hostile_text(hostile_db, name):
    _assert_page_plain(PAGES[name])


# --- 3b. The QA pages over hostile QA data --------------------------------------------------------


def _seed_hostile_qa(url: str) -> None:
    """On top of the hostile database: a hostile criterion name and description, a run assigned
    to qa, reviews by admin (one disputed with a hostile reason), a hostile coaching note, and a
    calibration session with a hostile name rated by admin."""
    from analytics.qa_sampling import SamplingRule
    from db.engine import make_engine
    from db.schema import interactions, scorecard_criteria
    from db.threads import counts_as_contact
    from queries.calibration import create_calibration_session
    from queries.qa_disputes import add_coaching_note, open_dispute
    from queries.qa_reviews import default_scorecard_id, save_review, scorecard_criteria_for
    from queries.qa_sampling import create_sampling_run

    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(scorecard_criteria)
            .where(scorecard_criteria.c.name == "Accuracy")
            .values(name=HOSTILE[0], description=HOSTILE[1])
        )
        contacts = list(
            conn.scalars(
                select(interactions.c.id)
                .where(interactions.c.agent_id == 1, counts_as_contact())
                .order_by(interactions.c.id)
            )
        )
    card = default_scorecard_id(engine=engine)
    criteria = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=False)
    full = {c.id: float(c.max_points) for c in criteria}
    reviews = [
        save_review(
            engine=engine,
            actor="admin",
            interaction_id=i,
            scores=full,
            submit=True,
            comment=HOSTILE[5],
        )  # fmt: skip
        for i in contacts[:6]
    ]
    open_dispute(engine=engine, review_id=reviews[0]["id"], reason=HOSTILE[2], actor="supervisor")
    add_coaching_note(
        engine=engine, agent_id=1, body=HOSTILE[3], review_ids=[reviews[1]["id"]], actor="admin"
    )
    create_sampling_run(
        engine=engine,
        rule=SamplingRule(
            quota_per_agent=1, seed=1, period_start=now - timedelta(days=2), period_end=now
        ),
        reviewers=["qa"],
        due_at=now + timedelta(days=2),
        actor="admin",
        idempotency_key="hostile-run",
    )
    session = create_calibration_session(
        engine=engine, name=" ".join(HOSTILE), interaction_ids=contacts[6:7],
        reviewers=["qa", "admin"], actor="admin",
    )  # fmt: skip
    save_review(
        engine=engine, actor="admin", calibration_session_id=session["id"],
        interaction_id=contacts[6], scores=full, submit=True,
    )  # fmt: skip
    engine.dispose()


@pytest.fixture
def hostile_qa_db(hostile_db: str) -> str:
    _seed_hostile_qa(hostile_db)
    return hostile_db


QA_PAGES = {
    "qa_review": ("qa", "pages/qa_review.py", None, [DISPLAY_NAME, HOSTILE[0], HOSTILE[6]], []),
    "qa_sampling": ("qa", "pages/qa_sampling.py", None, [DISPLAY_NAME], []),
    "agent_quality": ("qa", "pages/agent_quality.py", None, [HOSTILE[2]], [HOSTILE[6]]),
    "calibration": ("admin", "pages/calibration.py", None, [HOSTILE[6]], [" ".join(HOSTILE)]),
}


@pytest.mark.parametrize("name", sorted(QA_PAGES))
def test_qa_pages_show_stored_hostile_text(hostile_qa_db, name):
    _assert_page_plain(QA_PAGES[name])


from tests.security.breach_cases import BREACH_NO_DATA_TEXT  # noqa: E402

NO_DATA_TEXT.update(BREACH_NO_DATA_TEXT)

from tests.security.replica_cases import REPLICA_NO_DATA_TEXT  # noqa: E402

NO_DATA_TEXT.update(REPLICA_NO_DATA_TEXT)

from tests.security.dates_cases import DATES_NO_DATA_TEXT  # noqa: E402

NO_DATA_TEXT.update(DATES_NO_DATA_TEXT)
