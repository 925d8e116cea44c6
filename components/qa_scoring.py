"""The scoring form shared by QA review, calibration and dispute rescoring.

One radio per criterion (points 0…max, or N/A where the criterion allows it), its description and
whether it is critical shown, a comment per criterion, and the review score recomputed on every
change (the widgets sit outside st.form so the total is live). Widgets are keyed per form, so
what the reviewer typed survives a validation error, a stale save and a rerun.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from components.plain_text import markdown_text
from components.record_form import stale_message
from db.settings import get_settings
from queries.qa_reviews import ReviewCriterion, save_review, score_of
from queries.writes import StaleWriteError, ValidationError

NOT_APPLICABLE = "N/A"


def criterion_label(criterion: ReviewCriterion) -> str:
    """'Accuracy — weight 2, 0–5 points · CRITICAL' as markdown (name escaped)."""
    label = (
        f"{markdown_text(criterion.name)} — weight {criterion.weight:g}, "
        f"0–{criterion.max_points} points"
    )
    if criterion.critical:
        label += " · **critical: below full marks fails the review**"
    if criterion.applies_to != "all":
        label += f" · {markdown_text(criterion.applies_to)} replies only"
    return label


def _options(criterion: ReviewCriterion) -> list[Any]:
    points = list(range(int(criterion.max_points) + 1))
    return [NOT_APPLICABLE, *points] if criterion.allow_na else points


def score_widgets(
    criteria: list[ReviewCriterion],
    *,
    key: str,
    scores: Mapping[int, float | None] | None = None,
    comments: Mapping[int, str] | None = None,
    with_comments: bool = True,
) -> tuple[dict[int, float | None], dict[int, str]]:
    """The criteria as radios (opened at `scores`) with comments; returns the rated criteria
    ({id: points or None for N/A}; unrated ones left out) and the comments typed."""
    scores, comments = scores or {}, comments or {}
    chosen: dict[int, float | None] = {}
    typed: dict[int, str] = {}
    for criterion in criteria:
        options = _options(criterion)
        stored = scores.get(criterion.id, "unrated")
        if criterion.id in scores and stored is None:
            index = options.index(NOT_APPLICABLE) if NOT_APPLICABLE in options else None
        elif stored != "unrated" and int(stored) in options:
            index = options.index(int(stored))
        else:
            index = None
        with st.container(border=True, key=f"{key}_criterion_{criterion.id}"):
            value = st.radio(
                criterion_label(criterion),
                options,
                index=index,
                horizontal=True,
                key=f"{key}_score_{criterion.id}",
                help=markdown_text(criterion.description) if criterion.description else None,
            )
            if criterion.description:
                st.caption(markdown_text(criterion.description))
            if with_comments:
                typed[criterion.id] = st.text_input(
                    "Comment",
                    value=comments.get(criterion.id, ""),
                    key=f"{key}_comment_{criterion.id}",
                    placeholder="Why this score (optional)",
                )
        if value == NOT_APPLICABLE:
            chosen[criterion.id] = None
        elif value is not None:
            chosen[criterion.id] = float(value)
    return chosen, {k: v for k, v in typed.items() if v and v.strip()}


def live_total(criteria: list[ReviewCriterion], scores: Mapping[int, float | None]) -> None:
    """The review score as it stands, how many criteria are rated, and an auto-fail warning."""
    result = score_of(criteria, scores)
    rated = len(result.rated) + len(result.not_applicable)
    value = "—" if result.score is None else f"{result.score:.1f}"
    st.metric(
        "Review score (live)",
        value,
        help="Σ(weight × points / max points) ÷ Σ weight × 100 over the criteria rated; N/A "
        "leaves both sums; a critical criterion below full marks sets the score to 0.",
    )
    st.caption(f"{rated} of {len(criteria)} criteria rated (N/A included).")
    if result.auto_failed:
        names = [c.name for c in criteria if c.id in result.failed_critical]
        st.error(
            "Auto-fail: the critical criterion "
            + ", ".join(markdown_text(n) for n in names)
            + f" is below full marks, so the review scores 0 (it would be "
            f"{result.unfailed_score:.1f} otherwise).",
            icon=":material/report:",
        )


def show_review_errors(error: ValidationError, criteria: list[ReviewCriterion]) -> None:
    """Validation messages named by criterion; nothing was saved and nothing typed is lost."""
    names = {str(c.id): c.name for c in criteria}
    lines = []
    for field, message in error.field_errors.items():
        part, _, ident = field.partition(".")
        label = names.get(ident, ident) if ident else part.replace("_", " ")
        lines.append(f"- **{markdown_text(label)}**: {markdown_text(message)}")
    st.error(
        "Nothing was saved; what you entered is kept. Please correct:\n" + "\n".join(lines),
        icon=":material/error:",
    )


def show_stale_review(error: StaleWriteError) -> None:
    """Who saved first (when: local time of the centre, zone named), and that review as it is
    now (score, status, version)."""
    current = error.current
    message = stale_message(error, get_settings().timezone)
    st.warning(markdown_text(message), icon=":material/sync_problem:")
    total = current.get("total")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Review": current.get("id"),
                    "Reviewer": current.get("reviewer"),
                    "Status": current.get("status"),
                    "Score": None if total is None else round(float(total), 1),
                    "Auto-failed": bool(current.get("auto_failed")),
                    "Version": current.get("version"),
                }
            ]
        ),
        hide_index=True,
        key=f"stale_review_{current.get('id')}",
    )


def review_editor(
    criteria: list[ReviewCriterion],
    *,
    engine: Any,
    actor: str,
    key: str,
    target: Mapping[str, Any],
    review: Mapping[str, Any] | None,
    on_saved: Callable[[dict[str, Any]], None],
) -> None:
    """Score, save a draft, submit, or edit a submitted review under its version.

    `target` names what a new review is of (assignment_id, or calibration_session_id and
    interaction_id); `review` is the stored draft or submitted review being edited, if any.
    The version the form opened at is kept in session state: a save against an older one is
    refused with who changed it, and the form keeps what was typed.
    """
    held = f"{key}_held"
    if held not in st.session_state and review is not None:
        st.session_state[held] = {"id": review["id"], "version": review["version"]}
    stored = review or {}
    scores, comments = score_widgets(
        criteria,
        key=key,
        scores=stored.get("scores"),
        comments=stored.get("criterion_comments"),
    )
    overall = st.text_area(
        "Overall comment", value=stored.get("comment") or "", key=f"{key}_overall"
    )
    live_total(criteria, scores)
    submitted_before = stored.get("status") == "submitted"
    left, right = st.columns(2)
    draft = False
    if not submitted_before:
        draft = left.button("Save draft", key=f"{key}_draft", icon=":material/save:")
    label = "Save changes" if submitted_before else "Submit review"
    submit = right.button(label, type="primary", key=f"{key}_submit", icon=":material/send:")
    if not (draft or submit):
        return
    state = st.session_state.get(held)
    where = (
        {"review_id": state["id"], "expected_version": state["version"]} if state else dict(target)
    )
    try:
        saved = save_review(
            engine=engine,
            actor=actor,
            scores=scores,
            submit=submit,
            comment=overall,
            criterion_comments=comments,
            **where,
        )
    except ValidationError as error:
        show_review_errors(error, criteria)
        return
    except StaleWriteError as error:
        show_stale_review(error)
        if error.current.get("reviewer") == actor:
            # The next save applies on top of the version now shown.
            st.session_state[held] = {
                "id": error.current["id"],
                "version": error.current["version"],
            }
        return
    st.session_state[held] = {"id": saved["id"], "version": saved["version"]}
    if submit:
        forget_form(key)
    on_saved(saved)
    st.rerun()


def forget_form(key: str) -> None:
    """Drop every widget value and the held version of form `key` (after a submit)."""
    for name in [k for k in st.session_state if str(k).startswith(f"{key}_")]:
        del st.session_state[name]
