"""Reads of webhooks for the admins' pages and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from advocacy.outreach.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from advocacy.outreach.webhooks.registry import EVENT_TYPES, EventType


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    ).order_by("url")


def event_types() -> list[EventType]:
    return [EVENT_TYPES[name] for name in sorted(EVENT_TYPES)]


def deliveries_of(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookDelivery]:
    found = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("message").order_by("-created_at", "-pk")
    return found.filter(status=status) if status else found


def delivery_log(delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    log: dict[int, list[WebhookAttempt]] = {pk: [] for pk in delivery_ids}
    for attempt in WebhookAttempt.objects.filter(delivery_id__in=delivery_ids).order_by("number"):
        log[attempt.delivery_id].append(attempt)
    return log
