"""The bulk path: a batch staged and upserted set-based gives the same row errors and the same stored rows
on SQLite and on PostgreSQL (the expectations below are exact, and the suite runs on both), whether
the file goes through in one batch or in many, and a second import of the same files changes nothing."""

from __future__ import annotations

import gc
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from advocacy.customers.importing.rows import RowError
from advocacy.customers.importing.services import import_file
from advocacy.customers.models import Account, Customer, Order
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "Record ID,Email,First Name,Company\n"
    "C-1,ann@example.com,Ann,Acme\n"
    "C-2,bo@example,Bo,Acme\n"  # not an email
    "C-3,Cy@Example.com,Cy,Globex\n"
    "C-1,ann.again@example.com,Ann,Acme\n"  # the id of line 2 again
    "C-5,dee@example.com,Dee,\n"
    "C-6,old@example.com,Olga,Globex\n"  # an existing customer, found by email, gets the id
)

ORDERS = (
    "Order ID,Customer,SKU,Amount,Currency,Date\n"
    "O-1,C-1,SKU-1,100.00,EUR,2025-01-02\n"  # customer by external id
    "O-2,CY@EXAMPLE.COM,SKU-1,50,EUR,2025-01-03\n"  # customer by email, in another case
    "O-3,nobody@example.com,SKU-1,10,EUR,2025-01-04\n"  # an unknown customer
    "O-1,C-1,SKU-1,100.00,EUR,2025-01-02\n"  # the order id of line 2 again
    "O-5,C-2,SKU-1,10,EUR,2025-01-04\n"  # the customer whose row was refused
    "O-6,old@example.com,SKU-1,-1,EUR,2025-01-04\n"  # a negative amount
    "O-7,C-6,SKU-1,7.25,,2025-01-05\n"  # no currency: the product's
)

CUSTOMER_ERRORS = [
    RowError(3, "Email", "bo@example", "'bo@example' is not a valid email address"),
    RowError(5, "Record ID", "C-1", "duplicate of line 2"),
]
ORDER_ERRORS = [
    RowError(
        4,
        "Customer",
        "nobody@example.com",
        "unknown customer 'nobody@example.com': no customer has this external id or email",
    ),
    RowError(5, "Order ID", "O-1", "duplicate of line 2"),
    RowError(6, "Customer", "C-2", "unknown customer 'C-2': no customer has this external id or email"),
    RowError(7, "Amount", "-1", "amount -1 is negative"),
]


@pytest.fixture
def existing():  # type: ignore[no-untyped-def]
    ProductFactory(external_id="SKU-1", currency="USD")
    return CustomerFactory(external_id=None, email="old@example.com", first_name="Old", account=None)


def stored() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the imports touch, with every value a person would see, and when it last changed."""
    return {
        "customers": list(
            Customer.objects.order_by("email").values_list(
                "pk", "external_id", "email", "first_name", "account__name", "status", "created_at", "updated_at"
            )
        ),
        "accounts": list(Account.objects.order_by("name").values_list("pk", "name")),
        "orders": list(
            Order.objects.order_by("external_id").values_list(
                "pk", "external_id", "customer__email", "product__external_id", "amount", "currency", "ordered_on"
            )
        ),
    }


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_a_mixed_file_gives_the_same_errors_and_rows_in_any_batch_size(csv_file, existing, settings, batch_size):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "create"
    customers = import_file(kind="customers", source=csv_file(CUSTOMERS, name="c.csv"), batch_size=batch_size)
    orders = import_file(kind="orders", source=csv_file(ORDERS, name="o.csv"), batch_size=batch_size)

    assert customers.errors == CUSTOMER_ERRORS
    assert (customers.created, customers.updated, customers.failed) == (3, 1, 2)
    assert customers.accounts_created == ["Acme", "Globex"]
    assert orders.errors == ORDER_ERRORS
    assert (orders.created, orders.updated, orders.failed) == (3, 0, 4)
    rows = stored()
    assert [row[1:6] for row in rows["customers"]] == [
        ("C-1", "ann@example.com", "Ann", "Acme", "active"),
        ("C-3", "cy@example.com", "Cy", "Globex", "active"),
        ("C-5", "dee@example.com", "Dee", None, "active"),
        ("C-6", "old@example.com", "Olga", "Globex", "active"),
    ]
    assert rows["customers"][3][0] == existing.pk  # matched by email, not created again
    assert [row[1] for row in rows["accounts"]] == ["Acme", "Globex"]
    assert [row[1:] for row in rows["orders"]] == [
        ("O-1", "ann@example.com", "SKU-1", Decimal("100.00"), "EUR", date(2025, 1, 2)),
        ("O-2", "cy@example.com", "SKU-1", Decimal("50.00"), "EUR", date(2025, 1, 3)),
        ("O-7", "old@example.com", "SKU-1", Decimal("7.25"), "USD", date(2025, 1, 5)),
    ]


def test_importing_the_same_files_twice_changes_nothing_the_second_time(csv_file, existing, settings):  # type: ignore[no-untyped-def]
    settings.IMPORT_UNKNOWN_ACCOUNTS = "create"
    customers, orders = csv_file(CUSTOMERS, name="c.csv"), csv_file(ORDERS, name="o.csv")
    import_file(kind="customers", source=customers, batch_size=2)
    import_file(kind="orders", source=orders, batch_size=2)
    before = stored()

    again = [
        import_file(kind="customers", source=customers, batch_size=2),
        import_file(kind="orders", source=orders, batch_size=2),
    ]

    assert [(r.created, r.updated, r.unchanged, r.accounts_created) for r in again] == [(0, 0, 4, []), (0, 0, 3, [])]
    assert [r.errors for r in again] == [CUSTOMER_ERRORS, ORDER_ERRORS]
    assert stored() == before


def test_an_import_on_sqlite_leaves_the_connections_cache_and_checkpoints_as_it_found_them(csv_file, existing):  # type: ignore[no-untyped-def]
    if connection.vendor != "sqlite":
        pytest.skip("the page cache and checkpoint settings are SQLite's")
    seen_during: list[dict[str, int]] = []
    before = sqlite_settings()
    import_file(
        kind="customers",
        source=csv_file(CUSTOMERS, name="c.csv"),
        progress=lambda _: seen_during.append(sqlite_settings()),
    )
    assert seen_during[0] == {"cache_size": -256 * 1024, "wal_autocheckpoint": 20_000}
    assert sqlite_settings() == before != seen_during[0]


def test_an_import_pauses_the_cycle_collector_only_while_it_runs(csv_file, existing):  # type: ignore[no-untyped-def]
    during: list[bool] = []
    import_file(
        kind="customers", source=csv_file(CUSTOMERS, name="c.csv"), progress=lambda _: during.append(gc.isenabled())
    )
    assert during[0] is False
    assert gc.isenabled() and gc.get_freeze_count() == 0


def sqlite_settings() -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for name in ("cache_size", "wal_autocheckpoint"):
            cursor.execute(f"PRAGMA {name}")
            found[name] = int(cursor.fetchone()[0])
    return found
