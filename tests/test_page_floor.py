"""AppTest of the Floor (live) page: tiles, channel filter, social list, access and empty DB.

Contacts are placed seconds to minutes before the real "now" (the page reads the clock); the
refresh tick is 1 s so the page's "as of" is within a second or two of the test's.
"""

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from sqlalchemy import select

from components.theme import CHANNEL_LABELS
from db.engine import make_engine
from db.rollups import refresh_interval_stats
from db.schema import (
    agent_skills,
    agent_states,
    agents,
    customer_handles,
    customers,
    interactions,
    playbook_entries,
    stakeholders,
)
from db.settings import get_settings
from tests.apphelpers import logged_in_app, open_page, texts
from tests.builders import insert_interactions, interaction

PAGE = "pages/floor.py"
LOUD = "Three days without service. Unacceptable."


@pytest.fixture
def floor_db(app_db, monkeypatch):
    """The app database with a 1-second refresh tick."""
    monkeypatch.setenv("FLOORLIGHT_REFRESH_SECONDS", "1")
    get_settings.cache_clear()
    yield app_db
    get_settings.cache_clear()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _seed_floor(url: str) -> None:
    """The DESIGN worked example on chat, three negative public tweets and five agents."""
    now = _now()
    ago = lambda seconds: now - timedelta(seconds=seconds)  # noqa: E731
    tweet = {"channel_id": "twitter", "is_public": True}
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            customers.insert(),
            [{"id": i, "name": name} for i, name in enumerate(["Small", "Big", "Mid"], 1)],
        )
        conn.execute(
            customer_handles.insert(),
            [
                {"id": i, "customer_id": i, "channel_id": "twitter", "handle": h}
                for i, h in enumerate(["@small", "@big", "@mid"], 1)
            ],
        )
        insert_interactions(
            conn,
            [
                interaction(ago(120), frt=60),  # a: met
                interaction(ago(121), frt=61),  # b: missed
                interaction(ago(30)),  # c: open, pending
                interaction(ago(90)),  # d: open past the 60 s target: missed now
                interaction(ago(100), abandon_after=10),  # e
                interaction(ago(100), abandon_after=3),  # f
            ],
        )
        # Inserted smallest reach first so the ranking is the query's, not insertion order.
        posts = [
            (600, 1, -0.4, 100, "meh"),
            (2400, 2, -0.9, 20_000, LOUD),
            (600, 3, -0.2, 5_000, "hm"),
        ]
        insert_interactions(
            conn,
            [
                interaction(
                    ago(age), customer_id=who, sentiment=mood, reach=reach, body=body, **tweet
                )
                for age, who, mood, reach, body in posts
            ],
        )
        conn.execute(
            agents.insert(),
            [
                {"id": i, "name": n, "team": team, "active": True}
                for i, (n, team) in enumerate(
                    zip("ABCDE", ["Chat", "Chat", "Social", "Voice", "Voice"], strict=True), 1
                )
            ],
        )
        conn.execute(
            agent_skills.insert(),
            [
                {"agent_id": 1, "channel_id": "chat"},
                {"agent_id": 2, "channel_id": "chat"},
                {"agent_id": 2, "channel_id": "twitter"},
                {"agent_id": 3, "channel_id": "twitter"},
                {"agent_id": 4, "channel_id": "phone"},
            ],
        )
        conn.execute(
            agent_states.insert(),
            [
                {"agent_id": 1, "state": "available", "since": ago(3600)},
                {"agent_id": 2, "state": "busy", "since": ago(60)},
                {"agent_id": 3, "state": "break", "since": ago(300)},
                {"agent_id": 4, "state": "offline", "since": ago(900)},
            ],
        )  # agent 5 has no state yet: offline
        # c is routed to agent A (executemany takes its columns from the first row).
        conn.execute(interactions.update().where(interactions.c.id == 3).values(agent_id=1))
    refresh_interval_stats(engine)
    engine.dispose()


def _metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def _total(at, label: str):
    """A tile of today's totals row, which follows the channel cards (they share labels)."""
    return [m for m in at.metric if m.label == label][-1]


def _backlog(at, channel: str):
    """The backlog tile in `channel`'s card: the metric right after its service-level tile."""
    labels = [m.label for m in at.metric]
    return at.metric[labels.index(channel) + 1]


def _table(at, column: str):
    """The table holding `column` (read-only tables carry no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_supervisor_sees_the_floor_tiles(floor_db, monkeypatch):
    monkeypatch.setenv("FLOORLIGHT_MIN_SAMPLE_CONTACTS", "5")  # chat's 5 closed are enough
    get_settings.cache_clear()
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert not at.exception
    assert _metric(at, "Offered today").value == "9"
    assert _metric(at, "Answered today").value == "2"
    assert _total(at, "Backlog now").value == "5"  # c, d and the three tweets
    assert _metric(at, "Oldest waiting").value.startswith("40 min")
    assert _metric(at, "Agents on the floor").value == "2"  # available + busy
    # DESIGN worked example, chat abandon rule `fail`: met 1, missed 4 -> 20 %.
    chat = _metric(at, "Chat")
    assert (chat.value, chat.delta) == ("20.0 %", "-60.0 pts · n = 5")
    assert "every abandon is a miss" in chat.help
    # Twitter: the 40-minute tweet is past its 1,800 s target (missed), the others pending:
    # 0 % on one closed contact is a small sample, not an alarm.
    twitter = _metric(at, "Twitter / X")
    assert (twitter.value, twitter.delta) == ("0.0 %", "n = 1 · small sample")
    assert _metric(at, "Phone").value == "no data"
    assert _backlog(at, "Chat").value == "2"
    assert _backlog(at, "Twitter / X").delta == "oldest 40 min"
    states = {
        label: _metric(at, label).value for label in ("Available", "Busy", "Break", "Offline")
    }
    assert states == {"Available": "1", "Busy": "1", "Break": "1", "Offline": "2"}
    page_text = texts(at)
    assert (
        "Service level today more than 5 points below goal: **Chat** 20.0 % (goal 80 %, n = 5)"
    ) in page_text
    assert "1 negative public social post past target — widest reach: @big, 20,000 followers" in (
        page_text
    )
    assert "As of" in page_text
    (chart,) = at.get("plotly_chart")
    assert "Offered per 15 minutes by channel" in chart.proto.spec
    staffing = _table(at, "Interval")
    assert len(staffing) == 12  # 6 channels x (current, next)


def test_a_small_sample_is_shown_neutral_with_its_n_and_raises_no_alert(floor_db):
    _seed_floor(floor_db)  # chat: met 1, missed 4 -> 20 % on n = 5, under the default 10
    at = open_page("supervisor", PAGE)
    assert not at.exception
    chat = _metric(at, "Chat")
    assert (chat.value, chat.delta) == ("20.0 %", "n = 5 · small sample")
    assert chat.proto.color == chat.proto.MetricColor.GRAY
    assert "fewer than 10 closed contacts the figure stays grey" in chat.help
    page_text = texts(at)
    assert "below goal" not in page_text
    alerts_heading = next(h for h in at.subheader if h.value == "Alerts")
    assert "not on fewer than 10 closed contacts" in alerts_heading.help  # the rules are help
    assert "not on fewer than" not in page_text
    assert "Waiting over 30 min: Twitter / X 40 min" in page_text  # other alerts still fire
    details = _table(at, "n (met + missed)").set_index("Channel")
    assert details.loc["Chat", "n (met + missed)"] == 5


def _wallboard(at) -> None:
    """Open the Floor the way a TV bookmark does: with ?wallboard=1 in the address."""
    at.query_params["wallboard"] = "1"
    at.switch_page(PAGE).run()


def test_wallboard_shows_each_channel_in_large_type_and_the_alerts_as_counts(floor_db):
    _seed_floor(floor_db)
    at = logged_in_app("supervisor")
    _wallboard(at)
    assert not at.exception
    assert at.toggle(key="floor_wallboard").value is True
    (style,) = [h for h in at.get("html") if "stSidebar" in h.proto.body]
    assert "display: none" in style.proto.body and "font-size: 3.2rem" in style.proto.body
    # Per channel: service level with n, backlog, oldest waiting, abandons today.
    labels = [m.label for m in at.metric]
    chat = labels.index("Chat")
    assert labels[chat : chat + 4] == ["Chat", "Backlog now", "Oldest waiting", "Abandons today"]
    sl, backlog, oldest, abandons = (m.value for m in at.metric[chat : chat + 4])
    assert (sl, backlog, abandons) == ("20.0 %", "2", "2")  # e and f abandoned
    assert oldest == "1 min"  # d, 90 s ago: whole minutes in large type
    assert at.metric[chat].delta == "n = 5 · small sample"
    twitter = labels.index("Twitter / X")
    assert [m.value for m in at.metric[twitter + 1 : twitter + 4]] == ["3", "40 min", "0"]

    assert labels.count("Abandons today") == 6  # one card per channel
    assert "Offered today" not in labels  # the totals row gives way to the channels
    # Alerts as counts; the lines themselves on demand.
    (summary,) = [e.value for e in at.error]
    assert summary == (
        "**2 alerts** — 1 to act on now, 1 warning: negative public posts (1), oldest wait (1)"
    )
    (details,) = [e for e in at.expander if e.label == "Alert details"]
    assert "Waiting over 30 min: Twitter / X 40 min" in " ".join(m.value for m in details.markdown)


def test_the_wallboard_toggle_keeps_the_address_in_step(floor_db):
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert at.toggle(key="floor_wallboard").value is False
    assert "Offered today" in [m.label for m in at.metric]
    at.toggle(key="floor_wallboard").set_value(True).run()
    assert not at.exception
    assert at.query_params["wallboard"] == "1"
    assert "Abandons today" in [m.label for m in at.metric]
    at.toggle(key="floor_wallboard").set_value(False).run()
    assert "wallboard" not in at.query_params
    assert "Offered today" in [m.label for m in at.metric]


def test_live_agent_list_shows_state_time_contacts_and_skills_by_team(floor_db):
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert not at.exception
    table = _table(at, "Time in state")
    assert list(table.columns) == [
        "Agent", "Team", "State", "Time in state", "Current contacts", "Skills",
    ]  # fmt: skip
    # On the floor first (available, busy), then break, then offline; by name within a state.
    assert list(table["Agent"]) == ["A", "B", "C", "D", "E"]
    assert list(table["State"]) == ["Available", "Busy", "Break", "Offline", "Offline"]
    assert list(table["Current contacts"]) == [1, 0, 0, 0, 0]  # c is routed to A
    assert list(table["Skills"]) == ["Chat", "Chat, Twitter / X", "Twitter / X", "Phone", ""]
    since = list(table["Time in state"])
    assert since[0].startswith("1 h") and since[1].startswith("1 min")
    assert since[2].startswith("5 min") and since[3].startswith("15 min") and since[4] == "—"
    at.multiselect(key="floor_agents_teams").set_value(["Chat"]).run()
    assert not at.exception
    assert list(_table(at, "Time in state")["Agent"]) == ["A", "B"]
    assert "2 agents · 2 on the floor · 1 current contact" in texts(at)
    assert at.multiselect(key="floor_agents_teams").options == ["Chat", "Social", "Voice"]


def test_channel_filter_changes_the_figures(floor_db):
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert _metric(at, "Offered today").value == "9"
    at.multiselect(key="floor_channels").set_value(["twitter"]).run()
    assert not at.exception
    assert _metric(at, "Offered today").value == "3"
    assert _total(at, "Backlog now").value == "3"
    assert _metric(at, "Agents on the floor").value == "1"  # agent 2; agent 3 is on a break
    assert [m.label for m in at.metric if m.label in CHANNEL_LABELS.values()] == ["Twitter / X"]
    staffing = _table(at, "Interval")
    assert set(staffing["Channel"]) == {"Twitter / X"}


def test_negative_public_posts_are_ranked_by_reach_and_open_on_demand(floor_db):
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    table = _table(at, "Author")
    assert list(table["Author"]) == ["@big", "@mid", "@small"]
    assert list(table["Reach (followers)"]) == [20_000, 5_000, 100]
    assert table["Time left"].iloc[0] < 0 < table["Time left"].iloc[1]  # breached, not yet
    post = at.selectbox(key="floor_social_open")
    assert post.value is None and post.options[0].startswith(
        "@big · Twitter / X · 20,000 followers"
    )
    post.set_value(_post_id(reach=20_000)).run()
    assert not at.exception
    assert LOUD in [t.value for t in at.text]
    details = _table(at, "Field").set_index("Field")["Value"]
    assert details["Author"] == "@big" and "(target missed)" in details["Time left"]


def _post_id(*, reach: int) -> int:
    """The interaction id of the seeded post with `reach` (the select box's values are ids)."""
    engine = make_engine(get_settings().db_url)
    with engine.connect() as conn:
        post_id = conn.scalar(select(interactions.c.id).where(interactions.c.reach == reach))
    engine.dispose()
    return int(post_id)


@pytest.mark.parametrize("username", ["exec", "qa"])
def test_other_roles_get_the_access_message(floor_db, username):
    _seed_floor(floor_db)
    at = open_page(username, PAGE)
    assert not at.exception
    assert "You don't have access to **Floor (live)**" in texts(at)
    assert not at.metric and not at.get("plotly_chart")


def test_empty_database_says_there_is_nothing_yet(floor_db):
    at = open_page("supervisor", PAGE)
    assert not at.exception
    assert "Nothing on the floor yet" in texts(at)
    assert _metric(at, "Offered today").value == "0"
    assert _metric(at, "Oldest waiting").value == "—"
    assert _metric(at, "Chat").value == "no data"
    assert "No interactions yet today" in at.get("plotly_chart")[0].proto.spec
    assert "No unanswered negative public posts right now." in texts(at)
    assert "No alerts right now." in texts(at)


def test_an_open_post_that_gets_answered_is_not_replaced_by_another(floor_db):
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    loud = _post_id(reach=20_000)
    at.selectbox(key="floor_social_open").set_value(loud).run()
    answered_at = _now()
    engine = make_engine(floor_db)
    with engine.begin() as conn:
        conn.execute(
            interactions.update()
            .where(interactions.c.id == loud)
            .values(first_response_at=answered_at, status="pending", updated_at=answered_at)
        )
    engine.dispose()
    st.cache_data.clear()  # the next refresh tick; AppTest does not tick run_every fragments
    at.run()
    assert not at.exception
    assert f"Post #{loud} is no longer waiting (answered or closed)." in texts(at)
    assert at.selectbox(key="floor_social_open").value is None
    assert list(_table(at, "Author")["Author"]) == ["@mid", "@small"]


def _give_posts_topics(url: str, topics: dict[int, str]) -> None:
    """Set the topic of the seeded posts by reach, add a playbook entry and a stakeholder for
    "outage" and an entry and a stakeholder for every topic."""
    engine = make_engine(url)
    with engine.begin() as conn:
        for reach, topic in topics.items():
            conn.execute(
                interactions.update().where(interactions.c.reach == reach).values(topic=topic)
            )
        conn.execute(
            playbook_entries.insert(),
            [
                {"issue": "Broadband outage", "topic": "outage", "move_to_private": False,
                 "response_template": "We're sorry, engineers are on it: updates on our page.",
                 "escalation": "Network ops duty manager"},
                {"issue": "Abuse or threats", "topic": None, "move_to_private": True,
                 "response_template": "Please DM us your account number.", "escalation": None},
            ],
        )  # fmt: skip
        conn.execute(
            stakeholders.insert(),
            [
                {"name": "Nia Network", "email": "nia@example.com", "role": "Network ops",
                 "topic": "outage"},
                {"name": "Pat Press", "email": "press@example.com", "role": "Press office",
                 "topic": None},
            ],
        )  # fmt: skip
    engine.dispose()


def test_a_negative_post_offers_its_next_step(floor_db):
    """The playbook entry of the post's topic, whom to tell, and the customer's journey."""
    _seed_floor(floor_db)
    _give_posts_topics(floor_db, {20_000: "outage", 5_000: "billing"})
    at = open_page("supervisor", PAGE)
    at.selectbox(key="floor_social_open").set_value(_post_id(reach=20_000)).run()
    assert not at.exception
    page_text = texts(at)
    assert "Approved response: We're sorry, engineers are on it: updates on our page." in (
        page_text
    )
    assert "Escalation: Network ops duty manager" in page_text
    assert "Nia Network (Network ops), nia@example.com" in page_text
    assert "Pat Press (Press office), press@example.com — told about every topic" in page_text
    (general,) = [e for e in at.expander if e.label.startswith("Playbook entries for any topic")]
    assert "Please DM us your account number." in texts(at)
    assert general.label == "Playbook entries for any topic (1)"
    links = [link.proto for link in at.get("page_link")]
    journey = [link for link in links if link.page.endswith("customer_journey")]
    assert journey and journey[0].query_string == f"interaction={_post_id(reach=20_000)}"


def test_a_post_whose_topic_has_no_playbook_entry_says_so(floor_db):
    _seed_floor(floor_db)
    _give_posts_topics(floor_db, {20_000: "outage", 5_000: "billing"})
    at = open_page("supervisor", PAGE)
    at.selectbox(key="floor_social_open").set_value(_post_id(reach=5_000)).run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "playbook" in w.value]
    assert warning.startswith("No playbook entry for the topic **billing**. An admin adds one")
    page_text = texts(at)
    assert "Whom to tell about **billing**:" in page_text
    assert "Pat Press (Press office)" in page_text  # told about every topic
    assert "Nia Network" not in page_text
    at.selectbox(key="floor_social_open").set_value(_post_id(reach=100)).run()  # no topic
    assert "This post has no topic yet" in texts(at)


def test_cards_show_the_last_30_and_60_minutes_and_the_queues_wait(floor_db, monkeypatch):
    """Every seeded chat contact arrived in the last few minutes: the rolling figures equal
    today's (20.0 %, n = 5 under rule `fail`); one queue ("general") holds all five waiting
    contacts, two of them past target (d, 90 s > 60 s; the 40-minute tweet > 30 min)."""
    import components.cache_floor as cache_floor

    # The rolling window ends at the minute the figures were last read; a step of one second
    # keeps contacts seeded seconds ago inside it, whatever second of the minute the test runs.
    monkeypatch.setattr(cache_floor, "RECENT_STEP_SECONDS", 1)
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "30 min  \n**20.0 %**  \nn = 5" in captions
    assert "60 min  \n**20.0 %**  \nn = 5" in captions
    assert "30 min  \nno data  \nn = 0" in captions  # phone: nothing arrived
    (queue,) = _table(at, "Past target").to_dict("records")
    assert queue["Oldest waiting"].startswith("40 min")
    assert {k: queue[k] for k in ("Queue", "Waiting", "Past target", "Channels")} == {
        "Queue": "general", "Waiting": 5, "Past target": 2, "Channels": "Chat, Twitter / X"
    }  # fmt: skip
    details = _table(at, "SL last 30 min %").set_index("Channel")
    assert details.loc["Chat", "n last 60 min"] == 5


def test_more_than_two_alerts_are_counts_with_the_lines_on_demand(floor_db, monkeypatch):
    monkeypatch.setenv("FLOORLIGHT_MIN_SAMPLE_CONTACTS", "5")  # chat's SL alert fires too
    get_settings.cache_clear()
    _seed_floor(floor_db)
    at = open_page("supervisor", PAGE)
    assert not at.exception
    (summary,) = [e.value for e in at.error]
    assert summary.startswith("**3 alerts** — 2 to act on now, 1 warning")
    (details,) = [e for e in at.expander if e.label == "Alert details"]
    lines = " ".join(m.value for m in details.markdown)
    assert "Waiting over 30 min: Twitter / X 40 min" in lines
