"""The event types a webhook endpoint can subscribe to. Each app registers its own from its
``registration.py`` (insights and listening add theirs the same way) and emits them with
``outreach.webhooks.services.webhook_emit``. Names are ``noun.verb_in_past_tense``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    app: str


EVENT_TYPES: dict[str, EventType] = {}


def register_event_type(name: str, description: str, *, app: str) -> EventType:
    if "." not in name or name != name.strip().lower():
        raise ValueError(f"an event type is lower case and dotted, like 'case.opened', not {name!r}")
    existing = EVENT_TYPES.get(name)
    if existing is not None and existing.app != app:
        raise ValueError(f"event type {name!r} belongs to {existing.app}")
    EVENT_TYPES[name] = EventType(name, description, app)
    return EVENT_TYPES[name]


def event_type_names() -> list[str]:
    return sorted(EVENT_TYPES)


# Outreach's own: a consent changed (customers tells outreach through its consent listeners, since it
# sits below), and the ping an admin sends to try an endpoint.
CONSENT_CHANGED = register_event_type(
    "consent.changed",
    "A customer granted or withdrew a consent (portal, staff, import, unsubscribe link).",
    app="outreach",
)
PING = register_event_type("webhook.ping", "A test message an admin sends from the webhooks page.", app="outreach")
