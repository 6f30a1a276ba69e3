"""What outreach keeps about a customer, for their export and their erasure: the mail sent to them (and
their names in mail to staff), their unsubscribe key, and webhook messages that named them."""

from __future__ import annotations

from advocacy.customers.models import Customer
from advocacy.customers.privacy.registry import ERASED, Identity, Rows, rows, scrub_json_rows, scrub_text_rows
from advocacy.outreach.models import ContactAsk, OutboundMail, UnsubscribeKey, WebhookMessage


def mails_export(customer: Customer) -> Rows:
    return rows(OutboundMail.objects.filter(to=customer.email).values("subject", "text", "status", "created_at"))


def asks_export(customer: Customer) -> Rows:
    return rows(ContactAsk.objects.filter(customer=customer).values("kind", "ref", "asked_at"))


def mails_erase(customer: Customer, identity: Identity) -> int:
    # The row stays (the mail was sent, and the contact budget counts it); who and what go.
    changed = OutboundMail.objects.filter(to=identity.email).update(
        to=f"erased-{customer.pk}@erased.invalid", subject=ERASED, text="", html="", headers={}, attachments=[]
    )
    # Mail to staff names the customer too (a reply to their case, a deadline warning listing it).
    return changed + scrub_text_rows(OutboundMail.objects.all(), ["subject", "text", "html"], identity)


def unsubscribe_key_erase(customer: Customer, identity: Identity) -> int:
    deleted, _ = UnsubscribeKey.objects.filter(customer=customer).delete()
    return deleted


def webhook_messages_erase(customer: Customer, identity: Identity) -> int:
    return scrub_json_rows(WebhookMessage.objects.all(), "payload", identity)
