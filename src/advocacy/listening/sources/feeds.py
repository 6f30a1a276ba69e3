"""The feed client: one conditional GET (If-None-Match, If-Modified-Since) and feedparser's reading of
the answer as mentions. Nothing else in the product talks to feed servers."""

from __future__ import annotations

import calendar
import html
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from django.conf import settings
from django.utils.html import strip_tags

from advocacy.listening.mentions.services import Incoming

USER_AGENT = "Advocacy-Listening/1 (+feed reader)"


class FeedError(Exception):
    """Why a fetch failed, in words for the source page."""


@dataclass
class Fetched:
    not_modified: bool
    etag: str = ""
    last_modified: str = ""
    items: list[Incoming] = field(default_factory=list)


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (http/https only, checked on save)
    if etag:
        request.add_header("If-None-Match", etag)
    if last_modified:
        request.add_header("If-Modified-Since", last_modified)
    try:
        with urllib.request.urlopen(request, timeout=settings.LISTENING_FEED_TIMEOUT_SECONDS) as answer:  # noqa: S310
            body = answer.read(settings.LISTENING_FEED_MAX_BYTES + 1)
            headers = answer.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
        raise FeedError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FeedError(f"could not reach the feed: {getattr(exc, 'reason', exc)}") from exc
    if len(body) > settings.LISTENING_FEED_MAX_BYTES:
        raise FeedError(f"the feed is larger than {settings.LISTENING_FEED_MAX_BYTES:,} bytes")
    return Fetched(
        not_modified=False,
        etag=headers.get("ETag", "") or "",
        last_modified=headers.get("Last-Modified", "") or "",
        items=parse(body),
    )


def parse(body: bytes) -> list[Incoming]:
    # Tags are stripped to plain text below, so feedparser need not sanitise or resolve links (its slowest steps).
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"not a feed: {parsed.get('bozo_exception', 'unreadable')}")
    language = str(parsed.feed.get("language", "") or "")
    return [item for entry in parsed.entries if (item := entry_item(entry, language)) is not None]


def entry_item(entry: Any, language: str) -> Incoming | None:
    text = plain(entry.get("summary", "") or "")
    if entry.get("content"):
        text = plain(entry["content"][0].get("value", "")) or text
    title = plain(entry.get("title", "") or "")
    if not (text or title):
        return None
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else datetime.now(UTC)
    author = str(entry.get("author", "") or "")
    detail = entry.get("author_detail") or {}
    rating = entry.get("rating") or entry.get("review_rating")
    return Incoming(
        text=text or title,
        title=title if text else "",
        published_at=published,
        url=str(entry.get("link", "") or ""),
        external_id=str(entry.get("id", "") or ""),
        author=author,
        handle=handle_of(author),
        author_email=str(detail.get("email", "") or ""),
        language=str(entry.get("language", "") or language),
        rating=int(rating) if str(rating or "").isdigit() and 1 <= int(rating) <= 5 else None,
    )


def handle_of(author: str) -> str:
    """'@alice' or 'Alice (@alice)' → 'alice'; Mastodon's 'alice@host' stays whole."""
    for word in author.replace("(", " ").replace(")", " ").split():
        if word.startswith("@") and len(word) > 1:
            return word[1:]
    return ""


def plain(markup: str) -> str:
    return " ".join(html.unescape(strip_tags(markup)).split())
