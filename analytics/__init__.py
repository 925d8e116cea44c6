"""Pure calculations behind Floorlight's metrics, on plain values and pandas frames.

Nothing here touches the database or the UI: queries/ hands frames in, pages and components
show what comes out. Every public function's docstring states the exact definition it computes,
so the pages can show it as chart help.

Modules:
    service_level    The SLA rule, written once (STATE_RULES and the outcome table), the pandas
                     classifier built from it, and the period summary. db/sla_sql builds the SQL
                     conditions from the same tables.
    sl_frames        Kind counts or classified rows -> met / missed / pending / excluded + rates.
    floor            The live floor per channel: today's level against goal, backlog, agents.
    floor_alerts     Which Floor alerts fire (goal, backlog, oldest wait, social, topic spikes).
    staffing         Agents needed now and next (Erlang C) against agents on the floor.
    periods          Local days, weeks and 15-minute intervals as naive UTC bounds.
    business_hours   Seconds inside a weekly business-hours calendar (time-zone and DST aware).
    erlang           Erlang C staffing: probability of wait, service level, ASA, agents needed.
    distributions    Percentiles, first-response-time summary and FRT buckets.
    spikes           Weekly topic counts and the z-score spike rule (weekly and last hour).
    expected_volume  Expected arrivals per 15-minute slot from the same weekday in past weeks,
                     per channel and in total.

Time conventions: timestamps arriving here are naive UTC (as stored), unless a function says it
takes local wall-clock times; time zones are IANA names resolved with `zoneinfo`.
"""
