"""What outreach adds to shared machinery: the consent listener that publishes ``consent.changed``."""

from __future__ import annotations

from datetime import datetime

from advocacy.core.context_processors import NavLink, register_nav_link
from advocacy.core.jobs.services import register_sweep
from advocacy.customers.consent import listen_to_consent
from advocacy.customers.models import Consent


def mail_bodies_prune(now: datetime) -> int:
    from advocacy.outreach.mail.services import mail_bodies_prune as prune

    return prune(now)


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
    register_privacy()
    register_sweep("mail bodies past retention", mail_bodies_prune)
    listen_to_consent("outreach.webhooks", consent_webhooks)
    register_nav_link(NavLink("Webhooks", "outreach:webhooks", 93))


def register_privacy() -> None:
    from advocacy.customers.privacy.registry import register_eraser, register_section
    from advocacy.outreach import privacy

    register_section("mails", privacy.mails_export)
    register_section("contact_asks", privacy.asks_export)
    register_eraser("mail sent", privacy.mails_erase)
    register_eraser("unsubscribe key", privacy.unsubscribe_key_erase)
    register_eraser("webhook messages", privacy.webhook_messages_erase)
