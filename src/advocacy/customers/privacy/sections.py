"""The customers app's own part of an export and an erasure: consents, orders, engagement, contact
windows, and the import reports that may quote the customer's row."""

from __future__ import annotations

from advocacy.core.models import IdempotencyRecord
from advocacy.customers.models import (
    Consent,
    ContactWindow,
    Customer,
    EngagementEvent,
    ImportJob,
    Order,
    ProductInUse,
)
from advocacy.customers.privacy.registry import Identity, Rows, rows, scrub_json_rows


def consents_export(customer: Customer) -> Rows:
    return rows(Consent.objects.filter(customer=customer).values("purpose", "granted", "source", "recorded_at", "note"))


def orders_export(customer: Customer) -> Rows:
    return rows(
        Order.objects.filter(customer=customer).values(
            "external_id", "product__name", "amount", "currency", "kind", "ordered_on"
        )
    )


def engagement_export(customer: Customer) -> Rows:
    return rows(EngagementEvent.objects.filter(customer=customer).values("kind", "detail", "occurred_at", "value"))


def products_in_use_export(customer: Customer) -> Rows:
    return rows(ProductInUse.objects.filter(customer=customer).values("product__name", "product__competitor", "since"))


def contact_windows_export(customer: Customer) -> Rows:
    return rows(ContactWindow.objects.filter(customer=customer).values("weekday", "starts", "ends"))


def contact_windows_erase(customer: Customer, identity: Identity) -> int:
    deleted, _ = ContactWindow.objects.filter(customer=customer).delete()
    return deleted


def import_reports_erase(customer: Customer, identity: Identity) -> int:
    return scrub_json_rows(ImportJob.objects.all(), "report", identity)


def idempotency_replies_erase(customer: Customer, identity: Identity) -> int:
    """Stored API replies (kept a day, for retries) that quote the customer are dropped: a retry of
    such a request after an erasure must not bring the old data back."""
    needles = [needle.encode() for needle in identity.needles()]
    quoting = [
        record.pk
        for record in IdempotencyRecord.objects.only("pk", "body").iterator()
        if any(needle in bytes(record.body) for needle in needles)
    ]
    deleted, _ = IdempotencyRecord.objects.filter(pk__in=quoting).delete()
    return deleted
