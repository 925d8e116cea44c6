"""The demo centre: weeks of realistic, reproducible contact-centre history up to "now".

`build_demo` fills an initialised database (reference data seeded) with agents, their skills and
state history, customers with handles on several channels, interactions on every channel, QA
reviews, reply-review workflow rows, playbook entries and stakeholders, then refreshes the
rollup. Everything is drawn from one seeded numpy generator, vectorised, so a seed and a `now`
always give the same centre and eight weeks build in seconds.

The package, one job per module:
- `traffic`: channel profiles (volumes, curves, response / handle / patience times), congestion
- `content`: topic mix, message templates, names, playbook, stakeholders, canned review text
- `attributes`: per-contact draws (topic, sentiment, reach, public, priority, queue, body, CSAT)
- `clock`: local time <-> naive UTC, durations
- `roster`: teams, skills, shifts and rota
- `context`: the inputs of one generation run
- `arrivals`: daily traffic, the outage burst, social thread follow-ups
- `customers`: who sent each contact, customer and handle rows
- `outcomes`: waits, abandons, answering agent, handle and resolve times, CSAT, status at `now`
- `interactions`: puts the above together into insert-ready rows
- `proactive`: conversations the centre starts (outage posts, callbacks): no contacts
- `states`: agent state history
- `qa`, `replies`: QA sampling and reviews, the reply-review workflow
- `store`, `build`: the database side and `build_demo`

The names other code imports are re-exported here; the traffic profile and the per-contact
attribute draws among them, so the live simulator follows the same shape as the history.
"""

from __future__ import annotations

from ingest.demo.arrivals import incident_window
from ingest.demo.attributes import TemplateBook, csat_ratings, draw_attributes
from ingest.demo.build import build_demo
from ingest.demo.clock import utc_now
from ingest.demo.content import FIRST_NAMES, LAST_NAMES
from ingest.demo.context import SOURCE, GenerationContext
from ingest.demo.customers import customer_handle
from ingest.demo.interactions import DemoInteractions, generate_interactions
from ingest.demo.qa import qa_total, store_demo_qa
from ingest.demo.replies import generate_replies
from ingest.demo.roster import DemoAgent, demo_roster, on_shift
from ingest.demo.states import generate_agent_states
from ingest.demo.store import active_topic_names, delete_demo, ensure_demo_agents
from ingest.demo.traffic import (
    ABANDON_CHANNELS,
    CHANNEL_IDS,
    PROFILES,
    SOCIAL_CHANNELS,
    ChannelProfile,
    arrivals_per_second,
    congestion,
    lognormal,
)

__all__ = [
    "ABANDON_CHANNELS",
    "CHANNEL_IDS",
    "ChannelProfile",
    "DemoAgent",
    "DemoInteractions",
    "FIRST_NAMES",
    "GenerationContext",
    "LAST_NAMES",
    "PROFILES",
    "SOCIAL_CHANNELS",
    "SOURCE",
    "TemplateBook",
    "active_topic_names",
    "arrivals_per_second",
    "build_demo",
    "congestion",
    "csat_ratings",
    "customer_handle",
    "delete_demo",
    "demo_roster",
    "draw_attributes",
    "ensure_demo_agents",
    "generate_agent_states",
    "generate_interactions",
    "generate_replies",
    "incident_window",
    "lognormal",
    "on_shift",
    "qa_total",
    "store_demo_qa",
    "utc_now",
]
