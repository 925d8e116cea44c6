"""The TWCS adapter: conversations from reply links, brand as queue, FRT per conversation."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, select

from db.schema import customer_handles, interactions
from ingest.importer import ImportResult, import_file
from ingest.twcs import REQUIRED_COLUMNS, parse_twitter_time, resolve_roots
from ingest.validation import RowError

FIXTURES = Path(__file__).parent / "fixtures"

# tweet_id -> (conversation_id, queue, first_response_at, status) of each inbound tweet
EXPECTED = {
    # Customer, brand reply at 10:05 (and a second one at 10:06, response_tweet_id "2,6").
    "1": ("1", "AppleSupport", datetime(2017, 10, 31, 10, 5), "resolved"),
    # Follow-up replying to "2.0": its own first response is the next brand reply.
    "3": ("1", "AppleSupport", datetime(2017, 10, 31, 10, 30), "resolved"),
    # A customer thread nobody answered; the follow-up links through "10.0".
    "10": ("10", "unassigned", None, "open"),
    "11": ("10", "unassigned", None, "open"),
    # The parent (999) is not in the file, so the tweet starts its own conversation.
    "20": ("20", "AmazonHelp", datetime(2017, 10, 31, 12, 30), "resolved"),
    # A brand's own post starts the conversation: it is stored (outbound, nothing waits on
    # it), and the customer's reply to it is a follow-up with the next brand tweet as reply.
    "30": ("30", "AmazonHelp", None, "resolved"),
    "31": ("30", "AmazonHelp", datetime(2017, 11, 1, 9, 20), "resolved"),
    # The brand answered the second message; that reply is also the conversation's first
    # response to the customer's first message.
    "40": ("40", "SpotifyCares", datetime(2017, 11, 1, 13, 10), "resolved"),
    "41": ("40", "SpotifyCares", datetime(2017, 11, 1, 13, 10), "resolved"),
}
REJECTED_LINES = {
    18: "created_at '31/10/2017 10:00' is not like",
    19: "inbound 'maybe' is not True or False",
    20: "malformed CSV: expected 7 fields, found 5",
    21: "tweet_id 'abc' is not a number",
    22: "in_response_to_tweet_id '12x' is not a number",
}


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURES / "twcs_sample.csv", tmp_path / "twcs_sample.csv"))


def _loaded(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(interactions)).mappings().all()
    return {row["external_id"]: dict(row) for row in rows}


def test_twcs_builds_conversations_with_brand_queue_and_frt(engine: Engine, sample: Path) -> None:
    result = import_file(engine, sample, fmt="twcs")

    # 8 inbound tweets and the brand post opening conversation 30; the repeated tweet 10 is a
    # duplicate; brand tweets answering in a conversation are not interactions.
    assert (result.loaded, result.skipped_duplicates, result.rejected) == (9, 1, 5)
    rows = _loaded(engine)
    actual = {
        tweet: (
            row["conversation_id"],
            row["queue"],
            row["first_response_at"],
            row["status"],
        )
        for tweet, row in rows.items()
    }
    assert actual == EXPECTED
    for tweet, row in rows.items():
        assert (row["source"], row["channel_id"], row["direction"]) == (
            "twcs_sample",
            "twitter",
            "outbound" if tweet == "30" else "inbound",
        )
        assert row["is_public"] is True
    assert rows["30"]["customer_id"] is None and rows["30"]["body"] == "Prime Day is here!"
    # One contact per customer-started conversation: its first customer tweet, which carries
    # the conversation's first response time; the customer's later tweets are follow-ups, and
    # so is the reply (31) to the brand's post (30), which opens a conversation that is no
    # contact.
    starts = {tweet for tweet, row in rows.items() if row["is_thread_start"]}
    assert starts == {"1", "10", "20", "30", "40"}
    assert rows["1"]["created_at"] == datetime(2017, 10, 31, 10, 0)
    assert rows["1"]["body"] == "@AppleSupport my phone won't charge, help"
    assert rows["3"]["body"] == "@AppleSupport iPhone 8\niOS 11.1"


def test_twcs_customers_are_author_handles(engine: Engine, sample: Path) -> None:
    import_file(engine, sample, fmt="twcs")
    with engine.connect() as conn:
        handles = dict(
            conn.execute(
                select(customer_handles.c.handle, customer_handles.c.customer_id).where(
                    customer_handles.c.channel_id == "twitter"
                )
            ).all()
        )
    assert set(handles) == {"115712", "115713", "115714", "115715", "115716"}
    rows = _loaded(engine)
    assert rows["1"]["customer_id"] == rows["3"]["customer_id"] == handles["115712"]
    assert rows["40"]["customer_id"] == handles["115716"]


def test_twcs_rejects_malformed_rows(engine: Engine, sample: Path) -> None:
    result = import_file(engine, sample, fmt="twcs")

    with result.reject_path.open(newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rejects] == sorted(REJECTED_LINES)
    for reject in rejects:
        assert REJECTED_LINES[int(reject["line"])] in reject["reason"]
    assert rejects[0]["original"] == "50,115717,True,31/10/2017 10:00,bad date,,"


def test_twcs_reimport_adds_nothing(engine: Engine, sample: Path) -> None:
    import_file(engine, sample, fmt="twcs", batch_size=3)
    again = import_file(engine, sample, fmt="twcs", batch_size=3)
    assert again == ImportResult(
        loaded=0, skipped_duplicates=10, rejected=5, reject_path=again.reject_path
    )
    assert len(_loaded(engine)) == 9


def test_twitter_time_is_parsed_with_its_offset() -> None:
    parsed = parse_twitter_time("Tue Oct 31 22:10:47 +0130 2017")
    assert parsed.astimezone(UTC) == datetime(2017, 10, 31, 20, 40, 47, tzinfo=UTC)
    with pytest.raises(RowError):
        parse_twitter_time("Tue Foo 31 22:10:47 +0000 2017")
    with pytest.raises(RowError):
        parse_twitter_time("Tue Oct 31 22:10:47 0000 2017")


def test_roots_follow_chains_and_cut_loops() -> None:
    # 1 <- 2 <- 3 <- 7; 4's parent (99) is missing; 5 <-> 6 and 8 -> 9 -> 10 -> 8 are loops
    # (malformed), and 11 hangs off the second loop.
    links = {1: 1, 2: 1, 3: 2, 4: 99, 5: 6, 6: 5, 7: 3, 8: 9, 9: 10, 10: 8, 11: 8}
    ids = np.array(sorted(links), dtype=np.int64)
    parents = np.array([links[tweet] for tweet in sorted(links)], dtype=np.int64)

    roots = dict(zip(ids.tolist(), resolve_roots(ids, parents).tolist(), strict=True))

    assert roots == {1: 1, 2: 1, 3: 1, 4: 4, 5: 5, 6: 6, 7: 1, 8: 8, 9: 9, 10: 10, 11: 11}


def test_empty_export_loads_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(",".join(REQUIRED_COLUMNS) + "\n", encoding="utf-8")
    assert import_file(engine, path, fmt="twcs") == ImportResult(0, 0, 0, None)


def test_tweet_with_a_bare_carriage_return_loads_with_its_text(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(
        ",".join(REQUIRED_COLUMNS).encode() + b"\n"
        b"1,115712,True,Tue Oct 31 10:00:00 +0000 2017,@AppleSupport screen\rflickers,\n"
        b'2,AppleSupport,False,Tue Oct 31 10:05:00 +0000 2017,"@115712 Which\rmodel?",1\n'
        b"3,115712,True,Tue Oct 31 10:10:00 +0000 2017,@AppleSupport iPhone 8\r,2\n"
    )
    result = import_file(engine, path, fmt="twcs")
    assert (result.loaded, result.rejected) == (2, 0)
    rows = _loaded(engine)
    assert rows["1"]["body"] == "@AppleSupport screen\rflickers"
    assert rows["1"]["first_response_at"] == datetime(2017, 10, 31, 10, 5)
    assert rows["3"]["body"] == "@AppleSupport iPhone 8\r"
