"""The feed client: one conditional GET (If-None-Match, If-Modified-Since) and the reading of the answer
as mentions: plain RSS 2.0 directly, everything else by feedparser. Nothing else in the product talks to
feed servers."""

from __future__ import annotations

import calendar
import email.utils
import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from xml.etree import ElementTree

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
    """The feed's items: plain RSS 2.0 read directly (``plain_rss``), anything else by feedparser."""
    items = plain_rss(body)
    if items is not None:
        return items
    # Tags are stripped to plain text below, so feedparser need not sanitise or resolve links (its slowest steps).
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"not a feed: {parsed.get('bozo_exception', 'unreadable')}")
    language = str(parsed.feed.get("language", "") or "")
    return [item for entry in parsed.entries if (item := entry_item(entry, language)) is not None]


PLAIN_RSS_ITEM = frozenset({"title", "link", "guid", "description", "author", "pubDate", "category", "comments"})
EMAIL = re.compile(r"[\w.+-]+@(?:[\w-]+\.)+[A-Za-z]{2,}")


def plain_rss(body: bytes) -> list[Incoming] | None:
    """RSS 2.0 whose items hold only the plain elements (PLAIN_RSS_ITEM), each date readable, read with
    ElementTree: feedparser took longer per item than the rest of the ingest. None for anything else
    (Atom, RSS 1.0, extensions such as content:encoded or ratings, a DOCTYPE, entities, bad XML, an odd
    date), which feedparser then reads. A document with a DOCTYPE never reaches ElementTree, so no entity
    is ever expanded here."""
    head = body[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in body.lower():
        return None
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 (no DOCTYPE, so no entities; expat ≥ 2.4 limits the rest)
    except (ElementTree.ParseError, ValueError, LookupError):
        return None
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return None
    language = (channel.findtext("language") or "").strip()
    items = []
    for element in channel.iterfind("item"):
        if any(child.tag not in PLAIN_RSS_ITEM or len(child) for child in element):  # markup inside: feedparser
            return None
        item = rss_item(element, language)
        if item is False:
            return None
        if item is not None:
            items.append(item)
    return items


def rss_item(element: ElementTree.Element, language: str) -> Incoming | Literal[False] | None:
    """One plain RSS item as entry_item reads feedparser's entry; False when its date is unreadable."""
    text = plain(element.findtext("description") or "")
    title = plain(element.findtext("title") or "")
    if not (text or title):
        return None
    when = (element.findtext("pubDate") or "").strip()
    published = datetime.now(UTC)
    if when:
        try:
            published = email.utils.parsedate_to_datetime(when)
        except (TypeError, ValueError):
            return False
        published = published.replace(tzinfo=UTC) if published.tzinfo is None else published.astimezone(UTC)
    author = (element.findtext("author") or "").strip()
    found = EMAIL.search(author)
    return Incoming(
        text=text or title,
        title=title if text else "",
        published_at=published,
        url=(element.findtext("link") or "").strip(),
        external_id=(element.findtext("guid") or "").strip(),
        author=author,
        handle=handle_of(author),
        author_email=found.group(0) if found else "",
        language=language,
    )


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
    if "<" not in markup and "&" not in markup:  # no tag, no entity: only the spaces to collapse
        return " ".join(markup.split())
    return " ".join(html.unescape(strip_tags(markup)).split())
