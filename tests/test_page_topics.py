"""AppTest of the Topics and Customer journey pages per role, on known data: a topic spiking today
by the daily rule, whom to tell and the audited "stakeholders informed" record the next user sees,
the drill-down to a contact's customer, a customer followed across two handles, and the journey
figures on Service level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from analytics.periods import day_bounds, local_today
from db.engine import make_engine
from db.schema import (
    audit_log,
    topic_notifications,
)
from tests.apphelpers import logged_in_app, open_page, texts
from tests.builders import add_ana_and_whom_to_tell, insert_interactions, interaction

TOPICS = "pages/topics.py"
JOURNEY = "pages/customer_journey.py"
TZ = "Europe/London"


def _contact(created: datetime, **fields) -> dict:
    defaults = {"topic": "outage", "customer_id": None, "agent_id": None, "sentiment": -0.5,
                "channel_id": "twitter", "is_public": True,
                "body": "the network is down"}  # fmt: skip
    return interaction(created, frt=90, **{**defaults, **fields})


@pytest.fixture
def spiking(app_db: str) -> dict:
    """Outage: 2 contacts a day on each of the 14 days before today, 20 today (a daily spike:
    z = (20 − 2) / max(0, 1) = 18); Ana (customer 1) wrote on phone and Twitter."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    today_start = day_bounds(local_today(now, TZ), TZ)[0]
    rows = []
    for day in range(1, 15):
        for k in range(2):
            rows.append(_contact(today_start - timedelta(days=day) + timedelta(hours=9 + k)))
    span = max((now - today_start).total_seconds() - 120, 20)
    rows += [_contact(today_start + timedelta(seconds=span * k / 20 + 1)) for k in range(20)]
    rows += [
        _contact(today_start - timedelta(days=3, hours=-10), channel_id="phone", is_public=False,
                 customer_id=1, agent_id=1, topic="billing", body="Charged twice"),
        _contact(today_start - timedelta(days=2, hours=-11), customer_id=1, agent_id=1,
                 body="@Acme still down, awful"),
    ]  # fmt: skip
    engine = make_engine(app_db)
    with engine.begin() as conn:
        add_ana_and_whom_to_tell(conn)
        insert_interactions(conn, rows)
    engine.dispose()
    return {"url": app_db}


def _daily(at):
    at.segmented_control(key="topics_granularity").set_value("day").run()
    assert not at.exception, at.exception
    return at


def test_supervisor_sees_the_spike_whom_to_tell_and_records_it_for_the_next_user(spiking):
    at = _daily(open_page("supervisor", TOPICS))
    assert at.get("plotly_chart")
    shown = texts(at)
    assert "Spiking now: outage" in shown
    assert "Spike rule: a topic spikes in a day when it has at least 10 contacts" in shown
    assert at.selectbox(key="topics_focus").value == "outage"
    assert "Priya Desai" in shown and "Tom Becker" not in shown
    assert "Engineers are on it" in shown
    assert "Nobody has recorded informing the stakeholders" in shown
    period = f"{local_today(datetime.now(UTC).replace(tzinfo=None), TZ):%Y-%m-%d}"
    submit = at.button(key=f"topics_inform_submit_outage_{period}")
    at.text_input(key=f"topics_inform_note_outage_{period}").set_value("emailed at 10:05")
    submit.click().run()
    assert not at.exception, at.exception

    engine = make_engine(spiking["url"])
    with engine.connect() as conn:
        record = conn.execute(select(topic_notifications)).one()
        audited = conn.execute(
            select(audit_log).where(audit_log.c.table_name == "topic_notifications")
        ).one()
    engine.dispose()
    assert (record.topic, record.period, record.stakeholders) == ("outage", period, "Priya Desai")
    assert (record.informed_by, record.note) == ("supervisor", "emailed at 10:05")
    assert audited.username == "supervisor" and audited.action == "insert"

    later = _daily(open_page("admin", TOPICS))  # the next person on shift
    assert "Already done" in texts(later) and "emailed at 10:05" in texts(later)


def test_floor_link_opens_the_topic_and_a_contact_leads_to_its_customers_journey(spiking):
    at = logged_in_app("supervisor")
    at.switch_page(TOPICS)
    at.query_params["topic"] = "billing"  # as the Floor's alert link does
    at.run()
    assert at.selectbox(key="topics_focus").value == "billing"
    assert "Tom Becker" in texts(at)
    at = _daily(open_page("supervisor", TOPICS))
    picked = at.selectbox(key="topics_contact_open")
    picked.set_value(picked.options and int(picked.options[0].split(" ")[0].lstrip("#"))).run()
    links = [link.proto for link in at.get("page_link")]
    journey = [p for p in links if p.page.endswith("customer_journey")]
    assert journey and "interaction=" in journey[0].query_string


def test_executive_reads_topics_but_does_not_record(spiking):
    at = _daily(open_page("exec", TOPICS))
    assert "Spiking now: outage" in texts(at)
    assert "Priya Desai" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("topics_inform_submit")]
    weekly = open_page("exec", TOPICS)
    assert any(
        "Topic" in df.value.columns and "Negative %" in df.value.columns for df in weekly.dataframe
    )
    assert "Rising" in texts(weekly)


@pytest.mark.parametrize("username", ["supervisor", "qa"])
def test_journey_follows_one_customer_across_handles(spiking, username):
    at = logged_in_app(username)
    at.switch_page(JOURNEY)
    at.query_params["customer"] = "1"
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Ana Silva (customer #1)" in shown and "@ana\\_s" in shown or "@ana_s" in shown
    table = next(df.value for df in at.dataframe if "Kind" in df.value.columns)
    assert table["Channel"].tolist() == ["Phone", "Twitter / X"]
    assert table["Agent"].tolist() == ["Agent Kemi", "Agent Kemi"]
    assert table["Topic"].tolist() == ["billing", "outage"]
    assert table["FRT"].tolist() == ["1 min 30 s", "1 min 30 s"]
    search = logged_in_app(username)
    search.switch_page(JOURNEY).run()
    search.text_input(key="journey_search").set_value("+44770090").run()
    assert search.selectbox(key="journey_pick").value == 1
    assert any("Kind" in df.value.columns for df in search.dataframe)


def test_service_level_and_topics_show_the_journey_figures_on_request(spiking):
    at = open_page("supervisor", "pages/service_level.py")
    assert "Repeat-contact rate" not in [m.label for m in at.metric]
    at.toggle(key="sl_journey_on").set_value(True).run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert {"Repeat-contact rate", "Channel switching", "Same-agent rate"} <= set(labels)
    at = open_page("exec", TOPICS)
    at.toggle(key="topics_journey_on").set_value(True).run()
    at.segmented_control(key="topics_journey_by").set_value("channel_id").run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "Repeat %" in df.value.columns)
    assert "Phone" in table["Channel"].tolist()
    labels = [m.label for m in at.metric]
    assert {"Repeat-contact rate", "Channel switching", "Same-agent rate"} <= set(labels)


def test_days_and_times_read_in_one_format_with_the_zone_named(spiking):
    """Day labels read '30 Nov 2026', not ISO dates; an "informed" record stored for the ISO day
    2026-07-01 at 13:05 UTC reads 'Wed 1 Jul 2026, 14:05 BST' (London) about '1 Jul 2026'."""
    engine = make_engine(spiking["url"])
    with engine.begin() as conn:
        conn.execute(
            topic_notifications.insert(),
            [{"topic": "outage", "period": "2026-07-01", "stakeholders": "Priya Desai",
              "informed_by": "supervisor", "informed_at": datetime(2026, 7, 1, 13, 5)}],
        )  # fmt: skip
    engine.dispose()
    at = _daily(open_page("supervisor", TOPICS))
    assert not at.exception, at.exception
    today = local_today(datetime.now(UTC).replace(tzinfo=None), TZ)
    yesterday = today - timedelta(days=1)
    days = f"{today.day} {today:%b %Y}, {yesterday.day} {yesterday:%b %Y}"
    shown = texts(at)
    assert f"Spiking now: outage ({days})." in shown
    assert "Wed 1 Jul 2026, 14:05 BST — **supervisor** informed Priya Desai about 1 Jul 2026" in (
        shown
    )
    contacts = next(f.value for f in at.dataframe if "Arrived" in f.value.columns)
    assert (
        contacts["Arrived"].str.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)").all()
    )


def test_journey_times_read_in_local_time_with_the_zone_named(spiking):
    """Ana's phone call moved to 13:05 UTC on 1 July reads 'Wed 1 Jul 2026, 14:05 BST'."""
    from db.schema import interactions

    engine = make_engine(spiking["url"])
    with engine.begin() as conn:
        conn.execute(
            interactions.update()
            .where(interactions.c.channel_id == "phone", interactions.c.customer_id == 1)
            .values(created_at=datetime(2026, 7, 1, 13, 5), first_response_at=None)
        )
    engine.dispose()
    at = logged_in_app("supervisor")
    at.switch_page(JOURNEY)
    at.query_params["customer"] = "1"
    at.run()
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "Kind" in df.value.columns)
    assert table.loc[table["Channel"] == "Phone", "When"].tolist() == ["Wed 1 Jul 2026, 14:05 BST"]
