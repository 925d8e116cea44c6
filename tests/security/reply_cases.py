"""Plain-text cases of the reply review components (merged into test_plain_text's walk).

Imported at the end of tests/security/test_plain_text.py, so its helpers already exist.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from components.theme import channel_label
from tests.security.test_plain_text import (
    HOSTILE,
    LABELS,
    N,
    Shown,
    _figure,
    _rendered,
    markdown_bodies,
)

NOW = datetime(2026, 11, 30, 12, 0)


def _ranked() -> pd.DataFrame:
    from components.reply_queue import ranked_queue

    return ranked_queue(
        pd.DataFrame(
            {
                "reply_id": range(1, N + 1),
                "version": [1] * N,
                "interaction_id": range(1, N + 1),
                "channel_id": list(HOSTILE),
                "author": list(HOSTILE),
                "reach": [100] * N,
                "sentiment": [-0.5] * N,
                "topic": list(HOSTILE),
                "created_at": pd.to_datetime([NOW] * N),
                "submitted_at": pd.to_datetime([NOW] * N),
                "rules": [f"{h}\n{h}" for h in HOSTILE],
                "agent": list(HOSTILE),
                "target_seconds": [1800.0] * N,
                "body": list(HOSTILE),
            }
        ),
        NOW,
    )


def _context(n: int) -> dict:
    hostile = HOSTILE[n]
    return {
        "reply": {"id": n + 1, "version": 1, "body": hostile, "rules": f"{hostile}\nx",
                  "agent": hostile},
        "post": {"id": 1, "body": hostile, "author": hostile, "channel_id": hostile,
                 "reach": 5, "sentiment": -0.5, "topic": hostile, "created_at": NOW},
        "thread": pd.DataFrame({"created_at": [NOW], "body": [hostile]}),
        "other_contacts": pd.DataFrame({"created_at": [NOW], "body": [hostile]}),
        "playbook": pd.DataFrame([{"issue": hostile, "topic": hostile,
                                   "response_template": hostile, "escalation": hostile}]),
        "stakeholders": pd.DataFrame([{"name": hostile, "role": hostile, "email": hostile}]),
    }  # fmt: skip


def case_render_reply_queue() -> Shown:
    from components.reply_queue import render_reply_queue

    return _rendered(render_reply_queue, _ranked())


def case_render_flags() -> Shown:
    from analytics.reply_risk import RiskFlag
    from components.reply_form import render_flags

    flags = [RiskFlag("wording", (h,), h) for h in HOSTILE]
    return _rendered(render_flags, flags, expect=HOSTILE)


def case_render_context() -> Shown:
    from components.reply_form import render_context

    shown = Shown()
    for n in range(N):
        part = _rendered(render_context, _context(n), "UTC", expect=[HOSTILE[n]])
        shown.markdown += part.markdown
        shown.expect_markdown += part.expect_markdown
    return shown


def case_render_review_form() -> Shown:
    from components.reply_form import render_review_form
    from db.settings import get_settings

    shown = Shown()
    for n in range(N):
        part = _rendered(
            render_review_form,
            _context(n),
            engine=None,
            actor="qa",
            settings=get_settings(),
            on_decided=lambda: None,
            expect=[HOSTILE[n]],
        )
        shown.markdown += part.markdown
        shown.expect_markdown += part.expect_markdown
    return shown


def case_render_playbook() -> Shown:
    from components.playbook_view import render_playbook

    entries = pd.DataFrame(
        {"issue": list(HOSTILE), "topic": list(HOSTILE), "response_template": list(HOSTILE),
         "escalation": list(HOSTILE), "move_to_private": [True] * N}
    )  # fmt: skip
    people = pd.DataFrame(
        {"name": list(HOSTILE), "role": list(HOSTILE), "email": list(HOSTILE),
         "topic": list(HOSTILE)}
    )  # fmt: skip
    return _rendered(render_playbook, entries, people, expect=HOSTILE)


def _decided() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reply_id": range(1, N + 1),
            "channel_id": list(HOSTILE),
            "submitted_at": pd.to_datetime([datetime(2026, 11, 30, 9)] * N),
            "reviewed_at": pd.to_datetime([datetime(2026, 11, 30, 10)] * N),
            "outcome": ["approved", "edited", "rejected", "moved_private"] * (N // 4),
            "reason": list(HOSTILE),
            "rules": list(HOSTILE),
            "reviewer": list(HOSTILE),
        }
    )


def _contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel_id": list(HOSTILE) * 2,
            "created_at": pd.to_datetime([datetime(2026, 11, 30, 9)] * (2 * N)),
            "frt_seconds": [600.0] * N + [60.0] * N,
            "reviewed": [True] * N + [False] * N,
        }
    )


def case_outcome_share_figure() -> Shown:
    from analytics.reply_review import outcome_shares
    from components.reply_charts import outcome_share_figure

    figures = [
        _figure(outcome_share_figure(outcome_shares(_decided(), by), by=by, period="p"))
        for by in ("reason", "rule", "reviewer")
    ]
    return Shown(figures=figures, expect_figure=list(HOSTILE))


def case_added_frt_figure() -> Shown:
    from analytics.reply_review import added_frt
    from components.reply_charts import added_frt_figure

    fig = added_frt_figure(added_frt(_contacts(), "UTC"), period="p")
    return Shown(figures=[_figure(fig)], expect_figure=LABELS)


def case_render_review_analytics() -> Shown:
    from components.reply_analytics import render_review_analytics

    at_shown = _rendered(
        render_review_analytics,
        _decided(),
        _contacts(),
        start=datetime(2026, 11, 29),
        end=datetime(2026, 11, 30, 12),
        tz="UTC",
        period="p",
    )
    assert at_shown.figures
    return Shown(at_shown.markdown, at_shown.figures, expect_figure=[channel_label(HOSTILE[0])])


REPLY_CASES = {
    "reply_queue.render_reply_queue": case_render_reply_queue,
    "reply_form.render_flags": case_render_flags,
    "reply_form.render_context": case_render_context,
    "reply_form.render_review_form": case_render_review_form,
    "playbook_view.render_playbook": case_render_playbook,
    "reply_charts.outcome_share_figure": case_outcome_share_figure,
    "reply_charts.added_frt_figure": case_added_frt_figure,
    "reply_analytics.render_review_analytics": case_render_review_analytics,
}
REPLY_NO_DATA_TEXT = {
    "reply_queue.ranked_queue": "a frame, not drawn",
    "reply_queue.render_waiting_replies": "a count and a duration",
    "reply_form.draft_flags": "computes flags; render_flags (walked) draws them",
    "reply_charts.queue_size_figure": "counts over time; title from code, time zone escaped",
    "admin_records.review_rule_kind": "field specs; describe() reaches markdown via record_editor",
}
__all__ = ["REPLY_CASES", "REPLY_NO_DATA_TEXT", "markdown_bodies"]
