"""Near-duplicate groups across batches, found through the stored band keys, and signatures that match
datasketch's own MinHash value for value."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from datasketch import MinHash

from advocacy.listening.mentions import minhash
from advocacy.listening.mentions.services import Incoming, mentions_ingest
from advocacy.listening.models import Mention, MentionBand, Source, SourceKind

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
TEXT = "Switched to Acme Cloud last month and our reports now take minutes instead of hours"


@pytest.fixture
def source(db):  # type: ignore[no-untyped-def]
    return Source.objects.create(name="import", kind=SourceKind.IMPORT)


def test_a_later_batch_joins_the_stored_group_within_the_window_only(source, acme):
    mentions_ingest(source=source, items=[Incoming(text=TEXT, published_at=T0, author="a")])
    mentions_ingest(source=source, items=[Incoming(text=TEXT + "!", published_at=T0 + timedelta(days=1), author="b")])
    mentions_ingest(
        source=source, items=[Incoming(text=TEXT + " :)", published_at=T0 + timedelta(days=30), author="c")]
    )
    root = Mention.objects.get(author="a")
    assert Mention.objects.get(author="b").duplicate_of == root
    assert Mention.objects.get(author="c").duplicate_of is None  # a month later: outside the 14-day window
    assert MentionBand.objects.filter(mention=root).count() == minhash.BANDS


def test_a_batch_member_joins_the_stored_root_not_its_batch_neighbour(source, acme):
    mentions_ingest(source=source, items=[Incoming(text=TEXT, published_at=T0, author="a")])
    later = T0 + timedelta(hours=2)
    mentions_ingest(
        source=source,
        items=[
            Incoming(text=TEXT + " really", published_at=later, author="b"),
            Incoming(text=TEXT + " really!", published_at=later, author="c"),
        ],
    )
    root = Mention.objects.get(author="a")
    assert set(root.near_duplicates.values_list("author", flat=True)) == {"b", "c"}


@pytest.mark.parametrize(
    "text", ["", "abc", "abcde", "Acme  is\tGREAT", TEXT, "Grüße an Acme — très bien", "日本のAcmeサポート" * 3]
)
def test_signatures_equal_datasketch_minhash(text):
    reference = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, scheme=minhash.SCHEME, hashfunc=zlib.crc32)
    reference.update_batch(list(minhash.shingles(text)))
    assert np.array_equal(minhash.signatures([text, TEXT])[0], np.asarray(reference.hashvalues, dtype=np.uint32))


def test_the_duplicate_checks_use_the_indexes_not_a_scan(source, acme):
    """A batch's exact-duplicate check looks its URLs and hashes up; a scan of every mention per batch
    made the ingest slower the more was stored (P5b)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    mentions_ingest(source=source, items=[Incoming(text=TEXT, published_at=T0, url="https://x.example/1")])
    with CaptureQueriesContext(connection) as queries:
        mentions_ingest(source=source, items=[Incoming(text=TEXT + "!", published_at=T0, url="https://x.example/2")])
    assert any("json_each" in query["sql"] for query in queries.captured_queries)  # the band lookup ran
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if query["sql"].startswith("SELECT") and "listening_mention" in query["sql"]:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "SCAN listening_mention" not in plan.replace("SCAN listening_mentionband", ""), query["sql"]
                assert "SCAN listening_mentionband" not in plan, query["sql"]  # the band lookup uses its index
