"""Display tables of the Service level and Channels pages: query frames turned into the exact
columns a person reads (and, for breaches, downloads — the CSV is made from this same frame).
Pure pandas, so tests check the on-screen table and the export against each other."""

from __future__ import annotations

import pandas as pd

from analytics.time_text import format_datetime
from components.exports import csv_bytes
from components.theme import format_seconds

BREACH_TABLE_COLUMNS: tuple[str, ...] = (
    "ID",
    "Channel",
    "Queue",
    "Agent",
    "Status",
    "Arrival ({tz})",
    "FRT or age (s)",
    "Target (s)",
    "Missed by (s)",
    "Missed by",
)
BREACH_SORTS: dict[str, str] = {
    "newest": "Newest arrival first",
    "late": "Most late first",
}


def _seconds(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def _text_seconds(values: pd.Series) -> list[str]:
    return [format_seconds(v) if pd.notna(v) else "—" for v in values]


def breach_table(breaches: pd.DataFrame, *, tz: str, sort: str = "newest") -> pd.DataFrame:
    """The breaches list as shown and exported: one row per missed contact.

    Args:
        breaches: `queries.breaches.breaches` rows.
        tz: the centre's time zone, named in the arrival column's header.
        sort: "newest" (arrival, newest first) or "late" (missed by, most first; abandons
            before their target — no "missed by" — last, newest first among them).

    Columns (BREACH_TABLE_COLUMNS): ID, Channel, Queue, Agent ("—" when unanswered), Status,
    Arrival (<tz>) as 'Mon 30 Nov 2026, 14:05:09 GMT' (local, zone named), FRT or age (s),
    Target (s), Missed by (s) (whole seconds; empty for an abandon before the target),
    Missed by (readable).
    """
    if sort not in BREACH_SORTS:
        raise ValueError(f"sort must be one of {', '.join(BREACH_SORTS)}; got {sort!r}")
    frame = breaches.copy()
    if sort == "late":
        frame = frame.sort_values(
            ["missed_by_seconds", "arrival_local", "id"],
            ascending=[False, False, False],
            na_position="last",
        )
    else:
        frame = frame.sort_values(["arrival_local", "id"], ascending=[False, False])
    arrival = pd.to_datetime(frame["arrival_local"])
    arrival_column = f"Arrival ({tz})"
    table = pd.DataFrame(
        {
            "ID": frame["id"].astype("int64"),
            "Channel": frame["channel"].astype(str),
            "Queue": frame["queue"].astype(str),
            "Agent": frame["agent"].fillna("—").astype(str),
            "Status": frame["status"].astype(str),
            arrival_column: [format_datetime(t, tz, seconds=True) for t in arrival],
            "FRT or age (s)": _seconds(frame["value_seconds"]),
            "Target (s)": _seconds(frame["target_seconds"]),
            "Missed by (s)": _seconds(frame["missed_by_seconds"]),
            "Missed by": _text_seconds(frame["missed_by_seconds"]),
        }
    )
    return table.reset_index(drop=True)[[c.format(tz=tz) for c in BREACH_TABLE_COLUMNS]]


def breach_csv(table: pd.DataFrame) -> bytes:
    """The CSV of a `breach_table` frame: the same rows, columns and order as on screen (formula
    cells neutralised by the shared exporter)."""
    return csv_bytes(table)


def _percent(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round(1)


NO_RATINGS = "no ratings"


def csat_text(percent: float | None) -> str:
    """CSAT as read: '50.0 %', or 'no ratings' when nothing was rated (never 0 %)."""
    return NO_RATINGS if percent is None or pd.isna(percent) else f"{percent:.1f} %"


def _csat_columns(frame: pd.DataFrame) -> dict[str, pd.Series | list[str]]:
    """CSAT (share of 4–5 among rated), its mean rating and the number rated, as table columns."""
    return {
        "CSAT (4–5)": [csat_text(v) for v in frame["csat_percent"]],
        "CSAT mean": pd.to_numeric(frame["csat_mean"], errors="coerce").round(2),
        "Rated": frame["csat_rated"].astype("int64"),
    }


def group_table(by_group: pd.DataFrame, *, group_label: str) -> pd.DataFrame:
    """Per-group figures of the Service level page (`totals_by_group` rows), every group listed.

    Percentages are rounded to 0.1 (empty = no data); durations read as text (e.g. "4 min 5 s");
    CSAT reads "no ratings" for a group nobody rated.
    ASA and the FRT mean are the same figure (mean FRT of answered contacts), shown once.
    """
    return pd.DataFrame(
        {
            group_label: by_group["group_label"].astype(str),
            "Offered": by_group["offered"].astype("int64"),
            "Answered": by_group["answered"].astype("int64"),
            "Abandoned": by_group["abandoned"].astype("int64"),
            "Met": by_group["met"].astype("int64"),
            "Missed": by_group["missed"].astype("int64"),
            "Pending": by_group["pending"].astype("int64"),
            "Service level %": _percent(by_group["service_level_percent"]),
            "FRT median": _text_seconds(by_group["frt_median"]),
            "FRT p90": _text_seconds(by_group["frt_p90"]),
            # ASA is the mean FRT of answered contacts: one column, both names.
            "FRT mean (ASA)": _text_seconds(by_group["asa_seconds"]),
            "AHT": _text_seconds(by_group["aht_seconds"]),
            "Answer rate %": _percent(by_group["answer_rate"]),
            "Abandonment rate %": _percent(by_group["abandonment_rate"]),
            **_csat_columns(by_group),
        }
    )


RULE_LABELS: dict[str, str] = {
    "fail": "fail",
    "exclude": "exclude",
    "exclude_short": "exclude short",
    "mixed": "mixed",
}


def _previous_of(table: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """`previous` rows aligned on `table`'s channels (a channel missing there: NaN)."""
    return previous.set_index("channel_id").reindex(table["channel_id"]).reset_index(drop=True)


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    return (pd.to_numeric(now, errors="coerce") - pd.to_numeric(before, errors="coerce")).round(1)


def comparison_table(table: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-channel FRT / AHT / service level side by side (`channel_comparison` rows), each
    figure with its n (offered; met + missed for the service level; rated for CSAT). With
    `previous` (the previous period's `channel_comparison`): its offered and service level and
    the change in points."""
    out = pd.DataFrame(
        {
            "Channel": table["channel"].astype(str),
            "Offered": table["offered"].astype("int64"),
            "Service level %": _percent(table["service_level_percent"]),
            "SL n (met + missed)": (table["met"] + table["missed"]).astype("int64"),
            "Goal %": table["goal_percent"],
            "Target": table["targets"].astype(str),
            "Abandon rule": table["abandon_rule"].map(RULE_LABELS).fillna("—"),
            "FRT median": _text_seconds(table["frt_median"]),
            "FRT p90": _text_seconds(table["frt_p90"]),
            "FRT mean": _text_seconds(table["frt_mean"]),
            "FRT n (answered)": table["frt_n"].astype("int64"),
            "AHT": _text_seconds(table["aht_seconds"]),
            "Abandonment rate %": _percent(table["abandonment_rate"]),
            **_csat_columns(table),
        }
    )
    if previous is None:
        return out
    before = _previous_of(table, previous)
    position = out.columns.get_loc("SL n (met + missed)") + 1
    for offset, (name, values) in enumerate(
        {
            "Offered (previous)": before["offered"].fillna(0).astype("int64"),
            "Service level % (previous)": _percent(before["service_level_percent"]),
            "SL change (pts)": _change(
                _percent(table["service_level_percent"]), _percent(before["service_level_percent"])
            ),
        }.items()
    ):
        out.insert(position + offset, name, values.to_numpy())
    return out


def mix_table(totals: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per channel over the whole period (`queries.channels.mix_totals` rows): offered (n) and
    share of offered. With `previous` (the previous period's `mix_totals`): its offered and
    share, the change of offered in % and of the share in points (empty = no data)."""
    out = pd.DataFrame(
        {
            "Channel": totals["channel"].astype(str),
            "Offered (n)": totals["offered"].astype("int64"),
            "Share of offered %": _percent(totals["share_percent"]),
        }
    )
    if previous is None:
        return out
    before = _previous_of(totals, previous)
    offered_before = pd.to_numeric(before["offered"], errors="coerce").fillna(0)
    growth = (
        100.0
        * (totals["offered"].to_numpy() - offered_before)
        / offered_before.where(offered_before > 0)
    )
    out["Offered (previous)"] = offered_before.astype("int64").to_numpy()
    out["Offered change %"] = _percent(growth).to_numpy()
    out["Share % (previous)"] = _percent(before["share_percent"]).to_numpy()
    out["Share change (pts)"] = _change(
        out["Share of offered %"], out["Share % (previous)"]
    ).to_numpy()
    return out
