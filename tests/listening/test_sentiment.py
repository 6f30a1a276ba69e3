"""Sentiment learned from the company's own survey comments: trained once enough comments are labelled,
versioned, reported next to VADER on the same held-out comments, and used for mentions."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from advocacy.feedback.learned.queries import model_report, sentiment_reader
from advocacy.feedback.learned.services import sentiment_model_train
from advocacy.feedback.models import Response
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, Source, SourceKind
from tests.feedback.helpers_stats import make_survey

pytestmark = pytest.mark.django_db

COMPLAINTS = [
    "Support took days to answer my ticket",
    "Had to chase support several times for a fix",
    "The price went up at renewal",
    "Onboarding was confusing",
    "The mobile app is clunky",
]
PRAISE = [
    "The analytics dashboards save us hours every week",
    "Great product and friendly support",
    "Easy to use and good value",
    "Does exactly what we need",
    "The CRM integration just works",
]


def comments(n: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    survey = make_survey()
    at = datetime(2026, 1, 5, tzinfo=UTC)
    Response.objects.bulk_create(
        Response(
            survey=survey,
            kind="nps",
            channel="email",
            score=score,
            comment=rng.choice(pool),
            answered_at=at,
            updated_at=at,
        )
        for score, pool in (
            (rng.choice([0, 3, 5, 6]), COMPLAINTS) if i % 2 else (rng.choice([9, 10]), PRAISE) for i in range(n)
        )
    )


def test_vader_is_used_while_too_few_comments_are_labelled(settings):
    settings.SENTIMENT_MIN_LABELLED = 200
    comments(50)
    assert sentiment_model_train() is None
    report = model_report()
    assert (report.labelled, report.threshold, report.model) == (50, 200, None)
    assert sentiment_reader().method == "vader"


def test_the_learned_model_reads_the_support_complaints_as_negative_and_beats_vader(settings):
    settings.SENTIMENT_MIN_LABELLED = 200
    comments(400)
    model = sentiment_model_train()
    assert model is not None and model.version == 1
    print(
        f"held-out n={model.test_size}: learned AUC {model.auc:.3f} acc {model.accuracy:.3f}; "
        f"VADER AUC {model.vader_auc:.3f} acc {model.vader_accuracy:.3f}"
    )
    assert model.auc > model.vader_auc
    reader = sentiment_reader()
    support, price = reader.scores(["Support took days to answer my ticket", "The price went up at renewal"])
    assert support < -0.05 and price < -0.05
    assert reader.explain("Support took days to answer my ticket")[0][1] < 0  # its heaviest word pulls down
    assert sentiment_model_train().version == 2  # retraining adds a version


def test_mentions_are_scored_by_the_learned_model_once_there_is_one(settings, acme):
    settings.SENTIMENT_MIN_LABELLED = 200
    comments(300)
    sentiment_model_train()
    source = Source.objects.create(name="import", kind=SourceKind.IMPORT)
    mentions_ingest(
        source=source,
        items=[
            Incoming(text="Acme: support took days to answer my ticket", published_at=datetime(2026, 3, 1, tzinfo=UTC))
        ],
    )
    mention = Mention.objects.get()
    assert mention.sentiment_method == "tfidf+logistic regression"
    assert mention.sentiment < -0.05
