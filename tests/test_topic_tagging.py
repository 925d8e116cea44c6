"""Topic tagging (priority, keywords, patterns), sentiment at import with its source, retag
(idempotent, resumable, --since, leaves the data's own topics) and the demo's templates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from analytics.sentiment import score_sentiment
from analytics.topic_tagging import TopicRule, compile_taxonomy, tag_topic
from db.reference import TOPICS
from db.schema import interactions, job_state, topics
from ingest.demo.content import BODY_TEMPLATES
from ingest.importer import import_file
from ingest.retag import retag_interactions
from ingest.retag_command import parse_since
from ingest.tagging import enrich_values
from tests.builders import insert_interactions, interaction

FIXTURES = Path(__file__).parent / "fixtures"
TAXONOMY = compile_taxonomy(
    [
        TopicRule("billing", ("refund", "charge"), priority=20),
        TopicRule("complaint", ("terrible",), priority=10),
        TopicRule("delivery", ("late", "not arrived"), patterns=(r"order \d{6}",), priority=30),
        TopicRule("account", ("account",), priority=30),
    ]
)


def test_the_lowest_priority_number_wins_when_several_topics_match():
    assert tag_topic("Terrible: I want a refund", TAXONOMY) == "complaint"  # 10 beats 20
    assert tag_topic("refund please", TAXONOMY) == "billing"
    # Same priority (30): the name decides, alphabetically, whatever the order of the words.
    assert tag_topic("order 123456 on my account", TAXONOMY) == "account"
    assert tag_topic("hello there", TAXONOMY) is None
    assert tag_topic(None, TAXONOMY) is None


def test_keywords_start_a_word_phrases_match_in_sequence_and_patterns_are_regexes():
    assert tag_topic("I was CHARGED twice", TAXONOMY) == "billing"  # "charge" starts "charged"
    assert tag_topic("please translate this", TAXONOMY) is None  # "late" inside a word: no
    assert tag_topic("parcel not\n arrived yet", TAXONOMY) == "delivery"
    assert tag_topic("where is order 654321?", TAXONOMY) == "delivery"
    assert tag_topic("order 12345", TAXONOMY) is None  # five digits: the pattern wants six


def test_inactive_topics_and_broken_patterns_are_left_out():
    taxonomy = compile_taxonomy(
        [
            {"name": "old", "keywords": "refund", "patterns": "", "priority": 1, "active": False},
            {"name": "new", "keywords": "", "patterns": "ref(und\nrefund", "priority": 5},
        ]
    )
    assert taxonomy.names == ("new",)
    assert tag_topic("a refund", taxonomy) == "new"  # the valid line still matches


def test_every_demo_template_is_tagged_with_its_own_topic_by_the_reference_taxonomy():
    taxonomy = compile_taxonomy(
        [TopicRule(n, tuple(w.split(",")), priority=p) for n, (w, p) in TOPICS.items()]
    )
    for topic, templates in BODY_TEMPLATES.items():
        for template in templates:
            body = "@AcmeHelp " + template.format(order=123456, product="Fibre 500", topic=topic)
            assert tag_topic(body, taxonomy) == topic, body


def test_sentiment_is_scored_for_customers_only_and_its_source_is_kept():
    row = enrich_values(
        {"direction": "inbound", "body": "Absolutely terrible, I want a refund", "topic": None,
         "sentiment": None}, TAXONOMY
    )  # fmt: skip
    assert row["topic"] == "complaint" and row["topic_source"] == "taxonomy"
    assert row["sentiment"] == score_sentiment("Absolutely terrible, I want a refund") < 0
    assert row["sentiment_source"] == "vader"
    given = enrich_values(
        {"direction": "inbound", "body": "refund", "topic": "vip", "sentiment": 0.4}, TAXONOMY
    )
    assert (given["topic"], given["topic_source"]) == ("vip", "data")
    assert (given["sentiment"], given["sentiment_source"]) == (0.4, "data")
    brand = enrich_values({"direction": "outbound", "body": "Sorry!", "sentiment": None}, TAXONOMY)
    assert brand["sentiment"] is None


def test_the_imported_twitter_sample_comes_out_with_topics_and_sentiment(engine: Engine):
    import_file(engine, FIXTURES / "twcs_sample.csv", fmt="twcs", reject_path=None)
    i = interactions.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(i.body, i.topic, i.topic_source, i.sentiment, i.sentiment_source).where(
                i.direction == "inbound"
            )
        ).all()
    assert rows and all(r.sentiment_source == "vader" for r in rows if r.body)
    assert all(r.sentiment is not None for r in rows if r.body)
    by_body = {r.body.split("\n")[0]: r for r in rows}
    # "won't charge" → billing (keyword "charge") under the reference taxonomy.
    assert by_body["@AppleSupport my phone won't charge, help"].topic == "billing"
    assert {r.topic_source for r in rows} == {"taxonomy"}
    assert sum(r.topic is not None for r in rows) >= 1


def _rows(engine: Engine) -> dict[str, tuple]:
    i = interactions.c
    with engine.connect() as conn:
        return {
            r.external_id: (r.topic, r.topic_source)
            for r in conn.execute(select(i.external_id, i.topic, i.topic_source))
        }


def _seed(engine: Engine) -> None:
    t = datetime(2026, 3, 2, 9)
    rows = [
        interaction(t, external_id="a", body="refund please", topic="billing",
                    topic_source="taxonomy"),
        interaction(t, external_id="b", body="my parcel is late", topic=None, topic_source=None),
        interaction(t, external_id="c", body="refund", topic="vip", topic_source="data"),
        interaction(datetime(2026, 3, 9, 9), external_id="d", body="the app is down",
                    topic="billing", topic_source="taxonomy"),
    ]  # fmt: skip
    with engine.begin() as conn:
        insert_interactions(conn, rows)


def test_retag_applies_a_changed_taxonomy_once_and_leaves_the_datas_topics(engine: Engine):
    _seed(engine)
    with engine.begin() as conn:  # the admin adds "late" to delivery, and a refund keyword
        conn.execute(update(topics).where(topics.c.name == "billing").values(keywords="refund"))
    first = retag_interactions(engine=engine, batch_size=2)
    assert _rows(engine) == {
        "a": ("billing", "taxonomy"),
        "b": ("delivery", "taxonomy"),
        "c": ("vip", "data"),  # came with the data: never retagged
        "d": ("outage", "taxonomy"),  # "down" → outage
    }
    assert (first.read, first.changed) == (3, 2)
    again = retag_interactions(engine=engine, batch_size=2)
    assert (again.read, again.changed) == (3, 0)  # idempotent
    assert _rows(engine)["d"] == ("outage", "taxonomy")


def test_retag_since_and_resume_after_an_interruption(engine: Engine):
    _seed(engine)
    since = parse_since("2026-03-09", "Europe/London")
    assert since == datetime(2026, 3, 9)  # GMT in March before the change
    only_new = retag_interactions(engine=engine, since=since)
    assert only_new.read == 1 and _rows(engine)["b"] == (None, None)
    stopped = retag_interactions(engine=engine, batch_size=1, stop_after_batches=1)
    assert stopped.read == 1
    with engine.connect() as conn:
        marks = conn.execute(select(job_state.c.name, job_state.c.watermark)).all()
    assert [m.watermark for m in marks if m.name.startswith("retag:")] == [datetime(2026, 3, 2, 9)]
    resumed = retag_interactions(engine=engine, batch_size=1)
    assert resumed.resumed_from == datetime(2026, 3, 2, 9)
    assert _rows(engine)["b"] == ("delivery", "taxonomy")
    with engine.connect() as conn:  # a finished run removes its mark
        assert not conn.scalars(
            select(job_state.c.name).where(job_state.c.name.like("retag:%"))
        ).all()


def test_parse_since_wants_a_zone_on_a_timestamp():
    with pytest.raises(ValueError, match="time zone"):
        parse_since("2026-03-09T10:00:00", "Europe/London")
    assert parse_since("2026-07-01", "Europe/London") == datetime(2026, 6, 30, 23)


def test_the_taxonomy_form_refuses_a_broken_pattern_and_stores_priority(engine: Engine):
    from queries.topics import create_topic
    from queries.writes import ValidationError

    with pytest.raises(ValidationError) as refused:
        create_topic(
            engine=engine, values={"name": "fraud", "patterns": "card (stolen"}, actor="admin"
        )
    assert "not a valid regular expression" in refused.value.field_errors["patterns"]
    saved = create_topic(
        engine=engine,
        values={
            "name": "fraud",
            "keywords": "Scam",
            "patterns": " card \\d{4} \n\n",
            "priority": 5,
        },
        actor="admin",
    )
    assert (saved["keywords"], saved["patterns"], saved["priority"]) == ("scam", "card \\d{4}", 5)
    assert create_topic(engine=engine, values={"name": "misc"}, actor="admin")["priority"] == 100
