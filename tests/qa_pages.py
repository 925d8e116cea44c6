"""Known QA data for the QA page tests: two agents with contacts that ended in the last days, a
customer with a public tweet thread, and helpers to assign work and submit reviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from analytics.qa_sampling import SamplingRule
from db.engine import make_engine
from db.schema import agents, customer_handles, customers, interactions, replies
from queries.qa_reviews import default_scorecard_id, save_review, scorecard_criteria_for
from queries.qa_sampling import create_sampling_run
from tests.builders import insert_interactions, interaction

# The default scorecard's private criteria, by name: (weight, max points).
PRIVATE = {
    "Greeting and tone": (1, 5),
    "Accuracy": (3, 5),
    "Policy compliance": (2, 1),
    "Resolution": (2, 5),
    "Empathy": (2, 5),
    "Spelling and grammar": (1, 3),
}


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def seed_contacts(url: str, *, per_agent: int = 6) -> dict:
    """Agents Ada (team Blue) and Bo (team Red), each with `per_agent` chat/email contacts that
    ended 1–2 days ago, and a public tweet of customer Cleo answered by Ada with a published
    reply. Returns agent ids and interaction ids by external id."""
    base = utc_now() - timedelta(days=2)
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = [
            conn.execute(agents.insert().values(name=n, team=t, active=True)).inserted_primary_key[
                0
            ]
            for n, t in (("Ada", "Blue"), ("Bo", "Red"))
        ]
        customer = conn.execute(customers.insert().values(name="Cleo")).inserted_primary_key[0]
        conn.execute(
            customer_handles.insert(),
            [{"customer_id": customer, "channel_id": "twitter", "handle": "@cleo"}],
        )
        rows = [
            interaction(
                base + timedelta(hours=k, minutes=a),
                channel_id="chat" if k % 2 else "email",
                frt=60,
                agent_id=agent,
                customer_id=customer,
                external_id=f"c-{a}-{k}",
                body=f"Contact {a}-{k}: where is my order?",
            )
            for a, agent in enumerate(ids)
            for k in range(per_agent)
        ]
        rows.append(
            interaction(
                base + timedelta(hours=3),
                channel_id="twitter",
                is_public=True,
                frt=120,
                agent_id=ids[0],
                customer_id=customer,
                external_id="tw-1",
                conversation_id="tw-1",
                body="My bill is wrong!",
            )
        )
        insert_interactions(conn, rows)
        by_external = dict(
            conn.execute(select(interactions.c.external_id, interactions.c.id)).all()
        )
        conn.execute(
            replies.insert().values(
                interaction_id=by_external["tw-1"],
                author_agent_id=ids[0],
                body="Sorry Cleo, please DM us your account number.",
                state="published",
                created_at=base + timedelta(hours=3, minutes=1),
                published_at=base + timedelta(hours=3, minutes=2),
            )
        )
    engine.dispose()
    return {"agents": ids, "ids": by_external, "customer": customer}


def assign(url: str, reviewer: str, *, quota: int = 1, seed: int = 3, agent_ids=()) -> list[int]:
    """A sampling run over the last 7 days dealt to `reviewer`; returns the assignment ids."""
    now = utc_now()
    engine = make_engine(url)
    run = create_sampling_run(
        engine=engine,
        rule=SamplingRule(
            quota_per_agent=quota,
            seed=seed,
            period_start=now - timedelta(days=7),
            period_end=now,
            agent_ids=tuple(agent_ids),
        ),
        reviewers=[reviewer],
        due_at=now + timedelta(days=3),
        actor="admin",
        idempotency_key=f"test-{seed}-{quota}-{reviewer}",
    )
    engine.dispose()
    return run.assignments["assignment_id"].tolist()


def points(**by_name) -> dict[str, float | None]:
    """Scores keyed by criterion name (None = N/A)."""
    return dict(by_name)


def submit_review(url: str, reviewer: str, interaction_id: int, named: dict) -> dict:
    """Submit an ad-hoc review of `interaction_id` by `reviewer` with scores keyed by name."""
    engine = make_engine(url)
    card = default_scorecard_id(engine=engine)
    with engine.connect() as conn:
        public = conn.scalar(
            select(interactions.c.is_public).where(interactions.c.id == interaction_id)
        )
    criteria = scorecard_criteria_for(engine=engine, scorecard_id=card, is_public=bool(public))
    by_name = {c.name: c.id for c in criteria}
    saved = save_review(
        engine=engine,
        actor=reviewer,
        interaction_id=interaction_id,
        scores={by_name[name]: value for name, value in named.items()},
        submit=True,
    )
    engine.dispose()
    return saved


FULL_MARKS = {name: float(top) for name, (_, top) in PRIVATE.items()}
