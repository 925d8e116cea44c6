"""Adapter for the Kaggle "Customer Support on Twitter" (TWCS) export.

The export has one row per tweet: `tweet_id, author_id, inbound, created_at, text,
response_tweet_id, in_response_to_tweet_id`. Customers' tweets are inbound ("True"); brands'
replies (AppleSupport, AmazonHelp, ...) are outbound. This module turns the export into
records with the importer's documented columns, so the rows go through the same validation
and batch loader as CSV and JSONL.

Choices (also in ingest/FORMATS.md):
- A conversation is a reply tree: conversation_id is the id of its root tweet, found by
  following in_response_to_tweet_id while the parent is in the file; a tweet whose parent is
  missing starts its own conversation. response_tweet_id is the same links seen from the
  parent, so it is not needed (and multi-id values such as "12,13" are never parsed).
- Each inbound tweet is an interaction on channel twitter, public, with the customer handle
  = author_id. Brand tweets that answer are responses, not interactions of their own: they
  give the interactions their first_response_at and queue. A brand tweet that opens a
  conversation (its root: a proactive post, or a reply to a tweet outside the file) is stored
  as an outbound interaction, so the loader knows the centre started that conversation. The
  loader marks each conversation's first message as its thread start (db/threads.py): when it
  is the customer's, it is the one contact the metrics count; when it is the brand's, the
  conversation is no contact and the customer's tweets in it are follow-ups.
- queue = the first brand to tweet in the conversation ("unassigned" if none did).
- first_response_at = the first brand tweet in the conversation at or after the customer's
  message. For the conversation's first customer message that is the conversation's first
  response time (docs/metrics.md: FRT per conversation from the customer's first message); later
  messages get the first brand tweet after each of them, or none.
- status = resolved when answered, else open.

Memory: the file is read twice. Pass one keeps flat integer arrays — each tweet's id and
conversation root, each brand reply's conversation, time and brand (about 100 MB for the
2.8M-tweet export); pass two streams the interactions out.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import numpy as np

from ingest.validation import RowError, SourceRecord, is_blank, parse_integer

REQUIRED_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "in_response_to_tweet_id",
)
CHANNEL = "twitter"
UNASSIGNED = "unassigned"
# array("q") holds signed 64-bit ids; Twitter's own ids fit, anything larger is malformed.
MAX_TWEET_ID = 2**63 - 1
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

ReadPass = Callable[[str], Iterable[SourceRecord]]


@dataclass(frozen=True, slots=True)
class Tweet:
    """One parsed row of the export."""

    tweet_id: int
    author: str
    inbound: bool
    created_at: datetime  # aware
    parent_id: int | None
    text: str


@lru_cache(maxsize=64)
def _zone(offset: str) -> timezone:
    """The fixed time zone of a "+0000"-style offset (cached: an export uses a handful)."""
    if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
        raise ValueError(offset)
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))


def parse_twitter_time(value: str) -> datetime:
    """Twitter's `Tue Oct 31 22:10:47 +0000 2017` as an aware datetime.

    Parsed by hand rather than with strptime's %a/%b, which follow the process locale.
    """
    try:
        _weekday, month, day, clock, offset, year = value.split()
        hours, minutes, seconds = (int(part) for part in clock.split(":"))
        zone = _zone(offset)
        return datetime(
            int(year), _MONTHS[month.lower()], int(day), hours, minutes, seconds, tzinfo=zone
        )
    except (ValueError, KeyError, IndexError):
        raise RowError(
            f"created_at {value!r} is not like 'Tue Oct 31 22:10:47 +0000 2017'"
        ) from None


def _tweet_id(value: Any, name: str) -> int | None:
    # pandas writes ids of a column with gaps as floats ("119237.0"); parse_integer takes them.
    if is_blank(value):
        return None
    try:
        tweet_id = parse_integer(value)
    except RowError as exc:
        raise RowError(f"{name} {exc}") from None
    if not 0 < tweet_id <= MAX_TWEET_ID:
        raise RowError(f"{name} {value!r} is not a tweet id")
    return tweet_id


def parse_tweet(fields: Mapping[str, Any]) -> Tweet:
    """One export row as a Tweet; RowError says what is wrong with it."""
    tweet_id = _tweet_id(fields.get("tweet_id"), "tweet_id")
    if tweet_id is None:
        raise RowError("tweet_id is required")
    author = str(fields.get("author_id") or "").strip()
    if not author:
        raise RowError("author_id is required")
    inbound = str(fields.get("inbound") or "").strip().lower()
    if inbound not in ("true", "false"):
        raise RowError(f"inbound {fields.get('inbound')!r} is not True or False")
    return Tweet(
        tweet_id=tweet_id,
        author=author,
        inbound=inbound == "true",
        created_at=parse_twitter_time(str(fields.get("created_at") or "")),
        parent_id=_tweet_id(fields.get("in_response_to_tweet_id"), "in_response_to_tweet_id"),
        text=str(fields.get("text") or ""),
    )


def _parsed(records: Iterable[SourceRecord]) -> Iterator[tuple[SourceRecord, Tweet | str]]:
    """Each record with its tweet, or with the reason it is not one."""
    for record in records:
        if record.fields is None:
            yield record, record.error or "unreadable record"
            continue
        try:
            yield record, parse_tweet(record.fields)
        except RowError as exc:
            yield record, str(exc)


def resolve_roots(ids: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """The conversation root of each tweet: follow parents while they are in `ids`.

    `ids` are sorted and unique; `parents[i]` is the parent id of `ids[i]` (itself when it has
    none). A parent outside the file makes the tweet a root. Pointer jumping — every round
    replaces each tweet's link with its link's link — reaches the root of a chain of any
    depth in log2(n) rounds over flat arrays, where a dict walk would hold a Python object per
    tweet. Tweets caught in a reply loop (malformed data) become roots of their own.
    """
    count = len(ids)
    own = np.arange(count)
    position = np.minimum(np.searchsorted(ids, parents), max(count - 1, 0))
    link = np.where((parents != ids) & (ids[position] == parents), position, own)
    for _ in range(max(count, 1).bit_length() + 1):
        jumped = link[link]
        if np.array_equal(jumped, link):
            break
        link = jumped
    looped = link[link] != link  # never settles: the chain ends in a loop
    link[looped] = own[looped]
    return ids[link]


def _int_array(values: np.ndarray, typecode: str = "q") -> array:
    # array, not ndarray, for the per-tweet lookups of pass two: bisect and indexing on an
    # ndarray go through numpy scalars and are several times slower.
    result = array(typecode)
    result.frombytes(values.tobytes())
    return result


class Threads:
    """What the first pass learns: each tweet's conversation and each conversation's replies."""

    def __init__(self, tweets: _TweetLinks) -> None:
        ids = np.frombuffer(tweets.ids, dtype=np.int64)
        parents = np.frombuffer(tweets.parents, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        ids, parents = ids[order], parents[order]
        # A repeated tweet id keeps its first row, as the loader does.
        first = np.ones(len(ids), dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        ids, parents = ids[first], parents[first]
        roots = resolve_roots(ids, parents)
        self._ids = _int_array(ids)
        self._roots = _int_array(roots)

        # Brand replies sorted by (conversation, time), so a conversation's replies are one
        # contiguous run found by bisection.
        reply_ids = np.frombuffer(tweets.reply_ids, dtype=np.int64)
        reply_roots = roots[np.searchsorted(ids, reply_ids)]
        reply_times = np.frombuffer(tweets.reply_times, dtype=np.int64)
        reply_brands = np.frombuffer(tweets.reply_brands, dtype=np.int32)
        order = np.lexsort((reply_brands, reply_times, reply_roots))
        self._reply_roots = _int_array(reply_roots[order])
        self._reply_times = _int_array(reply_times[order])
        self._reply_brands = _int_array(reply_brands[order], "i")
        self._brand_names = tweets.brand_names

    def root(self, tweet_id: int) -> int:
        index = bisect_left(self._ids, tweet_id)
        if index < len(self._ids) and self._ids[index] == tweet_id:
            return self._roots[index]
        return tweet_id

    def _span(self, root: int) -> tuple[int, int]:
        low = bisect_left(self._reply_roots, root)
        return low, bisect_right(self._reply_roots, root, low)

    def brand(self, root: int) -> str:
        """The first brand to tweet in the conversation, or "unassigned"."""
        low, high = self._span(root)
        return self._brand_names[self._reply_brands[low]] if low < high else UNASSIGNED

    def first_reply(self, root: int, at: datetime) -> datetime | None:
        """The first brand tweet in the conversation at or after `at`."""
        low, high = self._span(root)
        index = bisect_left(self._reply_times, int(at.timestamp()), low, high)
        if index == high:
            return None
        return datetime.fromtimestamp(self._reply_times[index], UTC)


@dataclass
class _TweetLinks:
    """Pass one's harvest in compact arrays: 8 bytes per tweet and 20 per brand reply."""

    ids: array = field(default_factory=lambda: array("q"))
    parents: array = field(default_factory=lambda: array("q"))
    reply_ids: array = field(default_factory=lambda: array("q"))
    reply_times: array = field(default_factory=lambda: array("q"))
    reply_brands: array = field(default_factory=lambda: array("i"))
    brand_names: list[str] = field(default_factory=list)
    brand_codes: dict[str, int] = field(default_factory=dict)

    def add(self, tweet: Tweet) -> None:
        self.ids.append(tweet.tweet_id)
        self.parents.append(tweet.parent_id if tweet.parent_id is not None else tweet.tweet_id)
        if not tweet.inbound:
            code = self.brand_codes.setdefault(tweet.author, len(self.brand_codes))
            if code == len(self.brand_names):
                self.brand_names.append(tweet.author)
            self.reply_ids.append(tweet.tweet_id)
            self.reply_times.append(int(tweet.created_at.timestamp()))
            self.reply_brands.append(code)


def link_threads(records: Iterable[SourceRecord]) -> Threads:
    """Pass one: the reply links and brand reply times of every well-formed tweet."""
    tweets = _TweetLinks()
    for _record, tweet in _parsed(records):
        if not isinstance(tweet, str):  # malformed rows are reported in pass two
            tweets.add(tweet)
    return Threads(tweets)


def interaction_fields(tweet: Tweet, threads: Threads) -> dict[str, Any] | None:
    """The importer's columns for one tweet, or None for a brand tweet answering in a thread."""
    root = threads.root(tweet.tweet_id)
    if not tweet.inbound:
        if root != tweet.tweet_id:
            return None
        # The brand opened this conversation: stored so that the customer's replies are
        # known to be follow-ups. Nothing is waiting on it, so it is not open.
        return {
            "external_id": str(tweet.tweet_id),
            "channel": CHANNEL,
            "direction": "outbound",
            "is_public": True,
            "conversation_id": str(root),
            "queue": tweet.author,
            "created_at": tweet.created_at,
            "status": "resolved",
            "body": tweet.text,
        }
    responded = threads.first_reply(root, tweet.created_at)
    return {
        "external_id": str(tweet.tweet_id),
        "channel": CHANNEL,
        "direction": "inbound",
        "is_public": True,
        "conversation_id": str(root),
        "customer": tweet.author,
        "queue": threads.brand(root),
        "created_at": tweet.created_at,
        "first_response_at": responded,
        "status": "resolved" if responded is not None else "open",
        "body": tweet.text,
    }


def twcs_records(read_pass: ReadPass) -> Iterator[SourceRecord]:
    """Records for the importer's loader from a TWCS export read twice through `read_pass`.

    `read_pass(description)` must yield the CSV records of the file each time it is called.
    Inbound tweets and conversation-opening brand tweets come out as interactions, malformed
    rows as errors; the other brand tweets only inform the interactions.
    """
    threads = link_threads(read_pass("TWCS pass 1/2: linking replies"))
    for record, tweet in _parsed(read_pass("TWCS pass 2/2: loading")):
        if isinstance(tweet, str):
            yield SourceRecord(record.line, record.raw, error=tweet)
            continue
        try:
            fields = interaction_fields(tweet, threads)
        except (ValueError, OverflowError) as exc:  # one odd tweet must not end the import
            yield SourceRecord(record.line, record.raw, error=f"unreadable tweet ({exc})")
            continue
        if fields is not None:
            yield SourceRecord(record.line, record.raw, fields=fields)
