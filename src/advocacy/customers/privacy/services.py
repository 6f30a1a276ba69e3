"""Export a customer's data and erase a customer: the two privacy operations, each audited.

Erasure anonymises rather than deletes: the customer row stays (with its consent history, the proof
of what they agreed to and withdrew, and its orders and scores, which the aggregates need), while
everything that names or quotes them is removed by the erasers each app registers.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from advocacy.core.errors import InvalidInput, ServiceError
from advocacy.core.events import audit
from advocacy.core.models import User
from advocacy.customers.consent import consents_in_force
from advocacy.customers.models import ConsentPurpose, Customer
from advocacy.customers.privacy.registry import ERASERS, SECTIONS, Identity
from advocacy.customers.records.services import consent_record

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never receive mail


def customer_record(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "external_id": customer.external_id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "time_zone": customer.time_zone,
        "locale": customer.locale,
        "account": customer.account.name if customer.account else None,
        "status": customer.status,
        "customer_since": customer.customer_since,
        "churned_on": customer.churned_on,
        "created_at": customer.created_at,
    }


def customer_export(*, customer: Customer, by: User | None, by_customer: bool = False) -> dict[str, Any]:
    """Everything kept about the customer, by section; the export itself is audited."""
    export: dict[str, Any] = {
        "exported_at": timezone.now(),
        "customer": customer_record(customer),
        "sections": {section.name: section.rows(customer) for section in SECTIONS},
    }
    audit(
        actor=by,
        label="the customer" if by_customer else None,
        verb="customer.exported",
        obj=customer,
        data={"sections": {name: len(rows) for name, rows in export["sections"].items()}},
    )
    return export


def check_erasure(customer: Customer, confirm_email: str, reason: str) -> None:
    errors = {}
    if confirm_email.strip().lower() != customer.email:
        errors["confirm_email"] = "type the customer's email address exactly, to confirm who is erased"
    if not reason.strip():
        errors["reason"] = "say why (for example: the customer asked on 2026-12-01 by mail)"
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def customer_erase(*, customer: Customer, by: User, confirm_email: str, reason: str) -> dict[str, int]:
    """Anonymise the customer everywhere; returns the rows each eraser changed."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.erased_at is not None:
        raise ServiceError("This customer was already erased.")
    check_erasure(customer, confirm_email, reason)
    identity = Identity(
        customer_id=customer.pk,
        email=customer.email,
        full_name=customer.full_name,
        phone=customer.phone,
        external_id=customer.external_id or "",
    )
    withdraw_every_consent(customer, by)
    changed = {eraser.name: eraser.erase(customer, identity) for eraser in ERASERS}
    anonymise(customer)
    audit(actor=by, verb="customer.erased", obj=customer, data={"reason": reason.strip()[:300], "changed": changed})
    return changed


def withdraw_every_consent(customer: Customer, by: User) -> None:
    """New withdrawals on top of the history (which stays as evidence): nothing may be asked again."""
    state = consents_in_force([customer.pk], list(ConsentPurpose.values))
    for purpose in ConsentPurpose.values:
        if state.get((customer.pk, purpose)) is not False:
            consent_record(customer=customer, purpose=purpose, granted=False, source="erasure", by=by)


def anonymise(customer: Customer) -> None:
    customer.email = f"erased-{customer.pk}@{ERASED_DOMAIN}"
    customer.first_name = customer.last_name = customer.phone = ""
    customer.external_id = None
    customer.primary_advocate = None
    customer.erased_at = timezone.now()
    customer.save()
