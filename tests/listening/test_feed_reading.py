"""Reading a feed: plain RSS 2.0 is read directly and gives exactly what feedparser's reading gives;
Atom, extensions, DOCTYPEs and bad XML go to feedparser, and hostile XML is refused without expanding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from advocacy.listening.sources import feeds
from advocacy.listening.sources.feeds import FeedError, parse, plain_rss

FEEDS = Path(__file__).parent / "feeds"


def rss(items: str, head: str = "", attributes: str = "") -> bytes:
    return f'{head}<rss version="2.0"{attributes}><channel>{items}</channel></rss>'.encode()


def by_feedparser(body: bytes, monkeypatch: pytest.MonkeyPatch) -> list[feeds.Incoming]:
    monkeypatch.setattr(feeds, "plain_rss", lambda body: None)
    return parse(body)


def test_plain_rss_is_read_directly_and_as_feedparser_reads_it(monkeypatch):
    body = (FEEDS / "brand.rss").read_bytes()
    direct = plain_rss(body)
    assert direct is not None and len(direct) == 3
    assert (direct[0].author, direct[0].author_email) == (
        "reporter@news.example.org (Jo Reporter)",
        "reporter@news.example.org",
    )
    assert (direct[1].text, direct[1].handle, direct[1].language) == (
        "Acme Cloud saves us hours every week, great product",
        "bob",
        "en",
    )
    assert direct == by_feedparser(body, monkeypatch)


def test_an_item_without_a_date_is_dated_now_by_both_readers(monkeypatch):
    body = rss("<item><title>Acme</title><description>Acme is fine</description></item>")
    direct, other = plain_rss(body), by_feedparser(body, monkeypatch)
    assert direct is not None
    assert abs((direct[0].published_at - other[0].published_at).total_seconds()) < 5
    assert replace(direct[0], published_at=other[0].published_at) == other[0]


@pytest.mark.parametrize(
    "body",
    [
        (FEEDS / "reviews.atom").read_bytes(),  # Atom
        rss(
            "<item><title>t</title><content:encoded>&lt;p&gt;Acme&lt;/p&gt;</content:encoded></item>",
            attributes=' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
        ),  # an extension
        rss("<item><title>t</title><pubDate>yesterday</pubDate></item>"),  # an odd date
        rss("<item><description><p>Acme</p></description></item>"),  # markup inside an element
        rss("<item><title>&a;</title></item>", head='<!DOCTYPE rss [<!ENTITY a "Acme">]>'),  # a DOCTYPE
        b"this is <not a feed",
    ],
)
def test_anything_but_plain_rss_goes_to_feedparser(body):
    assert plain_rss(body) is None


def test_a_billion_laughs_is_refused_without_expanding():
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "ha">{entities}]><rss version="2.0"><channel>'
    body += "<item><title>&l9;</title><description>&l9;</description></item></channel></rss>"
    assert plain_rss(body.encode()) is None
    try:
        items = parse(body.encode())
    except FeedError:
        return
    assert all(len(item.text) < 100_000 for item in items)
