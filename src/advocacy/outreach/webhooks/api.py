"""API of outbound webhooks, for admins: endpoints, their secrets and their delivery log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from advocacy.core.api.auth import actor, api_auth
from advocacy.core.api.pagination import Page
from advocacy.core.roles import Role
from advocacy.outreach.models import WebhookDelivery, WebhookEndpoint
from advocacy.outreach.webhooks import queries, services
from advocacy.outreach.webhooks.registry import EventType
from advocacy.outreach.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEventTypeOut,
    WebhookSecretOut,
)

router = Router(tags=["webhooks"])
ADMINS = api_auth(Role.ADMIN)


@router.get("/webhook-event-types", response=list[WebhookEventTypeOut], auth=ADMINS, summary="Event types")
def list_event_types(request: HttpRequest) -> list[EventType]:
    return queries.event_types()


@router.get("/webhook-endpoints", response=list[WebhookEndpointOut], auth=ADMINS, summary="List endpoints")
@paginate(Page)
def list_endpoints(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    return queries.endpoints()


@router.post(
    "/webhook-endpoints",
    response={201: WebhookSecretOut},
    auth=ADMINS,
    summary="Add an endpoint; its signing secret is in this answer only",
)
def create_endpoint(request: HttpRequest, payload: WebhookEndpointIn) -> Status[dict[str, object]]:
    endpoint, secret = services.endpoint_create(by=actor(request), **payload.dict())
    return Status(201, {"endpoint": endpoint, "secret": secret})


@router.get("/webhook-endpoints/{endpoint_id}", response=WebhookEndpointOut, auth=ADMINS, summary="One endpoint")
def get_endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id)


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response=WebhookEndpointOut,
    auth=ADMINS,
    summary="Change an endpoint; enabling it again clears its failures",
)
def patch_endpoint(request: HttpRequest, endpoint_id: int, payload: WebhookEndpointPatch) -> WebhookEndpoint:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return services.endpoint_update(endpoint=endpoint, by=actor(request), **payload.dict(exclude_unset=True))


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response=WebhookSecretOut,
    auth=ADMINS,
    summary="A new secret; the previous one keeps signing for WEBHOOK_SECRET_OVERLAP_HOURS",
)
def rotate_secret(request: HttpRequest, endpoint_id: int) -> dict[str, object]:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    secret = services.endpoint_secret_rotate(endpoint=endpoint, by=actor(request))
    return {"endpoint": endpoint, "secret": secret}


@router.post(
    "/webhook-endpoints/{endpoint_id}/ping",
    response={202: WebhookDeliveryOut},
    auth=ADMINS,
    summary="Send the endpoint a webhook.ping",
)
def ping_endpoint(request: HttpRequest, endpoint_id: int) -> Status[WebhookDelivery]:
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return Status(202, services.endpoint_ping(endpoint=endpoint, by=actor(request)))


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response=list[WebhookDeliveryOut],
    auth=ADMINS,
    summary="The endpoint's deliveries, newest first (status: pending, delivered, failed)",
)
@paginate(Page)
def list_deliveries(request: HttpRequest, endpoint_id: int, status: str = "") -> QuerySet[WebhookDelivery]:
    return queries.deliveries_of(get_object_or_404(WebhookEndpoint, pk=endpoint_id), status=status)


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    response=WebhookDeliveryOut,
    auth=ADMINS,
    summary="Send a failed delivery again",
)
def retry_delivery(request: HttpRequest, delivery_id: int) -> WebhookDelivery:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint", "message"), pk=delivery_id)
    return services.delivery_retry(delivery=delivery, by=actor(request))
