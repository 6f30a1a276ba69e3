"""A shop reports a referred friend's order by signed webhook (Standard Webhooks): a valid signature within
the timestamp tolerance is recorded once, a replay gets the first answer and changes nothing, anything
else is refused; and a conversion's idempotency key belongs to its sender, not to everyone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from advocacy.advocates.models import ConversionReceipt, ConversionSource, Referral
from advocacy.advocates.referrals import services as referrals
from tests.advocates.program_data import advocate
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def code() -> str:
    maria = advocate(email="maria.lopez@gmail.com", first_name="Maria", last_name="Lopez")
    link = referrals.referral_link_for(maria)
    referrals.click_record(code=link.code, ip="198.51.100.20", device_id="dev-tom")
    return link.code


@pytest.fixture
def shop() -> tuple[ConversionSource, str]:
    return referrals.source_create(name="Web shop", by=None)


def signed(secret: str, msg_id: str, payload: dict[str, object], *, at: datetime | None = None) -> dict[str, str]:
    body = json.dumps(payload)
    when = (at or datetime.now(UTC)).astimezone(UTC)
    return {
        "data": body,
        "content_type": "application/json",
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(when.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": Webhook(secret).sign(msg_id, when, body),
    }


def conversion(code: str, email: str = "tom.berg@elsewhere.org") -> dict[str, object]:
    CustomerFactory(email=email)
    return {"type": "referral.conversion", "data": {"code": code, "email": email}}


def post(source: ConversionSource, request: dict[str, str]):  # type: ignore[no-untyped-def]
    return Client().post(reverse("advocates:conversion_webhook", args=[source.public_id]), **request)


def test_a_signed_conversion_is_recorded_once_and_a_replay_gets_the_first_answer(shop, code):
    source, secret = shop
    request = signed(secret, "msg_order_1001", conversion(code))

    first = post(source, request)
    assert first.status_code == 201, first.content
    referral = Referral.objects.get()
    assert first.json() == {"status": 201, "referral_id": referral.pk, "referral_status": "converted"}
    assert (referral.idempotency_key, referral.key_scope) == ("msg_order_1001", f"source:{source.pk}")

    again = post(source, request)
    assert (again.status_code, again.json()["referral_id"], again.json()["replayed"]) == (201, referral.pk, True)
    assert Referral.objects.count() == 1 and ConversionReceipt.objects.count() == 1


def test_a_wrong_signature_a_stale_timestamp_and_an_unknown_source_are_refused(shop, code):
    source, secret = shop
    payload = conversion(code)

    forged = post(source, signed("whsec_" + "A" * 32, "msg_1", payload))
    assert (forged.status_code, forged.json()["detail"]) == (401, "No matching signature found")
    stale = post(source, signed(secret, "msg_2", payload, at=datetime.now(UTC) - timedelta(minutes=6)))
    assert (stale.status_code, stale.json()["detail"]) == (401, "Message timestamp too old")
    tampered = signed(secret, "msg_3", payload)
    tampered["data"] = tampered["data"].replace(code, "someone-else")
    assert post(source, tampered).status_code == 401
    unsigned = Client().post(reverse("advocates:conversion_webhook", args=[source.public_id]), payload)
    assert unsigned.status_code == 401
    nowhere = Client().post(reverse("advocates:conversion_webhook", args=["nope"]), **signed(secret, "msg_4", payload))
    assert nowhere.status_code == 404
    referrals.source_set_enabled(source=source, enabled=False, by=None)
    assert post(source, signed(secret, "msg_5", payload)).status_code == 404
    assert Referral.objects.count() == 0 and ConversionReceipt.objects.count() == 0


def test_a_refused_conversion_is_answered_the_same_when_sent_again(shop, code):
    source, secret = shop
    request = signed(secret, "msg_bad", {"type": "referral.conversion", "data": {"code": code, "email": "x@y.org"}})
    first = post(source, request)
    assert (first.status_code, first.json()["detail"]) == (422, "email: no customer with email 'x@y.org'")
    assert post(source, request).json()["replayed"] is True


def test_after_rotation_the_previous_secret_is_accepted_until_the_overlap_ends(shop, code):
    source, old = shop
    new = referrals.source_secret_rotate(source=source, by=None)
    assert post(source, signed(old, "msg_a", conversion(code, "a@example.com"))).status_code == 201
    assert post(source, signed(new, "msg_b", conversion(code, "b@example.com"))).status_code == 201
    ConversionSource.objects.filter(pk=source.pk).update(previous_secret_expires_at=timezone.now())
    assert post(source, signed(old, "msg_c", conversion(code, "c@example.com"))).status_code == 401


def test_two_senders_may_use_the_same_idempotency_key(api, code):
    first_friend = CustomerFactory(email="one@example.com")
    second_friend = CustomerFactory(email="two@example.com")

    def report(client, friend):  # type: ignore[no-untyped-def]
        order = OrderFactory(customer=friend)
        body = {"code": code, "friend_email": friend.email, "order_id": order.pk}
        return client.post(
            "/api/v1/referrals/conversions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="order-1"
        )

    first = report(api("sales"), first_friend)
    second = report(api("admin"), second_friend)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"], "another sender's 'order-1' is another order"
    assert sorted(Referral.objects.values_list("friend__email", flat=True)) == ["one@example.com", "two@example.com"]


def test_admins_make_a_source_and_see_its_secret_and_url_once(client_as):
    page = client_as("admin").post(reverse("advocates:conversion_sources"), {"name": "Web shop"})
    source = ConversionSource.objects.get()
    text = page.content.decode()
    assert f'<code class="token" id="new-secret">{source.secret}</code>' in text
    assert reverse("advocates:conversion_webhook", args=[source.public_id]) in text
    assert source.secret not in client_as("admin").get(reverse("advocates:conversion_sources")).content.decode()


def test_admins_add_a_source_through_the_api_and_get_its_secret_and_url_once(api, code):
    client = api("admin")
    made = client.post("/api/v1/referral-sources", {"name": "Web shop"}, content_type="application/json")
    assert made.status_code == 201
    source = ConversionSource.objects.get()
    assert made.json()["secret"] == source.secret
    assert made.json()["url"].endswith(f"/advocates/hooks/referrals/{source.public_id}/")
    assert "secret" not in client.get("/api/v1/referral-sources").json()["items"][0]
    rotated = client.post(f"/api/v1/referral-sources/{source.pk}/rotate-secret")
    assert rotated.json()["secret"] != made.json()["secret"]
    assert post(source, signed(made.json()["secret"], "msg_old", conversion(code))).status_code == 201
