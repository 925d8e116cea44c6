"""QA data layer on SQLite and PostgreSQL: scorecard, sampling runs, review queue and forms,
optimistic locking, disputes and coaching notes, agent quality reads."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from analytics.qa_sampling import SamplingRule
from db.reference import DEFAULT_SCORECARD_NAME, seed_reference_data
from db.schema import (
    agents,
    audit_log,
    customer_handles,
    customers,
    interactions,
    qa_assignments,
    qa_reviews,
    qa_samples,
    replies,
    scorecard_criteria,
)
from queries import admin
from queries.qa_disputes import (
    add_coaching_note,
    coaching_notes_for,
    list_disputes,
    open_dispute,
    resolve_dispute,
)
from queries.qa_quality import (
    QualityScope,
    criterion_breakdown,
    quality_scores,
    review_scores,
    weekly_trend,
)
from queries.qa_reviews import (
    default_scorecard_id,
    get_review,
    interaction_detail,
    review_queue,
    save_review,
    scorecard_criteria_for,
)
from queries.qa_sampling import (
    create_sampling_run,
    get_sampling_run,
    redraw_run,
    sampling_candidates,
)
from queries.writes import StaleWriteError, ValidationError
from tests.builders import insert_interactions, interaction
from tests.test_schema import empty_db_url  # noqa: F401 - the fixture, once per backend

T0 = datetime(2026, 11, 2, 9, 0)  # a Monday
NOW = datetime(2026, 11, 20, 12, 0)


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where))


def _setup(engine, *, contacts_per_agent: int = 6) -> dict:
    """Two agents in two teams; each handled `contacts_per_agent` chat/email contacts resolved
    in the week of T0; customer 1 also wrote on twitter (public) and had a threaded chat."""
    with engine.begin() as conn:
        ids = [
            conn.execute(
                agents.insert().values(name=name, team=team, active=True)
            ).inserted_primary_key[0]
            for name, team in (("Ada", "Blue"), ("Bo", "Red"))
        ]
        customer = conn.execute(customers.insert().values(name="Cleo")).inserted_primary_key[0]
        conn.execute(
            customer_handles.insert(),
            [
                {"customer_id": customer, "channel_id": "chat", "handle": "cleo-chat"},
                {"customer_id": customer, "channel_id": "twitter", "handle": "@cleo"},
            ],
        )
        rows = []
        for a, agent in enumerate(ids):
            for k in range(contacts_per_agent):
                rows.append(
                    interaction(
                        T0 + timedelta(hours=k, minutes=a),
                        channel_id="chat" if k % 2 else "email",
                        frt=60,
                        agent_id=agent,
                        customer_id=customer,
                        external_id=f"c-{a}-{k}",
                        body=f"contact {a}-{k}",
                        priority="high" if k == 0 else "normal",
                        conversation_id=None,
                    )
                )
        # A threaded public tweet: the customer's post, the brand's reply, a follow-up.
        tweet = {"channel_id": "twitter", "customer_id": customer, "is_public": True}
        tweet["conversation_id"] = "tw-1"
        rows += [
            interaction(
                T0 + timedelta(days=1, minutes=minutes),
                **tweet,
                **fields,
                external_id=f"tw-1-{letter}",
                body=body,
            )
            for minutes, letter, body, fields in (
                (0, "a", "My bill is wrong", {"frt": 120, "agent_id": ids[0]}),
                (2, "b", "Sorry! DM us please", {"direction": "outbound", "agent_id": ids[0]}),
                (5, "c", "Sent", {"agent_id": None}),
            )
        ]
        rows += [
            # Too old to be among the customer's other contacts (more than 30 days before).
            interaction(
                T0 - timedelta(days=40),
                channel_id="chat",
                frt=30,
                agent_id=ids[1],
                customer_id=customer,
                external_id="old",
                conversation_id=None,
                body="old",
            ),
        ]
        insert_interactions(conn, rows)
        by_external = dict(
            conn.execute(select(interactions.c.external_id, interactions.c.id)).all()
        )
        conn.execute(
            replies.insert().values(
                interaction_id=by_external["tw-1-a"],
                author_agent_id=ids[0],
                body="Sorry! DM us please",
                state="published",
                created_at=T0 + timedelta(days=1, minutes=1),
                published_at=T0 + timedelta(days=1, minutes=2),
            )
        )
    return {"agents": ids, "customer": customer, "ids": by_external}


# --- scorecard ----------------------------------------------------------------------------------


def test_default_social_care_scorecard_is_seeded_once(engine):
    with engine.begin() as conn:
        seed_reference_data(conn)  # a second run adds nothing
    card = default_scorecard_id(engine=engine)
    frame = admin.list_scorecards(engine=engine)
    assert (frame["name"] == DEFAULT_SCORECARD_NAME).sum() == 1
    public = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=True)
    assert [c.name for c in public] == [
        "Greeting and tone",
        "Accuracy",
        "Policy compliance",
        "Resolution",
        "Empathy",
        "Public defensibility",
        "Spelling and grammar",
    ]
    assert [c.name for c in public if c.critical] == ["Policy compliance", "Public defensibility"]
    assert all(c.description for c in public)
    private = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=False)
    assert "Public defensibility" not in [c.name for c in private]
    assert {c.name for c in private if c.allow_na} == {
        "Resolution",
        "Empathy",
        "Spelling and grammar",
    }


# --- sampling ----------------------------------------------------------------------------------


def _rule(**changes) -> SamplingRule:
    values = {
        "quota_per_agent": 3,
        "seed": 11,
        "period_start": T0,
        "period_end": T0 + timedelta(days=7),
    }
    return SamplingRule(**{**values, **changes})


def test_candidates_carry_the_flags_the_rule_needs(engine):
    setup = _setup(engine)
    frame = sampling_candidates(engine=engine, period_start=T0, period_end=T0 + timedelta(days=7))
    # 12 chat/email contacts + the tweet (its reply and follow-up are not contacts).
    assert len(frame) == 13
    assert frame["escalated"].sum() == 2  # one high-priority contact per agent
    assert not frame["reviewed"].any()
    assert set(frame["team"]) == {"Blue", "Red"}
    only_red = sampling_candidates(
        engine=engine, period_start=T0, period_end=T0 + timedelta(days=7), teams=["Red"]
    )
    assert set(only_red["agent_id"]) == {setup["agents"][1]}


def test_a_run_is_stored_once_assigned_balanced_and_redrawn_identically(engine):
    _setup(engine)
    due = NOW + timedelta(days=3)
    run = create_sampling_run(
        engine=engine,
        rule=_rule(),
        reviewers=["Rita", "sam"],
        due_at=due,
        actor="rita",
        idempotency_key="form-1",
        now=NOW,
    )
    assert run.created and len(run.drawn_ids) == 6  # 3 per agent
    counts = run.assignments["reviewer"].value_counts().to_dict()
    assert counts == {"rita": 3, "sam": 3}
    assert set(run.assignments["interaction_id"]) == set(run.drawn_ids)
    assert (run.assignments["due_at"] == due).all()

    again = create_sampling_run(
        engine=engine,
        rule=_rule(seed=99),  # whatever the second submit carries, the key decides
        reviewers=["rita"],
        due_at=due,
        actor="rita",
        idempotency_key="form-1",
        now=NOW + timedelta(seconds=1),
    )
    assert not again.created and again.sample_id == run.sample_id
    assert _count(engine, qa_samples) == 1 and _count(engine, qa_assignments) == 6

    assert redraw_run(engine=engine, sample_id=run.sample_id).ids == run.drawn_ids
    stored = get_sampling_run(engine=engine, sample_id=run.sample_id)
    assert stored.rule == _rule() and stored.drawn_ids == run.drawn_ids
    # The drawn contacts are now "reviewed" for later runs: a new run draws the rest.
    later = create_sampling_run(
        engine=engine,
        rule=_rule(),
        reviewers=["rita"],
        due_at=due,
        actor="rita",
        idempotency_key="form-2",
        now=NOW + timedelta(minutes=1),
    )
    assert not set(later.drawn_ids) & set(run.drawn_ids)
    assert _count(engine, audit_log, audit_log.c.table_name == "qa_samples") == 2


def test_a_run_without_reviewers_or_with_a_past_due_date_is_refused(engine):
    _setup(engine)
    with pytest.raises(ValidationError) as caught:
        create_sampling_run(
            engine=engine,
            rule=_rule(),
            reviewers=[" "],
            due_at=NOW - timedelta(hours=1),
            actor="rita",
            idempotency_key="k",
            now=NOW,
        )
    assert set(caught.value.field_errors) == {"reviewers", "due_at"}
    assert _count(engine, qa_samples) == 0


# --- queue and review form -----------------------------------------------------------------------


def _assign(engine, setup, *, reviewer: str = "rita") -> list[int]:
    """Three assignments for `reviewer`: due yesterday, due in two days (two contacts: the
    older contact first)."""
    ids = setup["ids"]
    with engine.begin() as conn:
        sample = conn.execute(
            qa_samples.insert().values(created_by="lead", created_at=NOW, rule="{}", seed=1, size=3)
        ).inserted_primary_key[0]
        made = []
        for external, due in (
            ("c-0-3", NOW + timedelta(days=2)),
            ("c-0-1", NOW + timedelta(days=2)),
            ("c-1-2", NOW - timedelta(days=1)),
        ):
            made.append(
                conn.execute(
                    qa_assignments.insert().values(
                        sample_id=sample,
                        interaction_id=ids[external],
                        reviewer=reviewer,
                        due_at=due,
                        status="open",
                    )
                ).inserted_primary_key[0]
            )
    return made


# Private contact, default scorecard: greeting (w1, /5), accuracy (w3, /5), policy (w2, /1,
# critical), resolution (w2, /5), empathy (w2, /5), spelling (w1, /3).
# Points 4, 5, 1, N/A, 3, 3 → (1·0.8 + 3·1 + 2·1 + 2·0.6 + 1·1) / (1 + 3 + 2 + 2 + 1) × 100
# = 8.0 / 9 × 100 = 88.89.
def _points(engine, *, policy: int = 1, resolution=None) -> dict[int, float | None]:
    card = default_scorecard_id(engine=engine)
    by_name = {
        c.name: c.id
        for c in scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=False)
    }
    return {
        by_name["Greeting and tone"]: 4,
        by_name["Accuracy"]: 5,
        by_name["Policy compliance"]: policy,
        by_name["Resolution"]: resolution,
        by_name["Empathy"]: 3,
        by_name["Spelling and grammar"]: 3,
    }


def test_queue_is_by_due_date_then_oldest_with_overdue_marked(engine):
    setup = _setup(engine)
    first, second, third = _assign(engine, setup)
    queue = review_queue(engine=engine, reviewer="rita", now=NOW)
    assert list(queue["assignment_id"]) == [third, second, first]
    assert list(queue["overdue"]) == [True, False, False]
    assert review_queue(engine=engine, reviewer="sam", now=NOW).empty


def test_draft_then_submit_scores_with_the_design_rule_and_closes_the_assignment(engine):
    setup = _setup(engine)
    assignment = _assign(engine, setup)[0]
    points = _points(engine)
    partial = dict(list(points.items())[:2])
    draft = save_review(
        engine=engine, actor="rita", scores=partial, submit=False, assignment_id=assignment, now=NOW
    )
    assert draft["status"] == "draft" and draft["total"] is None
    queue = review_queue(engine=engine, reviewer="rita", now=NOW)
    assert queue.set_index("assignment_id").at[assignment, "review_id"] == draft["id"]

    with pytest.raises(ValidationError) as caught:  # incomplete: nothing changes
        save_review(
            engine=engine,
            actor="rita",
            scores=partial,
            submit=True,
            review_id=draft["id"],
            expected_version=draft["version"],
        )
    assert len(caught.value.field_errors) == 4
    assert get_review(engine=engine, review_id=draft["id"])["version"] == draft["version"]

    submitted = save_review(
        engine=engine,
        actor="rita",
        scores=points,
        submit=True,
        comment=" Good ",
        criterion_comments={list(points)[4]: "Could acknowledge the delay"},
        review_id=draft["id"],
        expected_version=draft["version"],
        now=NOW,
    )
    assert submitted["total"] == pytest.approx(800 / 9)  # 88.89
    assert not submitted["auto_failed"] and submitted["status"] == "submitted"
    assert submitted["comment"] == "Good"
    assert submitted["criterion_comments"] == {list(points)[4]: "Could acknowledge the delay"}
    assert assignment not in set(
        review_queue(engine=engine, reviewer="rita", now=NOW)["assignment_id"]
    )

    failed = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine, policy=0),
        submit=True,
        assignment_id=_assign(engine, setup)[1],
    )
    assert failed["total"] == 0 and failed["auto_failed"]


def test_na_where_not_allowed_and_out_of_range_points_are_refused(engine):
    setup = _setup(engine)
    assignment = _assign(engine, setup)[0]
    points = _points(engine)
    accuracy, policy = list(points)[1], list(points)[2]
    with pytest.raises(ValidationError) as caught:
        save_review(
            engine=engine,
            actor="rita",
            scores={**points, accuracy: None, policy: 2},
            submit=True,
            assignment_id=assignment,
        )
    assert caught.value.field_errors == {
        f"scores.{accuracy}": "Accuracy cannot be N/A",
        f"scores.{policy}": "must be between 0 and 1",
    }
    assert _count(engine, qa_reviews) == 0


def test_stale_edit_is_refused_with_the_current_version_and_who_changed_it(engine):
    setup = _setup(engine)
    review = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine),
        submit=True,
        assignment_id=_assign(engine, setup)[0],
    )
    # Two tabs opened version 1; the first saves an edit (accuracy 5 → 4).
    points = _points(engine)
    accuracy = list(points)[1]
    edited = save_review(
        engine=engine,
        actor="rita",
        scores={**points, accuracy: 4},
        submit=True,
        review_id=review["id"],
        expected_version=1,
    )
    assert edited["version"] == 2
    assert edited["total"] == pytest.approx((8.0 - 3 * 0.2) / 9 * 100)
    with pytest.raises(StaleWriteError) as caught:
        save_review(
            engine=engine,
            actor="rita",
            scores=points,
            submit=True,
            review_id=review["id"],
            expected_version=1,
        )
    assert caught.value.changed_by == "rita"
    assert caught.value.current["version"] == 2
    assert get_review(engine=engine, review_id=review["id"])["total"] == edited["total"]
    with pytest.raises(ValidationError):  # someone else's review
        save_review(
            engine=engine,
            actor="sam",
            scores=points,
            submit=True,
            review_id=review["id"],
            expected_version=2,
        )


def test_a_changed_scorecard_never_rescores_an_old_review(engine):
    setup = _setup(engine)
    review = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine),
        submit=True,
        assignment_id=_assign(engine, setup)[0],
    )
    card = admin.get_scorecard(engine=engine, scorecard_id=review["scorecard_id"])
    reweighted = [
        {key: c[key] for key in ("id", "name", "weight", "max_points", "critical")}
        | {"weight": 10.0 if c["name"] == "Empathy" else c["weight"]}
        for c in card["criteria"]
    ]
    admin.update_scorecard(
        engine=engine,
        record_id=card["id"],
        expected_version=card["version"],
        values={"criteria": reweighted},
        actor="admin",
    )
    stored = get_review(engine=engine, review_id=review["id"])
    assert stored["total"] == pytest.approx(800 / 9)
    assert {c.name: c.weight for c in stored["criteria"]}["Empathy"] == 2.0
    # An edit re-scores on the review's own snapshot, not on the new weights.
    again = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine),
        submit=True,
        review_id=review["id"],
        expected_version=stored["version"],
    )
    assert again["total"] == pytest.approx(800 / 9)


def test_interaction_detail_has_the_thread_with_the_reply_and_other_contacts(engine):
    setup = _setup(engine)
    detail = interaction_detail(engine=engine, interaction_id=setup["ids"]["tw-1-a"])
    assert detail.interaction["channel"] == "Twitter / X"
    assert detail.interaction["customer"] == "Cleo" and detail.interaction["agent"] == "Ada"
    assert list(zip(detail.messages["direction"], detail.messages["kind"], strict=True)) == [
        ("inbound", "message"),
        ("outbound", "message"),
        ("outbound", "reply"),
        ("inbound", "message"),
    ]
    assert detail.messages["author"].tolist()[:2] == ["Cleo", "Ada"]
    others = detail.other_contacts
    # The 12 chat/email contacts of the week; not the thread's own messages, not the old one.
    assert len(others) == 12 and setup["ids"]["old"] not in set(others["id"])
    assert set(others.loc[others["channel_id"] == "chat", "handle"]) == {"cleo-chat"}
    assert interaction_detail(engine=engine, interaction_id=999_999) is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_reviewers_submitting_one_assignment_at_once_make_one_review(engine):
    setup = _setup(engine)
    assignment = _assign(engine, setup)[0]
    points = _points(engine)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def submit(reviewer: str) -> None:
        barrier.wait()
        try:
            outcomes[reviewer] = save_review(
                engine=engine, actor=reviewer, scores=points, submit=True, assignment_id=assignment
            )
        except StaleWriteError as exc:
            outcomes[reviewer] = exc

    threads = [threading.Thread(target=submit, args=(name,)) for name in ("rita", "sam")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(engine, qa_reviews, qa_reviews.c.assignment_id == assignment) == 1
    errors = [value for value in outcomes.values() if isinstance(value, StaleWriteError)]
    saved = [value for value in outcomes.values() if isinstance(value, dict)]
    assert len(errors) == 1 and len(saved) == 1
    assert errors[0].current["id"] == saved[0]["id"]
    assert errors[0].changed_by == saved[0]["reviewer"]


# --- disputes and coaching ---------------------------------------------------------------------


def test_a_rescored_dispute_keeps_the_old_score_and_is_audited(engine):
    setup = _setup(engine)
    review = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine, policy=0),
        submit=True,
        assignment_id=_assign(engine, setup)[0],
    )
    assert review["total"] == 0 and review["auto_failed"]
    dispute = open_dispute(
        engine=engine, review_id=review["id"], reason="Policy was followed", actor="sup"
    )
    with pytest.raises(ValidationError, match="already has an open dispute"):
        open_dispute(engine=engine, review_id=review["id"], reason="Again", actor="sup")
    with pytest.raises(ValidationError) as caught:
        resolve_dispute(
            engine=engine,
            dispute_id=dispute["id"],
            expected_version=dispute["version"],
            outcome="upheld",
            note="I stand by it",
            actor="rita",
        )
    assert set(caught.value.field_errors) == {"resolved_by"}

    resolved = resolve_dispute(
        engine=engine,
        dispute_id=dispute["id"],
        expected_version=dispute["version"],
        outcome="rescored",
        note="ID check is in the transcript",
        actor="sam",
        scores=_points(engine),
    )
    assert resolved["state"] == "rescored" and resolved["resolved_by"] == "sam"
    assert resolved["old_total"] == 0 and resolved["old_auto_failed"]
    assert resolved["new_total"] == pytest.approx(800 / 9)
    rescored = get_review(engine=engine, review_id=review["id"])
    assert rescored["total"] == pytest.approx(800 / 9) and not rescored["auto_failed"]
    assert rescored["updated_by"] == "sam" and rescored["reviewer"] == "rita"
    with pytest.raises(StaleWriteError):  # a second resolution form that saw it open
        resolve_dispute(
            engine=engine,
            dispute_id=dispute["id"],
            expected_version=dispute["version"],
            outcome="upheld",
            note="late",
            actor="jo",
        )
    audited = _count(
        engine,
        audit_log,
        audit_log.c.table_name.in_(["qa_disputes", "qa_reviews"]),
        audit_log.c.username == "sam",
    )
    assert audited == 2
    listed = list_disputes(engine=engine, agent_id=setup["agents"][0])
    assert listed["state"].tolist() == ["rescored"] and listed["agent"].tolist() == ["Ada"]


def test_coaching_notes_link_the_agents_reviews(engine):
    setup = _setup(engine)
    ada, bo = setup["agents"]
    first, _, bo_assignment = _assign(engine, setup)
    ada_review = save_review(
        engine=engine, actor="rita", scores=_points(engine), submit=True, assignment_id=first
    )
    bo_review = save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine),
        submit=True,
        assignment_id=bo_assignment,
    )
    with pytest.raises(ValidationError) as caught:
        add_coaching_note(
            engine=engine, agent_id=ada, body="x", review_ids=[bo_review["id"]], actor="sup"
        )
    assert set(caught.value.field_errors) == {"review_ids"}
    note = add_coaching_note(
        engine=engine,
        agent_id=ada,
        body="Confirm the fix before closing",
        review_ids=[ada_review["id"]],
        actor="sup",
        idempotency_key="note-1",
    )
    twice = add_coaching_note(
        engine=engine,
        agent_id=ada,
        body="Confirm the fix before closing",
        review_ids=[ada_review["id"]],
        actor="sup",
        idempotency_key="note-1",
    )
    assert twice["id"] == note["id"]
    notes = coaching_notes_for(engine=engine, agent_id=ada)
    assert notes["body"].tolist() == ["Confirm the fix before closing"]
    assert notes["review_ids"].tolist() == [[ada_review["id"]]]
    assert coaching_notes_for(engine=engine, agent_id=bo).empty


# --- agent quality ------------------------------------------------------------------------------


def test_agent_quality_reads_scores_weeks_and_criteria(engine):
    setup = _setup(engine)
    ada, bo = setup["agents"]
    first, second, bo_assignment = _assign(engine, setup)
    week1 = datetime(2026, 11, 10, 10, 0)  # Tuesday
    week2 = datetime(2026, 11, 17, 10, 0)
    save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine),
        submit=True,
        assignment_id=first,
        now=week1,
    )
    save_review(
        engine=engine,
        actor="rita",
        scores=_points(engine, policy=0),
        submit=True,
        assignment_id=second,
        now=week2,
    )
    save_review(  # a draft never counts
        engine=engine, actor="rita", scores={}, submit=False, assignment_id=bo_assignment, now=week2
    )
    scope = QualityScope(datetime(2026, 11, 9), datetime(2026, 11, 23))
    reviews = review_scores(engine=engine, scope=scope)
    assert reviews["score"].tolist() == pytest.approx([800 / 9, 0.0])
    scores = quality_scores(engine=engine, scope=scope)
    by_agent = scores.set_index("agent")
    assert by_agent.at["Ada", "n"] == 2
    assert by_agent.at["Ada", "mean"] == pytest.approx(400 / 9)
    assert by_agent.at["Ada", "auto_fails"] == 1
    assert by_agent.at["Bo", "n"] == 0 and by_agent.at["Bo", "status"] == "too few reviews (0)"
    teams = quality_scores(engine=engine, scope=scope, by="team")
    assert teams.set_index("team").at["Blue", "n"] == 2

    trend = weekly_trend(engine=engine, scope=scope, tz="UTC")
    assert trend["n"].tolist() == [1, 1]
    assert trend["mean"].tolist() == pytest.approx([800 / 9, 0.0])
    assert trend["auto_fails"].tolist() == [0, 1]
    assert [w.date().isoformat() for w in trend["week_start"]] == ["2026-11-09", "2026-11-16"]

    criteria = criterion_breakdown(engine=engine, scope=scope).set_index("criterion")
    assert criteria.at["Greeting and tone", "mean_percent"] == pytest.approx(80.0)
    assert criteria.at["Greeting and tone", "rated"] == 2
    assert criteria.at["Resolution", "not_applicable"] == 2
    assert criteria.at["Policy compliance", "fails"] == 1
    assert criteria.at["Policy compliance", "mean_percent"] == pytest.approx(50.0)


def test_the_settings_form_keeps_what_it_does_not_show(engine):
    # The Settings editor submits id, name, weight, max_points and critical only.
    card = admin.get_scorecard(engine=engine, scorecard_id=default_scorecard_id(engine=engine))
    shown = [
        {key: c[key] for key in ("id", "name", "weight", "max_points", "critical")}
        for c in card["criteria"]
    ]
    shown.append({"name": "Brand voice", "weight": 1.0, "max_points": 3, "critical": False})
    admin.update_scorecard(
        engine=engine,
        record_id=card["id"],
        expected_version=card["version"],
        values={"criteria": shown},
        actor="admin",
    )
    after = {
        c.name: c
        for c in scorecard_criteria_for(engine=engine, scorecard_id=card["id"], is_public=True)
    }
    assert after["Public defensibility"].applies_to == "public"
    assert not after["Accuracy"].allow_na and after["Accuracy"].description
    assert after["Brand voice"].applies_to == "all" and after["Brand voice"].allow_na


def test_migration_0006_backfills_old_reviews_and_downgrades(empty_db_url):  # noqa: F811
    from alembic import command
    from sqlalchemy import inspect

    from db.engine import make_engine
    from db.migrate import alembic_config
    from db.schema import qa_review_scores

    config = alembic_config(empty_db_url)
    command.upgrade(config, "0005")
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        seed_reference_data(conn)  # at 0005: the default scorecard without the new columns
        insert_interactions(conn, [interaction(T0, frt=30, external_id="old-review")])
        card = default_scorecard_id(engine=conn)
        first, second = conn.execute(
            select(scorecard_criteria.c.id)
            .where(scorecard_criteria.c.scorecard_id == card)
            .order_by(scorecard_criteria.c.position)
            .limit(2)
        ).scalars()
        conn.execute(
            text(
                "INSERT INTO qa_reviews (interaction_id, reviewer, scorecard_id, scores, total,"
                " auto_failed, created_at) VALUES (1, 'rita', :card, :scores, 90, false, :at)"
            ),
            {"card": card, "scores": f'{{"{first}": 4, "{second}": null}}', "at": T0},
        )
    command.upgrade(config, "head")
    review = get_review(engine=engine, review_id=1)
    assert review["status"] == "submitted" and review["submitted_at"] == T0
    assert [c.name for c in review["criteria"]][:2] == ["Greeting and tone", "Accuracy"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(qa_review_scores.c.name, qa_review_scores.c.points).order_by(
                qa_review_scores.c.criterion_id
            )
        ).all()
    assert [tuple(row) for row in rows] == [("Greeting and tone", 4.0), ("Accuracy", None)]
    command.downgrade(config, "0005")
    assert "status" not in {c["name"] for c in inspect(engine).get_columns("qa_reviews")}
    command.upgrade(config, "head")
    engine.dispose()
