"""Topic tagging: the admin taxonomy applied to a contact's text, as a pure function.

A topic matches a text when one of its keywords starts a word of the text (case-insensitive:
"charge" matches "Charged twice" but "late" does not match "translate"; a keyword of several
words matches them in sequence) or one of its patterns (regular expressions, case-insensitive)
is found in it. When several topics match, the lowest priority number wins, then the name
(alphabetical), so the same text and taxonomy always give the same topic. No match: no topic.

Used at import (ingest/importer.py), by the simulator, by `cli.py retag` and by the demo, so one
rule tags every route.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PRIORITY = 100


@dataclass(frozen=True)
class TopicRule:
    """One topic of the taxonomy: name, keywords, patterns (regular expressions), priority."""

    name: str
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    priority: int = DEFAULT_PRIORITY


@dataclass(frozen=True)
class Taxonomy:
    """Compiled rules in the order they win (priority, then name)."""

    rules: tuple[TopicRule, ...]
    matchers: tuple[re.Pattern[str] | None, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.rules)

    def fingerprint(self) -> str:
        """A short text that changes whenever the rules do (for resumable retag runs)."""
        text = repr([(r.name, r.keywords, r.patterns, r.priority) for r in self.rules])
        return hashlib.sha1(text.encode()).hexdigest()[:12]


def split_lines(text: str | None) -> tuple[str, ...]:
    """Non-blank lines of a patterns field, trimmed."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def split_keywords(text: str | None) -> tuple[str, ...]:
    """Comma-separated keywords, trimmed, lower case, blanks dropped."""
    return tuple(word.strip().lower() for word in (text or "").split(",") if word.strip())


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not a usable regular expression, or None when it is."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _keyword_regex(keyword: str) -> str:
    # Words of the keyword in sequence, separated by any whitespace, starting at a word start.
    words = [re.escape(w) for w in keyword.split()]
    return r"(?<!\w)" + r"\s+".join(words)


def compile_taxonomy(rules: Iterable[TopicRule | Mapping[str, Any]]) -> Taxonomy:
    """Compile `rules` (TopicRule or rows with name, keywords, patterns, priority, active).

    Inactive rows are left out; patterns that do not compile are skipped (the Settings form
    refuses them, so only hand-edited data can hold one).
    """
    parsed: list[TopicRule] = []
    for rule in rules:
        if isinstance(rule, Mapping):
            if not rule.get("active", True):
                continue
            keywords = rule.get("keywords")
            patterns = rule.get("patterns")
            rule = TopicRule(
                name=str(rule["name"]),
                keywords=split_keywords(keywords)
                if isinstance(keywords, str)
                else tuple(keywords or ()),
                patterns=split_lines(patterns)
                if isinstance(patterns, str)
                else tuple(patterns or ()),
                priority=int(
                    rule.get("priority") if rule.get("priority") is not None else DEFAULT_PRIORITY
                ),
            )
        parsed.append(rule)
    parsed.sort(key=lambda r: (r.priority, r.name))
    matchers: list[re.Pattern[str] | None] = []
    for rule in parsed:
        parts = [_keyword_regex(k) for k in rule.keywords if k.strip()]
        parts += [f"(?:{p})" for p in rule.patterns if pattern_error(p) is None]
        matchers.append(re.compile("|".join(parts), re.IGNORECASE) if parts else None)
    return Taxonomy(tuple(parsed), tuple(matchers))


def tag_topic(text: str | None, taxonomy: Taxonomy) -> str | None:
    """The topic of `text` under `taxonomy`: the winning matching topic, or None.

    Example: with billing (keyword "refund", priority 20) and complaint ("terrible", 10),
    "Terrible, I want a refund" → complaint; "refund please" → billing; "hello" → None.
    """
    if not text:
        return None
    for rule, matcher in zip(taxonomy.rules, taxonomy.matchers, strict=True):
        if matcher is not None and matcher.search(text):
            return rule.name
    return None


def tag_topics(texts: Iterable[str | None], taxonomy: Taxonomy) -> list[str | None]:
    """`tag_topic` of each text, in order."""
    return [tag_topic(text, taxonomy) for text in texts]
