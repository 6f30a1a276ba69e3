"""Retraining the sentiment model on a schedule; running twice adds one more version, harmlessly."""

from __future__ import annotations

from advocacy.core.jobs.durable import durable_task
from advocacy.feedback.learned.services import sentiment_model_train


@durable_task()
def train_sentiment_model() -> None:
    sentiment_model_train()
