"""Factories for test data: real rows in the real database, never mocks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from advocacy.customers.models import Account, Consent, Customer, EngagementEvent, Order, Product


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"ACC-{n:05d}")
    name = factory.Sequence(lambda n: f"Account {n}")
    industry = "Software"
    region = "EMEA"
    size = "mid"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CUS-{n:05d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    time_zone = "Europe/Berlin"
    account = factory.SubFactory(AccountFactory)
    customer_since = date(2024, 1, 15)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    external_id = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "Plans"
    price = Decimal("49.00")
    currency = "USD"
    margin_pct = Decimal("60.00")
    capability_tags = ["reporting"]


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: f"ORD-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    amount = Decimal("49.00")
    currency = "USD"
    kind = "new"
    ordered_on = date(2025, 3, 1)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementEvent

    customer = factory.SubFactory(CustomerFactory)
    kind = "login"
    occurred_at = factory.LazyFunction(timezone.now)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    purpose = "surveys"
    granted = True
    source = "test"
    recorded_at = factory.LazyFunction(timezone.now)
