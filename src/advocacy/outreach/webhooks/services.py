"""Writes of outbound webhooks: endpoints and their secrets, emitting events, delivering them.

``webhook_emit`` is how every app publishes an event. Call it inside the transaction of the write it
reports: the message and its deliveries are written with that write (a rolled-back write sends
nothing) and the delivery jobs run after commit. Each delivery is retried with back-off by core's
job machinery (``WEBHOOK_MAX_ATTEMPTS``); every request is logged; an endpoint whose deliveries fail
for good ``WEBHOOK_DISABLE_AFTER_FAILURES`` times in a row, or that answers 410 Gone, is disabled.
"""

from __future__ import annotations

import http.client
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.jobs.runner import current_attempt
from advocacy.core.models import User
from advocacy.core.run_reads import read_once
from advocacy.outreach.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from advocacy.outreach.webhooks import egress
from advocacy.outreach.webhooks.registry import EVENT_TYPES, PING
from advocacy.outreach.webhooks.signing import new_msg_id, new_secret, signature_header

logger = logging.getLogger(__name__)


class WebhookNotDelivered(Exception):
    """This attempt failed; the job tries again after its back-off."""


# --- endpoints ------------------------------------------------------------------------------------


def check_endpoint(*, url: str | None, event_types: list[str] | None) -> None:
    errors = {}
    if url is not None:
        try:
            egress.check_url(url)
        except egress.DestinationRefused as exc:
            errors["url"] = str(exc)
        if len(url) > 500:
            errors["url"] = "at most 500 characters"
    if event_types is not None:
        unknown = sorted(set(event_types) - set(EVENT_TYPES))
        if not event_types:
            errors["event_types"] = "subscribe to at least one event type"
        elif unknown:
            errors["event_types"] = f"unknown event type(s): {', '.join(unknown)}; see the list of event types"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def endpoint_create(
    *, url: str, event_types: list[str], by: User | None, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (returned once: show it to the admin, who gives it to the receiver)."""
    check_endpoint(url=url, event_types=event_types)
    endpoint = WebhookEndpoint.objects.create(
        url=url.strip(),
        event_types=sorted(set(event_types)),
        description=description.strip()[:200],
        secret=new_secret(),
        created_by=by,
    )
    events.audit(actor=by, verb="webhook_endpoint.created", obj=endpoint, data={"url": endpoint.url})
    return endpoint, endpoint.secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: User | None,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    check_endpoint(url=url, event_types=event_types)
    changed: list[str] = []
    if url is not None and url.strip() != endpoint.url:
        endpoint.url, changed = url.strip(), [*changed, "url"]
    if event_types is not None and sorted(set(event_types)) != endpoint.event_types:
        endpoint.event_types, changed = sorted(set(event_types)), [*changed, "event_types"]
    if description is not None and description.strip() != endpoint.description:
        endpoint.description, changed = description.strip()[:200], [*changed, "description"]
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled, changed = enabled, [*changed, "enabled"]
        # Enabled again: a fresh start; disabled by hand: say so.
        endpoint.disabled_reason = "" if enabled else f"disabled by {events.actor_label(by)}"
        endpoint.consecutive_failures = 0
    if changed:
        endpoint.save()
        events.audit(actor=by, verb="webhook_endpoint.updated", obj=endpoint, data={"fields": changed})
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, by: User | None, now: datetime | None = None) -> str:
    """A new secret signs from now on; the old one signs too for WEBHOOK_SECRET_OVERLAP_HOURS, so the
    receiver can switch without losing a message. Returns the new secret (shown once)."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    events.audit(
        actor=by,
        verb="webhook_endpoint.secret_rotated",
        obj=endpoint,
        data={"previous_valid_until": endpoint.previous_secret_expires_at.isoformat()},
    )
    return endpoint.secret


def secrets_in_force(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    previous = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and previous is not None and previous > now:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


# --- emitting -------------------------------------------------------------------------------------


def enabled_endpoints() -> list[WebhookEndpoint]:
    """The endpoints that take events now (read once per run within ``reads_once_per_run``)."""
    return read_once("webhook endpoints", lambda: list(WebhookEndpoint.objects.filter(enabled=True)))


def webhook_emit(*, event_type: str, payload: dict[str, Any], key: str | None = None) -> WebhookMessage | None:
    """Publish one event to the endpoints that subscribe to it; None when none does. The same key is
    one event, however often it is emitted."""
    created = webhook_emit_many(event_type=event_type, payloads=[payload], keys=[key])
    return created[0] if created else None


def webhook_emit_many(
    *, event_type: str, payloads: list[dict[str, Any]], keys: list[str | None] | None = None
) -> list[WebhookMessage]:
    """Publish many events of one type in a few statements (a sweep's breaches, an import's consents)."""
    from advocacy.outreach.webhooks.tasks import deliver_webhook

    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not a registered webhook event type")
    endpoints = [e for e in enabled_endpoints() if event_type in e.event_types]
    if not endpoints or not payloads:
        return []
    keys = keys or [None] * len(payloads)
    now = timezone.now()
    with transaction.atomic():
        messages = [
            message
            for key, payload in zip(keys, payloads, strict=True)
            if (message := new_message(event_type=event_type, payload=payload, key=key, now=now))
        ]
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(message=m, endpoint=e, created_at=now) for m in messages for e in endpoints]
        )
        deliver_webhook.enqueue_many([(f"webhook-delivery:{d.pk}", [d.pk]) for d in deliveries])
    return messages


def new_message(*, event_type: str, payload: dict[str, Any], key: str | None, now: datetime) -> WebhookMessage | None:
    envelope = {"type": event_type, "timestamp": now.isoformat(), "data": payload}
    envelope = json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
    if key is not None and WebhookMessage.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return WebhookMessage.objects.create(
                msg_id=new_msg_id(), event_type=event_type, payload=envelope, key=key, created_at=now
            )
    except IntegrityError:
        return None  # the same key, emitted concurrently: one event


def endpoint_ping(*, endpoint: WebhookEndpoint, by: User | None) -> WebhookDelivery:
    """Send the endpoint a ``webhook.ping``, whatever it subscribes to, to try it."""
    from advocacy.outreach.webhooks.tasks import deliver_webhook

    with transaction.atomic():
        message = WebhookMessage.objects.create(
            msg_id=new_msg_id(),
            event_type=PING.name,
            payload={
                "type": PING.name,
                "timestamp": timezone.now().isoformat(),
                "data": {"endpoint_id": endpoint.pk, "sent_by": events.actor_label(by)},
            },
        )
        delivery = WebhookDelivery.objects.create(message=message, endpoint=endpoint)
        deliver_webhook.enqueue_once(f"webhook-delivery:{delivery.pk}", delivery.pk)
    return delivery


# --- delivering -----------------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int) -> str:
    """Make one request for a pending delivery and log it. Raises WebhookNotDelivered to be retried."""
    delivery = WebhookDelivery.objects.select_related("message", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "nothing to deliver"
    endpoint, message = delivery.endpoint, delivery.message
    if not endpoint.enabled:
        delivery_finish(delivery, DeliveryStatus.FAILED, error=f"the endpoint is disabled: {endpoint.disabled_reason}")
        return "endpoint disabled"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    number = delivery.attempts + 1
    now = timezone.now()
    body = json.dumps(message.payload, separators=(",", ":"))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Advocacy-Webhooks/1",
        "webhook-id": message.msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(
            secrets_in_force=secrets_in_force(endpoint, now), msg_id=message.msg_id, timestamp=now, body=body
        ),
    }
    try:
        destination = egress.resolve(endpoint.url)
    except egress.DestinationRefused as exc:
        log(delivery, number, error=str(exc))
        delivery_finish(delivery, DeliveryStatus.FAILED, error=str(exc))
        endpoint_failed(endpoint, reason=str(exc))
        return "refused"
    try:
        answer = egress.post(destination, body=body.encode(), headers=headers)
    except (OSError, http.client.HTTPException) as exc:
        error = f"no answer: {exc or type(exc).__name__}"
        log(delivery, number, error=error)
        return retry_or_fail(delivery, error=error)
    log(delivery, number, status_code=answer.status, excerpt=answer.excerpt, duration_ms=answer.duration_ms)
    if 200 <= answer.status < 300:
        delivery_finish(delivery, DeliveryStatus.DELIVERED, status_code=answer.status)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return "delivered"
    if answer.status == 410:
        delivery_finish(delivery, DeliveryStatus.FAILED, status_code=410, error="410 Gone")
        endpoint_disable(endpoint, reason="the receiver answered 410 Gone: it wants no more messages")
        return "gone"
    return retry_or_fail(delivery, error=f"answered {answer.status}", status_code=answer.status)


def log(
    delivery: WebhookDelivery,
    number: int,
    *,
    status_code: int | None = None,
    error: str = "",
    excerpt: str = "",
    duration_ms: int = 0,
) -> None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=status_code,
        error=error[:300],
        response_excerpt=excerpt[:500],
        duration_ms=duration_ms,
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(last_status_code=status_code, last_error=error[:300])


def retry_or_fail(delivery: WebhookDelivery, *, error: str, status_code: int | None = None) -> str:
    attempt = current_attempt()
    if attempt is not None and not attempt.is_last:
        raise WebhookNotDelivered(f"{delivery.endpoint.url}: {error}")
    delivery_finish(delivery, DeliveryStatus.FAILED, status_code=status_code, error=error)
    endpoint_failed(delivery.endpoint, reason=error)
    return "failed for good"


def delivery_finish(delivery: WebhookDelivery, status: str, *, status_code: int | None = None, error: str = "") -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=status, finished_at=timezone.now(), last_status_code=status_code, last_error=error[:300]
    )


def endpoint_failed(endpoint: WebhookEndpoint, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "enabled"])
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if endpoint.enabled and endpoint.consecutive_failures >= limit:
        endpoint_disable(endpoint, reason=f"{limit} deliveries in a row failed after every retry; the last: {reason}")


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(enabled=False, disabled_reason=reason[:300]):
        logger.warning("webhook endpoint %s disabled: %s", endpoint.url, reason)
        events.audit(
            actor=None, verb="webhook_endpoint.disabled", obj=endpoint, data={"reason": reason}, label="webhooks"
        )


def delivery_retry(*, delivery: WebhookDelivery, by: User | None) -> WebhookDelivery:
    """An admin sends a failed delivery again (its endpoint must be enabled)."""
    from advocacy.outreach.webhooks.tasks import deliver_webhook

    if delivery.status != DeliveryStatus.FAILED:
        raise ServiceError(f"This delivery is {delivery.status}; only a failed one is sent again.")
    if not delivery.endpoint.enabled:
        raise ServiceError("Enable the endpoint first.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, finished_at=None
        )
        deliver_webhook.enqueue_once(f"webhook-delivery:{delivery.pk}:retry:{delivery.attempts}", delivery.pk)
        events.audit(actor=by, verb="webhook_delivery.retried", obj=delivery)
    delivery.refresh_from_db()
    return delivery


def webhook_log_prune(*, now: datetime | None = None) -> int:
    """Forget messages older than WEBHOOK_LOG_RETENTION_DAYS, with their deliveries and log."""
    now = now or timezone.now()
    old = WebhookMessage.objects.filter(created_at__lt=now - timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS))
    deleted, _ = old.exclude(deliveries__status=DeliveryStatus.PENDING).delete()
    return deleted
