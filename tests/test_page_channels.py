"""AppTest of the Channels page: today's and this week's offered per channel, the channel mix
(shares of a period add up to 100 %), social public vs private, and channels side by side."""

import base64
import json
from datetime import UTC, date, datetime, timedelta

import numpy as np

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import open_page, texts
from tests.builders import insert_interactions, interaction


def _chart(at, key_text: str) -> dict:
    """The figure JSON of the chart whose title contains `key_text`."""
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        title = figure["layout"]["title"]
        if key_text in (title.get("text", "") if isinstance(title, dict) else str(title)):
            return figure
    raise AssertionError(f"no chart titled with {key_text!r}")


def _values(data) -> list:
    """A trace's x/y as a list: plotly 6 ships numeric arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def _seed(app_db: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(now - timedelta(seconds=30 + i), channel_id="chat", frt=20)
                for i in range(3)
            ]
            + [interaction(now - timedelta(seconds=40), channel_id="twitter", is_public=True)]
            + [interaction(now - timedelta(seconds=50), channel_id="twitter", frt=100)]
            + [interaction(now - timedelta(seconds=60), channel_id="phone", frt=5)],
        )
    refresh_interval_stats(engine)
    engine.dispose()


def test_channels_page_shows_todays_volume_by_channel(app_db):
    _seed(app_db)
    at = open_page("supervisor", "pages/channels.py")
    assert not at.exception
    offered_today = next(m for m in at.metric if m.label == "Offered today")
    assert offered_today.value == "6"
    table = at.dataframe[0].value
    by_channel = dict(zip(table["Channel"], table["Today"], strict=True))
    assert by_channel["Chat"] == 3 and by_channel["Twitter / X"] == 2 and by_channel["Email"] == 0
    assert _chart(at, "Offered by channel")


def _channel_bars(figure: dict) -> dict[str, dict]:
    """The mix chart's bar traces by channel name ('Chat (n = 3)' -> 'Chat')."""
    return {
        t["name"].split(" (n = ")[0]: t
        for t in figure["data"]
        if t["type"] == "bar" and " (n = " in t["name"]
    }


def test_channel_mix_shares_sum_to_100(app_db):
    _seed(app_db)
    at = open_page("exec", "pages/channels.py")
    at.radio(key="ch_granularity").set_value("day").run()
    figure = _chart(at, "Channel mix — share of offered per day")
    bars = [t for t in figure["data"] if t["type"] == "bar" and " (n = " in t["name"]]
    assert [t["name"] for t in bars] == [
        "Phone (n = 1)",
        "Chat (n = 3)",
        "Email (n = 0)",
        "Twitter / X (n = 2)",
        "Facebook (n = 0)",
        "Instagram (n = 0)",
    ]
    per_day = np.nansum([np.array(_values(t["y"]), dtype=float) for t in bars], axis=0)
    with_traffic = per_day[per_day > 0]
    assert len(with_traffic) >= 1 and np.allclose(with_traffic, 100.0)
    today = {name: float(_values(t["y"])[-1]) for name, t in _channel_bars(figure).items()}
    assert today["Chat"] == 50.0 and today["Twitter / X"] == 100 / 3

    assert "the bars of a day add up to 100 %" in texts(at)

    at.radio(key="ch_mix_mode").set_value("count").run()
    figure = _chart(at, "Channel mix — offered per day")
    counts = {name: _values(t["y"])[-1] for name, t in _channel_bars(figure).items()}
    assert counts["Chat"] == 3 and counts["Email"] == 0
    # The caption follows the mode: counts stack to the day's total, no 100 %.
    assert "a bar's height is the day's total" in texts(at)
    assert "add up to 100 %" not in texts(at)


def test_social_split_and_channels_side_by_side(app_db):
    _seed(app_db)
    at = open_page("supervisor", "pages/channels.py")
    split = _chart(at, "Social: public posts vs private messages")
    bars = {t["name"]: _values(t["x"]) for t in split["data"] if t["type"] == "bar"}
    assert bars["Public (posts, comments)"][0] == 1 and bars["Private (messages)"][0] == 1
    side = next(df.value for df in at.dataframe if "Goal %" in df.value.columns)
    phone = side[side["Channel"] == "Phone"].iloc[0]
    assert (phone["Service level %"], phone["FRT median"]) == (100.0, "5 s")
    twitter = side[side["Channel"] == "Twitter / X"].iloc[0]
    assert twitter["Offered"] == 2 and twitter["FRT median"] == "1 min 40 s"
    assert _chart(at, "Service level, first response and handle time by channel")


def test_weekly_granularity(app_db):
    _seed(app_db)
    at = open_page("supervisor", "pages/channels.py")
    at.radio(key="ch_granularity").set_value("day").run()
    at.radio(key="ch_granularity").set_value("week").run()
    assert not at.exception
    # The last 4 weeks: this week so far and the 3 before it, all listed (zero-filled).
    figure = _chart(at, "Channel mix — share of offered per week")
    bars = [t for t in figure["data"] if t["type"] == "bar" and " (n = " in t["name"]]
    assert all(len(_values(t["y"])) == 4 for t in bars)


def test_channels_page_with_no_data_says_so(app_db):
    at = open_page("exec", "pages/channels.py")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Offered today").value == "0"
    assert "No interactions in this period" in at.get("plotly_chart")[0].proto.spec
    assert "No interactions arrived in" in texts(at)


def test_channels_side_by_side_show_csat_with_n(app_db):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(now - timedelta(seconds=60), channel_id="chat", frt=20, csat=rating)
                for rating in (5, 4, 3, 1, None)
            ],
        )
    refresh_interval_stats(engine)
    engine.dispose()
    at = open_page("supervisor", "pages/channels.py")
    side = next(df.value for df in at.dataframe if "Goal %" in df.value.columns)
    side = side.set_index("Channel")
    assert (side.loc["Chat", "CSAT (4–5)"], side.loc["Chat", "CSAT mean"]) == ("50.0 %", 3.25)
    assert side.loc["Chat", "Rated"] == 4
    assert side.loc["Phone", "CSAT (4–5)"] == "no ratings"  # nobody rated: never 0 %


def test_a_2011_log_opens_the_mix_on_its_own_week(app_db):
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [
                interaction(datetime(2011, 5, 2, 10), channel_id="phone", frt=5),
                interaction(datetime(2011, 5, 12, 10), channel_id="chat", frt=5),
            ],
        )
    refresh_interval_stats(engine)
    engine.dispose()
    at = open_page("exec", "pages/channels.py")
    assert not at.exception
    period = at.date_input(key="ch_period")
    # The last 4 weeks (22–28 days) hold nothing: the data's last day ends the same length.
    assert period.value == (date(2011, 5, 2), date(2011, 5, 12)) and period.min == date(2011, 5, 2)
    assert "No arrivals in the last 4 weeks: showing the latest period with data" in texts(at)
    assert at.selectbox(key="ch_preset").value == "custom"
    at.date_input(key="ch_period").set_value((date(2011, 5, 2), date(2011, 5, 12))).run()
    at.radio(key="ch_mix_mode").set_value("count").run()
    at.radio(key="ch_granularity").set_value("day").run()
    figure = _chart(at, "Channel mix — offered per day")
    counts = {name: sum(_values(t["y"])) for name, t in _channel_bars(figure).items()}
    assert counts["Phone"] == 1 and counts["Chat"] == 1
