"""Plain-text cases of the Floor's components added for the supervisor's next step (merged into
test_plain_text's walk).

Imported at the end of tests/security/test_plain_text.py, so its helpers already exist.
"""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.security.test_plain_text import (
    HOSTILE,
    LABELS,
    N,
    Shown,
    _call,
    _rendered,
    _social_frame,
    markdown_bodies,
)


def _playbook(topic: str) -> pd.DataFrame:
    """Entries of `topic` and for any topic, every field hostile."""
    return pd.DataFrame(
        {"issue": list(HOSTILE), "topic": [topic] * (N - 1) + [None],
         "response_template": list(HOSTILE), "escalation": list(HOSTILE),
         "move_to_private": [True] * N}
    )  # fmt: skip


def _people(topic: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"name": list(HOSTILE), "email": list(HOSTILE), "role": list(HOSTILE),
         "topic": [topic] * (N - 1) + [None]}
    )  # fmt: skip


def case_render_next_step() -> Shown:
    """With entries and stakeholders, and for a topic that has none (its name is in the
    message saying so)."""
    from components.post_next_step import render_next_step

    topic = HOSTILE[0]
    shown = _rendered(
        render_next_step,
        topic=topic,
        interaction_id=7,
        playbook=_playbook(topic),
        stakeholders=_people(topic),
        expect=HOSTILE,
    )
    bare = HOSTILE[2]
    empty = _rendered(
        render_next_step,
        topic=bare,
        interaction_id=7,
        playbook=_playbook(bare).iloc[:0],
        stakeholders=_people(bare).iloc[:0],
        expect=[bare],
    )
    return Shown(shown.markdown + empty.markdown, expect_markdown=[*HOSTILE, bare])


def case_render_social_watch() -> Shown:
    """A post is open: its header, its next step (playbook, whom to tell) are markdown."""
    from components.social_watch import OPEN_KEY

    at = AppTest.from_function(
        _call,
        args=(
            "components.social_watch",
            "render_social_watch",
            (_social_frame(), "UTC"),
            {"playbook_for": _playbook, "stakeholders_for": _people},
        ),
        default_timeout=30,
    )
    at.session_state[OPEN_KEY] = 4
    at.run()
    assert not at.exception, at.exception
    return Shown(markdown_bodies(at), expect_markdown=[LABELS[3], *HOSTILE])


# Replaces test_plain_text's own case of render_social_watch, which predates its topic readers.
FLOOR_CASES = {
    "post_next_step.render_next_step": case_render_next_step,
    "social_watch.render_social_watch": case_render_social_watch,
}
FLOOR_NO_DATA_TEXT = {
    "waiting_queues.render_waiting_by_queue": "a frame for st.dataframe (cells are plain text) "
    "and a fixed empty-state line",
    "floor_tiles.recent_text": "numbers",
}
