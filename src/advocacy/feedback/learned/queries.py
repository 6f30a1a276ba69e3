"""Reads of the learned sentiment: the labelled comments, the model in use, and scores that fall back to
VADER while too few comments are labelled (settings.SENTIMENT_MIN_LABELLED)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

from advocacy.feedback import scales
from advocacy.feedback.models import Response, SentimentModel, SurveyKind
from advocacy.feedback.sentiment import sentiments as vader_sentiments

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

VADER = "vader"


def labelled_comments() -> tuple[list[str], list[bool]]:
    """NPS comments of detractors (False) and promoters (True); passives teach nothing clear."""
    rows = (
        Response.objects.filter(kind=SurveyKind.NPS)
        .filter(scales.DETRACTOR | scales.PROMOTER)
        .exclude(comment="")
        .order_by("pk")
        .values_list("comment", "score")
    )
    kept = [(comment, score >= scales.PROMOTER_MIN) for comment, score in rows if comment.strip()]
    return [c for c, _ in kept], [p for _, p in kept]


def labelled_count() -> int:
    return (
        Response.objects.filter(kind=SurveyKind.NPS)
        .filter(scales.DETRACTOR | scales.PROMOTER)
        .exclude(comment="")
        .count()
    )


def model_in_use() -> SentimentModel | None:
    return SentimentModel.objects.defer("model").order_by("-version").first()


@lru_cache(maxsize=2)
def pipeline_of(version: int, trained_at: datetime | None = None) -> Pipeline:
    """The fitted pipeline of a version, loaded once per process. Keyed by its training time too: a
    version number is reused after the models are wiped (a demo reset, a test's rollback), and a
    process must not keep reading the old model under the new one's number."""
    from advocacy.feedback.learned import tfidf_logistic  # scikit-learn loads only where a model is used

    data = SentimentModel.objects.values_list("model", flat=True).get(version=version)
    return tfidf_logistic.loads(bytes(data))


@dataclass(frozen=True)
class Reader:
    """Scores texts with the model in use, or with VADER when there is none yet."""

    method: str
    version: int | None
    trained_at: datetime | None = None

    def scores(self, texts: list[str]) -> list[float | None]:
        return [score for score, _ in self.scored(texts)]

    def scored(self, texts: list[str]) -> list[tuple[float | None, str]]:
        """Each text's score and the method that gave it: the model, or VADER (only where it is needed:
        no model yet, or a text none of whose words the model has seen)."""
        if self.version is None:
            return [(score, VADER) for score in vader_sentiments(texts)]
        from advocacy.feedback.learned import tfidf_logistic

        spoken = [i for i, t in enumerate(texts) if t.strip()]
        found: list[tuple[float | None, str]] = [(None, VADER)] * len(texts)
        learned = tfidf_logistic.scores(pipeline_of(self.version, self.trained_at), [texts[i] for i in spoken])
        unknown = [i for i, score in zip(spoken, learned, strict=True) if score is None]
        for i, score in zip(spoken, learned, strict=True):
            if score is not None:
                found[i] = (score, self.method)
        for i, score in zip(unknown, vader_sentiments([texts[i] for i in unknown]), strict=True):
            found[i] = (score, VADER)
        return found

    def explain(self, text: str) -> list[tuple[str, float]]:
        """The most weighted words behind a text's score (empty for VADER)."""
        if self.version is None or not text.strip():
            return []
        from advocacy.feedback.learned import tfidf_logistic

        return tfidf_logistic.top_words(pipeline_of(self.version, self.trained_at), text)


def sentiment_reader() -> Reader:
    model = model_in_use()
    if model is None:
        return Reader(method=VADER, version=None)
    return Reader(method=model.method, version=model.version, trained_at=model.trained_at)


def comment_sentiment(text: str) -> float | None:
    """A survey comment's sentiment, by the model in use."""
    return sentiment_reader().scores([text])[0]


@dataclass(frozen=True)
class ModelReport:
    threshold: int
    labelled: int
    model: SentimentModel | None


def model_report() -> ModelReport:
    """What the pages say about the sentiment model: in use or not, why, and how well it does."""
    return ModelReport(threshold=settings.SENTIMENT_MIN_LABELLED, labelled=labelled_count(), model=model_in_use())
