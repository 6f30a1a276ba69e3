"""P5b: ingest mentions (parse an RSS feed, match queries, drop duplicates, learned sentiment, customer
match, MinHash near-duplicate groups, store, authenticity checks) against VADER alone on the same texts,
in the same worker process. The issue's goal: at least 0.6× VADER's texts per second.

The size defaults to DEFAULT_MENTIONS (set ADVOCACY_P5B_MENTIONS or --rows for more; the issue names
1,000,000). Runs in a fresh worker on SQLite, then on a throwaway PostgreSQL database. The texts are synthetic (see
``texts``). Two ways in are timed: a pushed JSON message (the signed webhook's reader) and RSS feeds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from benchmarks.report import Report, at_least
from benchmarks.workers import on_each_database, worker_result

DEFAULT_MENTIONS = int(os.environ.get("ADVOCACY_P5B_MENTIONS", "20000"))
WORKLOAD = "P5b listening ingest"
GOAL = 0.6  # issue 10: at least 0.6× VADER's texts per second
RESULT_PREFIX = "P5B-RESULT "
BATCH = 2000
WORDS = [
    "Acme",
    "support",
    "price",
    "renewal",
    "dashboard",
    "fast",
    "slow",
    "great",
    "broken",
    "love",
    "ticket",
    "team",
    "reports",
    "mobile",
    "app",
    "integration",
    "week",
    "hours",
    "value",
    "onboarding",
]


def run(report: Report, rows: int | None = None) -> None:
    mentions = rows or DEFAULT_MENTIONS
    results = on_each_database(
        report, WORKLOAD, "p5b", lambda folder, url, name: run_worker(report, folder, url, name, mentions)
    )
    for name, result in results.items():
        if result is not None:
            record(report, mentions, name, result)


def run_worker(report: Report, folder: Path, database_url: str, name: str, mentions: int) -> dict[str, Any] | None:
    report.say(f"{WORKLOAD}: {mentions:,} mentions on {name} …")
    return worker_result(
        report,
        workload=WORKLOAD,
        name=name,
        module="benchmarks.p5b_listening",
        args=[str(mentions)],
        database_url=database_url,
        var_dir=folder / f"var-{name.lower()}",
        prefix=RESULT_PREFIX,
        summary=lambda r: (
            f"JSON: ingest {r['ingest_seconds']:.1f} s, VADER {r['vader_seconds']:.1f} s; "
            f"RSS: ingest {r['rss_seconds']:.1f} s, VADER {r['rss_vader_seconds']:.1f} s"
        ),
    )


def record(report: Report, mentions: int, name: str, result: dict[str, Any]) -> None:
    vader = mentions / result["vader_seconds"]
    report.add(
        WORKLOAD,
        f"ingest {mentions:,} pushed mentions (JSON), {name} (stored {result['stored']:,}, "
        f"{result['grouped']:,} in near-duplicate groups)",
        mentions / result["ingest_seconds"],
        "texts/s",
        reference=vader,
        reference_label="VADER alone on the same texts",
        note=f"sentiment by {result['method']}",
        goal=at_least(GOAL),
    )
    report.add(
        WORKLOAD,
        f"ingest {mentions:,} mentions from RSS, {name}",
        mentions / result["rss_seconds"],
        "texts/s",
        reference=mentions / result["rss_vader_seconds"],
        reference_label="VADER alone on the same texts",
        goal=at_least(GOAL),
    )


SYLLABLES = ["ka", "lo", "mi", "ter", "san", "vel", "dor", "pi", "nu", "rex"]
SYLLABLES += ["ble", "sto", "an", "ir", "qua", "zen", "mo", "fi", "gra", "ul"]


def vocabulary(size: int = 5000, seed: int = 4) -> list[str]:
    """Made-up words of two to four syllables, in a random order (their rank sets how often they occur)."""
    rng = random.Random(seed)
    words = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)})
    rng.shuffle(words)
    return words


def texts(count: int, seed: int = 5) -> list[str]:
    """Mentions of 8–25 words, nine in ten naming the brand: about three words in ten from the product's
    words (WORDS, which the queries and the sentiment model know), the rest from a vocabulary of a few
    thousand words with Zipf frequencies, as in real text. One text in twenty repeats an earlier one
    exactly (by another author), and one in fifty is an earlier text with a word added: both join
    near-duplicate groups."""
    rng = random.Random(seed)
    vocab = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    made = []
    for i in range(count):
        words = rng.choices(vocab, weights, k=rng.randint(8, 25))
        words = [rng.choice(WORDS) if rng.random() < 0.3 else word for word in words]
        brand = "Acme " if rng.random() < 0.9 else ""  # nine in ten name the brand (the query)
        made.append(brand + " ".join(words) + f" #{i}")
    for i in range(0, count, 20):
        made[i] = made[max(0, i - 7)]
    for i in range(10, count, 50):
        made[i] = made[i - 3] + " " + rng.choice(WORDS)
    return made


def rss(batch: list[tuple[int, str]], start: datetime) -> bytes:
    items = "".join(
        f"<item><title>t{i}</title><link>https://m.example/rss/{i}</link><guid>{i}</guid>"
        f"<description>{escape(text)}</description><author>u{i % 997}@m.example (U{i % 997})</author>"
        f"<pubDate>{(start + timedelta(seconds=30 * i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for i, text in batch
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>{items}</channel></rss>'.encode()


def webhook_json(batch: list[tuple[int, str]], start: datetime) -> bytes:
    data = [
        {
            "text": text,
            "published_at": (start + timedelta(seconds=30 * i)).isoformat(),
            "url": f"https://m.example/{i}",
            "author": f"U{i % 997}",
            "email": f"u{i % 997}@m.example",
        }
        for i, text in batch
    ]
    return json.dumps({"type": "mentions", "data": data}).encode()


def train_model() -> str:
    from advocacy.feedback.learned.services import sentiment_model_train
    from advocacy.feedback.models import Response, Survey

    survey = Survey.objects.create(name="NPS", kind="nps", question="q", email_subject="s", email_text="t")
    rng = random.Random(1)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    bad, good = ["Support took days to answer my ticket", "The price went up at renewal"], ["Great product", "Love it"]
    Response.objects.bulk_create(
        Response(
            survey=survey,
            kind="nps",
            channel="email",
            score=s,
            comment=rng.choice(bad if s < 7 else good),
            answered_at=at,
            updated_at=at,
        )
        for s in (rng.choice([2, 10]) for _ in range(600))
    )
    model = sentiment_model_train()
    return model.method if model else "vader"


def worker(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from advocacy.feedback.sentiment import sentiments
    from advocacy.listening.mentions.services import mentions_ingest
    from advocacy.listening.models import Mention, Query, Source, SourceKind
    from advocacy.listening.sources.feeds import parse

    method = train_model()
    Query.objects.create(name="Acme", terms=["acme", "support", "price"])
    source = Source.objects.create(name="bench", kind=SourceKind.IMPORT)
    from advocacy.listening.sources.services import WEBHOOK_MAX_ITEMS, webhook_items

    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Each message or feed is ingested, then the same texts are scored by VADER alone, one after the
    # other: on a shared machine whose load drifts, both sides of the ratio see the same load.
    # Path 1: pushed JSON messages of WEBHOOK_MAX_ITEMS each, read as the signed webhook reads them.
    corpus = list(enumerate(texts(count)))
    size = WEBHOOK_MAX_ITEMS
    messages = [(webhook_json(corpus[i : i + size], start), corpus[i : i + size]) for i in range(0, count, size)]
    ingest_seconds, vader_seconds, stored = 0.0, 0.0, 0
    for body, batch in messages:
        started = time.perf_counter()
        stored += len(mentions_ingest(source=source, items=webhook_items(body), after_commit=False).stored)
        ingest_seconds += time.perf_counter() - started
        started = time.perf_counter()
        sentiments([text for _, text in batch])
        vader_seconds += time.perf_counter() - started
    grouped = Mention.objects.filter(duplicate_of__isnull=False).count()
    # Path 2: as many other texts in RSS feeds of BATCH items.
    others = list(enumerate(texts(count, seed=6)))
    feeds = [
        (rss(others[i : i + BATCH], start + timedelta(days=400)), others[i : i + BATCH]) for i in range(0, count, BATCH)
    ]
    rss_seconds, rss_vader_seconds = 0.0, 0.0
    for body, batch in feeds:
        started = time.perf_counter()
        mentions_ingest(source=source, items=parse(body), after_commit=False)
        rss_seconds += time.perf_counter() - started
        started = time.perf_counter()
        sentiments([text for _, text in batch])
        rss_vader_seconds += time.perf_counter() - started
    result: dict[str, Any] = {
        "ingest_seconds": ingest_seconds,
        "rss_seconds": rss_seconds,
        "vader_seconds": vader_seconds,
        "rss_vader_seconds": rss_vader_seconds,
        "stored": stored,
        "grouped": grouped,
        "method": method,
    }
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="P5b listening ingest benchmark (see benchmarks/run.py)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=None, help="mentions")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    from benchmarks.run import main as run_main

    return run_main(["p5b", *(["--rows", str(args.rows)] if args.rows else [])])


if __name__ == "__main__":
    sys.exit(main())
