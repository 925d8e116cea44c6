"""The page registry (which role sees which page) and the sidebar drawn from it.

Pages-directory mode with `client.showSidebarNavigation = false`: this module is the only
navigation. The role -> page list is recomputed on every run from the logged-in user's roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components.plain_text import markdown_text

ROLES = ("supervisor", "qa_reviewer", "executive", "admin")
ROLE_LABELS = {
    "supervisor": "Supervisor",
    "qa_reviewer": "QA reviewer",
    "executive": "Executive",
    "admin": "Admin",
}
# What each role can do in Floorlight today (the home view; only what the pages below deliver).
ROLE_SUMMARIES = {
    "supervisor": "Watch the floor live, read service level, channel, topic and weekly reports, "
    "tell stakeholders about a spiking topic, review public replies before they go out, follow a "
    "customer across channels, and read agent quality: dispute a review, write coaching notes.",
    "qa_reviewer": "Review the interactions in your queue on the scorecard, draw fair samples "
    "and share them among reviewers, calibrate blind with other reviewers, read agent quality "
    "with its intervals, resolve disputes, review public social replies before they go out, and "
    "follow a customer's contacts across channels.",
    "executive": "Read weekly trends and the frozen weekly report (XLSX, PDF), and service level, "
    "CSAT, channel, topic and agent quality reports over any period, with every table as CSV; "
    "see what reply review costs in response time.",
    "admin": "Manage users, roles, SLA policies, reference data and review rules, import "
    "interactions from other systems' exports, freeze and re-issue weekly reports, read the "
    "audit log, and open every page.",
}


@dataclass(frozen=True)
class PageSpec:
    """One page: its file, sidebar label, icon, group, what it lets you do (one line, shown on
    the home view), and the roles that may open it."""

    path: str
    label: str
    icon: str
    group: str
    summary: str
    roles: frozenset[str]


def _page(path: str, label: str, icon: str, group: str, summary: str, *roles: str) -> PageSpec:
    # Admins see every page (the admin role is "every page").
    return PageSpec(path, label, icon, group, summary, frozenset({*roles, "admin"}))


PAGES: tuple[PageSpec, ...] = (
    _page(
        "pages/floor.py",
        "Floor (live)",
        ":material/monitor_heart:",
        "Floor",
        "Watch the floor now: waiting contacts, late ones, agents by state, staffing, alerts.",
        "supervisor",
    ),
    _page(
        "pages/weekly_trends.py",
        "Weekly trends",
        ":material/date_range:",
        "Floor",
        "Recent weeks' trends with week-over-week change; the frozen weekly report as XLSX or PDF.",
        "supervisor",
        "executive",
    ),
    _page(
        "pages/service_level.py",
        "Service level",
        ":material/timer:",
        "Floor",
        "Service level against goal, response times, CSAT and every breach, over any period.",
        "supervisor",
        "executive",
    ),
    _page(
        "pages/channels.py",
        "Channels",
        ":material/forum:",
        "Floor",
        "Volume per channel, the channel mix over time, and channels compared side by side.",
        "supervisor",
        "executive",
    ),
    _page(
        "pages/topics.py",
        "Topics",
        ":material/tag:",
        "Floor",
        "Topics per day and week, rising and falling, spikes and whom to tell, journeys.",
        "supervisor",
        "executive",
    ),
    _page(
        "pages/qa_review.py",
        "QA review",
        ":material/rate_review:",
        "Quality",
        "Your review queue: read the interaction in full and score it on the scorecard.",
        "qa_reviewer",
    ),
    _page(
        "pages/qa_sampling.py",
        "QA sampling",
        ":material/casino:",
        "Quality",
        "Draw a fair, reproducible sample of contacts per agent and assign it to reviewers.",
        "qa_reviewer",
    ),
    _page(
        "pages/agent_quality.py",
        "Agent quality",
        ":material/workspace_premium:",
        "Quality",
        "QA scores per agent and team with n and 95 % intervals, disputes and coaching notes.",
        "qa_reviewer",
        "supervisor",
        "executive",
    ),
    _page(
        "pages/calibration.py",
        "Calibration",
        ":material/balance:",
        "Quality",
        "Score the same interactions blind with other reviewers and see how far you agree.",
        "qa_reviewer",
    ),
    _page(
        "pages/reply_review.py",
        "Reply review",
        ":material/rate_review:",
        "Social",
        "Review public replies before they go out, with risk flags; what review costs in FRT.",
        "supervisor",
        "qa_reviewer",
        "executive",
    ),
    _page(
        "pages/playbook.py",
        "Playbook",
        ":material/library_books:",
        "Social",
        "Approved responses, escalation and whom to tell, per topic.",
        "supervisor",
        "qa_reviewer",
        "executive",
    ),
    _page(
        "pages/customer_journey.py",
        "Customer journey",
        ":material/route:",
        "Social",
        "One customer's contacts and follow-ups across every channel, on one timeline.",
        "supervisor",
        "qa_reviewer",
    ),
    _page(
        "pages/metrics.py",
        "Metric definitions",
        ":material/menu_book:",
        "Help",
        "How every figure is counted, with worked examples you can check by hand.",
        "supervisor",
        "qa_reviewer",
        "executive",
    ),
    _page(
        "pages/settings.py",
        "Settings",
        ":material/settings:",
        "Admin",
        "Users and roles, SLA policies, scorecards, topics, playbook, stakeholders, review rules.",
    ),
    _page(
        "pages/import_data.py",
        "Import data",
        ":material/upload_file:",
        "Admin",
        "Upload a CSV or JSON Lines export, map its columns, preview and import it.",
    ),
    _page(
        "pages/audit.py",
        "Audit log",
        ":material/history:",
        "Admin",
        "Every write and login: who changed what, and when.",
    ),
)

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def pages_for(roles: Iterable[str]) -> list[PageSpec]:
    """The pages a user with `roles` may open, in sidebar order (only pages that exist)."""
    held = set(roles or ())
    return [p for p in PAGES if p.roles & held and (_PROJECT_ROOT / p.path).is_file()]


def page_spec(path: str) -> PageSpec:
    """The registry entry of a page file (`__file__` of the page or its relative path)."""
    relative = Path(path).resolve().relative_to(_PROJECT_ROOT).as_posix()
    for spec in PAGES:
        if spec.path == relative:
            return spec
    raise KeyError(f"{relative} is not in the page registry")


def render_sidebar(display_name: str, roles: Iterable[str]) -> None:
    """Sidebar: home link, the user's pages grouped, and who is logged in."""
    with st.sidebar:
        st.page_link("app.py", label="Home", icon=":material/home:")
        group = None
        for spec in pages_for(roles):
            if spec.group != group:
                group = spec.group
                st.caption(group)
            st.page_link(spec.path, label=spec.label, icon=spec.icon)
        st.divider()
        role_names = ", ".join(ROLE_LABELS.get(r, r) for r in roles)
        st.caption(f"Signed in as **{markdown_text(display_name)}** · {markdown_text(role_names)}")
