"""Reads for pages, the API and reports: set-based, a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from advocacy.customers.consent import in_force_among
from advocacy.customers.models import (
    Account,
    Consent,
    ConsentPurpose,
    Customer,
    CustomerStatus,
    EngagementEvent,
    EngagementKind,
    Order,
    Product,
    ProductInUse,
)


def headline_counts() -> dict[str, int]:
    today = timezone.localdate()
    by_status = dict(Customer.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "customers": sum(by_status.values()),
        "active": by_status.get(CustomerStatus.ACTIVE, 0),
        "churned": by_status.get(CustomerStatus.CHURNED, 0),
        "accounts": Account.objects.count(),
        "orders": Order.objects.filter(ordered_on__gte=today - timedelta(days=365)).count(),
        "events": EngagementEvent.objects.filter(occurred_at__gte=timezone.now() - timedelta(days=30)).count(),
    }


def search_filter(q: str) -> Q:
    """Every word must match one of name, email, phone, external id or account name."""
    condition = Q()
    for word in q.split():
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(external_id__iexact=word)
            | Q(account__name__icontains=word)
        )
    return condition


def customers_matching(
    *,
    q: str = "",
    status: str = "",
    account_id: int | None = None,
    region: str = "",
    industry: str = "",
    primary_advocate_id: int | None = None,
    email: str = "",
) -> QuerySet[Customer]:
    customers = Customer.objects.select_related("account", "primary_advocate")
    if q.strip():
        customers = customers.filter(search_filter(q.strip()))
    if email:
        customers = customers.filter(email=email.strip().lower())
    if status:
        customers = customers.filter(status=status)
    if account_id is not None:
        customers = customers.filter(account_id=account_id)
    if region:
        customers = customers.filter(account__region=region)
    if industry:
        customers = customers.filter(account__industry=industry)
    if primary_advocate_id is not None:
        customers = customers.filter(primary_advocate_id=primary_advocate_id)
    return customers.order_by("last_name", "first_name", "id")


def accounts_matching(*, q: str = "", industry: str = "", region: str = "", size: str = "") -> QuerySet[Account]:
    accounts = Account.objects.select_related("owner")
    if q.strip():
        accounts = accounts.filter(Q(name__icontains=q.strip()) | Q(external_id__iexact=q.strip()))
    for field_name, value in (("industry", industry), ("region", region), ("size", size)):
        if value:
            accounts = accounts.filter(**{field_name: value})
    return accounts.order_by("name", "id")


def products_matching(
    *, q: str = "", own: bool | None = None, competitor: str = "", category: str = "", active: bool | None = None
) -> QuerySet[Product]:
    products = Product.objects.all()
    if q.strip():
        products = products.filter(Q(name__icontains=q.strip()) | Q(external_id__iexact=q.strip()))
    if own is not None:
        products = products.filter(competitor="") if own else products.exclude(competitor="")
    if competitor:
        products = products.filter(competitor=competitor)
    if category:
        products = products.filter(category=category)
    if active is not None:
        products = products.filter(active=active)
    return products.order_by("competitor", "name", "id")


def orders_matching(
    *,
    customer_id: int | None = None,
    product_id: int | None = None,
    kind: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Order]:
    orders = Order.objects.select_related("product")
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    if product_id is not None:
        orders = orders.filter(product_id=product_id)
    if kind:
        orders = orders.filter(kind=kind)
    if since:
        orders = orders.filter(ordered_on__gte=since)
    if until:
        orders = orders.filter(ordered_on__lte=until)
    return orders.order_by("-ordered_on", "-id")


def events_matching(
    *, customer_id: int | None = None, kind: str = "", since: datetime | None = None, until: datetime | None = None
) -> QuerySet[EngagementEvent]:
    events = EngagementEvent.objects.all()
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
    if kind:
        events = events.filter(kind=kind)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-occurred_at", "-id")


def consents_matching(*, customer_id: int | None = None, purpose: str = "") -> QuerySet[Consent]:
    consents = Consent.objects.select_related("recorded_by")
    if customer_id is not None:
        consents = consents.filter(customer_id=customer_id)
    if purpose:
        consents = consents.filter(purpose=purpose)
    return consents.order_by("-recorded_at", "-id")


@dataclass
class ConsentNow:
    purpose: str
    label: str
    granted: bool | None
    since: datetime | None
    source: str


@dataclass
class Customer360:
    customer: Customer
    consents_now: list[ConsentNow]
    consent_history: list[Consent]
    orders: list[Order]
    order_totals: list[Any]
    last_order_on: date | None
    timeline: list[EngagementEvent]
    event_counts: list[Any]
    contact_windows: list[Any]
    features_used: list[tuple[str, datetime]] = field(default_factory=list)
    products_in_use: list[ProductInUse] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)


def current_consents(history: list[Consent]) -> list[ConsentNow]:
    latest = in_force_among(history)
    return [
        ConsentNow(
            purpose=p.value,
            label=str(p.label),
            granted=latest[p].granted if p in latest else None,
            since=latest[p].recorded_at if p in latest else None,
            source=latest[p].source if p in latest else "",
        )
        for p in ConsentPurpose
    ]


def customer_360(customer_id: int, *, orders_shown: int = 25, events_shown: int = 50) -> Customer360:
    customer = Customer.objects.select_related("account", "account__owner", "primary_advocate").get(pk=customer_id)
    history = list(customer.consents.select_related("recorded_by").order_by("-recorded_at", "-id"))
    orders = customer.orders.select_related("product")
    return Customer360(
        customer=customer,
        consents_now=current_consents(history),
        consent_history=history,
        orders=list(orders.order_by("-ordered_on", "-id")[:orders_shown]),
        order_totals=list(
            orders.order_by().values("currency").annotate(total=Sum("amount"), n=Count("id")).order_by("currency")
        ),
        last_order_on=orders.aggregate(last=Max("ordered_on"))["last"],
        timeline=list(customer.engagement_events.order_by("-occurred_at", "-id")[:events_shown]),
        event_counts=[
            row | {"label": EngagementKind(row["kind"]).label}
            for row in customer.engagement_events.order_by().values("kind").annotate(n=Count("id")).order_by("-n")
        ],
        contact_windows=list(customer.contact_windows.all()),
        features_used=features_used(customer_id),
        products_in_use=list(products_in_use(customer_id)),
    )


def products_in_use(customer_id: int) -> QuerySet[ProductInUse]:
    """Products the customer uses that we did not sell them, by name."""
    return ProductInUse.objects.filter(customer_id=customer_id).select_related("product").order_by("product__name")


def features_used(customer_id: int) -> list[tuple[str, datetime]]:
    """(feature, last used) from the customer's "used a feature" events that name one, most recent first."""
    rows = (
        EngagementEvent.objects.filter(customer_id=customer_id, kind=EngagementKind.FEATURE_USE)
        .exclude(detail="")
        .values("detail")
        .annotate(last=Max("occurred_at"))
        .order_by("-last")
        .values_list("detail", "last")
    )
    return list(rows)
