"""Calibration: creating a session (interactions and a panel), the panelist's list of items, and
the results — Krippendorff's alpha per criterion, each reviewer's deviation from the panel mean,
the items with the widest spread — computed from the ratings the viewer may see (blind)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.calibration import criterion_agreement, reviewer_deviation, widest_spread
from components.charts import LAYOUT, empty_figure
from components.plain_text import markdown_text, plotly_text
from components.qa_interaction import local_time
from components.qa_pickers import pick_row
from components.qa_scoring import show_review_errors
from queries.calibration import CalibrationRatings, create_calibration_session
from queries.writes import ValidationError

TOKEN_KEY = "cal_new_token"
# Krippendorff's own guide: α ≥ 0.8 reliable, 0.667–0.8 tentative conclusions only.
GOOD_ALPHA, TENTATIVE_ALPHA = 0.8, 0.667


def new_session_form(
    contacts: pd.DataFrame,
    reviewers: list[str],
    *,
    engine: Any,
    actor: str,
    after: Callable[[dict[str, Any]], None],
    tz: str,
) -> None:
    """Name, interactions (recent contacts) and panel of a new session, under one idempotency
    key per form instance."""
    rows = {int(r["id"]): r for r in contacts.to_dict("records")}

    def describe(interaction_id: int) -> str:
        row = rows[interaction_id]
        return (
            f"{interaction_id} · {row['channel']} · {row['agent']} · "
            f"{local_time(row['ended_at'], tz)} · {(row['body'] or '')[:60]}"
        )

    with st.form("cal_new", enter_to_submit=False):
        name = st.text_input("Session name", key="cal_new_name", max_chars=200)
        items = st.multiselect(
            "Interactions to calibrate on", list(rows), key="cal_new_items", format_func=describe
        )
        panel = st.multiselect("Panel (at least two reviewers)", reviewers, key="cal_new_panel")
        sent = st.form_submit_button("Create session", key="cal_new_submit", type="primary")
    if not sent:
        return
    st.session_state.setdefault(TOKEN_KEY, uuid.uuid4().hex)
    try:
        session = create_calibration_session(
            engine=engine,
            name=name,
            interaction_ids=items,
            reviewers=panel,
            actor=actor,
            idempotency_key=st.session_state[TOKEN_KEY],
        )
    except ValidationError as error:
        show_review_errors(error, [])
        return
    for key in (TOKEN_KEY, "cal_new_name", "cal_new_items", "cal_new_panel"):
        st.session_state.pop(key, None)
    after(session)
    st.rerun()


def pick_session(sessions: pd.DataFrame) -> dict[str, Any] | None:
    """The session to work on (newest first)."""
    if sessions.empty:
        st.info("No calibration session yet.", icon=":material/balance:")
        return None
    return pick_row(
        sessions,
        "id",
        label="Session",
        key="cal_session_pick",
        describe=lambda s: (
            f"{s['name']} — {s['items']} interactions, panel of {s['panel']}, "
            f"{s['submitted']} ratings submitted ({s['state']})"
        ),
    )


def items_table(items: pd.DataFrame, *, tz: str) -> pd.DataFrame:
    """A panelist's items with the state of their own rating."""
    status = items["review_status"].fillna("not rated").replace({"draft": "draft saved"})
    return pd.DataFrame(
        {
            "Interaction": items["interaction_id"],
            "Channel": items["channel"],
            "Public": items["is_public"].astype(bool).map({True: "public", False: "private"}),
            "Arrived": items["created_at"].map(lambda v: local_time(v, tz)),
            "Your rating": status,
        }
    )


def pick_item(items: pd.DataFrame, *, tz: str) -> dict[str, Any] | None:
    """The table of items and a picker opened on the first one not yet submitted."""
    st.dataframe(items_table(items, tz=tz), hide_index=True, key="cal_items_table")
    if items.empty:
        return None
    ids = items["interaction_id"].astype(int)
    submitted = items["review_status"].eq("submitted").to_numpy()
    return pick_row(
        items,
        "interaction_id",
        label="Interaction to rate",
        key="cal_item_pick",
        describe=lambda r: f"{r['interaction_id']} · {r['channel']} · "
        + (r["review_status"] if isinstance(r["review_status"], str) else "not rated"),
        order=[*ids[~submitted], *ids[submitted]],  # the first not yet submitted opens
    )


def alpha_chart(agreement: pd.DataFrame, *, title: str) -> go.Figure:
    """Krippendorff's alpha per criterion as bars, with the 0.667 and 0.8 guide lines."""
    shown = agreement.dropna(subset=["alpha"])
    if shown.empty:
        return empty_figure(title, "Alpha needs interactions rated by at least two reviewers.")
    names = [plotly_text(n) for n in shown["criterion"]]
    fig = go.Figure()
    fig.add_bar(
        x=shown["alpha"].round(3).tolist(),
        y=names,
        orientation="h",
        marker={"color": "#1f77b4"},
        text=[
            f"α {a:.2f} · {i} items · {r} raters"
            for a, i, r in shown[["alpha", "interactions", "raters"]].itertuples(index=False)
        ],
        textposition="auto",
        hovertemplate="%{y}<br>alpha %{x:.3f}<extra></extra>",
        name="Krippendorff's alpha",
    )
    for value, label in ((TENTATIVE_ALPHA, "0.667 tentative"), (GOOD_ALPHA, "0.8 reliable")):
        fig.add_vline(x=value, line_dash="dot", line_color="#7f7f7f", annotation_text=label)
    fig.update_layout(
        title=title, **{**LAYOUT, "hovermode": "closest", "height": 120 + 36 * len(shown)}
    )
    low = min(-0.1, float(shown["alpha"].min()) - 0.05)
    fig.update_xaxes(title_text="Krippendorff's alpha (1 = full agreement, 0 = chance)",
                     range=[low, 1.05])  # fmt: skip
    fig.update_yaxes(title_text="", autorange="reversed")
    return fig


def calibration_results(ratings: CalibrationRatings, *, name: str) -> None:
    """Alpha per criterion, deviation per reviewer and the widest-spread items, from the
    ratings the viewer may see; says how many items are still hidden from them."""
    if ratings.hidden_items:
        st.info(
            f"{ratings.hidden_items} interactions have ratings by others that stay hidden until "
            "you submit your own rating of them (blind calibration).",
            icon=":material/visibility_off:",
        )
    if ratings.ratings.empty:
        st.caption("No submitted ratings you can see yet.")
        return
    agreement = criterion_agreement(ratings.ratings, ratings.criteria)
    st.plotly_chart(
        alpha_chart(agreement, title=f"Agreement per criterion — {plotly_text(name)}"),
        key="cal_alpha_chart",
    )
    st.dataframe(
        agreement.assign(alpha=agreement["alpha"].round(3))
        .drop(columns="criterion_id")
        .rename(
            columns={
                "criterion": "Criterion",
                "level": "Level",
                "alpha": "Alpha",
                "interactions": "Interactions",
                "raters": "Raters",
                "note": "Note",
            }
        ),
        hide_index=True,
        key="cal_alpha_table",
    )
    deviation = reviewer_deviation(ratings.ratings, ratings.criteria)
    st.markdown("**Each reviewer's deviation from the panel mean** (review score, points of 100)")
    st.dataframe(
        pd.DataFrame(
            {
                "Reviewer": deviation["reviewer"],
                "Interactions": deviation["interactions"],
                "Mean deviation (+ = more lenient)": deviation["mean_signed"].round(1),
                "Mean absolute deviation": deviation["mean_absolute"].round(1),
            }
        ),
        hide_index=True,
        key="cal_deviation_table",
    )
    spread = widest_spread(ratings.ratings, ratings.criteria)
    st.markdown("**Widest spread** (ratings as % of the criterion's maximum)")
    st.dataframe(
        pd.DataFrame(
            {
                "Interaction": spread["interaction_id"],
                "Criterion": spread["criterion"],
                "Raters": spread["raters"],
                "Lowest %": spread["low"].round(1),
                "Highest %": spread["high"].round(1),
                "Spread (points of 100)": spread["spread"].round(1),
            }
        ),
        hide_index=True,
        key="cal_spread_table",
    )


def session_caption(session: dict[str, Any], *, tz: str) -> str:
    """Who made the session, when, and its panel."""
    return (
        f"Created by {markdown_text(session['created_by'])} on "
        f"{local_time(session['created_at'], tz)} · panel: "
        f"{markdown_text(', '.join(session['reviewers']))}"
    )
