"""Risk flags computed on a draft public reply before it goes out.

Each check returns the evidence it found, so a reviewer sees *why* a draft is flagged:
- personal data in a public reply: phone numbers (`phonenumbers`, numbers valid for the region
  or written in international form), e-mail addresses, card numbers that pass the Luhn check and
  IBANs that pass their check digits (`python-stdnum`) — a digit run that fails Luhn is not a card;
- hostile or negative tone: the VADER compound score (-1..1) at or below a threshold;
- compensation or legal wording: whole-word matches from a stated word list;
- divergence from the playbook: the best similarity (rapidfuzz token-set ratio, 0–100) of the
  draft to the approved wording for its topic, flagged below a threshold.

Pure: text in, flags out. The thresholds and word list are the caller's (settings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from rapidfuzz import fuzz
from stdnum import iban, luhn
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Candidate spans only; each is confirmed by the library's own check before it is a flag.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT_RUN = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
_IBAN_START = re.compile(r"[A-Za-z]{2}\d{2}[A-Za-z0-9]*")

FLAG_KINDS = ("phone", "email", "card", "iban", "tone", "wording", "playbook")
FLAG_LABELS = {
    "phone": "Phone number in a public reply",
    "email": "E-mail address in a public reply",
    "card": "Card number (passes the Luhn check) in a public reply",
    "iban": "IBAN / account number in a public reply",
    "tone": "Hostile or negative tone",
    "wording": "Compensation or legal wording",
    "playbook": "Diverges from the playbook's approved wording",
}


@dataclass(frozen=True)
class RiskFlag:
    """One risk found in a draft: its kind, what was found, and how it was judged."""

    kind: str
    evidence: tuple[str, ...]
    detail: str

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.kind]


def phone_numbers(text: str, region: str) -> list[str]:
    """Phone numbers in `text`: valid numbers of `region` or in international (+) form."""
    return [
        match.raw_string
        for match in phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID)
    ]


def email_addresses(text: str) -> list[str]:
    return _EMAIL.findall(text)


def card_numbers(text: str) -> list[str]:
    """13–19 digit runs (spaces or dashes allowed) that pass the Luhn check."""
    found = []
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            found.append(match.group())
    return found


def ibans(text: str) -> list[str]:
    """IBANs (grouped in fours or not) that pass their check digits: from each word that starts
    like one, the longest run of following words that forms a valid IBAN."""
    words = text.split()
    found = []
    for start, word in enumerate(words):
        if not _IBAN_START.fullmatch(word.strip(".,;:!?")):
            continue
        run = ""
        best = None
        for end in range(start, min(start + 9, len(words))):
            run = f"{run} {words[end]}".strip()
            if iban.is_valid(run.rstrip(".,;:!?")):
                best = run.rstrip(".,;:!?")
        if best:
            found.append(best)
    return found


@lru_cache(maxsize=1)
def _analyser() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # loads its lexicon once


def tone_score(text: str) -> float:
    """VADER compound score of `text`: -1 (most negative) .. 1 (most positive)."""
    return float(_analyser().polarity_scores(text)["compound"])


def risky_words(text: str, words: Iterable[str]) -> list[str]:
    """The listed words or phrases that occur in `text` as whole words (any case)."""
    lowered = text.lower()
    return [
        word
        for word in words
        if word.strip() and re.search(rf"(?<!\w){re.escape(word.strip().lower())}(?!\w)", lowered)
    ]


def playbook_similarity(text: str, approved: Sequence[str]) -> float | None:
    """Best token-set similarity (0–100) of `text` to any approved wording; None without any."""
    scores = [fuzz.token_set_ratio(text.lower(), a.lower()) for a in approved if a]
    return max(scores) if scores else None


def reply_risks(
    text: str,
    *,
    approved: Sequence[str],
    words: Iterable[str],
    region: str,
    tone_threshold: float,
    similarity_threshold: float,
) -> list[RiskFlag]:
    """Every risk flag of a draft, in FLAG_KINDS order."""
    flags: list[RiskFlag] = []
    personal = {
        "phone": (phone_numbers(text, region), f"valid for region {region} or international"),
        "email": (email_addresses(text), "an address anyone can read"),
        "card": (card_numbers(text), "13–19 digits passing the Luhn check"),
        "iban": (ibans(text), "passes the IBAN check digits"),
    }
    for kind, (found, how) in personal.items():
        if found:
            flags.append(RiskFlag(kind, tuple(found), how))
    tone = tone_score(text)
    if tone <= tone_threshold:
        flags.append(RiskFlag("tone", (f"{tone:+.2f}",), f"VADER compound ≤ {tone_threshold:+.2f}"))
    listed = risky_words(text, words)
    if listed:
        flags.append(RiskFlag("wording", tuple(listed), "from the compensation/legal word list"))
    similarity = playbook_similarity(text, approved)
    if similarity is not None and similarity < similarity_threshold:
        flags.append(
            RiskFlag(
                "playbook",
                (f"{similarity:.0f}",),
                f"similarity {similarity:.0f} < {similarity_threshold:.0f} of 100",
            )
        )
    return flags
