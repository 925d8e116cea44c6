"""Floor (live): what is waiting, what is late, who is on, is staffing enough, what is blowing up.

Filters and the wallboard toggle sit outside the refreshing fragment, so a refresh redraws only
the figures; every number comes from a cached reader keyed on the filter and the refresh tick.
Above the fold at 1440×900: the alerts (short), each channel's card and today's totals.
"""

from datetime import UTC, datetime

import streamlit as st

from analytics.floor import channel_summary, social_watch_frame
from analytics.floor_alerts import same_hour_windows
from analytics.floor_recent import RECENT_WINDOWS, add_recent_levels, waiting_by_queue
from analytics.periods import day_bounds, local_today, to_local
from analytics.staffing import staffing_frame
from components import cache_floor, cache_replies, cache_topics
from components import floor_tiles as tiles
from components.agent_list import render_agent_list
from components.alerts import alert_rules, render_floor_alerts
from components.db import database_errors
from components.guard import require_fresh_access, require_page
from components.plain_text import markdown_text
from components.reply_queue import render_waiting_replies
from components.social_watch import HELP as SOCIAL_HELP
from components.social_watch import render_social_watch
from components.staffing_table import render_staffing_table
from components.theme import CHANNEL_LABELS, channel_label
from components.volume_chart import AHT_WEEKS, VOLUME_HELP, volume_figure
from components.waiting_queues import HELP_QUEUES, render_waiting_by_queue
from components.wallboard import wallboard_toggle
from db.settings import get_settings

require_page(__file__)
settings = get_settings()
tz = settings.timezone

with database_errors():
    catalogue = cache_floor.channel_catalogue()
title_column, filter_column, mode_column = st.columns([3, 7, 2], vertical_alignment="bottom")
title_column.title("Floor (live)")
selected = filter_column.multiselect(
    "Channels",
    options=list(catalogue["channel_id"]),
    format_func=channel_label,
    placeholder="All channels",
    key="floor_channels",
)
with mode_column:
    wallboard = wallboard_toggle("floor_wallboard")


@st.fragment(run_every=settings.refresh_seconds)
def live_floor(channel_ids: tuple[str, ...] | None, wallboard: bool) -> None:
    """Everything that refreshes: read the tick's frames, then hand them to the components."""
    require_fresh_access(__file__)
    as_of = cache_floor.live_as_of(datetime.now(UTC).replace(tzinfo=None), settings.refresh_seconds)
    today = local_today(as_of, tz)
    day_start, day_end = day_bounds(today, tz)
    windows = same_hour_windows(as_of, tz, settings.spike_baseline_days)
    with database_errors():
        levels = cache_floor.todays_service_level(channel_ids, day_start, day_end, tz, as_of)
        recent = {
            m: cache_floor.recent_service_level(channel_ids, m, tz, as_of) for m in RECENT_WINDOWS
        }
        intervals = cache_floor.todays_intervals(channel_ids, day_start, day_end, as_of)
        backlog = cache_floor.open_unanswered(channel_ids, as_of)
        policies = cache_floor.channel_policies(channel_ids, as_of)
        agents = cache_floor.agent_states(channel_ids, as_of)
        posts = cache_floor.negative_public_posts(channel_ids, as_of)
        topics = cache_floor.topic_counts(channel_ids, windows)
        history_start = cache_floor.first_interval(as_of)
        aht = cache_floor.handle_time(channel_ids, day_start - AHT_WEEKS, day_end)
        waiting_replies = cache_replies.waiting_replies(as_of)

    shown = catalogue[catalogue["channel_id"].isin(channel_ids or catalogue["channel_id"])]
    st.caption(
        f"As of **{to_local(as_of, tz):%H:%M:%S}** ({tz}) · refreshes every "
        f"{settings.refresh_seconds} s · "
        f"{markdown_text(', '.join(shown['channel'])) or 'no channels'}"
    )
    summary = channel_summary(
        levels,
        backlog,
        policies,
        as_of=as_of,
        warn_points=settings.sl_warn_points,
        min_sample=settings.min_sample_contacts,
        labels=CHANNEL_LABELS,
    )
    summary = add_recent_levels(summary, recent)
    social = social_watch_frame(posts, as_of)
    st.subheader("Alerts", help=alert_rules(settings))
    render_floor_alerts(
        summary, social, topics, windows, history_start=history_start, settings=settings,
        compact=wallboard,
    )  # fmt: skip
    if wallboard:  # per channel above the fold, in large type
        tiles.render_wallboard_tiles(summary)
    else:
        tiles.render_channel_tiles(summary)
        tiles.render_totals(summary, agents)
    tiles.render_channel_details(summary)

    st.subheader("Waiting now, by queue", help=HELP_QUEUES)
    render_waiting_by_queue(waiting_by_queue(backlog, as_of, CHANNEL_LABELS))

    st.subheader("Agents by state")
    tiles.render_agent_states(agents)
    render_agent_list(agents, as_of, key="floor_agents")

    observed_from = None if history_start is None else to_local(history_start, tz).date()
    with database_errors():
        expected = cache_floor.expected_volume(
            channel_ids, tuple(shown["channel_id"]), today, tz, observed_from
        )
    st.plotly_chart(
        volume_figure(
            intervals,
            expected[expected["channel_id"] == "all"],
            day=today,
            tz=tz,
            now_local=to_local(as_of, tz).replace(tzinfo=None),
            channel_order=list(catalogue["channel_id"]),
        ),
        key="floor_volume_chart",
    )
    st.caption(VOLUME_HELP)

    st.subheader("Staffing now and next")
    staffing = staffing_frame(
        channels=shown, policies=policies, aht=aht, expected=expected, today=intervals,
        agents=agents, as_of=as_of, tz=tz, shrinkage_percent=settings.shrinkage_percent,
        concurrency=settings.concurrency, labels=CHANNEL_LABELS,
    )  # fmt: skip
    render_staffing_table(staffing)

    st.subheader("Negative public posts waiting", help=SOCIAL_HELP)
    render_social_watch(social, tz, playbook_for=cache_topics.topic_playbook,
                        stakeholders_for=cache_topics.topic_stakeholders)  # fmt: skip
    render_waiting_replies(*waiting_replies, as_of)


# Sorted, so viewers who picked the same channels in another order share cache entries.
live_floor(tuple(sorted(selected)) or None, wallboard)
