"""AppTest of the Channels page: today's and this week's offered volume per channel."""

from datetime import UTC, datetime, timedelta

from db.engine import make_engine
from db.rollups import refresh_interval_stats
from tests.apphelpers import open_page
from tests.builders import insert_interactions, interaction


def test_channels_page_shows_todays_volume_by_channel(app_db):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    engine = make_engine(app_db)
    with engine.begin() as conn:
        insert_interactions(
            conn,
            [interaction(now - timedelta(seconds=30 + i), channel_id="chat") for i in range(3)]
            + [interaction(now - timedelta(seconds=40), channel_id="twitter", is_public=True)],
        )
    refresh_interval_stats(engine)
    engine.dispose()

    at = open_page("supervisor", "pages/channels.py")
    assert not at.exception
    offered_today = next(m for m in at.metric if m.label == "Offered today")
    assert offered_today.value == "4"
    (chart,) = at.get("plotly_chart")
    table = at.dataframe[0].value
    by_channel = dict(zip(table["Channel"], table["Today"], strict=True))
    assert by_channel["Chat"] == 3 and by_channel["Twitter / X"] == 1 and by_channel["Phone"] == 0
    assert "Offered by channel" in chart.proto.spec


def test_channels_page_with_no_data_says_so(app_db):
    at = open_page("exec", "pages/channels.py")
    assert not at.exception
    assert next(m for m in at.metric if m.label == "Offered today").value == "0"
    assert "No interactions in this period" in at.get("plotly_chart")[0].proto.spec
