"""Sentiment of a free-text comment: VADER's compound score, −1 (negative) to 1 (positive).

VADER is a lexicon and rule based scorer made for short, informal text such as survey comments and
social posts; it needs no training and no download, so it runs air-gapped.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The one analyzer of this process: building it reads and parses the lexicon files (~10 ms)."""
    return SentimentIntensityAnalyzer()


def comment_sentiment(text: str) -> float | None:
    """VADER compound score of ``text``; None when there is nothing to score."""
    if not text or not text.strip():
        return None
    return float(analyzer().polarity_scores(text)["compound"])


def sentiments(texts: list[str]) -> list[float | None]:
    """Compound scores of many comments, in order, sharing the one analyzer."""
    return [comment_sentiment(text) for text in texts]
