"""Feeds: a feed served locally brings mentions in; a second fetch is conditional; a broken feed shows its
error and the other feeds keep running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.listening.models import Mention, Source, SourceKind
from advocacy.listening.sources.services import feeds_poll_due, source_create
from tests.factories import CustomerFactory
from tests.listening.conftest import FeedHandler

pytestmark = pytest.mark.django_db


def feed(name: str, url: str) -> Source:
    return source_create(name=name, kind=SourceKind.FEED, url=url, interval_minutes=30)[0]


def test_a_local_feed_brings_in_the_mentions_that_match_a_query(feed_server, acme):
    brand = feed("news", f"{feed_server}/brand.rss")
    assert feeds_poll_due() == {brand.pk: 2}  # the weather item matches no query
    prices = Mention.objects.get(canonical_url="https://news.example.org/acme-prices")  # tracking dropped
    assert prices.matched_terms == ["acme cloud"]
    assert prices.sentiment_method == "vader"
    assert list(prices.queries.all()) == [acme]
    bob = Mention.objects.get(handle="bob")
    assert bob.text == "Acme Cloud saves us hours every week, great product"
    brand.refresh_from_db()
    assert (brand.last_items, brand.last_new, brand.last_error, brand.etag) == (3, 2, "", '"brand.rss-v1"')


def test_the_second_fetch_is_conditional_and_adds_nothing(feed_server, acme):
    brand = feed("news", f"{feed_server}/brand.rss")
    feeds_poll_due()
    later = timezone.now() + timedelta(minutes=31)
    assert feeds_poll_due(now=later) == {brand.pk: 0}
    assert FeedHandler.requests[-1]["if-none-match"] == '"brand.rss-v1"'
    assert Mention.objects.count() == 2


def test_a_broken_feed_shows_its_error_and_the_others_keep_running(feed_server, acme):
    broken = feed("broken", f"{feed_server}/broken.xml")
    down = feed("down", f"{feed_server}/down")
    reviews = feed("reviews", f"{feed_server}/reviews.atom")
    outcome = feeds_poll_due()
    assert outcome == {broken.pk: None, down.pk: None, reviews.pk: 1}
    down.refresh_from_db()
    assert down.last_error == "HTTP 503 Service Unavailable"
    assert down.failures == 1
    assert down.next_fetch_at >= timezone.now() + timedelta(minutes=59)  # backed off: twice the interval
    broken.refresh_from_db()
    assert broken.last_error.startswith("not a feed")


def test_the_source_page_shows_a_broken_feed_s_error(feed_server, acme, client_as):
    feed("down", f"{feed_server}/down")
    feeds_poll_due()
    page = client_as("program_manager").get("/listening/sources/")
    assert "HTTP 503 Service Unavailable" in page.content.decode()


def test_a_review_by_a_known_domain_is_tied_to_its_customer(feed_server, acme):
    carla = CustomerFactory(email="carla@carla-consulting.example".replace("carla@", "c.owner@"))
    feed("reviews", f"{feed_server}/reviews.atom")
    feeds_poll_due()
    review = Mention.objects.get()
    assert (review.customer, review.matched_by) == (carla, "domain")
