"""Demo journeys: a customer who comes back soon after a resolved contact is often routed to the
agent who helped last time (same-agent routing), so the journey figures have something to show.

Runs on the finished column arrays (customers assigned): for each contact whose customer's
previous contact was resolved by an agent no more than REPEAT_DAYS before, and which another
agent answered, the previous agent takes it with probability SAME_AGENT_SHARE when they are
skilled for the channel and rostered at the hour it was answered. Follow-up messages keep their
conversation's agent. Drawn from its own random stream, so the rest of the demo is unchanged.
"""

from __future__ import annotations

import numpy as np

from ingest.demo.clock import utc_to_local
from ingest.demo.context import GenerationContext
from ingest.demo.roster import on_shift

REPEAT_DAYS = 7
SAME_AGENT_SHARE = 0.55


def prefer_previous_agent(rng: np.random.Generator, ctx: GenerationContext, columns: dict) -> int:
    """Re-route repeat contacts to the customer's previous agent (see the module); returns how
    many contacts changed agent. Changes `columns["agent_id"]` in place."""
    agent_id = columns["agent_id"]
    starts = np.flatnonzero(columns["seq"] == columns["conversation_seq"])
    order = starts[np.lexsort((columns["created_at"][starts], columns["customer_id"][starts]))]
    by_id = {a.id: a for a in ctx.agents}
    answered_local = utc_to_local(columns["first_response_at"], ctx.tz)
    window = np.timedelta64(REPEAT_DAYS * 86_400, "s")
    draws = rng.random(len(order))
    moved: dict[int, int] = {}
    for k in range(1, len(order)):
        before, now = order[k - 1], order[k]
        if columns["customer_id"][before] != columns["customer_id"][now]:
            continue
        previous, current = int(agent_id[before]), int(agent_id[now])
        resolved = columns["resolved_at"][before]
        if previous < 0 or current < 0 or previous == current or np.isnat(resolved):
            continue
        if columns["created_at"][now] > resolved + window or draws[k] >= SAME_AGENT_SHARE:
            continue
        agent = by_id.get(previous)
        when = answered_local[now]
        if agent is None or columns["channel_id"][now] not in agent.channels:
            continue
        if not on_shift(agent.id, agent.shift, when.weekday(), when.hour):
            continue
        agent_id[now] = previous
        moved[int(columns["conversation_seq"][now])] = previous
    if moved:
        # The conversation's follow-ups were answered by the same agent as its first message.
        for row in np.flatnonzero(agent_id >= 0):
            conversation = int(columns["conversation_seq"][row])
            if conversation in moved:
                agent_id[row] = moved[conversation]
    return len(moved)
