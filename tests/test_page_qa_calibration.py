"""AppTest of the Calibration page: creating a session, rating blind (the others' ratings hidden
until the viewer submits), and the results — alpha per criterion, deviation from the panel mean
and the widest spread — against hand-worked values; roles."""

from __future__ import annotations

import pytest

from db.engine import make_engine
from queries.calibration import create_calibration_session
from queries.qa_reviews import default_scorecard_id, save_review, scorecard_criteria_for
from tests.apphelpers import open_page, texts
from tests.qa_pages import FULL_MARKS, seed_contacts

PAGE = "pages/calibration.py"


def _table(at, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture
def session(app_db):
    """Items c-0-0 and c-0-1 (private), panel qa + admin; admin rated both at full marks."""
    setup = seed_contacts(app_db)
    items = [setup["ids"]["c-0-0"], setup["ids"]["c-0-1"]]
    engine = make_engine(app_db)
    made = create_calibration_session(
        engine=engine, name="November panel", interaction_ids=items,
        reviewers=["qa", "admin"], actor="admin",
    )  # fmt: skip
    card = default_scorecard_id(engine=engine)
    criteria = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=False)
    ids = {c.name: c.id for c in criteria}
    for item in items:
        save_review(
            engine=engine, actor="admin", calibration_session_id=made["id"], interaction_id=item,
            scores={ids[n]: v for n, v in FULL_MARKS.items()}, submit=True,
        )  # fmt: skip
    engine.dispose()
    return {"items": items, "session": made, "url": app_db}


def _rate(at, **by_name):
    for name, value in by_name.items():
        next(r for r in at.radio if name in r.label).set_value(value)
    at.run()
    at.button(
        key=next(b.key for b in at.button if b.key.endswith("_submit") and "new" not in b.key)
    ).click().run()


def test_blind_until_submitted_then_alpha_deviation_and_spread(session):
    at = open_page("qa", PAGE)
    assert not at.exception
    shown = texts(at)
    assert "2 interactions have ratings by others that stay hidden" in shown
    assert "No submitted ratings you can see yet" in shown
    items = _table(at, "Your rating")
    assert items["Your rating"].tolist() == ["not rated", "not rated"]
    full = {k: int(v) for k, v in FULL_MARKS.items()}
    _rate(at, **full)  # item 1: the same as admin
    assert "was submitted" in texts(at)
    assert "1 interactions have ratings by others" in texts(at)
    _rate(at, **{**full, "Accuracy": 0})  # item 2: accuracy 0 → (11 − 3) / 11 = 72.7
    assert not at.exception
    assert "stay hidden" not in texts(at)
    alpha = _table(at, "Alpha").set_index("Criterion")
    # Accuracy, interval: values (5, 5) and (5, 0): D_o = 50/4 = 12.5, D_e = 150/12 = 12.5 → 0.
    assert alpha.loc["Accuracy", "Alpha"] == 0.0
    assert (alpha.loc["Accuracy", "Interactions"], alpha.loc["Accuracy", "Raters"]) == (2, 2)
    assert "no variation" in alpha.loc["Greeting and tone", "Note"]
    deviation = _table(at, "Mean absolute deviation").set_index("Reviewer")
    # Item 2 panel mean (100 + 72.7) / 2 = 86.4: qa −13.6, admin +13.6; item 1: 0 → mean ±6.8.
    assert deviation.loc["qa", "Mean deviation (+ = more lenient)"] == -6.8
    assert deviation.loc["admin", "Mean deviation (+ = more lenient)"] == 6.8
    spread = _table(at, "Spread (points of 100)")
    assert spread.iloc[0][["Interaction", "Criterion", "Spread (points of 100)"]].tolist() == [
        session["items"][1],
        "Accuracy",
        100.0,
    ]
    assert len(at.get("plotly_chart")) == 1


def test_admin_creates_a_session_and_sees_every_rating(session):
    at = open_page("admin", PAGE)
    assert not at.exception
    assert "stay hidden" not in texts(at)
    at.text_input(key="cal_new_name").input("December panel")
    at.multiselect(key="cal_new_items").select(session["items"][0])
    at.multiselect(key="cal_new_panel").select("qa")
    at.button(key="cal_new_submit").click().run()
    assert "a panel needs at least 2 reviewers" in texts(at)
    assert at.text_input(key="cal_new_name").value == "December panel"


def test_reviewer_not_on_any_panel_sees_no_session(app_db):
    at = open_page("qa", PAGE)
    assert not at.exception
    assert "No calibration session yet" in texts(at)
