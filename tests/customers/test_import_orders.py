"""Importing orders: references to customers and products, money rules, repeats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from advocacy.customers.importing.rows import RowError
from advocacy.customers.importing.services import import_file
from advocacy.customers.models import Order
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

SALESFORCE_EXPORT = (
    "Opportunity ID,Contact Email,Product SKU,Amount,Currency,Type,Close Date\n"
    "O-1,ann@example.com,SKU-PRO,1200.00,eur,Renewal,2025-02-28\n"
    "O-2,ann@example.com,SKU-PRO,-50.00,EUR,New,2025-03-01\n"
    "O-3,ann@example.com,SKU-GONE,10,EUR,New,2025-03-01\n"
    "O-4,nobody@example.com,SKU-PRO,10,EUR,New,2025-03-01\n"
    "O-5,CUS-ANN,SKU-PRO,99.5,,cross-sell,15/03/2025\n"
    "O-1,ann@example.com,SKU-PRO,1200.00,EUR,Renewal,2025-02-28\n"
)


@pytest.fixture
def ann():  # type: ignore[no-untyped-def]
    return CustomerFactory(external_id="CUS-ANN", email="ann@example.com")


@pytest.fixture
def pro():  # type: ignore[no-untyped-def]
    return ProductFactory(external_id="SKU-PRO", currency="GBP")


def test_orders_land_with_their_customer_and_product_and_bad_ones_are_reported(csv_file, ann, pro):  # type: ignore[no-untyped-def]
    report = import_file(kind="orders", source=csv_file(SALESFORCE_EXPORT))

    assert report.errors == [
        RowError(3, "Amount", "-50.00", "amount -50.00 is negative"),
        RowError(
            4, "Product SKU", "SKU-GONE", "unknown product 'SKU-GONE': no product has this SKU; import products first"
        ),
        RowError(
            5,
            "Contact Email",
            "nobody@example.com",
            "unknown customer 'nobody@example.com': no customer has this external id or email",
        ),
        RowError(7, "Opportunity ID", "O-1", "duplicate of line 2"),
    ]
    assert list(
        Order.objects.order_by("external_id").values_list(
            "external_id", "customer", "product", "amount", "currency", "kind", "ordered_on"
        )
    ) == [
        ("O-1", ann.pk, pro.pk, Decimal("1200.00"), "EUR", "renewal", date(2025, 2, 28)),
        # No currency given: the product's. Day 15 cannot be a month, so 15/03 is read day-first.
        ("O-5", ann.pk, pro.pk, Decimal("99.50"), "GBP", "cross_sell", date(2025, 3, 15)),
    ]


def test_importing_the_same_orders_again_changes_nothing(csv_file, ann, pro):  # type: ignore[no-untyped-def]
    path = csv_file(SALESFORCE_EXPORT)
    import_file(kind="orders", source=path)
    again = import_file(kind="orders", source=path)
    assert (again.created, again.updated, again.unchanged, Order.objects.count()) == (0, 0, 2, 2)


def test_a_corrected_amount_updates_the_order(csv_file, ann, pro):  # type: ignore[no-untyped-def]
    OrderFactory(
        external_id="O-1",
        customer=ann,
        product=pro,
        amount=Decimal("1000.00"),
        currency="EUR",
        kind="renewal",
        ordered_on=date(2025, 2, 28),
    )
    path = csv_file(
        "Order ID,Customer,SKU,Amount,Currency,Kind,Date\nO-1,ann@example.com,SKU-PRO,1200,EUR,renewal,2025-02-28\n"
    )
    report = import_file(kind="orders", source=path)
    assert (report.updated, Order.objects.get().amount) == (1, Decimal("1200.00"))


def test_an_order_file_without_order_ids_is_refused(csv_file):  # type: ignore[no-untyped-def]
    from advocacy.customers.importing.readers import ImportRefused

    with pytest.raises(ImportRefused, match="Missing required column\\(s\\) for orders: external_id\\."):
        import_file(kind="orders", source=csv_file("Email,SKU,Amount,Date\na@example.com,S,1,2025-01-01\n"))
