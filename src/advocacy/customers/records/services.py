"""Every write to accounts, customers, consent, products, orders and engagement.

Each function checks its input with the shared rules (rules.py), raises InvalidInput naming each
bad field, and writes in one transaction. The API, the pages and the imports all come through here
(imports through ``importing.service.import_file``, which applies the same rules in batches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.core import events
from advocacy.core.errors import InvalidInput
from advocacy.core.models import User
from advocacy.core.roles import Role
from advocacy.customers import rules
from advocacy.customers.consent import consent_changed
from advocacy.customers.models import (
    Account,
    AccountKind,
    AccountSize,
    Consent,
    ConsentPurpose,
    ContactWindow,
    Customer,
    CustomerStatus,
    EngagementEvent,
    EngagementKind,
    Order,
    OrderKind,
    Product,
    ProductInUse,
)

Cleaner = Callable[[Any], Any]


def clean_fields(values: Mapping[str, Any], cleaners: Mapping[str, Cleaner]) -> dict[str, Any]:
    """Run each given value through its rule; collect every failure before refusing."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in values.items():
        cleaner = cleaners.get(field)
        try:
            cleaned[field] = cleaner(value) if cleaner is not None and value is not None else value
        except rules.RuleError as exc:
            errors[field] = str(exc)
    if errors:
        raise InvalidInput(errors)
    return cleaned


def not_blank(field: str) -> Cleaner:
    def check(value: str) -> str:
        if not str(value).strip():
            raise rules.RuleError(f"{field} must not be empty")
        return str(value).strip()

    return check


def choice(options: list[str], field: str, *, blank_ok: bool = False) -> Cleaner:
    def check(value: str) -> str:
        if blank_ok and value == "":
            return ""
        return rules.clean_choice(value, options, field=field)

    return check


def staff_member(role: str | None, field: str) -> Cleaner:
    def check(value: User | int) -> User:
        user = (
            value
            if isinstance(value, User)
            else User.objects.filter(pk=value, is_active=True, is_service=False).first()
        )
        if user is None:
            raise rules.RuleError(f"no active staff member with id {value}")
        if role is not None and user.role != role:
            raise rules.RuleError(f"{user.username} is not a {Role(role).label.lower()}")
        return user

    return check


def save_unique(obj: Any, *, unique_fields: dict[str, str]) -> None:
    """Save, turning a unique-constraint clash into a field error instead of a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        message = str(exc).lower()
        for field, reason in unique_fields.items():
            if field in message:
                raise InvalidInput({field: reason}) from exc
        raise


def apply(obj: Any, cleaned: Mapping[str, Any]) -> list[str]:
    changed = [field for field, value in cleaned.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, cleaned[field])
    return changed


ACCOUNT_RULES: dict[str, Cleaner] = {
    "name": not_blank("name"),
    "kind": choice(AccountKind.values, "kind"),
    "size": choice(AccountSize.values, "size", blank_ok=True),
    "owner": staff_member(None, "owner"),
}


@transaction.atomic
def account_create(*, by: User | None, **fields: Any) -> Account:
    cleaned = clean_fields(fields, ACCOUNT_RULES)
    if "name" not in cleaned:
        raise InvalidInput({"name": "name is required"})
    account = Account(**cleaned)
    save_unique(account, unique_fields={"external_id": "another account has this external id"})
    events.audit(actor=by, verb="account.created", obj=account)
    return account


@transaction.atomic
def account_update(*, account: Account, by: User | None, **fields: Any) -> Account:
    changed = apply(account, clean_fields(fields, ACCOUNT_RULES))
    if changed:
        save_unique(account, unique_fields={"external_id": "another account has this external id"})
        events.audit(actor=by, verb="account.updated", obj=account, data={"fields": changed})
    return account


def clean_status_and_churn(cleaned: dict[str, Any], current: Customer | None) -> None:
    """A churned customer needs a churn date; a churn date means churned."""
    status = cleaned.get("status", current.status if current else CustomerStatus.ACTIVE)
    churned_on = cleaned.get("churned_on", current.churned_on if current else None)
    if "churned_on" in cleaned and cleaned["churned_on"] and "status" not in cleaned:
        status = cleaned["status"] = CustomerStatus.CHURNED
    if "status" in cleaned and status == CustomerStatus.ACTIVE and "churned_on" not in cleaned:
        churned_on = cleaned["churned_on"] = None
    if status == CustomerStatus.CHURNED and churned_on is None:
        raise InvalidInput({"churned_on": "a churned customer needs the date they churned"})
    if status == CustomerStatus.ACTIVE and churned_on is not None:
        raise InvalidInput({"status": "an active customer cannot have a churn date"})


CUSTOMER_RULES: dict[str, Cleaner] = {
    "email": rules.clean_email,
    "time_zone": rules.clean_time_zone,
    "status": choice(CustomerStatus.values, "status"),
    "primary_advocate": staff_member(Role.CUSTOMER_ADVOCATE, "primary_advocate"),
}
CUSTOMER_UNIQUE = {
    "email": "another customer has this email address",
    "external_id": "another customer has this external id",
}


def replace_contact_windows(customer: Customer, windows: list[tuple[int, time, time]]) -> None:
    customer.contact_windows.all().delete()
    ContactWindow.objects.bulk_create(
        ContactWindow(customer=customer, weekday=d, starts=s, ends=e) for d, s, e in sorted(set(windows))
    )


def clean_windows(text: str | None) -> list[tuple[int, time, time]] | None:
    if text is None:
        return None
    try:
        return rules.parse_contact_windows(text)
    except rules.RuleError as exc:
        raise InvalidInput({"contact_hours": str(exc)}) from exc


@transaction.atomic
def customer_create(*, by: User | None, contact_hours: str | None = None, **fields: Any) -> Customer:
    if not fields.get("email"):
        raise InvalidInput({"email": "email is required"})
    cleaned = clean_fields(fields, CUSTOMER_RULES)
    clean_status_and_churn(cleaned, None)
    windows = clean_windows(contact_hours)
    customer = Customer(**cleaned)
    save_unique(customer, unique_fields=CUSTOMER_UNIQUE)
    if windows:
        replace_contact_windows(customer, windows)
    events.audit(actor=by, verb="customer.created", obj=customer)
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by: User | None, contact_hours: str | None = None, **fields: Any
) -> Customer:
    cleaned = clean_fields(fields, CUSTOMER_RULES)
    clean_status_and_churn(cleaned, customer)
    windows = clean_windows(contact_hours)
    changed = apply(customer, cleaned)
    if changed:
        save_unique(customer, unique_fields=CUSTOMER_UNIQUE)
    if windows is not None:
        replace_contact_windows(customer, windows)
        changed.append("contact_hours")
    if changed:
        events.audit(actor=by, verb="customer.updated", obj=customer, data={"fields": changed})
    return customer


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    source: str,
    by: User | None,
    note: str = "",
    recorded_at: datetime | None = None,
) -> Consent:
    """Append a grant or withdrawal. History is never rewritten; the latest row is in force."""
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = f"{purpose!r} is not one of: {', '.join(ConsentPurpose.values)}"
    if not source.strip():
        errors["source"] = "say where the consent was given (portal, phone, import …)"
    if recorded_at is not None and timezone.is_naive(recorded_at):
        errors["recorded_at"] = "give a time zone with the time (e.g. 2025-01-31T10:00:00Z)"
    if recorded_at is not None and recorded_at > timezone.now():
        errors["recorded_at"] = "consent cannot be recorded in the future"
    if errors:
        raise InvalidInput(errors)
    consent = Consent.objects.create(
        customer=customer,
        purpose=purpose,
        granted=granted,
        source=source.strip(),
        recorded_by=by,
        note=note,
        recorded_at=recorded_at or timezone.now(),
    )
    events.audit(
        actor=by,
        verb="consent.granted" if granted else "consent.withdrawn",
        obj=customer,
        data={"purpose": purpose, "source": consent.source},
        label=None if by else f"customer:{customer.pk}",
    )
    consent_changed([consent])
    return consent


PRODUCT_RULES: dict[str, Cleaner] = {
    "name": not_blank("name"),
    "external_id": not_blank("external_id"),
    "price": lambda v: rules.clean_money(v, field="price"),
    "currency": rules.clean_currency,
    "capability_tags": lambda tags: sorted({str(t).strip().lower() for t in tags if str(t).strip()}),
}


def clean_margin(cleaned: dict[str, Any]) -> None:
    margin = cleaned.get("margin_pct")
    if margin is not None and not (Decimal(-100) <= Decimal(margin) <= Decimal(100)):
        raise InvalidInput({"margin_pct": "margin is a percentage between -100 and 100"})


@transaction.atomic
def product_create(*, by: User | None, **fields: Any) -> Product:
    cleaned = clean_fields(fields, PRODUCT_RULES)
    missing = {f: f"{f} is required" for f in ("external_id", "name", "price") if f not in cleaned}
    if missing:
        raise InvalidInput(missing)
    clean_margin(cleaned)
    product = Product(**cleaned)
    save_unique(product, unique_fields={"external_id": "another product has this SKU / external id"})
    events.audit(actor=by, verb="product.created", obj=product)
    return product


@transaction.atomic
def product_update(*, product: Product, by: User | None, **fields: Any) -> Product:
    cleaned = clean_fields(fields, PRODUCT_RULES)
    clean_margin(cleaned)
    changed = apply(product, cleaned)
    if changed:
        save_unique(product, unique_fields={"external_id": "another product has this SKU / external id"})
        events.audit(actor=by, verb="product.updated", obj=product, data={"fields": changed})
    return product


ORDER_RULES: dict[str, Cleaner] = {
    "amount": rules.clean_money,
    "currency": rules.clean_currency,
    "kind": choice(OrderKind.values, "kind"),
}


def check_order_date(cleaned: dict[str, Any]) -> None:
    ordered_on = cleaned.get("ordered_on")
    if isinstance(ordered_on, date) and ordered_on > timezone.localdate() + timedelta(days=1):
        raise InvalidInput({"ordered_on": f"{ordered_on} is in the future"})


@transaction.atomic
def order_create(*, by: User | None, **fields: Any) -> Order:
    cleaned = clean_fields(fields, ORDER_RULES)
    missing = {
        f: f"{f} is required" for f in ("customer", "product", "amount", "currency", "ordered_on") if f not in cleaned
    }
    if missing:
        raise InvalidInput(missing)
    check_order_date(cleaned)
    order = Order(**cleaned)
    save_unique(order, unique_fields={"external_id": "another order has this external id"})
    events.audit(actor=by, verb="order.created", obj=order)
    return order


@transaction.atomic
def order_update(*, order: Order, by: User | None, **fields: Any) -> Order:
    cleaned = clean_fields(fields, ORDER_RULES)
    check_order_date(cleaned)
    changed = apply(order, cleaned)
    if changed:
        save_unique(order, unique_fields={"external_id": "another order has this external id"})
        events.audit(actor=by, verb="order.updated", obj=order, data={"fields": changed})
    return order


@transaction.atomic
def event_record(
    *,
    customer: Customer,
    kind: str,
    occurred_at: datetime,
    by: User | None,
    value: Decimal | None = None,
    external_id: str | None = None,
    detail: str = "",
) -> tuple[EngagementEvent, bool]:
    """Record an engagement event; the same customer, kind and moment (or external id) is the same event.
    ``detail`` names what it was about: for "used a feature", the feature (a capability tag).

    Returns the event and whether it was new, so a retried delivery is harmless.
    """
    errors = {}
    if kind not in EngagementKind.values:
        errors["kind"] = f"{kind!r} is not one of: {', '.join(EngagementKind.values)}"
    if timezone.is_naive(occurred_at):
        errors["occurred_at"] = "give a time zone with the time (e.g. 2025-01-31T10:00:00Z)"
    if errors:
        raise InvalidInput(errors)
    if external_id:
        existing = EngagementEvent.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing, False
    event, created = EngagementEvent.objects.get_or_create(
        customer=customer,
        kind=kind,
        occurred_at=occurred_at,
        defaults={"value": value, "external_id": external_id or None, "detail": rules.clean_event_detail(detail)},
    )
    return event, created


@transaction.atomic
def product_in_use_record(
    *, customer: Customer, product: Product, by: User | None, since: date | None = None
) -> tuple[ProductInUse, bool]:
    """Note that the customer uses a product we did not sell them (a competitor's). Recording it again
    updates when they started; returns the row and whether it was new."""
    if product.is_own:
        raise InvalidInput(
            {"product_id": f"{product.name} is our own product: what a customer has of ours follows from orders"}
        )
    if since is not None and since > timezone.localdate():
        raise InvalidInput({"since": "a start in the future cannot be known yet"})
    row, created = ProductInUse.objects.update_or_create(customer=customer, product=product, defaults={"since": since})
    events.audit(
        actor=by, verb="customer.product_in_use", obj=customer, data={"product": product.pk, "since": str(since)}
    )
    return row, created


@transaction.atomic
def product_in_use_remove(*, customer: Customer, product: Product, by: User | None) -> bool:
    """The customer no longer uses the product; False when it was not recorded."""
    deleted, _ = ProductInUse.objects.filter(customer=customer, product=product).delete()
    if deleted:
        events.audit(actor=by, verb="customer.product_no_longer_in_use", obj=customer, data={"product": product.pk})
    return bool(deleted)
