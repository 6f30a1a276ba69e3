"""An Idempotency-Key whose first request died is not stuck for a day: after its lease, the same
request runs; an answer too large to keep is replayed as its status and a note, not stored whole."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.core.api.idempotency import fingerprint
from advocacy.core.apikeys.services import hash_secret
from advocacy.core.models import IdempotencyRecord
from advocacy.customers.models import Account

pytestmark = pytest.mark.django_db


def post(client, body, key):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/accounts", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def died_in_flight(token: str, key: str, body: dict[str, str], seconds_ago: int, rf) -> None:  # type: ignore[no-untyped-def]
    """What a process killed mid-request leaves: a claimed key and no answer."""
    request = rf.post("/api/v1/accounts", json.dumps(body), content_type="application/json")
    record = IdempotencyRecord.objects.create(
        principal=f"key:{hash_secret(token)}", key=key, fingerprint=fingerprint(request)
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_a_key_whose_request_died_is_in_progress_until_its_lease_ends_then_the_retry_runs(api_token, rf, settings):
    from django.test import Client

    settings.IDEMPOTENCY_LEASE_SECONDS = 90
    token = api_token("admin")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    died_in_flight(token, "acct-1", {"name": "Initech"}, seconds_ago=30, rf=rf)

    waiting = post(client, {"name": "Initech"}, "acct-1")
    assert waiting.status_code == 409 and waiting.json()["title"] == "Request in progress"
    assert 59 <= int(waiting["Retry-After"]) <= 61
    assert Account.objects.count() == 0

    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=91))
    other_body = post(client, {"name": "Initrode"}, "acct-1")
    assert other_body.status_code == 409 and "different request" in other_body.json()["detail"]

    retried = post(client, {"name": "Initech"}, "acct-1")
    assert retried.status_code == 201
    assert list(Account.objects.values_list("name", flat=True)) == ["Initech"]
    replay = post(client, {"name": "Initech"}, "acct-1")
    assert (replay.status_code, replay["Idempotent-Replayed"], replay.json()) == (201, "true", retried.json())


def test_an_answer_over_the_replay_limit_is_not_stored_and_its_replay_says_so(api, settings):
    settings.IDEMPOTENCY_MAX_BODY_BYTES = 40
    client = api("admin")
    first = post(client, {"name": "Initech"}, "acct-2")
    assert first.status_code == 201 and len(first.content) > 40

    record = IdempotencyRecord.objects.get(key="acct-2")
    assert (bytes(record.body), record.body_omitted) == (b"", len(first.content))
    replay = post(client, {"name": "Initech"}, "acct-2")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json()["detail"] == (
        f"The first answer to this Idempotency-Key was {len(first.content):,} bytes, over the 40 bytes kept for "
        "replays. The request was not run again."
    )
    assert Account.objects.count() == 1
