"""Training a new version of the learned sentiment model."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from advocacy.feedback.learned import tfidf_logistic
from advocacy.feedback.learned.queries import labelled_comments
from advocacy.feedback.models import SentimentModel

MIN_PER_CLASS = 10  # a held-out quarter needs both kinds of comment to measure an AUC


def sentiment_model_train(*, now: datetime | None = None, seed: int = 0) -> SentimentModel | None:
    """Learn a new version from the labelled comments; None while there are too few (VADER stays in use)."""
    texts, positive = labelled_comments()
    if (
        len(texts) < settings.SENTIMENT_MIN_LABELLED
        or min(sum(positive), len(positive) - sum(positive)) < MIN_PER_CLASS
    ):
        return None
    fitted = tfidf_logistic.fit(texts, positive, seed=seed)  # outside the transaction: it takes a while
    with transaction.atomic():
        version = (SentimentModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        return SentimentModel.objects.create(
            version=version,
            method=tfidf_logistic.METHOD,
            trained_at=now or timezone.now(),
            train_size=fitted.train_size,
            test_size=fitted.test_size,
            accuracy=fitted.accuracy,
            auc=fitted.auc,
            vader_accuracy=fitted.vader_accuracy,
            vader_auc=fitted.vader_auc,
            model=tfidf_logistic.dumps(fitted.pipeline),
        )
