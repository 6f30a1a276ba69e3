"""Outbound webhooks: each event reaches the endpoints that subscribe to it, signed per Standard Webhooks,
retried with back-off, logged, and an endpoint that keeps failing is disabled. Only allowed hosts receive
anything, never a private address unless its network is allowed; a rotated secret still signs for a while."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from advocacy.casework.cases.services import case_open
from advocacy.core.errors import InvalidInput
from advocacy.core.jobs.services import job_run
from advocacy.core.models import AuditEvent, Job
from advocacy.customers.records.services import consent_record
from advocacy.outreach.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from advocacy.outreach.webhooks import services
from advocacy.outreach.webhooks.registry import EVENT_TYPES, register_event_type
from advocacy.outreach.webhooks.tasks import deliver_webhook
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on loopback that records what it gets and answers the statuses it is told to."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"try later")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    found = Receiver()
    yield found
    found.server.shutdown()


def endpoint_for(receiver: Receiver, *types: str) -> tuple[WebhookEndpoint, str]:
    return services.endpoint_create(url=receiver.url, event_types=list(types) or ["case.opened"], by=None)


def run_deliveries() -> list[str]:
    """What a worker does with the webhook deliveries that are due (a case's acknowledgement mail, queued
    with it, stays queued)."""
    outcomes = []
    due = Job.objects.filter(status="queued", run_after__lte=timezone.now(), task_path=deliver_webhook.path)
    for job in due.order_by("pk"):
        outcomes.append(job_run(job_id=job.pk))
    return outcomes


def due_now() -> None:
    Job.objects.filter(status="queued").update(run_after=timezone.now())


def test_the_events_of_the_issue_are_registered_by_their_apps():
    assert {
        name: EVENT_TYPES[name].app
        for name in (
            "answer.recorded",
            "case.opened",
            "case.resolved",
            "case.breached",
            "referral.converted",
            "reward.redeemed",
            "consent.changed",
        )
    } == {
        "answer.recorded": "feedback",
        "case.opened": "casework",
        "case.resolved": "casework",
        "case.breached": "casework",
        "referral.converted": "advocates",
        "reward.redeemed": "advocates",
        "consent.changed": "outreach",
    }
    with pytest.raises(ValueError, match="belongs to casework"):
        register_event_type("case.opened", "someone else's", app="insights")
    with pytest.raises(ValueError, match="lower case and dotted"):
        register_event_type("CaseOpened", "no", app="insights")


def test_an_opened_case_reaches_its_endpoint_signed_and_logged(receiver, carol):
    _, secret = endpoint_for(receiver, "case.opened")
    customer = CustomerFactory(email="ann@example.com")

    case = case_open(customer=customer, subject="Parcel lost", by=carol, owner=carol)
    assert receiver.requests == [], "sent by a worker after commit, not in the request"
    assert run_deliveries() == ["done"]

    [(headers, body)] = receiver.requests
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "case.opened"
    assert payload["data"] == {
        "case_id": case.pk,
        "customer_id": customer.pk,
        "owner": "carol",
        "status": "new",
        "category": case.category,
        "priority": case.priority,
        "source": "manual",
        "created_at": payload["data"]["created_at"],
        "resolved_at": None,
    }
    message = WebhookMessage.objects.get()
    assert headers["webhook-id"] == message.msg_id and headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert list(WebhookAttempt.objects.values_list("number", "status_code", "response_excerpt")) == [(1, 200, "thanks")]


def test_nothing_is_written_for_an_event_no_endpoint_wants(receiver, carol):
    endpoint_for(receiver, "case.resolved")
    case_open(customer=CustomerFactory(), subject="Parcel lost", by=carol, owner=carol)
    assert WebhookMessage.objects.count() == 0 and Job.objects.filter(task_path__contains="webhook").count() == 0
    with pytest.raises(ValueError, match="not a registered webhook event type"):
        services.webhook_emit(event_type="case.exploded", payload={})


def test_a_failing_receiver_is_retried_with_the_same_id_until_it_answers(receiver, carol, settings):
    settings.TASK_RETRY_BASE_SECONDS = 30
    endpoint_for(receiver, "case.opened")
    receiver.answers = [500, 503]
    case_open(customer=CustomerFactory(), subject="Parcel lost", by=carol, owner=carol)

    assert run_deliveries() == ["failed; retrying"]
    job = Job.objects.get(task_path__endswith="deliver_webhook")
    assert job.run_after > timezone.now() + timedelta(seconds=25), "the next attempt waits out its back-off"
    assert run_deliveries() == []
    due_now()
    assert run_deliveries() == ["failed; retrying"]
    due_now()
    assert run_deliveries() == ["done"]

    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1, "a retry is the same message: receivers dedupe on its id"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert list(delivery.log.values_list("status_code", flat=True)) == [500, 503, 200]


def test_an_endpoint_whose_deliveries_keep_failing_is_disabled(receiver, carol, settings):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1, 2
    endpoint, _ = endpoint_for(receiver, "case.opened")
    receiver.answers = [500, 500]
    for subject in ("First", "Second"):
        case_open(customer=CustomerFactory(), subject=subject, by=carol, owner=carol)
    assert run_deliveries() == ["done", "done"]  # each job ran its one attempt and recorded the failure

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == "2 deliveries in a row failed after every retry; the last: answered 500"
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed", "failed"]
    assert AuditEvent.objects.filter(verb="webhook_endpoint.disabled").count() == 1

    case_open(customer=CustomerFactory(), subject="Third", by=carol, owner=carol)
    assert WebhookDelivery.objects.count() == 2, "a disabled endpoint is sent nothing"


def test_only_allowed_hosts_receive_and_never_a_private_address_unless_its_network_is_allowed(receiver, settings):
    with pytest.raises(InvalidInput) as refused:
        services.endpoint_create(url="https://evil.example/hook", event_types=["case.opened"], by=None)
    assert refused.value.errors["url"] == (
        "evil.example is not an allowed webhook host; an admin adds it to WEBHOOK_ALLOWED_HOSTS."
    )

    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    endpoint, _ = services.endpoint_create(url=receiver.url, event_types=["case.opened"], by=None)
    services.webhook_emit(event_type="case.opened", payload={"case_id": 1})
    assert run_deliveries() == ["done"]

    assert receiver.requests == [], "no request went to the private address"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error.startswith("127.0.0.1 resolves to 127.0.0.1, a private or reserved address")

    settings.WEBHOOK_REQUIRE_HTTPS = True
    with pytest.raises(InvalidInput, match="https only"):
        services.endpoint_update(endpoint=endpoint, url=receiver.url.replace("/hooks", "/other"), by=None)


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(receiver):
    endpoint, old = endpoint_for(receiver, "case.opened")
    new = services.endpoint_secret_rotate(endpoint=endpoint, by=None)
    services.webhook_emit(event_type="case.opened", payload={"case_id": 1})
    run_deliveries()

    headers, body = receiver.requests[-1]
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    services.webhook_emit(event_type="case.opened", payload={"case_id": 2})
    run_deliveries()
    headers, body = receiver.requests[-1]
    Webhook(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, headers)


def test_a_consent_change_is_published_from_below_through_the_consent_listener(receiver):
    _, secret = endpoint_for(receiver, "consent.changed")
    customer = CustomerFactory()

    consent_record(customer=customer, purpose="marketing", granted=False, source="portal", by=None)
    run_deliveries()

    [(headers, body)] = receiver.requests
    data = Webhook(secret).verify(body, headers)["data"]
    assert (data["customer_id"], data["purpose"], data["granted"], data["source"]) == (
        customer.pk,
        "marketing",
        False,
        "portal",
    )


def test_admins_add_an_endpoint_on_the_page_and_see_its_secret_once(receiver, client_as):
    client = client_as("admin")
    page = client.post(reverse("outreach:webhooks"), {"url": receiver.url, "event_types": ["case.opened"]})

    endpoint = WebhookEndpoint.objects.get()
    assert f'<code class="token" id="new-secret">{endpoint.secret}</code>' in page.content.decode()
    assert endpoint.secret not in client.get(reverse("outreach:webhook_detail", args=[endpoint.pk])).content.decode()
    client.post(reverse("outreach:webhook_ping", args=[endpoint.pk]))
    run_deliveries()
    detail = client.get(reverse("outreach:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "webhook.ping" in detail and "Delivered" in detail


def test_the_api_creates_an_endpoint_answers_its_secret_once_and_pages_its_deliveries(receiver, api):
    client = api("admin")
    created = client.post(
        "/api/v1/webhook-endpoints",
        json.dumps({"url": receiver.url, "event_types": ["case.opened", "answer.recorded"]}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    endpoint_id = created.json()["endpoint"]["id"]
    listed = client.get("/api/v1/webhook-endpoints").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]

    services.webhook_emit(event_type="case.opened", payload={"case_id": 9})
    run_deliveries()
    deliveries = client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/deliveries").json()
    assert [(d["event_type"], d["status"], d["attempts"]) for d in deliveries["items"]] == [
        ("case.opened", "delivered", 1)
    ]
    refused = client.post(
        "/api/v1/webhook-endpoints",
        json.dumps({"url": receiver.url, "event_types": ["case.nope"]}),
        content_type="application/json",
    )
    assert refused.status_code == 422
