"""Sentiment learned from the company's own survey comments: TF-IDF features and logistic regression.

Each comment is labelled by the score it came with: a detractor's comment negative, a promoter's
positive (passives say both and teach nothing clear, so they are left out). The model's probability
of "positive", p, becomes a score on VADER's scale, 2p − 1, so the two read alike on the pages.
The words that carry a text's score are its features with the largest |tf-idf × coefficient|.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from advocacy.feedback.sentiment import sentiments as vader_sentiments

METHOD = "tfidf+logistic regression"
TEST_SHARE = 0.25


@dataclass(frozen=True)
class Fitted:
    pipeline: Pipeline
    train_size: int
    test_size: int
    accuracy: float
    auc: float
    vader_accuracy: float
    vader_auc: float


def new_pipeline() -> Pipeline:
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)),
            ("logit", LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced")),
        ]
    )


def fit(texts: list[str], positive: list[bool], *, seed: int = 0) -> Fitted:
    """Fit on three quarters of the labelled comments; score it and VADER on the same held-out quarter."""
    labels = np.asarray(positive, dtype=int)
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=TEST_SHARE, random_state=seed, stratify=labels
    )
    pipeline = new_pipeline().fit(train_x, train_y)
    learned = pipeline.predict_proba(test_x)[:, 1]
    vader = np.asarray([s or 0.0 for s in vader_sentiments(list(test_x))])
    return Fitted(
        pipeline=pipeline,
        train_size=len(train_x),
        test_size=len(test_x),
        accuracy=float(accuracy_score(test_y, learned >= 0.5)),
        auc=float(roc_auc_score(test_y, learned)),
        vader_accuracy=float(accuracy_score(test_y, vader >= 0.05)),  # VADER's own "positive" cut-off
        vader_auc=float(roc_auc_score(test_y, vader)),
    )


def dumps(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


def loads(data: bytes) -> Pipeline:
    # Only bytes this installation wrote itself (the model table) are ever loaded.
    return joblib.load(io.BytesIO(data))


def scores(pipeline: Pipeline, texts: list[str]) -> list[float | None]:
    """Sentiment of each text on −1..1 (2p − 1); None for a text with no word the model has seen, whose
    score would be the model's prior alone (the caller falls back to VADER for it)."""
    if not texts:
        return []
    features = pipeline.named_steps["tfidf"].transform(texts)
    known = np.diff(features.indptr) > 0
    probabilities = pipeline.named_steps["logit"].predict_proba(features)[:, 1]
    return [float(2 * p - 1) if seen else None for p, seen in zip(probabilities, known, strict=True)]


@lru_cache(maxsize=4)
def feature_names(pipeline: Pipeline) -> np.ndarray:
    """The vocabulary of a fitted pipeline, built once (a fitted pipeline never changes)."""
    vectorizer: TfidfVectorizer = pipeline.named_steps["tfidf"]
    return vectorizer.get_feature_names_out()


def top_words(pipeline: Pipeline, text: str, limit: int = 5) -> list[tuple[str, float]]:
    """The words (or word pairs) of ``text`` that weigh most in its score, with their signed weight: the
    text's sparse tf-idf row times the coefficients, over its own features only."""
    row = pipeline.named_steps["tfidf"].transform([text])
    weights = row.data * pipeline.named_steps["logit"].coef_[0][row.indices]
    order = np.argsort(-np.abs(weights), kind="stable")[:limit]
    names = feature_names(pipeline)
    return [(str(names[row.indices[i]]), round(float(weights[i]), 3)) for i in order]
