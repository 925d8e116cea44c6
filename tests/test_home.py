"""AppTest of the home view: each role sees a summary of its pages with a link to each (the
supervisor today's service level per channel, the executive last week against the week before,
the QA reviewer their open assignments), and a user with several roles sees each summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from analytics.periods import day_bounds, local_today, to_utc_naive
from analytics.weekly import monday_of
from db.engine import make_engine
from db.schema import users
from db.settings import get_settings
from tests.apphelpers import ROLE_USERS, logged_in_app, texts
from tests.builders import insert_interactions, interaction
from tests.qa_pages import assign, seed_contacts


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _insert(url: str, rows: list[dict]) -> None:
    from db.rollups import refresh_interval_stats

    engine = make_engine(url)
    with engine.begin() as conn:
        insert_interactions(conn, rows)
    refresh_interval_stats(engine)
    engine.dispose()


def _metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def _main_links(at) -> list[str]:
    return [link.proto.label for link in at.main.get("page_link")]


def test_supervisor_sees_todays_service_level_per_channel(app_db):
    # Chat policy: target 60 s. Four chat contacts today: three answered in 30 s (met), one in
    # 100 s (missed) -> 3 / (3 + 1) = 75.0 %.
    tz = get_settings().timezone
    now = _now()
    arrived = max(now - timedelta(seconds=150), day_bounds(local_today(now, tz), tz)[0])
    _insert(app_db, [interaction(arrived, frt=f) for f in (30, 30, 30, 100)])
    at = logged_in_app("supervisor")
    assert not at.exception
    chat = _metric(at, "Chat")
    assert chat.value == "75.0 %"
    assert "Supervisor: The floor today" in texts(at)
    assert "Open Floor (live)" in _main_links(at)


def _weeks_ago(weeks: int) -> datetime:
    """Wednesday noon (local) of the ISO week `weeks` before the current one, as naive UTC."""
    tz = get_settings().timezone
    monday = monday_of(local_today(_now(), tz)) - timedelta(weeks=weeks)
    return to_utc_naive(datetime.combine(monday + timedelta(days=2), datetime.min.time()), tz) + (
        timedelta(hours=12)
    )


def test_executive_sees_last_week_against_the_week_before(app_db):
    # Week before last: 2 chat contacts, both met. Last week: 4, three met and one missed
    # (100 s > 60 s). Offered 2 -> 4 is +100.0 %; service level 100 % -> 75 % is -25.0 pts.
    before, last = _weeks_ago(2), _weeks_ago(1)
    _insert(app_db, [interaction(before, frt=30) for _ in range(2)])
    _insert(app_db, [interaction(last, frt=f) for f in (30, 30, 30, 100)])
    at = logged_in_app("exec")
    assert not at.exception
    offered = _metric(at, "Offered, all channels")
    assert (offered.value, offered.proto.delta) == ("4", "+100.0 %")
    level = _metric(at, "Service level, all channels")
    assert (level.value, level.proto.delta) == ("75.0 %", "-25.0 pts")
    assert "Executive: Last week against the week before" in texts(at)
    assert "Open Weekly trends" in _main_links(at)


def test_qa_reviewer_sees_their_open_assignments(app_db):
    seed_contacts(app_db)
    assign(app_db, "qa", quota=1)  # one contact of each of the two agents
    at = logged_in_app("qa")
    assert not at.exception
    assert _metric(at, "Open assignments").value == "2"
    assert _metric(at, "Overdue").value == "0"  # due in three days
    assert "Earliest due:" in texts(at) and "(overdue)" not in texts(at)
    assert "Open QA review" in _main_links(at)


def test_an_empty_queue_says_so(app_db):
    at = logged_in_app("qa")
    assert _metric(at, "Open assignments").value == "0"
    assert "Your queue is empty" in texts(at)


def test_a_user_with_several_roles_sees_each_summary(app_db, monkeypatch):
    engine = make_engine(app_db)
    with engine.begin() as conn:
        conn.execute(
            update(users).where(users.c.username == "qa").values(roles="supervisor,qa_reviewer")
        )
    engine.dispose()
    monkeypatch.setitem(ROLE_USERS, "qa", ["supervisor", "qa_reviewer"])
    at = logged_in_app("qa")
    assert not at.exception
    shown = texts(at)
    assert "Supervisor: The floor today" in shown and "QA reviewer: Your review queue" in shown
    assert {"Open Floor (live)", "Open QA review"} <= set(_main_links(at))
    assert _metric(at, "Open assignments").value == "0"


def test_admin_sees_the_weeks_changes_and_sign_in_trouble(app_db):
    from db.schema import users as users_table
    from queries import admin
    from queries.writes import audit

    engine = make_engine(app_db)
    admin.create_topic(
        engine=engine, values={"name": "Refunds", "keywords": "refund"}, actor="admin"
    )
    with engine.begin() as conn:
        for _ in range(2):
            audit(conn, user="ghost", action="login_failed", table="users")
        locked = _now() + timedelta(hours=1)
        conn.execute(
            update(users_table)
            .where(users_table.c.username == "norole")
            .values(locked_until=locked)
        )
        conn.execute(
            update(users_table).where(users_table.c.username == "exec").values(disabled=True)
        )
    engine.dispose()
    at = logged_in_app("admin")
    assert not at.exception
    assert _metric(at, "Changes, last 7 days").value == "1"
    assert _metric(at, "Failed sign-ins, last 7 days").value == "2"
    assert _metric(at, "Accounts locked now").value == "1"
    assert _metric(at, "Accounts disabled").value == "1"
    assert {"Open Audit log", "Open Settings"} <= set(_main_links(at))
