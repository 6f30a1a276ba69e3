"""The signed inbound webhook: a signed push brings mentions in; forged, stale or replayed messages are
refused with a clear status and store nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from advocacy.listening.models import Mention, SourceKind
from advocacy.listening.sources.services import source_create
from advocacy.outreach.webhooks.signing import new_secret, signature_header

pytestmark = pytest.mark.django_db

BODY = json.dumps(
    {
        "type": "mentions",
        "data": [
            {
                "text": "Acme support was brilliant",
                "published_at": "2026-03-01T09:30:00Z",
                "author": "Dee",
                "handle": "@dee",
                "url": "https://t.example/dee/1",
            }
        ],
    }
)


def post(client, source, *, body=BODY, msg_id="msg_1", at=None, secret=None):  # type: ignore[no-untyped-def]
    at = at or datetime.now(UTC)
    signature = signature_header(secrets_in_force=[secret or source.secret], msg_id=msg_id, timestamp=at, body=body)
    return client.post(
        f"/listening/hooks/{source.public_id}/",
        data=body,
        content_type="application/json",
        headers={"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature},
    )


@pytest.fixture
def hook(acme):  # type: ignore[no-untyped-def]
    return source_create(name="brandwatch", kind=SourceKind.WEBHOOK)[0]


def test_a_signed_push_brings_its_mentions_in(client, hook):
    answer = post(client, hook)
    assert answer.status_code == 202
    assert answer.json()["stored"] == 1
    assert Mention.objects.get().handle == "dee"


def test_a_forged_message_is_refused_and_stores_nothing(client, hook):
    answer = post(client, hook, secret=new_secret())
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert not Mention.objects.exists()


def test_a_message_older_than_five_minutes_is_refused(client, hook):
    answer = post(client, hook, at=datetime.now(UTC) - timedelta(minutes=6))
    assert answer.status_code == 401
    assert not Mention.objects.exists()


def test_a_replayed_message_id_is_refused(client, hook):
    assert post(client, hook).status_code == 202
    other = BODY.replace("brilliant", "wonderful").replace("dee/1", "dee/2")
    replay = post(client, hook, body=other)
    assert replay.status_code == 409
    assert replay.json()["title"] == "Replayed message"
    assert Mention.objects.count() == 1


def test_a_signed_message_without_a_time_offset_is_refused_with_a_pointer(client, hook):
    body = BODY.replace("2026-03-01T09:30:00Z", "2026-03-01 09:30")
    answer = post(client, hook, body=body)
    assert answer.status_code == 422
    assert "/data/0/published_at" in answer.json()["detail"]
    assert not Mention.objects.exists()
