"""Schemas of the webhooks API (names unique across the whole API)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class WebhookEventTypeOut(Schema):
    name: str
    description: str
    app: str


class WebhookEndpointIn(Schema):
    url: str = Field(..., min_length=1, max_length=500)
    event_types: list[str] = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=200)


class WebhookEndpointPatch(Schema):
    url: str | None = Field(None, min_length=1, max_length=500)
    event_types: list[str] | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    consecutive_failures: int
    previous_secret_expires_at: datetime | None
    created_at: datetime


class WebhookSecretOut(Schema):
    endpoint: WebhookEndpointOut
    secret: str = Field(description="whsec_…: shown once; the receiver verifies signatures with it.")


class WebhookAttemptOut(Schema):
    number: int
    at: datetime
    status_code: int | None
    error: str
    response_excerpt: str
    duration_ms: int


class WebhookDeliveryOut(Schema):
    id: int
    msg_id: str = Field(..., alias="message.msg_id")
    event_type: str = Field(..., alias="message.event_type")
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    finished_at: datetime | None
