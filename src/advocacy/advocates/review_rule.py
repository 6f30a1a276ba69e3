"""No reward may depend on what a review says: the FTC's 2024 rule on consumer reviews and testimonials.

16 CFR Part 465 (in force since October 2024) forbids offering compensation conditioned, expressly or
by implication, on a review expressing a particular sentiment (§ 465.4). We may reward someone for
writing a review, never for writing a *positive* one. The challenge and reward editors call
``check_sentiment_neutral`` and refuse what fails it, naming the rule and the words that failed.

What the check refuses:

* structured conditions — any key, at any depth of a challenge's ``audience`` (or of any other JSON
  field passed in), whose words name a rating or a sentiment: ``condition``, ``min_rating``,
  ``rating``, ``stars``, ``sentiment``, ``positive_only``, ``tone`` …;
* text (titles, instructions, reward names and descriptions) asking for a rating or a sentiment:
  "5-star", "five stars", "4 or 5 stars", "positive review", "great review", "rate us highly",
  "only if you like/love/are happy", "no negative reviews" …

Neutral wording is accepted: "Write an honest review — positive or negative, it's your call". The
check is a heuristic that errs towards refusing; the editor then rewrites the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from advocacy.core.errors import InvalidInput

RULE = "the FTC rule on consumer reviews and testimonials (16 CFR Part 465, 2024)"

# Words that, in the name of a condition, make points depend on a rating or a sentiment.
CONDITION_WORDS = frozenset(
    {
        "condition",
        "conditions",
        "rating",
        "ratings",
        "rated",
        "stars",
        "star",
        "sentiment",
        "positive",
        "negative",
        "tone",
        "favourable",
        "favorable",
        "satisfied",
        "happy",
    }
)

NUMBER = r"(?:[1-5]|one|two|three|four|five)"
SENTIMENT = r"(?:positive|good|great|glowing|favou?rable|excellent|top|high|best|nice|5\*)"
ASKED_FOR = r"(?:reviews?|ratings?|feedback|comments?|posts?|testimonials?|words?)"

# Each pattern is a way of asking for a sentiment; matching is case-insensitive.
SENTIMENT_PATTERNS = [
    rf"\b{NUMBER}(?:\s*(?:or|-|to|/)\s*{NUMBER})?[\s-]*stars?\b",
    rf"\b{SENTIMENT}\s+{ASKED_FOR}",
    r"\bpositively\b",
    r"\brate\s+us\s+(?:highly|high|well|top)\b",
    r"\b(?:rating|score)\s+of\s+(?:at\s+least\s+)?(?:[4-9]|10|four|five)\b",
    r"\bonly\s+if\s+(?:you\s+)?(?:like|love|liked|loved|enjoy|enjoyed|are\s+(?:happy|satisfied|pleased))\b",
    r"\b(?:no|not|without)\s+(?:negative|bad|critical)\s+(?:reviews?|ratings?|feedback|comments?)\b",
    r"\bnegative\s+(?:reviews?|ratings?)\s+(?:do|does|will|won't|are|is)\b",
    r"\bmust\s+be\s+(?:positive|favou?rable|good)\b",
]
SENTIMENT_RE = re.compile("|".join(f"(?:{p})" for p in SENTIMENT_PATTERNS), re.IGNORECASE)

# Phrases that mention sentiment only to say it does not matter; removed before the text is checked.
NEUTRAL_RE = re.compile(
    r"\b(?:positive\s+or\s+negative|negative\s+or\s+positive|good\s+or\s+bad|bad\s+or\s+good)"
    r"(?:\s+(?:reviews?|ratings?|feedback|comments?))?",
    re.IGNORECASE,
)


class SentimentCondition(InvalidInput):
    """A challenge or reward would make points depend on the sentiment or rating of a review."""


def message(found: str) -> str:
    return (
        f"Refused under {RULE}: a reward may not depend on what a review says or how it rates us. "
        f"Found {found}. Ask for an honest review, whatever it says."
    )


def condition_keys(value: Any, path: str = "") -> Iterator[str]:
    """The paths of keys, at any depth, whose words name a rating or a sentiment."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else str(key)
            if set(re.split(r"[^a-z0-9]+", str(key).lower())) & CONDITION_WORDS:
                yield here
            yield from condition_keys(inner, here)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from condition_keys(inner, f"{path}[{index}]")


def sentiment_phrase(text: str) -> str:
    """The first phrase of the text that asks for a sentiment or a rating, or ""."""
    match = SENTIMENT_RE.search(NEUTRAL_RE.sub(" ", text))
    return match.group(0) if match else ""


def check_sentiment_neutral(fields: Mapping[str, Any]) -> None:
    """Refuse, with one message per field, any field that conditions a reward on review sentiment."""
    errors: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            phrase = sentiment_phrase(value)
            if phrase:
                errors[name] = message(f"“{phrase}” in the {name}")
        elif isinstance(value, Mapping | list):
            keys = list(condition_keys(value))
            if keys:
                errors[name] = message(f"the condition {', '.join(repr(k) for k in keys)} in the {name}")
    if errors:
        raise SentimentCondition(errors)
