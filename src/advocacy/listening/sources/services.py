"""Sources: adding them, polling the feeds that are due (each on its own, so one broken feed stops
nothing else), and the signed inbound webhook."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.listening.mentions.services import Incoming, IngestResult, mentions_ingest
from advocacy.listening.models import Source, SourceKind, WebhookReceipt
from advocacy.listening.sources import feeds
from advocacy.outreach.webhooks.signing import WebhookVerificationError, new_secret, verify

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
WEBHOOK_MAX_ITEMS = 500


def check_source(*, name: str, kind: str, url: str, interval_minutes: int) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = "name the source"
    elif Source.objects.filter(name=name.strip()).exists():
        errors["name"] = "a source with this name exists"
    if kind not in SourceKind.values:
        errors["kind"] = f"one of {', '.join(SourceKind.values)}"
    if kind == SourceKind.FEED and not url.lower().startswith(("http://", "https://")):
        errors["url"] = "a feed needs its http:// or https:// address"
    if interval_minutes < 1:
        errors["interval_minutes"] = "at least one minute"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def source_create(
    *, name: str, kind: str, url: str = "", interval_minutes: int = 60, by: User | None = None
) -> tuple[Source, str]:
    """A new source; a webhook source comes with its secret, returned here and shown once."""
    check_source(name=name, kind=kind, url=url, interval_minutes=interval_minutes)
    source = Source(name=name.strip()[:100], kind=kind, url=url.strip(), interval_minutes=interval_minutes)
    if kind == SourceKind.WEBHOOK:
        source.public_id, source.secret = secrets.token_urlsafe(12), new_secret()
    source.save()
    events.audit(actor=by, verb="listening.source_created", obj=source, data={"kind": kind})
    return source, source.secret


@transaction.atomic
def source_set_enabled(*, source: Source, enabled: bool, by: User | None) -> Source:
    if source.enabled != enabled:
        source.enabled = enabled
        source.next_fetch_at = timezone.now()
        source.save(update_fields=["enabled", "next_fetch_at"])
        events.audit(actor=by, verb="listening.source_" + ("enabled" if enabled else "disabled"), obj=source)
    return source


def backoff(source: Source) -> timedelta:
    """The interval, doubled for every error in a row, at most a day."""
    return min(timedelta(minutes=source.interval_minutes) * (2 ** min(source.failures, 16)), MAX_BACKOFF)


def feed_poll(*, source: Source, now: datetime | None = None) -> IngestResult | None:
    """Fetch one feed (conditional GET) and ingest what is new; an error is recorded on the source and
    the next try backs off. Returns None when the fetch failed."""
    now = now or timezone.now()
    try:
        fetched = feeds.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
        result = (
            IngestResult() if fetched.not_modified else mentions_ingest(source=source, items=fetched.items, now=now)
        )
    except feeds.FeedError as exc:
        feed_failed(source, str(exc), now)
        return None
    except Exception as exc:  # a feed that breaks the reader must not stop the other sources
        logger.exception("feed %s", source.pk)
        feed_failed(source, f"could not read the feed: {type(exc).__name__}: {exc}", now)
        return None
    Source.objects.filter(pk=source.pk).update(
        etag=fetched.etag[:200],
        last_modified=fetched.last_modified[:100],
        last_fetch_at=now,
        last_success_at=now,
        last_items=result.received,
        last_new=len(result.stored),
        last_error="",
        failures=0,
        next_fetch_at=now + timedelta(minutes=source.interval_minutes),
    )
    return result


def feed_failed(source: Source, error: str, now: datetime) -> None:
    source.failures += 1
    Source.objects.filter(pk=source.pk).update(
        last_fetch_at=now, last_error=error[:500], failures=source.failures, next_fetch_at=now + backoff(source)
    )


def due_feeds(now: datetime) -> list[int]:
    return list(
        Source.objects.filter(kind=SourceKind.FEED, enabled=True, next_fetch_at__lte=now).values_list("pk", flat=True)
    )


def feeds_poll_due(*, now: datetime | None = None) -> dict[int, int | None]:
    """Poll every feed that is due, each on its own; returns new mentions per source (None: it failed)."""
    now = now or timezone.now()
    outcome: dict[int, int | None] = {}
    for source in Source.objects.filter(pk__in=due_feeds(now)):
        result = feed_poll(source=source, now=now)
        outcome[source.pk] = None if result is None else len(result.stored)
    return outcome


# Signed inbound webhook (Standard Webhooks)


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]


def refused(status: int, title: str, detail: str) -> WebhookAnswer:
    return WebhookAnswer(status, {"type": "about:blank", "title": title, "status": status, "detail": detail})


def mentions_webhook(*, source: Source, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
    """A tool's signed push: verified (signature, 5-minute tolerance), refused when its ``webhook-id`` was
    seen before, then ingested. A refused message stores nothing."""
    try:
        verify(secrets_in_force=[source.secret], body=body, headers=headers)
    except WebhookVerificationError as exc:
        return refused(401, "Signature refused", str(exc))
    msg_id = headers.get("webhook-id", "")[:100]
    try:
        items = webhook_items(body)
    except ValueError as exc:
        return refused(422, "Unreadable mentions", str(exc))
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the receipt alone decides "seen before"
                WebhookReceipt.objects.create(source=source, msg_id=msg_id)
        except IntegrityError:
            return refused(
                409, "Replayed message", f"The message {msg_id!r} was received before; it is not taken twice."
            )
        result = mentions_ingest(source=source, items=items)
    Source.objects.filter(pk=source.pk).update(
        last_fetch_at=timezone.now(),
        last_success_at=timezone.now(),
        last_items=result.received,
        last_new=len(result.stored),
    )
    return WebhookAnswer(
        202, {"status": 202, "received": result.received, "stored": len(result.stored), "duplicates": result.duplicates}
    )


def webhook_items(body: bytes) -> list[Incoming]:
    """``{"type": "mentions", "data": [{"text", "published_at", "url", "author", "handle", …}, …]}``."""
    try:
        data = json.loads(body)["data"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError('The body is not {"type": "mentions", "data": [ … ]} JSON.') from exc
    if not isinstance(data, list) or len(data) > WEBHOOK_MAX_ITEMS:
        raise ValueError(f"data must be a list of at most {WEBHOOK_MAX_ITEMS} mentions")
    return [incoming(entry, f"/data/{i}") for i, entry in enumerate(data)]


def incoming(entry: Any, where: str) -> Incoming:
    if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
        raise ValueError(f"{where}: each mention needs its text")
    published = parse_datetime(str(entry.get("published_at") or ""))
    if published is None or published.tzinfo is None:
        raise ValueError(f"{where}/published_at: an ISO 8601 time with its offset, e.g. 2026-03-01T09:30:00Z")
    rating = entry.get("rating")
    if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
        raise ValueError(f"{where}/rating: a whole number from 1 to 5")
    return Incoming(
        text=str(entry["text"])[:20000],
        published_at=published,
        url=str(entry.get("url") or ""),
        external_id=str(entry.get("id") or ""),
        author=str(entry.get("author") or ""),
        handle=str(entry.get("handle") or ""),
        author_email=str(entry.get("email") or ""),
        title=str(entry.get("title") or ""),
        language=str(entry.get("language") or ""),
        rating=rating,
    )


def receipts_prune(now: datetime) -> int:
    """Receipts older than a week: a message that old is refused by its timestamp anyway."""
    deleted, _ = WebhookReceipt.objects.filter(received_at__lt=now - timedelta(days=7)).delete()
    return deleted
