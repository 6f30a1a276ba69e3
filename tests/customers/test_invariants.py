"""Invariants that hold in the database itself, whatever code writes the rows."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from advocacy.core.errors import InvalidInput
from advocacy.customers.consent import customers_consenting as customers_with_consent
from advocacy.customers.models import ContactWindow, Customer, Order
from advocacy.customers.records import services
from tests.factories import ConsentFactory, CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def refused_by_database(write) -> bool:  # type: ignore[no-untyped-def]
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_emails_are_unique_without_regard_to_case():
    CustomerFactory(email="sam@example.com")
    with pytest.raises(InvalidInput) as refused:
        services.customer_create(by=None, email="SAM@Example.com")
    assert refused.value.errors == {"email": "another customer has this email address"}
    assert refused_by_database(lambda: Customer.objects.create(email="Sam@example.com"))


def test_a_churned_customer_needs_a_churn_date_and_an_active_one_has_none():
    customer = CustomerFactory()
    assert refused_by_database(lambda: Customer.objects.filter(pk=customer.pk).update(status="churned"))
    assert refused_by_database(lambda: Customer.objects.filter(pk=customer.pk).update(churned_on=date(2025, 1, 1)))
    with pytest.raises(InvalidInput) as refused:
        services.customer_update(customer=customer, by=None, status="churned")
    assert refused.value.errors == {"churned_on": "a churned customer needs the date they churned"}


def test_a_churn_date_alone_marks_the_customer_churned_and_reactivating_clears_it():
    customer = services.customer_update(customer=CustomerFactory(), by=None, churned_on=date(2025, 6, 30))
    assert (customer.status, customer.churned_on) == ("churned", date(2025, 6, 30))
    customer = services.customer_update(customer=customer, by=None, status="active")
    assert (customer.status, customer.churned_on) == ("active", None)


def test_order_amounts_are_never_negative_and_currencies_are_upper_case():
    order = OrderFactory()
    assert refused_by_database(lambda: Order.objects.filter(pk=order.pk).update(amount=Decimal("-1")))
    assert refused_by_database(lambda: Order.objects.filter(pk=order.pk).update(currency="usd"))


def test_a_contact_window_ends_after_it_starts():
    customer = CustomerFactory()
    assert refused_by_database(
        lambda: ContactWindow.objects.create(customer=customer, weekday=1, starts=time(12), ends=time(9))
    )
    assert refused_by_database(
        lambda: ContactWindow.objects.create(customer=customer, weekday=7, starts=time(9), ends=time(12))
    )


def test_contact_hours_are_read_from_words_with_a_specific_reason_when_wrong():
    customer = services.customer_create(
        by=None, email="w@example.com", contact_hours="Tue-Thu 14:00-17:30; Sat 10:00-12:00"
    )
    assert [str(w) for w in customer.contact_windows.all()] == [
        "Tue 14:00–17:30",
        "Wed 14:00–17:30",
        "Thu 14:00–17:30",
        "Sat 10:00–12:00",
    ]
    with pytest.raises(InvalidInput) as refused:
        services.customer_update(customer=customer, by=None, contact_hours="Mon 17:00-09:00")
    assert refused.value.errors == {"contact_hours": "contact hours 'Mon 17:00-09:00' end before they start"}
    assert customer.contact_windows.count() == 4


def test_the_primary_advocate_must_be_a_customer_advocate(staff):
    with pytest.raises(InvalidInput) as refused:
        services.customer_create(by=None, email="p@example.com", primary_advocate=staff["sales"])
    assert refused.value.errors == {"primary_advocate": "sam is not a customer advocate"}
    customer = services.customer_create(by=None, email="p@example.com", primary_advocate=staff["customer_advocate"])
    assert customer.primary_advocate.username == "carol"


def test_the_consent_in_force_is_the_latest_row():
    yes_then_no, no_then_yes, never = CustomerFactory(), CustomerFactory(), CustomerFactory()
    ConsentFactory(customer=yes_then_no, granted=True)
    ConsentFactory(customer=yes_then_no, granted=False)
    ConsentFactory(customer=no_then_yes, granted=False)
    ConsentFactory(customer=no_then_yes, granted=True)
    ConsentFactory(customer=never, purpose="marketing", granted=True)
    assert list(customers_with_consent("surveys")) == [no_then_yes]


def test_a_competitor_product_is_not_our_own():
    assert ProductFactory(competitor="").is_own is True
    assert ProductFactory(competitor="Northwind").is_own is False
