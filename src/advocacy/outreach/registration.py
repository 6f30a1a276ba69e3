"""What outreach adds to shared machinery: the consent listener that publishes ``consent.changed``."""

from __future__ import annotations

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.customers.consent import listen_to_consent
from advocacy.customers.models import Consent


def consent_webhooks(consents: list[Consent]) -> None:
    from advocacy.outreach.webhooks.registry import CONSENT_CHANGED
    from advocacy.outreach.webhooks.services import webhook_emit_many

    webhook_emit_many(
        event_type=CONSENT_CHANGED.name,
        payloads=[
            {
                "customer_id": c.customer_id,
                "purpose": c.purpose,
                "granted": c.granted,
                "source": c.source,
                "recorded_at": c.recorded_at,
            }
            for c in consents
        ],
        keys=[f"consent:{c.pk}" for c in consents],
    )


def register() -> None:
    listen_to_consent("outreach.webhooks", consent_webhooks)
    register_nav_link(NavLink("Webhooks", "outreach:webhooks", 93))
