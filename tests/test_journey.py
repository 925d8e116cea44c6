"""Customer journeys: one customer across handles and channels (import, search, timeline), and
repeat-contact / channel-switching / same-agent rates against a hand-worked example, computed
the same by the pure rule (analytics/journey.py) and the SQL of the pages (queries/journey.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from analytics.journey import journey_rates, next_contacts, overall_rates, rates_by
from db.schema import agents, customer_handles, customers, interactions
from ingest.importer import import_file
from queries.journey import (
    customer_of_interaction,
    customer_timeline,
    find_customers,
    journey_counts,
)
from tests.builders import insert_interactions, interaction

D = datetime(2026, 6, 1)  # a Monday


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return D + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second)


# The worked example (docs/metrics.md, "Customer journeys"). Ana (customer 1) uses phone and
# Twitter; Ben (customer 2) chat; one contact has no customer.
#   A1 phone   Mon 09:00, agent 1, resolved 09:10 -> next A2 2 days later: repeat, switched,
#                                                  both answered, same agent
#   A2 twitter Wed 10:00, agent 1, resolved 12:00 -> next A3 7 days + 1 s after: no repeat
#   A3 twitter +7 d 1 s,   agent 2, not resolved  -> not in the denominator
#   A4 phone   Sat 13th,   agent 1, resolved      -> no next contact
#   B1 chat    Tue 09:00,  agent 2, resolved 09:30 -> next B2: repeat, same channel, other agent
#   B2 chat    Thu 09:00,  agent 3, resolved 10:00 -> next B3: repeat, B3 unanswered (no pair)
#   B3 chat    Fri 09:00,  abandoned
#   X1 chat    Tue 11:00,  no customer, resolved   -> cannot be followed: not counted
# resolved 5 · repeated 3 (A1, B1, B2) → 60 % · switched 1 of 3 → 33.3 % · answered pairs 2
# (A1, B1), same agent 1 (A1) → 50 %.
CONTACTS = [
    # name, customer, channel, created, agent (answered), resolved
    ("A1", 1, "phone", at(1, 9), 1, at(1, 9, 10)),
    ("A2", 1, "twitter", at(3, 10), 1, at(3, 12)),
    ("A3", 1, "twitter", at(10, 12, 0, 1), 2, None),
    ("A4", 1, "phone", at(13, 9), 1, at(13, 9, 30)),
    ("B1", 2, "chat", at(2, 9), 2, at(2, 9, 30)),
    ("B2", 2, "chat", at(4, 9), 3, at(4, 10)),
    ("B3", 2, "chat", at(5, 9), None, None),
    ("X1", None, "chat", at(2, 11), 2, at(2, 11, 20)),
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": n, "name": name, "customer_id": c, "channel_id": ch, "created_at": t,
             "answered_by": a, "resolved_at": r}
            for n, (name, c, ch, t, a, r) in enumerate(CONTACTS, 1)
        ]
    )  # fmt: skip


def test_rates_of_the_worked_example_by_the_pure_rule():
    flags = next_contacts(_frame(), window_days=7).set_index("name")
    assert list(flags.index[flags["repeated"]]) == ["A1", "B1", "B2"]
    assert list(flags.index[flags["switched"]]) == ["A1"]
    assert list(flags.index[flags["answered_pair"]]) == ["A1", "B1"]
    assert list(flags.index[flags["same_agent"]]) == ["A1"]
    total = journey_rates(flags).iloc[0]
    assert (total["resolved"], total["repeated"]) == (5, 3)
    assert total["repeat_rate"] == 60.0
    assert total["switch_rate"] == pytest.approx(100 / 3)
    assert total["same_agent_rate"] == 50.0
    # A window one second longer makes A2 → A3 a repeat too.
    longer = journey_rates(next_contacts(_frame(), window_days=7 + 1 / 86_400)).iloc[0]
    assert longer["repeated"] == 4


def _store(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        conn.execute(
            agents.insert(), [{"id": n, "name": f"Agent {n}", "team": "t"} for n in (1, 2, 3)]
        )
        conn.execute(
            customers.insert(), [{"id": 1, "name": "Ana Silva"}, {"id": 2, "name": "Ben Okafor"}]
        )
        conn.execute(
            customer_handles.insert(),
            [
                {"customer_id": 1, "channel_id": "phone", "handle": "+447700900001"},
                {"customer_id": 1, "channel_id": "twitter", "handle": "@ana_s"},
                {"customer_id": 2, "channel_id": "chat", "handle": "ben@example.com"},
            ],
        )
        rows = []
        for name, customer, channel, created, agent, resolved in CONTACTS:
            answered = None if agent is None else created + timedelta(minutes=1)
            rows.append(
                interaction(
                    created,
                    channel_id=channel,
                    external_id=name,
                    conversation_id=name,
                    customer_id=customer,
                    agent_id=agent,
                    first_response_at=answered,
                    resolved_at=resolved,
                    abandoned_at=created + timedelta(seconds=40) if agent is None else None,
                    status="resolved" if resolved else ("open" if agent else "abandoned"),
                    body=f"message {name}",
                )
            )
        # Ana's second message in A1's conversation: a follow-up, never "the next contact".
        rows.append(
            interaction(at(1, 9, 5), channel_id="phone", external_id="A1-2", conversation_id="A1",
                        customer_id=1, agent_id=None, first_response_at=None, resolved_at=None,
                        abandoned_at=None, status="open", body="one more thing")
        )  # fmt: skip
        insert_interactions(conn, rows)
        return dict(conn.execute(select(interactions.c.external_id, interactions.c.id)).all())


def test_the_sql_of_the_pages_gives_the_same_rates(engine: Engine):
    _store(engine)
    counts = journey_counts(
        engine=engine, start=D, end=D + timedelta(days=20), tz="Europe/London", window_days=7
    )
    total = overall_rates(counts)
    assert (total["resolved"], total["repeated"], total["switched"]) == (5, 3, 1)
    assert (total["answered_pairs"], total["same_agent"]) == (2, 1)
    assert total["repeat_rate"] == 60.0 and total["same_agent_rate"] == 50.0
    by_channel = rates_by(counts, "channel_id").set_index("channel_id")
    columns = ["resolved", "repeated", "switched", "answered_pairs", "same_agent"]
    assert by_channel.loc["phone", columns].tolist() == [2, 1, 1, 1, 1]
    assert by_channel.loc["chat", columns].tolist() == [2, 2, 0, 1, 0]
    assert by_channel.loc["twitter", "repeat_rate"] == 0.0
    weeks = rates_by(counts, "week").set_index("week")
    assert list(weeks.index) == [D.date(), (D + timedelta(weeks=1)).date()]
    assert weeks["resolved"].tolist() == [4, 1]  # A4 (Sat 13th) is in the second week
    # Only chat contacts: B1 and B2 (X1 has no customer); their next may be on any channel.
    chat = overall_rates(
        journey_counts(engine=engine, start=D, end=D + timedelta(days=20), tz="Europe/London",
                       window_days=7, channel_ids=["chat"])
    )  # fmt: skip
    assert (chat["resolved"], chat["repeated"]) == (2, 2)


def test_one_customer_is_found_by_any_handle_name_or_interaction_and_followed_across_channels(
    engine: Engine,
):
    ids = _store(engine)
    for term in ("@ana_s", "+4477009", "ANA SIL", str(ids["A2"]), f"#{ids['A3']}"):
        found = find_customers(engine=engine, term=term)
        assert found["id"].tolist() == [1], term
    assert find_customers(engine=engine, term="@ana_s").loc[0, "handles"] == "+447700900001, @ana_s"
    assert (
        find_customers(engine=engine, term=str(ids["A2"])).loc[0, "matched_interaction"]
        == ids["A2"]
    )
    assert find_customers(engine=engine, term="nobody").empty
    assert customer_of_interaction(engine=engine, interaction_id=ids["B2"]) == 2
    assert customer_of_interaction(engine=engine, interaction_id=ids["X1"]) is None
    timeline = customer_timeline(engine=engine, customer_id=1)
    assert timeline["body"].tolist() == [
        "message A1", "one more thing", "message A2", "message A3", "message A4"
    ]  # fmt: skip
    assert timeline["channel_id"].tolist() == ["phone", "phone", "twitter", "twitter", "phone"]
    assert timeline["is_contact"].tolist() == [True, False, True, True, True]
    assert timeline["agent"].tolist()[:3] == ["Agent 1", None, "Agent 1"]


def test_an_import_ties_two_handles_to_one_customer_and_the_journey_shows_both(
    engine: Engine, tmp_path: Path
):
    path = tmp_path / "crm.csv"
    path.write_text(
        "external_id,channel,created_at,customer,customer_id,body\n"
        "e-1,email,2026-06-01T09:00:00Z,cara@example.com,CRM-7,Charged twice please refund\n"
        "t-1,twitter,2026-06-02T09:00:00Z,@cara,CRM-7,@Acme still no refund. terrible\n",
        encoding="utf-8",
    )
    import_file(engine, path)
    found = find_customers(engine=engine, term="@cara")
    assert len(found) == 1
    timeline = customer_timeline(engine=engine, customer_id=int(found.loc[0, "id"]))
    assert timeline["channel_id"].tolist() == ["email", "twitter"]
    assert timeline["topic"].tolist() == ["billing", "billing"]  # tagged at import
    assert timeline["sentiment"].notna().all()  # scored at import (VADER)


def test_the_metrics_doc_states_the_worked_example_as_computed():
    from db.settings import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    section = doc[doc.index("### Customer journeys") :]
    total = journey_rates(next_contacts(_frame(), window_days=7)).iloc[0]
    for rate in ("repeat_rate", "switch_rate", "same_agent_rate"):
        assert f"**{total[rate]:.1f} %**" in section
