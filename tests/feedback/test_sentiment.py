"""Sentiment of a comment: VADER's compound score, with nothing for an empty comment."""

from __future__ import annotations

from advocacy.feedback.sentiment import comment_sentiment, sentiments


def test_a_delighted_comment_scores_positive() -> None:
    score = comment_sentiment("Great onboarding, the team was wonderful and I love the product!")
    assert score is not None and score > 0.5


def test_an_angry_comment_scores_negative() -> None:
    score = comment_sentiment("Terrible service. I was charged twice and nobody helped, awful.")
    assert score is not None and score < -0.5


def test_a_factual_comment_scores_neutral() -> None:
    assert comment_sentiment("We use the reporting module on Tuesdays.") == 0.0


def test_an_empty_or_blank_comment_has_no_sentiment() -> None:
    assert comment_sentiment("") is None
    assert comment_sentiment("   \n") is None


def test_a_batch_keeps_the_order_and_the_blanks() -> None:
    scores = sentiments(["I love it", "", "I hate it"])
    assert scores[1] is None
    assert scores[0] is not None and scores[0] > 0
    assert scores[2] is not None and scores[2] < 0
