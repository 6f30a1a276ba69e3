"""The listening pages and API as their users see them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from advocacy.customers.models import SocialHandle
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, Source, SourceKind
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def source(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="social", kind=SourceKind.IMPORT)


def test_a_mention_added_twice_with_one_idempotency_key_is_stored_once(api, source, acme):
    body = {"source_id": source.pk, "text": "Acme is lovely", "published_at": "2026-03-01T10:00:00Z", "author": "kim"}
    client = api("program_manager")
    first = client.post("/api/v1/listening/mentions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/listening/mentions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Mention.objects.count() == 1


def test_a_mention_with_a_bad_rating_is_refused_with_a_pointer(api, source, acme):
    body = {"source_id": source.pk, "text": "Acme", "published_at": "2026-03-01T10:00:00Z", "rating": 9}
    answer = api("admin").post("/api/v1/listening/mentions", body, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/body/rating"
    assert not Mention.objects.exists()


def test_a_query_with_no_terms_is_refused(api):
    answer = api("admin").post(
        "/api/v1/listening/queries", {"name": "x", "terms": [" "]}, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"pointer": "/body/terms", "detail": "at least one term"}]


def test_the_explorer_filters_and_exports_what_it_shows(client_as, source, acme):
    mentions_ingest(
        source=source,
        items=[
            Incoming(text="Acme is awful and broken", published_at=T0, author="a"),
            Incoming(text="Acme is wonderful", published_at=T0, author="b"),
        ],
    )
    analyst = client_as("analyst")
    page = analyst.get("/listening/mentions/?tone=negative").content.decode()
    assert "awful" in page and "wonderful" not in page
    csv = b"".join(analyst.get("/listening/mentions.csv?tone=negative").streaming_content).decode()
    assert csv.count("\n") == 2 and "awful" in csv


def test_the_dashboard_and_the_360_panel_show_the_mentions(client_as, source, acme):
    customer = CustomerFactory()
    SocialHandle.objects.create(customer=customer, handle="lee")
    mentions_ingest(source=source, items=[Incoming(text="Acme rocks", published_at=T0, author="Lee", handle="lee")])
    manager = client_as("program_manager")
    dashboard = manager.get("/listening/").content.decode()
    assert "chart-volume" in dashboard and "VADER is in use" in dashboard
    panel = manager.get(f"/customers/{customer.pk}/").content.decode()
    assert "1 public mention" in panel


def test_adding_a_webhook_source_shows_its_secret_once(client_as):
    page = client_as("admin").post("/listening/sources/", {"name": "push", "kind": "webhook", "interval_minutes": "60"})
    assert page.status_code == 200
    assert "whsec_" in page.content.decode()
    assert "whsec_" not in client_as("admin").get("/listening/sources/").content.decode()


def test_a_feed_without_an_address_is_refused_on_the_page(client_as):
    page = client_as("admin").post("/listening/sources/", {"name": "f", "kind": "feed", "interval_minutes": "5"})
    assert page.status_code == 422
    assert "a feed needs its http:// or https:// address" in page.content.decode()
    assert not Source.objects.exists()


def test_the_dashboard_groups_mentions_into_themes(client_as, source, acme):
    items = [
        Incoming(text=f"Acme support took days to answer ticket {i}", published_at=T0, author=f"s{i}")
        for i in range(15)
    ]
    items += [
        Incoming(text=f"Acme price went up at renewal again {i}", published_at=T0, author=f"p{i}") for i in range(15)
    ]
    mentions_ingest(source=source, items=items)
    page = client_as("analyst").get("/listening/").content.decode()
    assert "Themes of the newest" in page
    assert "renewal" in page and "ticket" in page


def test_a_mention_page_shows_its_customer_group_and_flags(client_as, source, acme):
    customer = CustomerFactory(first_name="Mo", last_name="Reyes")
    SocialHandle.objects.create(customer=customer, handle="mo")
    line = "Acme Cloud is hands down the best analytics platform I have ever used, five stars"
    mentions_ingest(
        source=source,
        items=[
            Incoming(text=line + tail, published_at=T0, author=who, handle=who)
            for who, tail in (("mo", ""), ("b1", "!"), ("b2", "!!"))
        ],
    )
    mention = Mention.objects.get(handle="mo")
    page = client_as("customer_advocate").get(f"/listening/mentions/{mention.pk}/").content.decode()
    assert "Mo Reyes" in page and "matched by handle" in page
    assert "Near-identical texts from different authors" in page
    assert page.count("/listening/mentions/") >= 2  # the two others of its group
