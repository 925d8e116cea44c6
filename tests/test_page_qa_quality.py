"""AppTest of the Agent quality page on hand-worked reviews: the score with n and its 95 % interval
(chart error bars and table), the Wilson auto-fail interval, too few reviews ranked last, the CSV
equal to the table, the per-criterion breakdown, the drill-down with disputes (opened by a
supervisor, rescored by a second reviewer, old score kept) and coaching notes; executives read
only."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.schema import audit_log, qa_disputes, qa_reviews
from tests.apphelpers import csv_downloads, open_page, texts
from tests.qa_pages import FULL_MARKS, seed_contacts, submit_review

PAGE = "pages/agent_quality.py"


def _table(at, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture
def reviewed(app_db):
    """Ada (Blue): four reviews at 100 and one auto-fail (policy failed) → mean 80, sd √2000,
    t(0.975, 4) = 2.776 → 80 ± 55.5 → [24.5, 100] clipped; auto-fails 1/5 = 20 %, Wilson
    [3.6 %, 62.4 %]. Bo (Red): two reviews at 100 → too few reviews (2). All by reviewer admin."""
    setup = seed_contacts(app_db)
    ids = setup["ids"]
    failed = {**FULL_MARKS, "Policy compliance": 0.0}
    for k in range(5):
        submit_review(app_db, "admin", ids[f"c-0-{k}"], failed if k == 4 else FULL_MARKS)
    for k in range(2):
        submit_review(app_db, "admin", ids[f"c-1-{k}"], FULL_MARKS)
    return {**setup, "url": app_db}


def test_scores_with_n_interval_and_too_few_ranked_last(reviewed, monkeypatch):
    downloads = csv_downloads(monkeypatch)
    at = open_page("qa", PAGE)
    assert not at.exception
    table = _table(at, "QA score")
    assert table["Agent"].tolist() == ["Ada", "Bo"]
    ada, bo = table.iloc[0], table.iloc[1]
    assert (ada["Rank"], ada["Reviews (n)"], ada["QA score"]) == ("1", 5, 80.0)
    assert (ada["95 % low"], ada["95 % high"]) == (24.5, 100.0)
    assert (ada["Auto-fails"], ada["Auto-fail rate %"]) == (1, 20.0)
    assert (ada["Auto-fail 95 % low %"], ada["Auto-fail 95 % high %"]) == (3.6, 62.4)
    assert bo["Rank"] == "—" and bo["Status"] == "too few reviews (2)"
    assert "7 submitted reviews" in texts(at)
    # The chart draws the interval as error bars and says n.
    chart = at.get("plotly_chart")[0].proto.spec
    assert "QA score by agent with 95 % interval" in chart
    assert '"arrayminus":[55.5' in chart.replace(" ", "") and "n=5" in chart
    assert "Too few reviews" in chart
    # The CSV is the table.
    exported = pd.read_csv(io.BytesIO(downloads[-1]))
    assert exported["Agent"].tolist() == ["Ada", "Bo"]
    assert exported["QA score"].tolist() == [80.0, 100.0]
    assert exported["Rank"].tolist() == ["1", "—"]
    assert exported.columns.tolist() == table.columns.tolist()
    # Per criterion: policy compliance passed 6 of 7 → mean 85.7 % with one critical fail.
    criteria = _table(at, "Mean % of max points").set_index("Criterion")
    assert criteria.loc["Policy compliance", "Mean % of max points"] == 85.7
    assert criteria.loc["Policy compliance", "Critical fails"] == 1
    assert criteria.loc["Accuracy", "Mean % of max points"] == 100.0


def test_per_team(reviewed):
    at = open_page("exec", PAGE)
    at.radio(key="qa_quality_by").set_value("team").run()
    assert not at.exception
    table = _table(at, "QA score")
    assert table["Team"].tolist() == ["Blue", "Red"] and "Agent" not in table.columns


def test_executive_reads_only(reviewed):
    at = open_page("exec", PAGE)
    assert not at.exception
    assert len(_table(at, "Reviewer")) == 5  # Ada's reviews in the drill-down
    assert not at.text_area  # no dispute, resolution or coaching form
    assert not [b for b in at.button if "dispute" in b.key or "coaching" in b.key]


def test_supervisor_disputes_and_a_second_reviewer_rescores(reviewed):
    at = open_page("supervisor", PAGE)
    reviews = _table(at, "Reviewer")
    failed = int(reviews.loc[reviews["Auto-failed"] == "auto-fail", "Review"].iloc[0])
    at.selectbox(key="qa_dispute_open_review").set_value(failed)
    at.text_area(key="qa_dispute_open_reason").input("Policy was followed: ID checked in DM")
    at.button(key="qa_dispute_open_submit").click().run()
    assert not at.exception
    assert f"Dispute 1 opened on review {failed}" in texts(at)
    assert _table(at, "Dispute")["State"].tolist() == ["open"]
    assert not [b for b in at.button if b.key.startswith("qa_dispute_resolve")]

    at = open_page("qa", PAGE)
    prefix = "qa_dispute_resolve_1"
    at.radio(key=f"{prefix}_outcome").set_value("rescored").run()
    at.radio(key=f"{prefix}_score_{_criterion_id(at, prefix, 'Policy compliance')}").set_value(
        1
    ).run()
    at.text_area(key=f"{prefix}_note").input("Checked the DM: passed")
    at.button(key=f"{prefix}_submit").click().run()
    assert not at.exception
    assert "Dispute 1 resolved: rescored" in texts(at)
    disputes = _table(at, "Dispute")
    assert disputes[["State", "Score before", "Score after"]].values.tolist() == [
        ["rescored", 0.0, 100.0]
    ]
    # Ada is now 100 with n 5, zero-width interval; the change is audited.
    table = _table(at, "QA score")
    assert table.iloc[0][["Agent", "QA score", "95 % low", "Auto-fails"]].tolist() == [
        "Ada",
        100.0,
        100.0,
        0,
    ]
    engine = make_engine(reviewed["url"])
    with engine.connect() as conn:
        kept = conn.execute(select(qa_disputes.c.old_total, qa_disputes.c.old_scores)).one()
        audited = (
            conn.execute(select(audit_log.c.username).where(audit_log.c.table_name == "qa_reviews"))
            .scalars()
            .all()
        )
        total = conn.scalar(select(qa_reviews.c.total).where(qa_reviews.c.id == failed))
    engine.dispose()
    assert kept.old_total == 0.0 and kept.old_scores and total == 100.0
    assert "qa" in audited


def _criterion_id(at, prefix: str, name: str) -> str:
    radio = next(r for r in at.radio if r.key.startswith(f"{prefix}_score_") and name in r.label)
    return radio.key.rsplit("_", 1)[1]


def test_coaching_note_linked_to_reviews_shows_on_the_drill_down(reviewed):
    at = open_page("supervisor", PAGE)
    reviews = _table(at, "Reviewer")["Review"].tolist()
    agent = reviewed["agents"][0]
    at.text_area(key=f"qa_coaching_{agent}_body").input("Re-read the ID policy before DMs")
    at.multiselect(key=f"qa_coaching_{agent}_reviews").select(reviews[0])
    at.button(key=f"qa_coaching_{agent}_submit").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Coaching note added" in shown and f"from reviews {reviews[0]}" in shown
    assert any("Re-read the ID policy" in t.value for t in at.text)


def test_empty_period_says_so(app_db):
    at = open_page("qa", PAGE)
    assert not at.exception
    assert "No agent has a submitted review" in texts(at)
    assert "No submitted reviews in this period" in at.get("plotly_chart")[0].proto.spec


def test_a_user_without_the_role_sees_no_data(reviewed):
    at = open_page("norole", PAGE)
    assert "You don't have access" in texts(at)
    assert not at.dataframe and not at.get("plotly_chart")


def test_the_qa_worked_examples_of_the_metrics_doc_are_what_the_code_computes():
    import math

    from analytics.qa_intervals import t_interval, wilson_interval
    from analytics.qa_score import Criterion, review_score
    from db.settings import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    criteria = [Criterion(1, "a", 2, 5), Criterion(2, "b", 1, 3), Criterion(3, "c", 1, 1, True)]
    assert f"= **{review_score(criteria, {1: 4, 2: 3, 3: None}).score:.1f}**" in doc
    failed = review_score(criteria, {1: 4, 2: 3, 3: 0})
    assert failed.score == 0 and failed.auto_failed
    sd = pd.Series([80, 90, 100, 70, 60]).std()
    low, high = t_interval(80.0, sd, 5)
    assert f"95 % interval **[{float(low):.1f}, {float(high):.1f}]**" in doc
    rate, af_low, af_high = wilson_interval(1, 10)
    assert f"**[{float(af_low) * 100:.1f} %, {float(af_high) * 100:.1f} %]**" in doc
    assert math.isclose(float(rate), 0.1)
