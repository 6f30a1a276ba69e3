"""Ingest: exact duplicates dropped, near-duplicates grouped, queries with exclusions and languages,
customers matched by handle and email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advocacy.customers.models import SocialHandle
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, Query, Source, SourceKind
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def source(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="import", kind=SourceKind.IMPORT)


def test_exact_duplicates_are_dropped_by_url_and_by_content(source, acme):
    first = Incoming(text="Acme is great", published_at=T0, url="https://x.example/1?utm_medium=x", author="a")
    again = Incoming(text="Acme is  GREAT", published_at=T0, author="A")  # same author, same words
    same_url = Incoming(text="Acme rocks", published_at=T0, url="https://X.example/1/", author="b")
    result = mentions_ingest(source=source, items=[first, again, same_url])
    assert (len(result.stored), result.duplicates) == (1, 2)
    assert mentions_ingest(source=source, items=[first]).duplicates == 1  # and on a second run


def test_near_duplicates_from_different_authors_form_one_group(source, acme):
    text = "Switched to Acme Cloud last month and our reports now take minutes instead of hours"
    items = [
        Incoming(text=text + suffix, published_at=T0 + timedelta(hours=i), author=f"user{i}", handle=f"user{i}")
        for i, suffix in enumerate(["", "!", " :)", " really"])
    ]
    items.append(Incoming(text="Acme's pricing page is confusing", published_at=T0, author="z"))
    mentions_ingest(source=source, items=items)
    root = Mention.objects.get(handle="user0")
    assert root.duplicate_of is None
    assert set(root.near_duplicates.values_list("handle", flat=True)) == {"user1", "user2", "user3"}
    assert Mention.objects.get(author="z").duplicate_of is None


def test_exclusions_and_languages_narrow_a_query(source):
    Query.objects.create(name="Acme", terms=["acme"], exclusions=["acme anvil"], languages=["en"])
    items = [
        Incoming(text="The Acme Anvil cartoon", published_at=T0, author="a"),
        Incoming(text="Acme ist toll", published_at=T0, author="b", language="de"),
        Incoming(text="Acme works", published_at=T0, author="c", language="en-GB"),
    ]
    result = mentions_ingest(source=source, items=items)
    assert (len(result.stored), result.unmatched) == (1, 2)


def test_a_mention_is_tied_to_its_customer_by_handle_or_email(source, acme):
    dana, eve = CustomerFactory(), CustomerFactory(email="eve@example.net")
    SocialHandle.objects.create(customer=dana, handle="dana")
    mentions_ingest(
        source=source,
        items=[
            Incoming(text="Acme again", published_at=T0, author="Dana", handle="@Dana"),
            Incoming(text="Acme once more", published_at=T0, author="Eve", author_email="EVE@example.net"),
            Incoming(text="Acme for me", published_at=T0, author="Stranger"),
        ],
    )
    assert {(m.author, m.customer, m.matched_by) for m in Mention.objects.all()} == {
        ("Dana", dana, "handle"),
        ("Eve", eve, "email"),
        ("Stranger", None, ""),
    }
